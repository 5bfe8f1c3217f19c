// The dashboard's security recommendations, after the IAM User Guide's security best practices (root MFA, no root
// access keys, MFA for every user with a console password, keys rotated within 90 days, unused credentials removed),
// computed in the browser from GetAccountSummary and the credential report the person may read.

/** Keys older than this, and credentials unused for this long, are reported. */
export const STALE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Finding {
  /** The user the finding is about; undefined for the root user. */
  readonly user: string | undefined;
  readonly text: string;
}

export interface Recommendations {
  readonly rootMfa: boolean;
  readonly rootKeys: boolean;
  readonly usersWithoutMfa: readonly Finding[];
  readonly oldKeys: readonly Finding[];
  readonly unused: readonly Finding[];
}

export type ReportRow = Readonly<Record<string, string>>;

const ROOT_ROW = '<root_account>';

/** The credential report's CSV as rows by column name (no field of it is ever quoted: names and ARNs hold no comma). */
export function parseCredentialReport(text: string): ReportRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const header = (lines[0] ?? '').split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    // A null-prototype record: a column named like an Object property must not reach the prototype.
    const row: Record<string, string> = Object.create(null) as Record<string, string>;
    header.forEach((name, i) => {
      row[name] = cells[i] ?? '';
    });
    return row;
  });
}

/** A report date, or undefined for N/A, no_information, not_supported and anything else that is not a date. */
function dateOf(cell: string | undefined): Date | undefined {
  if (cell === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(cell)) return undefined;
  const date = new Date(cell);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const daysBetween = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);

/**
 * The findings. `now` is the report's generation time, the server's clock: a browser whose clock is off still judges
 * ages as the server does.
 */
export function recommend(summary: Readonly<Record<string, number>>, rows: readonly ReportRow[], now: Date): Recommendations {
  const usersWithoutMfa: Finding[] = [];
  const oldKeys: Finding[] = [];
  const unused: Finding[] = [];
  for (const row of rows) {
    const name = row['user'] ?? '';
    if (name === ROOT_ROW) continue;
    const created = dateOf(row['user_creation_time']);
    if (row['password_enabled'] === 'true') {
      if (row['mfa_active'] !== 'true') usersWithoutMfa.push({ user: name, text: `${name} has a console password and no MFA device.` });
      // A password never used counts from when it was set.
      const lastUsed = dateOf(row['password_last_used']);
      const since = lastUsed ?? dateOf(row['password_last_changed']) ?? created;
      if (since !== undefined && daysBetween(since, now) >= STALE_DAYS) {
        unused.push({ user: name, text: lastUsed === undefined ? `${name}'s console password has never been used (set ${daysBetween(since, now)} days ago).` : `${name}'s console password was last used ${daysBetween(since, now)} days ago.` });
      }
    }
    for (const slot of [1, 2]) {
      if (row[`access_key_${slot}_active`] !== 'true') continue;
      const rotated = dateOf(row[`access_key_${slot}_last_rotated`]);
      if (rotated !== undefined && daysBetween(rotated, now) >= STALE_DAYS) {
        oldKeys.push({ user: name, text: `${name}'s access key ${slot} was created ${daysBetween(rotated, now)} days ago.` });
      }
      const used = dateOf(row[`access_key_${slot}_last_used_date`]);
      const since = used ?? rotated;
      if (since !== undefined && daysBetween(since, now) >= STALE_DAYS) {
        unused.push({ user: name, text: used === undefined ? `${name}'s access key ${slot} has never been used (created ${daysBetween(since, now)} days ago).` : `${name}'s access key ${slot} was last used ${daysBetween(since, now)} days ago.` });
      }
    }
  }
  return {
    rootMfa: summary['AccountMFAEnabled'] !== 1,
    rootKeys: summary['AccountAccessKeysPresent'] === 1,
    usersWithoutMfa,
    oldKeys,
    unused,
  };
}
