import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { invalidInput, noSuchEntity, ServiceError } from '../errors.js';
import { newId } from '../ids.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { pageMembers, paginate, req, str } from './common.js';
import { targetUserName } from './implicit-target.js';
import { KIND } from './kinds.js';
import { QUOTAS, quotaExceeded } from './quotas.js';
import { getUser, userResource } from './users.js';

// SSH public keys (for AWS CodeCommit): RSA keys of at least 2048 bits, uploaded as an OpenSSH `ssh-rsa` line or
// as PEM, and handed back in either encoding.

export const invalidPublicKey = (message: string): ServiceError => new ServiceError('InvalidPublicKey', message, 400);
export const unrecognizedEncoding = (): ServiceError =>
  new ServiceError('UnrecognizedPublicKeyEncoding', 'The public key encoding format is unsupported or unrecognized. Use ssh-rsa or PEM format.', 400);
export const noSuchSshPublicKey = (id: string): ServiceError => noSuchEntity(`The Public Key with id ${id} cannot be found.`);

/** CodeCommit's floor, which IAM enforces at upload. */
const MIN_RSA_BITS = 2048;

/** A key as uploaded, understood: the canonical key blob and both encodings of it. */
export interface ParsedSshPublicKey {
  readonly encoding: 'SSH' | 'PEM';
  /** The RFC 4253 `ssh-rsa` blob, rebuilt from the key so that one key has one blob. */
  readonly blob: Buffer;
  /** MD5 of the blob in colon-separated hex, as `ssh-keygen -l -E md5` and the IAM console show it. */
  readonly fingerprint: string;
  readonly ssh: string;
  readonly pem: string;
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** An RFC 4251 mpint of a non-negative big-endian integer: no leading zeros, one added when the top bit is set. */
function mpint(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  return sshString(bytes.length > 0 && (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** Reads the length-prefixed fields of an SSH wire blob; undefined when the blob is cut short. */
function readFields(blob: Buffer): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(at);
    if (at + 4 + length > blob.length) return undefined;
    fields.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return fields;
}

/** Strict base64 (what OpenSSH writes): anything else is not a key, rather than quietly decoded to something. */
function strictBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

function rsaFromSshLine(line: string): KeyObject {
  const match = /^(\S+)[ \t]+(\S+)(?:[ \t]+[^\r\n]*)?$/.exec(line);
  if (match === null) throw unrecognizedEncoding();
  const [, type, data] = match as unknown as [string, string, string];
  // ssh-ed25519, ecdsa-sha2-*, ssh-dss and the rest are other encodings than the one IAM takes.
  if (type !== 'ssh-rsa') throw unrecognizedEncoding();
  const blob = strictBase64(data);
  const fields = blob === undefined ? undefined : readFields(blob);
  if (fields === undefined || fields.length !== 3 || fields[0]?.toString('latin1') !== 'ssh-rsa') {
    throw invalidPublicKey('The public key is malformed: the ssh-rsa data is not a valid RSA public key.');
  }
  const [, e, n] = fields as [Buffer, Buffer, Buffer];
  // mpints are signed: a set top bit would be a negative modulus or exponent.
  if (((n[0] ?? 0) & 0x80) !== 0 || ((e[0] ?? 0) & 0x80) !== 0) throw invalidPublicKey('The public key is malformed: the ssh-rsa data is not a valid RSA public key.');
  try {
    return createPublicKey({ key: { kty: 'RSA', n: base64url(stripZeros(n)), e: base64url(stripZeros(e)) }, format: 'jwk' });
  } catch {
    throw invalidPublicKey('The public key is malformed: the ssh-rsa data is not a valid RSA public key.');
  }
}

function stripZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

const PEM = /^-----BEGIN ([A-Z ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----$/;

function rsaFromPem(text: string): KeyObject {
  const match = PEM.exec(text);
  // Only public keys: a private key or a certificate pasted here is refused, never turned into its public key.
  const type = match?.[1] === 'PUBLIC KEY' ? 'spki' : match?.[1] === 'RSA PUBLIC KEY' ? 'pkcs1' : undefined;
  if (match === null || type === undefined) throw unrecognizedEncoding();
  const der = strictBase64((match[2] as string).replace(/\r?\n/g, ''));
  let key: KeyObject;
  try {
    if (der === undefined) throw new Error('not base64');
    key = createPublicKey({ key: der, format: 'der', type });
  } catch {
    throw invalidPublicKey('The public key is malformed: the PEM data is not a valid public key.');
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalidPublicKey('The public key is not an RSA key. Only RSA public keys are accepted.');
  return key;
}

/** Parses an uploaded body; InvalidPublicKey or UnrecognizedPublicKeyEncoding as IAM answers what it cannot take. */
export function parseSshPublicKey(body: string): ParsedSshPublicKey {
  const text = body.trim();
  const encoding = text.startsWith('-----BEGIN ') ? 'PEM' : 'SSH';
  if (encoding === 'SSH' && /[\r\n]/.test(text)) throw unrecognizedEncoding();
  const key = encoding === 'PEM' ? rsaFromPem(text) : rsaFromSshLine(text);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw invalidPublicKey(`The public key is too short: ${bits} bits. The minimum bit-length of the public key is ${MIN_RSA_BITS} bits.`);
  const jwk = key.export({ format: 'jwk' });
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa', 'latin1')),
    mpint(Buffer.from(jwk.e ?? '', 'base64url')),
    mpint(Buffer.from(jwk.n ?? '', 'base64url')),
  ]);
  const md5 = createHash('md5').update(blob).digest('hex');
  return {
    encoding,
    blob,
    fingerprint: md5.replace(/(..)(?!$)/g, '$1:'),
    ssh: `ssh-rsa ${blob.toString('base64')}`,
    pem: (key.export({ type: 'spki', format: 'pem' }) as string).trimEnd(),
  };
}

// ---- Operations ----

/** A stored key. Entity key and id are both the SSHPublicKeyId; the owner is the user's name as stored. */
export interface SshPublicKeyData {
  /** The body as uploaded, returned as is when asked for in the encoding it came in. */
  readonly body: string;
  readonly encoding: 'SSH' | 'PEM';
  readonly fingerprint: string;
  /** SHA-256 of the canonical blob: the same key in either encoding is a duplicate. */
  readonly digest: string;
  readonly status: 'Active' | 'Inactive';
}

const dataOf = (record: EntityRecord): SshPublicKeyData => record.data as unknown as SshPublicKeyData;

/** Another user's key answers as missing, as IAM does. */
async function ownedKey(ctx: OperationContext, owner: string, id: string): Promise<EntityRecord> {
  const record = await ctx.tx.get(KIND.sshPublicKey, ctx.account, id);
  if (record === undefined || record.owner.toLowerCase() !== owner.toLowerCase()) throw noSuchSshPublicKey(id);
  return record;
}

/** AWS's SSH key IDs are 20 characters, as access key IDs are: APKA and 16 more. */
const newSshKeyId = (): string => newId('APKA').slice(0, 20);

function keyView(record: EntityRecord, body: string): Record<string, unknown> {
  const data = dataOf(record);
  return {
    UserName: record.owner,
    SSHPublicKeyId: record.key,
    Fingerprint: data.fingerprint,
    SSHPublicKeyBody: body,
    Status: data.status,
    UploadDate: new Date(record.created),
  };
}

async function uploadSshPublicKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = (await getUser(ctx, req(p, 'UserName'))).key;
  // Without the line break a .pub file ends with, which is no part of the key.
  const body = req(p, 'SSHPublicKeyBody').trim();
  const parsed = parseSshPublicKey(body);
  const digest = createHash('sha256').update(parsed.blob).digest('hex');
  const existing = await ctx.tx.list(KIND.sshPublicKey, ctx.account, { owner });
  if (existing.some((r) => dataOf(r).digest === digest)) {
    throw new ServiceError('DuplicateSSHPublicKey', 'The SSH public key is already associated with the specified IAM user.', 400);
  }
  if (existing.length >= QUOTAS.SSHPublicKeysPerUserQuota) throw quotaExceeded('SSHPublicKeysPerUser', QUOTAS.SSHPublicKeysPerUserQuota);
  const id = newSshKeyId();
  const data: SshPublicKeyData = { body, encoding: parsed.encoding, fingerprint: parsed.fingerprint, digest, status: 'Active' };
  const record: EntityRecord = { kind: KIND.sshPublicKey, account: ctx.account, key: id, id, path: '/', owner, created: ctx.now.toISOString(), data: { ...data } };
  await ctx.tx.insert(record);
  return { SSHPublicKey: keyView(record, body) };
}

async function getSshPublicKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = (await getUser(ctx, req(p, 'UserName'))).key;
  const record = await ownedKey(ctx, owner, req(p, 'SSHPublicKeyId'));
  const data = dataOf(record);
  const encoding = req(p, 'Encoding');
  if (encoding !== 'SSH' && encoding !== 'PEM') throw unrecognizedEncoding();
  // The stored body was checked at upload; parsing it again gives the other encoding.
  const body = encoding === data.encoding ? data.body : encoding === 'SSH' ? parseSshPublicKey(data.body).ssh : parseSshPublicKey(data.body).pem;
  return { SSHPublicKey: keyView(record, body) };
}

async function listSshPublicKeys(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = targetUserName(ctx.caller, str(p, 'UserName'));
  // The root user has no IAM user name, so no SSH keys (UploadSSHPublicKey requires a user).
  const records = name === undefined ? [] : await ctx.tx.list(KIND.sshPublicKey, ctx.account, { owner: (await getUser(ctx, name)).key });
  const page = paginate(records, p);
  return {
    SSHPublicKeys: page.page.map((r) => ({ UserName: r.owner, SSHPublicKeyId: r.key, Status: dataOf(r).status, UploadDate: new Date(r.created) })),
    ...pageMembers(page),
  };
}

async function updateSshPublicKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = (await getUser(ctx, req(p, 'UserName'))).key;
  const record = await ownedKey(ctx, owner, req(p, 'SSHPublicKeyId'));
  const status = req(p, 'Status');
  // Expired is in the model's status type, but no one sets a key to it.
  if (status !== 'Active' && status !== 'Inactive') throw invalidInput(`Invalid status: ${status}. The status must be Active or Inactive.`);
  await ctx.tx.update({ ...record, data: { ...record.data, status } });
  return {};
}

async function deleteSshPublicKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = (await getUser(ctx, req(p, 'UserName'))).key;
  const record = await ownedKey(ctx, owner, req(p, 'SSHPublicKeyId'));
  await ctx.tx.delete(KIND.sshPublicKey, ctx.account, record.key);
  return {};
}

const byUserName = (ctx: OperationContext, p: Params): Promise<string> => userResource(ctx, str(p, 'UserName'));

const op = operationsOf('iam', byUserName);

export const SSH_PUBLIC_KEY_OPERATIONS: readonly OperationDefinition[] = [
  op('UploadSSHPublicKey', uploadSshPublicKey),
  op('GetSSHPublicKey', getSshPublicKey),
  op('ListSSHPublicKeys', listSshPublicKeys),
  op('UpdateSSHPublicKey', updateSshPublicKey),
  op('DeleteSSHPublicKey', deleteSshPublicKey),
];
