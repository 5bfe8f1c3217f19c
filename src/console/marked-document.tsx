import { useEffect, useRef } from 'preact/hooks';
import { statementSpans } from './statements.js';

/**
 * A policy document as text, with one statement (from 1, as the simulator's links give it) marked and scrolled into
 * view: the statement a simulation matched, opened from the simulator's explanation.
 */
export function MarkedDocument({ text, statement, label }: { text: string; statement: number | undefined; label: string }) {
  const mark = useRef<HTMLElement>(null);
  const span = statement === undefined ? undefined : statementSpans(text)[statement - 1];
  useEffect(() => {
    mark.current?.scrollIntoView({ block: 'center' });
  }, [text, statement]);
  return (
    <pre class="code document" tabIndex={0} aria-label={label}>
      {span === undefined ? (
        text
      ) : (
        <>
          {text.slice(0, span.start)}
          <mark ref={mark} class="statement-mark" aria-label={`Statement ${statement ?? ''}`}>
            {text.slice(span.start, span.end)}
          </mark>
          {text.slice(span.end)}
        </>
      )}
    </pre>
  );
}
