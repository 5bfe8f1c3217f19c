import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './api.js';

/** An ISO-like date in UTC, the same on every machine: 2026-12-05 07:30 UTC. */
export function formatDate(value: Date | string | undefined): string {
  if (value === undefined) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` when `key` changes (and on reload); a later answer replaces an earlier one, never the reverse. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (mine === latest.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (mine === latest.current) setState({ error: errorText(error), loading: false });
      },
    );
    // `load` is a fresh closure each render: `key` says when it asks for something else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** A page's heading, focused when the page opens so that a screen reader announces where the person now is. */
export function PageHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function ErrorMessage({ text }: { text: string | undefined }) {
  if (text === undefined) return null;
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A section's body: its loading state, its error (an AccessDenied shows as text), or its content. */
export function Section<T>({ title, loaded, children, actions, id }: { title: string; id: string; loaded: Loaded<T>; actions?: ComponentChildren; children: (data: T) => ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={`${id}-title`}>
      <div class="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
      </div>
      {loaded.error !== undefined ? <ErrorMessage text={loaded.error} /> : loaded.data === undefined ? <Loading what={title.toLowerCase()} /> : children(loaded.data)}
    </section>
  );
}
