import type { EntityRecord, StoreTx } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { rootArn } from '../arns.js';
import { ServiceError } from '../errors.js';
import { type OperationContext, type OperationDefinition, operationsOf } from '../operation.js';
import { accessKeyData } from './access-keys.js';
import { accountCreateDate } from './account-creation.js';
import {
  type AccessKeySlot,
  type CertificateSlot,
  type CredentialRow,
  credentialReportCsv,
  type PasswordState,
  ROOT_ACCOUNT_NAME,
} from './credential-report-csv.js';
import { KIND, ROOT_KEY_OWNER } from './kinds.js';
import { accessKeyLastUsed, passwordLastUsed } from './last-used.js';
import { loginProfileData } from './login-profiles.js';
import { type PasswordPolicyData, readPasswordPolicy } from './password-policy.js';
import { signingCertificateActive } from './signing-certificates.js';
import { ROOT_LOGIN_KEY, ROOT_LOGIN_KIND } from '../sts/root-password.js';
import { MFA_DEVICE_KIND, ROOT_MFA_OWNER } from './mfa-devices.js';
import { arnOfUser, mfaSerialsOf } from './users.js';

// GenerateCredentialReport and GetCredentialReport. The report is built synchronously, inside the request that asks
// for it: GenerateCredentialReport answers STARTED with the report already complete, so GetCredentialReport never
// answers ReportInProgress. One report per account is kept in the store.

const HOUR_MS = 3_600_000;
/** IAM makes a new report at most every four hours: a younger one is what GenerateCredentialReport leaves in place. */
const REGENERATION_MS = 4 * HOUR_MS;
/**
 * IAM names no age at which a report expires. Gatehouse takes the same four hours: a report GenerateCredentialReport
 * would replace is not handed out as current, so an auditor never reads credentials older than that without knowing.
 */
const EXPIRY_MS = REGENERATION_MS;

/** The report's one record in an account is stored under this key. */
const REPORT_KEY = 'report';

interface ReportData {
  readonly content: string;
  readonly generated: string;
}

// The one Description AWS documents (the API reference's example); it leaves Description out of COMPLETE.
const NO_REPORT = 'No report exists. Starting a new report generation task';
// AWS documents no text for this case: Gatehouse's, in the same phrasing.
const STALE_REPORT = 'The report is older than 4 hours. Starting a new report generation task';

// The errors' texts are their descriptions in AWS's API reference.
const reportNotPresent = (): ServiceError =>
  new ServiceError('ReportNotPresent', 'The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.', 410);
const reportExpired = (): ServiceError =>
  new ServiceError('ReportExpired', 'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.', 410);

/** A list's records grouped by owner, compared without case as the store compares keys. */
function byOwner(records: readonly EntityRecord[]): Map<string, EntityRecord[]> {
  const groups = new Map<string, EntityRecord[]>();
  for (const record of records) {
    const owner = record.owner.toLowerCase();
    const group = groups.get(owner);
    if (group === undefined) groups.set(owner, [record]);
    else group.push(record);
  }
  return groups;
}

/** Slot 1 is the older credential, slot 2 the newer: the store lists them by ID, which says nothing of age. */
function oldestFirst(records: readonly EntityRecord[]): EntityRecord[] {
  return [...records].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function accessKeySlots(keys: readonly EntityRecord[] | undefined): AccessKeySlot[] {
  return oldestFirst(keys ?? []).map((key) => {
    const lastUsed = accessKeyLastUsed(key);
    return { active: accessKeyData(key).status === 'Active', created: new Date(key.created), ...(lastUsed !== undefined ? { lastUsed } : {}) };
  });
}

function certificateSlots(certificates: readonly EntityRecord[] | undefined): CertificateSlot[] {
  return oldestFirst(certificates ?? []).map((c) => ({ active: signingCertificateActive(c), created: new Date(c.created) }));
}

/** An IAM user's password columns: its login profile's, with the next rotation its account's policy asks for. */
function userPassword(user: EntityRecord, profile: EntityRecord | undefined, policy: PasswordPolicyData | undefined): PasswordState {
  if (profile === undefined) return { kind: 'none' };
  const changed = new Date(loginProfileData(profile).passwordChanged);
  const lastUsed = passwordLastUsed(user);
  const maxAge = policy?.MaxPasswordAge;
  return {
    kind: 'set',
    changed,
    ...(lastUsed !== undefined ? { lastUsed } : {}),
    ...(maxAge !== undefined ? { nextRotation: new Date(changed.getTime() + maxAge * 24 * HOUR_MS) } : {}),
  };
}

/** Every row of the account's report: the root user's first, then its IAM users by name. */
export async function credentialRows(tx: StoreTx, account: string): Promise<CredentialRow[]> {
  const keys = byOwner(await tx.list(KIND.accessKey, account));
  const certificates = byOwner(await tx.list(KIND.signingCertificate, account));
  const profiles = new Map((await tx.list(KIND.loginProfile, account)).map((p) => [p.key.toLowerCase(), p]));
  const policy = await readPasswordPolicy(tx, account);
  const rootLastUsed = (await tx.get(ROOT_LOGIN_KIND, account, ROOT_LOGIN_KEY))?.data['passwordLastUsed'] as string | undefined;
  const rows: CredentialRow[] = [
    {
      user: ROOT_ACCOUNT_NAME,
      arn: rootArn(account),
      created: await accountCreateDate(tx, account),
      // The root user's console sign-ins (console-sign-in.ts) record when its password was last used.
      password: { kind: 'root', ...(rootLastUsed !== undefined ? { lastUsed: new Date(rootLastUsed) } : {}) },
      // Root's devices are assigned through the console's root security credentials (sts/root-credentials.ts).
      mfaActive: (await tx.count(MFA_DEVICE_KIND, account, { owner: ROOT_MFA_OWNER })) > 0,
      accessKeys: accessKeySlots(keys.get(ROOT_KEY_OWNER)),
      certificates: certificateSlots(certificates.get(ROOT_KEY_OWNER)),
    },
  ];
  for (const user of await tx.list(KIND.user, account)) {
    const name = user.key.toLowerCase();
    rows.push({
      user: user.key,
      arn: arnOfUser(user),
      created: new Date(user.created),
      password: userPassword(user, profiles.get(name), policy),
      mfaActive: mfaSerialsOf(user).length > 0,
      accessKeys: accessKeySlots(keys.get(name)),
      certificates: certificateSlots(certificates.get(name)),
    });
  }
  return rows;
}

const reportData = (record: EntityRecord): ReportData => record.data as unknown as ReportData;
const ageOf = (ctx: OperationContext, record: EntityRecord): number => ctx.now.getTime() - Date.parse(reportData(record).generated);

async function generateCredentialReport(ctx: OperationContext): Promise<Record<string, unknown>> {
  const { tx, account } = ctx;
  const existing = await tx.get(KIND.credentialReport, account, REPORT_KEY);
  if (existing !== undefined && ageOf(ctx, existing) < REGENERATION_MS) return { State: 'COMPLETE' };
  const data: ReportData = { content: credentialReportCsv(await credentialRows(tx, account)), generated: ctx.now.toISOString() };
  if (existing !== undefined) {
    await tx.update({ ...existing, data: { ...data } });
    return { State: 'STARTED', Description: STALE_REPORT };
  }
  try {
    await tx.insert({ kind: KIND.credentialReport, account, key: REPORT_KEY, id: `credential-report:${account}`, path: '/', owner: '', created: data.generated, data: { ...data } });
  } catch (error) {
    // Another node made the account's report at the same moment: that one is complete.
    if (error instanceof DuplicateKeyError) return { State: 'COMPLETE' };
    throw error;
  }
  return { State: 'STARTED', Description: NO_REPORT };
}

async function getCredentialReport(ctx: OperationContext): Promise<Record<string, unknown>> {
  const record = await ctx.tx.get(KIND.credentialReport, ctx.account, REPORT_KEY);
  if (record === undefined) throw reportNotPresent();
  if (ageOf(ctx, record) >= EXPIRY_MS) throw reportExpired();
  const { content, generated } = reportData(record);
  // Content is a blob: the protocol layer writes it in base64.
  return { Content: Buffer.from(content, 'utf8'), ReportFormat: 'text/csv', GeneratedTime: new Date(generated) };
}

// The Service Authorization Reference names no resource type for these actions: they are authorized against "*".
const op = operationsOf('iam', () => '*');

export const CREDENTIAL_REPORT_OPERATIONS: readonly OperationDefinition[] = [
  op('GenerateCredentialReport', generateCredentialReport),
  op('GetCredentialReport', getCredentialReport),
];
