import { createHash, X509Certificate } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { invalidInput, noSuchEntity, ServiceError } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { ROOT_KEY_OWNER } from './access-keys.js';
import { pageMembers, paginate, req, str } from './common.js';
import { targetUserName } from './implicit-target.js';
import { KIND } from './kinds.js';
import { QUOTAS, quotaExceeded } from './quotas.js';
import { getUser, userResource } from './users.js';

// X.509 signing certificates of IAM users and of the root user (UserName left out by root), as UploadSigningCertificate
// and its siblings keep them. Like access keys, a certificate without UserName belongs to the caller.

export const malformedCertificate = (message: string): ServiceError => new ServiceError('MalformedCertificate', message, 400);
export const noSuchCertificate = (id: string): ServiceError => noSuchEntity(`The Certificate with id ${id} cannot be found.`);

const UNPARSABLE = 'Unable to parse certificate. Please ensure the certificate is in PEM format.';
const ONE_PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The CertificateId. IAM does not document how it derives one (its IDs are upper-case letters and digits, 24 or more
 * characters); here it is the first 160 bits of the SHA-256 of the certificate's DER in base32: 32 characters. One
 * certificate has one ID in an account, so a second upload of it, by any user, is found by that key.
 */
export function certificateId(der: Buffer): string {
  const digest = createHash('sha256').update(der).digest().subarray(0, 20);
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** The one PEM certificate of a body, checked to be in force now; MalformedCertificate or InvalidCertificate if not. */
export function parseSigningCertificate(body: string, now: Date): X509Certificate {
  if (!ONE_PEM_CERTIFICATE.test(body)) throw malformedCertificate(UNPARSABLE);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(body);
  } catch {
    throw malformedCertificate(UNPARSABLE);
  }
  // IAM documents MalformedCertificate for a certificate that is "malformed or expired".
  if (now.getTime() > new Date(certificate.validTo).getTime()) throw malformedCertificate(`The certificate expired on ${new Date(certificate.validTo).toISOString()}.`);
  if (now.getTime() < new Date(certificate.validFrom).getTime()) {
    throw new ServiceError('InvalidCertificate', `The certificate is not valid before ${new Date(certificate.validFrom).toISOString()}.`, 400);
  }
  return certificate;
}

interface SigningCertificateData {
  readonly body: string;
  readonly status: 'Active' | 'Inactive';
}

const dataOf = (record: EntityRecord): SigningCertificateData => record.data as unknown as SigningCertificateData;

/** Whether the certificate is Active (it signs requests), as ListSigningCertificates reports its Status. */
export const signingCertificateActive = (record: EntityRecord): boolean => dataOf(record).status === 'Active';

/** The user whose certificates a request manages: UserName when given (it must exist), else the caller itself. */
async function certificateOwner(ctx: OperationContext, p: Params): Promise<string> {
  const name = targetUserName(ctx.caller, str(p, 'UserName'));
  return name === undefined ? ROOT_KEY_OWNER : (await getUser(ctx, name)).key;
}

/** Another user's certificate answers as missing, as IAM does. */
async function ownedCertificate(ctx: OperationContext, owner: string, id: string): Promise<EntityRecord> {
  const record = await ctx.tx.get(KIND.signingCertificate, ctx.account, id);
  if (record === undefined || record.owner.toLowerCase() !== owner.toLowerCase()) throw noSuchCertificate(id);
  return record;
}

/** Root has no IAM user name: its certificates are given without one, as its access keys are. */
function certificateView(record: EntityRecord): Record<string, unknown> {
  return {
    ...(record.owner === ROOT_KEY_OWNER ? {} : { UserName: record.owner }),
    CertificateId: record.key,
    CertificateBody: dataOf(record).body,
    Status: dataOf(record).status,
    UploadDate: new Date(record.created),
  };
}

const duplicate = (): ServiceError => new ServiceError('DuplicateCertificate', 'The same certificate is already associated with an IAM user in this account.', 409);

async function uploadSigningCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = await certificateOwner(ctx, p);
  const body = req(p, 'CertificateBody').trim();
  const id = certificateId(parseSigningCertificate(body, ctx.now).raw);
  if ((await ctx.tx.get(KIND.signingCertificate, ctx.account, id)) !== undefined) throw duplicate();
  if ((await ctx.tx.count(KIND.signingCertificate, ctx.account, { owner })) >= QUOTAS.SigningCertificatesPerUserQuota) {
    throw quotaExceeded('SigningCertificatesPerUser', QUOTAS.SigningCertificatesPerUserQuota);
  }
  const data: SigningCertificateData = { body, status: 'Active' };
  const record: EntityRecord = {
    kind: KIND.signingCertificate,
    account: ctx.account,
    key: id,
    // Entity IDs are unique across accounts; the same certificate may be uploaded in two accounts.
    id: `signing-certificate:${ctx.account}:${id}`,
    path: '/',
    owner,
    created: ctx.now.toISOString(),
    data: { ...data },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw duplicate();
    throw error;
  }
  return { Certificate: certificateView(record) };
}

async function listSigningCertificates(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = await certificateOwner(ctx, p);
  const page = paginate(await ctx.tx.list(KIND.signingCertificate, ctx.account, { owner }), p);
  return { Certificates: page.page.map(certificateView), ...pageMembers(page) };
}

async function updateSigningCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedCertificate(ctx, await certificateOwner(ctx, p), req(p, 'CertificateId'));
  const status = req(p, 'Status');
  // Expired is in the model's status type, but no one sets a certificate to it.
  if (status !== 'Active' && status !== 'Inactive') throw invalidInput(`Invalid status: ${status}. The status must be Active or Inactive.`);
  await ctx.tx.update({ ...record, data: { ...record.data, status } });
  return {};
}

async function deleteSigningCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedCertificate(ctx, await certificateOwner(ctx, p), req(p, 'CertificateId'));
  await ctx.tx.delete(KIND.signingCertificate, ctx.account, record.key);
  return {};
}

const byUserName = (ctx: OperationContext, p: Params): Promise<string> => userResource(ctx, str(p, 'UserName'));

const op = operationsOf('iam', byUserName);

export const SIGNING_CERTIFICATE_OPERATIONS: readonly OperationDefinition[] = [
  op('UploadSigningCertificate', uploadSigningCertificate),
  op('ListSigningCertificates', listSigningCertificates),
  op('UpdateSigningCertificate', updateSigningCertificate),
  op('DeleteSigningCertificate', deleteSigningCertificate),
];
