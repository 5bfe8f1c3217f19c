import { LookupEventsCommand, type Event as TrailEvent, type LookupAttributeKey, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, formatDate, PageHeading, Section, useLoad } from '../components.js';

const PAGE_SIZE = 50;

/** The lookup attributes, as CloudTrail's console names them; LookupEvents takes one at a time. */
const ATTRIBUTES: ReadonlyArray<readonly [LookupAttributeKey, string]> = [
  ['Username', 'User name'],
  ['EventName', 'Event name'],
  ['ResourceName', 'Resource name'],
  ['ResourceType', 'Resource type'],
  ['EventSource', 'Event source'],
  ['AccessKeyId', 'AWS access key'],
  ['ReadOnly', 'Read-only'],
  ['EventId', 'Event ID'],
];

export interface EventFilter {
  readonly key: LookupAttributeKey;
  readonly value: string;
  /** As typed in the form: a UTC date and time, `2026-12-05T07:30`. */
  readonly start: string;
  readonly end: string;
  readonly errorsOnly: boolean;
}

const NO_FILTER: EventFilter = { key: 'Username', value: '', start: '', end: '', errorsOnly: false };

/** A datetime-local value read as UTC, as the console shows every time; undefined when empty or not a date. */
export function utcInput(text: string): Date | undefined {
  if (text.trim() === '') return undefined;
  const date = new Date(`${text}${text.length === 16 ? ':00' : ''}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function lookupInput(filter: EventFilter, token: string | undefined): LookupEventsCommandInput {
  const start = utcInput(filter.start);
  const end = utcInput(filter.end);
  return {
    MaxResults: PAGE_SIZE,
    ...(filter.value.trim() !== '' ? { LookupAttributes: [{ AttributeKey: filter.key, AttributeValue: filter.value.trim() }] } : {}),
    ...(start !== undefined ? { StartTime: start } : {}),
    ...(end !== undefined ? { EndTime: end } : {}),
    ...(token !== undefined ? { NextToken: token } : {}),
  };
}

/** The record's fields the table shows, read from the CloudTrailEvent JSON (undefined when it is not JSON). */
function recordOf(event: TrailEvent): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(event.CloudTrailEvent ?? '');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function errorCodeOf(event: TrailEvent): string | undefined {
  const code = recordOf(event)?.['errorCode'];
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function prettyRecord(event: TrailEvent): string {
  const record = recordOf(event);
  return record === undefined ? (event.CloudTrailEvent ?? '') : JSON.stringify(record, null, 2);
}

function FilterForm({ applied, onApply }: { applied: EventFilter; onApply: (filter: EventFilter) => void }) {
  const [draft, setDraft] = useState(applied);
  const [problem, setProblem] = useState<string>();
  const set = (change: Partial<EventFilter>) => setDraft({ ...draft, ...change });
  const submit = (event: Event) => {
    event.preventDefault();
    for (const [text, name] of [
      [draft.start, 'start'],
      [draft.end, 'end'],
    ] as const) {
      if (text.trim() !== '' && utcInput(text) === undefined) return setProblem(`The ${name} time is not a date and time.`);
    }
    setProblem(undefined);
    onApply(draft);
  };
  return (
    <form class="form filters" onSubmit={submit} aria-label="Filter events">
      <div class="filter-row">
        <div>
          <label for="event-attribute">Lookup attribute</label>
          <select id="event-attribute" value={draft.key} onChange={(e) => set({ key: e.currentTarget.value as LookupAttributeKey })}>
            {ATTRIBUTES.map(([key, name]) => (
              <option key={key} value={key}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="event-attribute-value">Value</label>
          <input id="event-attribute-value" autocapitalize="none" spellcheck={false} value={draft.value} onInput={(e) => set({ value: e.currentTarget.value })} />
        </div>
        <div>
          <label for="event-start">Start time (UTC)</label>
          <input id="event-start" type="datetime-local" value={draft.start} onInput={(e) => set({ start: e.currentTarget.value })} />
        </div>
        <div>
          <label for="event-end">End time (UTC)</label>
          <input id="event-end" type="datetime-local" value={draft.end} onInput={(e) => set({ end: e.currentTarget.value })} />
        </div>
      </div>
      <label class="check">
        <input type="checkbox" checked={draft.errorsOnly} onChange={(e) => set({ errorsOnly: e.currentTarget.checked })} />
        Errors only
      </label>
      <p class="muted hint">LookupEvents filters by one attribute at a time and has no error filter: “Errors only” hides the successful events of each page the server returns.</p>
      <ErrorMessage text={problem} />
      <div class="actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(NO_FILTER);
            setProblem(undefined);
            onApply(NO_FILTER);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

function EventRows({ events }: { events: readonly TrailEvent[] }) {
  const [open, setOpen] = useState<string>();
  return (
    <table class="cards events">
      <caption class="visually-hidden">Events, newest first. Select an event name to see its full record.</caption>
      <thead>
        <tr>
          <th scope="col">Event name</th>
          <th scope="col">Event time</th>
          <th scope="col">User name</th>
          <th scope="col">Event source</th>
          <th scope="col">Resources</th>
          <th scope="col">Error code</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const id = event.EventId ?? '';
          const expanded = open === id;
          return (
            <Fragment key={id}>
              <tr class={expanded ? 'selected' : undefined}>
                <td data-label="Event name">
                  <button type="button" class="link" aria-expanded={expanded} aria-controls={`record-${id}`} onClick={() => setOpen(expanded ? undefined : id)}>
                    {event.EventName}
                  </button>
                </td>
                <td data-label="Event time">{formatDate(event.EventTime)}</td>
                <td data-label="User name">{event.Username ?? '—'}</td>
                <td data-label="Event source">{event.EventSource}</td>
                <td data-label="Resources">{(event.Resources ?? []).length === 0 ? '—' : (event.Resources ?? []).map((r) => `${r.ResourceName ?? ''} (${r.ResourceType ?? ''})`).join(', ')}</td>
                <td data-label="Error code">{errorCodeOf(event) ?? '—'}</td>
              </tr>
              {expanded ? (
                <tr class="record-row">
                  <td colSpan={6}>
                    <pre id={`record-${id}`} class="code document" tabIndex={0} aria-label={`Event record ${id}`}>
                      {prettyRecord(event)}
                    </pre>
                  </td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** CloudTrail's event history of the account (Gatehouse's audit trail), read through LookupEvents a page at a time. */
export function EventHistoryPage({ clients }: { clients: Clients }) {
  const [filter, setFilter] = useState<EventFilter>(NO_FILTER);
  // The tokens of the pages before this one, to go back: LookupEvents only goes forward.
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const token = tokens[tokens.length - 1];
  const { errorsOnly, ...query } = filter;
  const loaded = useLoad(() => clients.cloudTrail.send(new LookupEventsCommand(lookupInput(filter, token))), `events:${JSON.stringify(query)}:${token ?? ''}`);
  return (
    <>
      <PageHeading>Event history</PageHeading>
      <p>The account’s management events as Gatehouse’s audit trail recorded them, newest first, with the full record of each.</p>
      <section class="panel" aria-labelledby="event-filters-title">
        <h2 id="event-filters-title">Filters</h2>
        <FilterForm
          applied={filter}
          onApply={(next) => {
            setFilter(next);
            setTokens([undefined]);
          }}
        />
      </section>
      {/* A new query shows as loading rather than leaving the last answer's rows under the new filters. */}
      <Section title="Events" id="events" loaded={loaded.loading ? { ...loaded, data: undefined, error: undefined } : loaded}>
        {(data) => {
          const events = (data.Events ?? []).filter((e) => !errorsOnly || errorCodeOf(e) !== undefined);
          return (
            <>
              {errorsOnly ? (
                <p class="notice">
                  Showing the {events.length} failed {events.length === 1 ? 'event' : 'events'} of the {(data.Events ?? []).length} on this page.
                </p>
              ) : null}
              {events.length === 0 ? <p class="muted">No events on this page match.</p> : <EventRows events={events} />}
              <nav class="pager" aria-label="Pages of events">
                <button type="button" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>
                  Previous page
                </button>
                <span>Page {tokens.length}</span>
                <button type="button" disabled={data.NextToken === undefined} onClick={() => setTokens([...tokens, data.NextToken])}>
                  Next page
                </button>
              </nav>
            </>
          );
        }}
      </Section>
    </>
  );
}
