import { GenerateCredentialReportCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam';
import { useMemo, useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { formatDate, PageHeading, Section, useLoad } from '../components.js';
import { parseCredentialReport, type ReportRow } from '../recommendations.js';

const REPORT_WAIT_MS = 30_000;
/** The name the download is saved under. */
export const REPORT_FILE_NAME = 'credential-report.csv';

export interface CredentialReport {
  /** The CSV exactly as GetCredentialReport returned it: the download is these bytes. */
  readonly content: Uint8Array;
  readonly generated: Date | undefined;
  readonly columns: readonly string[];
  readonly rows: readonly ReportRow[];
}

/**
 * GenerateCredentialReport until its State is COMPLETE (IAM builds the report in the background and reuses one younger
 * than four hours), then GetCredentialReport.
 */
async function loadReport(clients: Clients): Promise<CredentialReport> {
  const { iam } = clients;
  const started = Date.now();
  for (;;) {
    const state = await iam.send(new GenerateCredentialReportCommand({}));
    if (state.State === 'COMPLETE') break;
    if (Date.now() - started > REPORT_WAIT_MS) throw new Error('The credential report is still being generated. Try again in a moment.');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const report = await iam.send(new GetCredentialReportCommand({}));
  const content = report.Content ?? new Uint8Array();
  const text = new TextDecoder().decode(content);
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  return { content, generated: report.GeneratedTime, columns: header === '' ? [] : header.split(','), rows: parseCredentialReport(text) };
}

type Direction = 'ascending' | 'descending';

/** Words the report writes where a value is absent: they sort after every real value, whichever the direction. */
const ABSENT = new Set(['N/A', 'no_information', 'not_supported', '']);

export function compareCells(a: string, b: string, direction: Direction): number {
  const absentA = ABSENT.has(a);
  const absentB = ABSENT.has(b);
  if (absentA !== absentB) return absentA ? 1 : -1;
  const order = a.localeCompare(b, 'en', { numeric: true });
  return direction === 'ascending' ? order : -order;
}

/** The columns shown until every column is asked for: who, and each credential's state and last use. */
const MAIN_COLUMNS = new Set([
  'user',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_active',
  'access_key_2_last_used_date',
]);

/** A column's heading as words: `access_key_1_last_used_date` reads "access key 1 last used date". */
const label = (column: string): string => column.replace(/_/g, ' ');

const REPORT_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** A cell as shown: the report's ISO times as the console writes dates (the title keeps the exact value). */
function cell(value: string) {
  return REPORT_DATE.test(value) ? <time dateTime={value} title={value}>{formatDate(value)}</time> : value;
}

function download(report: CredentialReport): void {
  // A copy into a fresh ArrayBuffer: the SDK's array may be a view into a larger buffer.
  const blob = new Blob([report.content.slice()], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = REPORT_FILE_NAME;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob when the click is handled; it is released once that has happened.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ReportTable({ report }: { report: CredentialReport }) {
  const [sort, setSort] = useState<{ column: string; direction: Direction }>({ column: 'user', direction: 'ascending' });
  const rows = useMemo(() => [...report.rows].sort((a, b) => compareCells(a[sort.column] ?? '', b[sort.column] ?? '', sort.direction)), [report, sort]);
  const [every, setEvery] = useState(false);
  const columns = every ? report.columns : report.columns.filter((c) => MAIN_COLUMNS.has(c));
  const toggle = (column: string) => setSort(sort.column === column && sort.direction === 'ascending' ? { column, direction: 'descending' } : { column, direction: 'ascending' });
  return (
    <>
      <label class="check inline">
        <input
          type="checkbox"
          checked={every}
          onChange={(e) => {
            setEvery(e.currentTarget.checked);
            if (!e.currentTarget.checked && !MAIN_COLUMNS.has(sort.column)) setSort({ column: 'user', direction: 'ascending' });
          }}
        />
        Show every column of the report ({report.columns.length})
      </label>
      {/* The report's columns do not fit a page: the table scrolls within its own region, which the keyboard can reach. */}
      <div class="table-scroll" role="region" aria-label="Credential report table" tabIndex={0}>
        <table class="cards report">
          <caption class="visually-hidden">Credential report, sorted by {label(sort.column)}, {sort.direction}. Select a column heading to sort by it.</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col" aria-sort={sort.column === column ? sort.direction : 'none'}>
                  <button type="button" class="sort" onClick={() => toggle(column)}>
                    {label(column)}
                    <span aria-hidden="true">{sort.column === column ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row['arn'] ?? row['user']}>
                {columns.map((column) => (
                  <td key={column} data-label={label(column)} class={column === 'arn' ? 'code' : undefined}>
                    {cell(row[column] ?? '')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The account's credential report: generated on request, shown as a sortable table, downloaded as IAM's CSV. */
export function CredentialReportPage({ clients }: { clients: Clients }) {
  const [round, setRound] = useState(0);
  const report = useLoad(() => (round === 0 ? Promise.resolve(undefined) : loadReport(clients)), `credential-report:${round}`);
  return (
    <>
      <PageHeading>Credential report</PageHeading>
      <p>
        Every user of the account and the status of their credentials: passwords, access keys, MFA devices and signing certificates. IAM generates a new report at most every four hours; a younger one is
        returned as it is.
      </p>
      <Section
        title="Report"
        id="credential-report"
        loaded={round === 0 ? { ...report, data: null, error: undefined } : report}
        actions={
          <div class="row-actions">
            <button type="button" class="primary" disabled={report.loading && round > 0} onClick={() => setRound((r) => r + 1)}>
              {round === 0 ? 'Generate report' : 'Generate again'}
            </button>
            {report.data === undefined || round === 0 ? null : (
              <button type="button" onClick={() => download(report.data as CredentialReport)}>
                Download report
              </button>
            )}
          </div>
        }
      >
        {(data) =>
          data === null || data === undefined ? (
            <p class="muted">Generate the report to see it here and download it as CSV.</p>
          ) : (
            <>
              <p class="muted">
                Generated {formatDate(data.generated)}; {data.rows.length} {data.rows.length === 1 ? 'row' : 'rows'}.
              </p>
              <ReportTable report={data} />
            </>
          )
        }
      </Section>
    </>
  );
}
