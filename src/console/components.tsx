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

export interface Column<T> {
  readonly label: string;
  readonly cell: (row: T) => ComponentChildren;
}

/**
 * A table that becomes a list of cards on a narrow screen (each cell labelled by its column through data-label, see
 * styles.css); the caption is for screen readers.
 */
export function Table<T>({ caption, columns, rows, rowKey }: { caption: string; columns: ReadonlyArray<Column<T>>; rows: readonly T[]; rowKey: (row: T) => string }) {
  return (
    <table class="cards">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.label} scope="col">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((c) => (
              <td key={c.label} data-label={c.label}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface PageAnswer {
  readonly IsTruncated?: boolean | undefined;
  readonly Marker?: string | undefined;
}

export interface Paged<T extends PageAnswer> {
  readonly loaded: Loaded<T>;
  /** 1 for the first page. */
  readonly page: number;
  previous(): void;
  next(marker: string | undefined): void;
}

/** An IAM List* call a page at a time (Marker/IsTruncated), remembering the markers before this page to go back. */
export function usePaged<T extends PageAnswer>(load: (marker: string | undefined) => Promise<T>, key: string): Paged<T> {
  const [markers, setMarkers] = useState<Array<string | undefined>>([undefined]);
  const marker = markers[markers.length - 1];
  const loaded = useLoad(() => load(marker), `${key}:${marker ?? ''}`);
  return {
    loaded,
    page: markers.length,
    previous: () => setMarkers(markers.slice(0, -1)),
    next: (m) => setMarkers([...markers, m]),
  };
}

/** Previous and next buttons under a paged list. */
export function Pager<T extends PageAnswer>({ paged, data, what }: { paged: Paged<T>; data: T; what: string }) {
  return (
    <nav class="pager" aria-label={`Pages of ${what}`}>
      <button type="button" disabled={paged.page === 1} onClick={paged.previous}>
        Previous page
      </button>
      <span>Page {paged.page}</span>
      <button type="button" disabled={data.IsTruncated !== true || data.Marker === undefined} onClick={() => paged.next(data.Marker)}>
        Next page
      </button>
    </nav>
  );
}

/** Runs one change at a time: `busy` while it runs, its failure as AWS's code and message in `error`. */
export function useAction(after?: () => void): { busy: boolean; error: string | undefined; setError(text: string | undefined): void; act(work: () => Promise<unknown>): Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const act = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      after?.();
      return true;
    } catch (failure) {
      setError(errorText(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, act };
}
