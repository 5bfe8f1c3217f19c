import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { iamArn } from '../arns.js';
import { entityAlreadyExists, noSuchEntity, ServiceError } from '../errors.js';
import { newId } from '../ids.js';
import { type AlsoRequired, type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { noteResource } from '../request-context.js';
import { checkTags, list, pageMembers, paginate, req, str, tagsOf, type Tag } from './common.js';
import { KIND } from './kinds.js';
import { QUOTAS, checkAccountQuota } from './quotas.js';
import { listEntityTags, tagEntity, tagRequestKeys, untagEntity, untagRequestKeys } from './tagging.js';

// Server certificates: an X.509 certificate, its private key and an optional chain, kept for services that terminate
// TLS. The key is sealed at rest and never returned (the IAM User Guide: "You cannot download or retrieve a private
// key from IAM after you upload it").

export const serverCertificateArn = (account: string, path: string, name: string): string => iamArn(account, 'server-certificate', path, name);

const arnOf = (record: EntityRecord): string => serverCertificateArn(record.account, record.path, record.key);

// AWS's texts as its answers show them.
const noSuchCertificate = (name: string): ServiceError => noSuchEntity(`The Server Certificate with name ${name} cannot be found.`);
const alreadyExists = (name: string): ServiceError => entityAlreadyExists(`The Server Certificate with name ${name} already exists.`);
const malformed = (message: string): ServiceError => new ServiceError('MalformedCertificate', message, 400);
const UNPARSEABLE_BODY = 'Unable to parse certificate. Please ensure the certificate is in PEM format.';
const EXPIRED = "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.";
const badChainLink = (index: number): ServiceError =>
  malformed(
    `Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: ${index}`,
  );
// Gatehouse's wording where AWS publishes none: the not-yet-valid case mirrors AWS's expired text.
const NOT_YET_VALID = "Certificate is not yet valid. The 'Not Before' date restriction on the certificate has not passed.";
const UNPARSEABLE_KEY = 'Unable to parse private key. Please ensure the private key is in PEM format and not encrypted.';
const keyPairMismatch = (): ServiceError => new ServiceError('KeyPairMismatch', 'The public key certificate and the private key do not match.', 400);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificate blocks of a text, each parsed; undefined for a block that does not parse. */
function certificatesIn(text: string): Array<X509Certificate | undefined> {
  return (text.match(PEM_CERTIFICATE) ?? []).map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      return undefined;
    }
  });
}

/** True when `issuer` issued and signed `subject`. */
function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Checks what UploadServerCertificate is given, in AWS's order of complaints: the certificate (one PEM certificate,
 * valid now), the private key (unencrypted PEM, the certificate's pair), then the chain, which must start with the
 * certificate's issuer and go up one issuer at a time. Returns the certificate's NotAfter.
 */
export function checkServerCertificate(body: string, privateKey: string, chain: string | undefined, now: Date): Date {
  const parsed = certificatesIn(body);
  const certificate = parsed[0];
  // Anything but exactly one certificate is refused: the body is the one certificate the key belongs to.
  if (parsed.length !== 1 || certificate === undefined) throw malformed(UNPARSEABLE_BODY);
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw malformed(UNPARSEABLE_BODY);
  if (now < notBefore) throw malformed(NOT_YET_VALID);
  if (now > notAfter) throw malformed(EXPIRED);
  let key;
  try {
    key = createPrivateKey({ key: privateKey, format: 'pem' });
  } catch {
    throw malformed(UNPARSEABLE_KEY);
  }
  if (!certificate.checkPrivateKey(key)) throw keyPairMismatch();
  if (chain !== undefined) {
    const links = certificatesIn(chain);
    if (links.length === 0) throw badChainLink(0);
    // The index names the certificate whose issuer is not the next one: -1 for the certificate itself.
    let subject = certificate;
    for (let i = 0; i < links.length; i++) {
      const issuer = links[i];
      if (issuer === undefined) throw badChainLink(i);
      if (!issuedBy(subject, issuer)) throw badChainLink(i - 1);
      subject = issuer;
    }
  }
  return notAfter;
}

function metadata(record: EntityRecord): Record<string, unknown> {
  return {
    Path: record.path,
    ServerCertificateName: record.key,
    ServerCertificateId: record.id,
    Arn: arnOf(record),
    UploadDate: new Date(record.created),
    Expiration: new Date(record.data['expiration'] as string),
  };
}

function getCertificate(ctx: OperationContext, name: string): Promise<EntityRecord> {
  return ctx.tx.get(KIND.serverCertificate, ctx.account, name).then((record) => {
    if (record === undefined) throw noSuchCertificate(name);
    return record;
  });
}

/** The certificate's ARN as stored (its path, its name's case), noted for aws:ResourceTag; as named when none. */
async function certificateResource(ctx: OperationContext, name: string): Promise<string> {
  const record = await ctx.tx.get(KIND.serverCertificate, ctx.account, name);
  if (record === undefined) return serverCertificateArn(ctx.account, '/', name);
  const arn = arnOf(record);
  noteResource(ctx, arn, record);
  return arn;
}

const byName = (ctx: OperationContext, p: Params): Promise<string> => certificateResource(ctx, req(p, 'ServerCertificateName'));

async function uploadServerCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'ServerCertificateName');
  const body = req(p, 'CertificateBody');
  const privateKey = req(p, 'PrivateKey');
  const chain = str(p, 'CertificateChain');
  const tags = list<Tag>(p, 'Tags').map((t) => ({ Key: t.Key, Value: t.Value }));
  checkTags(tags);
  const expiration = checkServerCertificate(body, privateKey, chain, ctx.now);
  if ((await ctx.tx.get(KIND.serverCertificate, ctx.account, name)) !== undefined) throw alreadyExists(name);
  await checkAccountQuota(ctx, KIND.serverCertificate, 'ServerCertificatesPerAccount', QUOTAS.ServerCertificates);
  const record: EntityRecord = {
    kind: KIND.serverCertificate,
    account: ctx.account,
    key: name,
    id: newId('ASCA'),
    path: str(p, 'Path') ?? '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: {
      body,
      ...(chain !== undefined ? { chain } : {}),
      privateKey: ctx.services.encryptSecret(privateKey),
      expiration: expiration.toISOString(),
      tags,
    },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw alreadyExists(name);
    throw error;
  }
  return { ServerCertificateMetadata: metadata(record), ...(tags.length > 0 ? { Tags: tags } : {}) };
}

async function getServerCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getCertificate(ctx, req(p, 'ServerCertificateName'));
  const chain = record.data['chain'] as string | undefined;
  const tags = tagsOf(record);
  return {
    ServerCertificate: {
      ServerCertificateMetadata: metadata(record),
      CertificateBody: record.data['body'],
      ...(chain !== undefined ? { CertificateChain: chain } : {}),
      ...(tags.length > 0 ? { Tags: tags } : {}),
    },
  };
}

async function listServerCertificates(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const prefix = str(p, 'PathPrefix');
  const records = await ctx.tx.list(KIND.serverCertificate, ctx.account, prefix !== undefined ? { pathPrefix: prefix } : {});
  const page = paginate(records, p);
  return { ServerCertificateMetadataList: page.page.map(metadata), ...pageMembers(page) };
}

async function updateServerCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getCertificate(ctx, req(p, 'ServerCertificateName'));
  const newName = str(p, 'NewServerCertificateName') ?? record.key;
  const newPath = str(p, 'NewPath') ?? record.path;
  if (newName === record.key) {
    await ctx.tx.update({ ...record, path: newPath });
    return {};
  }
  if (newName.toLowerCase() !== record.key.toLowerCase() && (await ctx.tx.get(KIND.serverCertificate, ctx.account, newName)) !== undefined) {
    throw alreadyExists(newName);
  }
  // The store's key is the name: a rename is a move that keeps the ID, upload date and sealed key.
  await ctx.tx.delete(KIND.serverCertificate, ctx.account, record.key);
  await ctx.tx.insert({ ...record, key: newName, path: newPath });
  return {};
}

/**
 * AWS: to rename or move a certificate the principal must be allowed to update it under the old name and under the
 * new one, so a grant on one name cannot move a certificate into (or out of) a name the principal does not control.
 */
async function newNameRequired(ctx: OperationContext, p: Params): Promise<AlsoRequired[]> {
  const newName = str(p, 'NewServerCertificateName');
  const newPath = str(p, 'NewPath');
  if (newName === undefined && newPath === undefined) return [];
  const record = await ctx.tx.get(KIND.serverCertificate, ctx.account, req(p, 'ServerCertificateName'));
  const oldPath = record?.path ?? '/';
  const oldName = record?.key ?? req(p, 'ServerCertificateName');
  const target = serverCertificateArn(ctx.account, newPath ?? oldPath, newName ?? oldName);
  return target === serverCertificateArn(ctx.account, oldPath, oldName) ? [] : [{ action: 'iam:UpdateServerCertificate', resource: target }];
}

async function deleteServerCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getCertificate(ctx, req(p, 'ServerCertificateName'));
  await ctx.tx.delete(KIND.serverCertificate, ctx.account, record.key);
  return {};
}

async function tagServerCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await getCertificate(ctx, req(p, 'ServerCertificateName')), p);
}

async function untagServerCertificate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await getCertificate(ctx, req(p, 'ServerCertificateName')), p);
}

async function listServerCertificateTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return listEntityTags(await getCertificate(ctx, req(p, 'ServerCertificateName')), p);
}

const op = operationsOf('iam', byName);

export const SERVER_CERTIFICATE_OPERATIONS: readonly OperationDefinition[] = [
  op('UploadServerCertificate', uploadServerCertificate, {
    resource: (ctx, p) => serverCertificateArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'ServerCertificateName')),
    conditionKeys: tagRequestKeys,
  }),
  op('GetServerCertificate', getServerCertificate),
  // The Service Authorization Reference names no resource for ListServerCertificates.
  op('ListServerCertificates', listServerCertificates, { resource: () => '*' }),
  op('UpdateServerCertificate', updateServerCertificate, { alsoRequires: newNameRequired }),
  op('DeleteServerCertificate', deleteServerCertificate),
  op('TagServerCertificate', tagServerCertificate, { conditionKeys: tagRequestKeys }),
  op('UntagServerCertificate', untagServerCertificate, { conditionKeys: untagRequestKeys }),
  op('ListServerCertificateTags', listServerCertificateTags),
];
