import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * What kind of temporary credentials a token stands for, after the STS operation that issued it
 * (`delegatedSession`: GetDelegatedAccessToken, acting as the identity that accepted a delegation request).
 */
// consoleSession: an IAM user signed in to the web console with a password (see console-sign-in.ts).
export type SessionKind = 'assumedRole' | 'federatedUser' | 'userSession' | 'rootSession' | 'delegatedSession' | 'rootTaskSession' | 'consoleSession';

/** Whose permissions a delegated session has: the identity that accepted the delegation request. */
export interface SessionDelegation {
  readonly requestId: string;
  /** The accepting identity: an IAM user (or its MFA session), a role session, or the root user (or its session). */
  readonly principalKind: 'user' | 'assumedRole' | 'root';
  /**
   * Scope-down policies the session is limited by, each of which must allow: the accepting identity's own limits
   * (when it was itself scoped or delegated), then the delegation request's rendered policy template.
   */
  readonly policies: readonly string[];
}

/** The largest session token Gatehouse issues and accepts (base64 characters, which are bytes). */
export const MAX_SESSION_TOKEN_BYTES = 16384;

export interface SessionTag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * Everything a request signed with temporary credentials needs, carried in the token itself so that any node
 * holding the key ring authenticates it without the database.
 */
export interface SessionClaims {
  readonly kind: SessionKind;
  readonly account: string;
  /** The principal ARN: assumed-role session, federated user, or the IAM user / root behind GetSessionToken. */
  readonly arn: string;
  /** AROA…:session, ACCOUNT:name, AIDA… or the account ID. */
  readonly userId: string;
  /** The IAM user behind a user session or a federation token (absent when root issued it). */
  readonly userName?: string;
  /**
   * The unique ID (AIDA…) of the IAM user who issued a federation token: the token has that user's permissions only
   * while a user of that name still has this ID (a namesake created after a deletion is another principal).
   */
  readonly issuerUserId?: string;
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The session policy (the inline Policy and the PolicyArns documents merged into one document). */
  readonly sessionPolicy?: string;
  readonly tags?: readonly SessionTag[];
  /** Keys of `tags` that pass on to sessions this one assumes (role chaining). */
  readonly transitiveTagKeys?: readonly string[];
  readonly sourceIdentity?: string;
  /** When MFA authenticated the session (ISO 8601); absent without MFA. */
  readonly mfaAuthTime?: string;
  readonly issued: string;
  readonly expires: string;
  /**
   * A console session whose password must be changed first (PasswordResetRequired, or expired under the password
   * policy): it may call iam:ChangePassword and iam:GetAccountPasswordPolicy and nothing else.
   */
  readonly passwordResetRequired?: boolean;
  /** True when a role session assumed this role (role chaining: the 1-hour cap applies). */
  readonly chained?: boolean;
  /**
   * Context keys a federated session (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) carries into every decision:
   * aws:FederatedProvider, and whatever the provider's claims add. An instance's role session carries
   * ec2:SourceInstanceARN here too.
   */
  readonly federatedContext?: Readonly<Record<string, string | readonly string[]>>;
  /** GetScopedCredentials' scope down policies, oldest first (at most three): each must allow as well. */
  readonly scopePolicies?: readonly string[];
  /** For a delegatedSession: the delegation request and the policies that limit it. */
  readonly delegation?: SessionDelegation;
  /**
   * For a rootTaskSession (AssumeRoot): the AWS root task policy the session is limited to, its document as issued.
   * The session acts as the member account's root user within that policy and nothing else.
   */
  readonly taskPolicy?: { readonly arn: string; readonly document: string };
  /** Filler that MinimumSessionTokenSize asked for; it means nothing. */
  readonly pad?: string;
}

export interface SessionKey {
  /** Short, printable, unique in the ring; carried in clear in every token it sealed. */
  readonly id: string;
  /** 32 bytes (AES-256). */
  readonly key: Buffer;
  readonly created: string;
}

/** The newest key seals; every key still in the ring opens, so rotation never invalidates live tokens. */
export interface SessionKeyRing {
  sealingKey(): SessionKey;
  key(id: string): SessionKey | undefined;
}

export function createKeyRing(keys: readonly SessionKey[]): SessionKeyRing {
  if (keys.length === 0) throw new Error('a session key ring needs at least one key');
  for (const k of keys) {
    if (k.key.length !== 32) throw new Error(`session key ${k.id} must be 32 bytes`);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(k.id)) throw new Error(`session key id ${JSON.stringify(k.id)} must be 1-32 of [A-Za-z0-9_-]`);
  }
  const byId = new Map(keys.map((k) => [k.id, k]));
  if (byId.size !== keys.length) throw new Error('session key ids must be unique');
  const newest = [...keys].sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0] as SessionKey;
  return { sealingKey: () => newest, key: (id) => byId.get(id) };
}

// Layout: format | key ID length | key ID | nonce (12) | ciphertext | GCM tag (16). The header (format and key ID) is
// authenticated as associated data, so moving a sealed text under another key ID fails too. Session tokens are this
// layout in base64 with format 1; other sealed texts take their own format byte and a label (see sealWithKeyRing).
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals `plaintext` under the ring's sealing key. `format` is the first byte, and `label` is authenticated but not
 * carried, so that what one use sealed never opens as another's (an authorization message is no session token).
 */
export function sealWithKeyRing(ring: SessionKeyRing, format: number, plaintext: string, label = ''): Buffer {
  const { id, key } = ring.sealingKey();
  const idBytes = Buffer.from(id, 'utf8');
  const header = Buffer.concat([Buffer.from([format, idBytes.length]), idBytes]);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(label === '' ? header : Buffer.concat([header, Buffer.from(label, 'utf8')]));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

/**
 * The plaintext of what sealWithKeyRing sealed with this format and label under a key of this ring, or undefined
 * for anything else: another format, an unknown key, truncated or altered bytes.
 */
export function openWithKeyRing(ring: SessionKeyRing, format: number, raw: Buffer, label = ''): string | undefined {
  if (raw.length < 2 || raw[0] !== format) return undefined;
  const idLength = raw[1] as number;
  const headerLength = 2 + idLength;
  if (raw.length < headerLength + NONCE_BYTES + TAG_BYTES) return undefined;
  const sessionKey = ring.key(raw.subarray(2, headerLength).toString('utf8'));
  if (sessionKey === undefined) return undefined;
  const nonce = raw.subarray(headerLength, headerLength + NONCE_BYTES);
  const body = raw.subarray(headerLength + NONCE_BYTES, raw.length - TAG_BYTES);
  const header = raw.subarray(0, headerLength);
  try {
    const decipher = createDecipheriv('aes-256-gcm', sessionKey.key, nonce);
    decipher.setAAD(label === '' ? header : Buffer.concat([header, Buffer.from(label, 'utf8')]));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export function sealSessionToken(ring: SessionKeyRing, claims: SessionClaims): string {
  return sealWithKeyRing(ring, VERSION, JSON.stringify(claims)).toString('base64');
}

/**
 * The claims of a token this ring sealed, or undefined for anything else: unknown version or key, truncated,
 * altered, or not base64 at all. Callers answer all of these alike (InvalidClientTokenId) and learn nothing more.
 */
export function openSessionToken(ring: SessionKeyRing, token: string): SessionClaims | undefined {
  if (token.length === 0 || token.length > MAX_SESSION_TOKEN_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const plain = openWithKeyRing(ring, VERSION, Buffer.from(token, 'base64'));
  if (plain === undefined) return undefined;
  try {
    const claims = JSON.parse(plain) as SessionClaims;
    return typeof claims === 'object' && claims !== null && typeof claims.accessKeyId === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}
