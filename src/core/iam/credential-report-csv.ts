import type { AccessKeyUse } from './last-used.js';

// The credential report's CSV, as the IAM User Guide ("Getting credential reports for your AWS account") lists its
// columns. The values AWS writes besides dates: `true`/`false` (lower case in the reports IAM serves, though the
// guide's prose capitalizes them), `N/A` where a credential is missing or unused, `no_information` for a password
// never used, and `not_supported` for what the root user does not have in IAM (its password is outside IAM).

/** Every column, in AWS's order. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** The name AWS gives the root user's row. */
export const ROOT_ACCOUNT_NAME = '<root_account>';

/** The password columns' source: the root user's (outside IAM), none, or an IAM user's login profile. */
export type PasswordState =
  | { readonly kind: 'root'; readonly lastUsed?: Date }
  | { readonly kind: 'none' }
  | { readonly kind: 'set'; readonly changed: Date; readonly lastUsed?: Date; readonly nextRotation?: Date };

export interface AccessKeySlot {
  readonly active: boolean;
  /** When the key was created: IAM keys are never changed in place, so this is when it was last rotated. */
  readonly created: Date;
  readonly lastUsed?: AccessKeyUse;
}

export interface CertificateSlot {
  readonly active: boolean;
  readonly created: Date;
}

/** One principal's row. Keys and certificates are in the order they fill the report's slots 1 and 2. */
export interface CredentialRow {
  readonly user: string;
  readonly arn: string;
  readonly created: Date;
  readonly password: PasswordState;
  readonly mfaActive: boolean;
  readonly accessKeys: readonly AccessKeySlot[];
  readonly certificates: readonly CertificateSlot[];
}

const NA = 'N/A';
const NO_INFORMATION = 'no_information';
const NOT_SUPPORTED = 'not_supported';

/** ISO 8601 to the second with the UTC offset written out, as the reports IAM serves have their dates. */
export function reportDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

const flag = (value: boolean): string => (value ? 'true' : 'false');

function passwordCells(password: PasswordState): string[] {
  switch (password.kind) {
    case 'root':
      return [NOT_SUPPORTED, password.lastUsed === undefined ? NO_INFORMATION : reportDate(password.lastUsed), NOT_SUPPORTED, NOT_SUPPORTED];
    case 'none':
      return ['false', NA, NA, NA];
    case 'set':
      return [
        'true',
        password.lastUsed === undefined ? NO_INFORMATION : reportDate(password.lastUsed),
        reportDate(password.changed),
        password.nextRotation === undefined ? NA : reportDate(password.nextRotation),
      ];
  }
}

function accessKeyCells(key: AccessKeySlot | undefined): string[] {
  if (key === undefined) return ['false', NA, NA, NA, NA];
  const used = key.lastUsed;
  return [
    flag(key.active),
    reportDate(key.created),
    used === undefined ? NA : reportDate(used.date),
    // A use of a service that is not regional has no region.
    used === undefined || used.region === '' ? NA : used.region,
    used === undefined || used.service === '' ? NA : used.service,
  ];
}

function certificateCells(certificate: CertificateSlot | undefined): string[] {
  return certificate === undefined ? ['false', NA] : [flag(certificate.active), reportDate(certificate.created)];
}

/**
 * A field as RFC 4180 has it: quoted when it holds a comma, quote or line break. User names may hold commas and
 * paths (in ARNs) quotes: unquoted, they would shift every later column of the row.
 */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function rowCells(row: CredentialRow): string[] {
  return [
    row.user,
    row.arn,
    reportDate(row.created),
    ...passwordCells(row.password),
    flag(row.mfaActive),
    ...accessKeyCells(row.accessKeys[0]),
    ...accessKeyCells(row.accessKeys[1]),
    ...certificateCells(row.certificates[0]),
    ...certificateCells(row.certificates[1]),
  ];
}

/** The report: the header, then a line per row, joined by line feeds with none after the last, as IAM's are. */
export function credentialReportCsv(rows: readonly CredentialRow[]): string {
  return [CREDENTIAL_REPORT_COLUMNS.join(','), ...rows.map((row) => rowCells(row).map(field).join(','))].join('\n');
}
