import type { StoreTx } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { ServiceError } from '../errors.js';
import { assignMfaDevice, devicesOf, removeMfaDevice, ROOT_MFA_OWNER, useMfaCode } from '../iam/mfa-devices.js';
import type { OperationContext } from '../operation.js';
import { accountOf, ConsoleSignInError, type ConsoleSignInErrorCode, decoyHash, type SignInEnv } from './console-sign-in.js';
import { ROOT_LOGIN_KEY, ROOT_LOGIN_KIND, type RootLoginData } from './root-password.js';

/**
 * The root user's security credentials: its console password and its MFA devices. AWS manages both only in its
 * console ("You cannot enable an MFA device for the AWS account root user with the AWS CLI, AWS API…"; ChangePassword
 * "does not affect the root user's password"), so they are not IAM operations here either but actions of the console's
 * endpoint. Each request proves it is the root user again: the current password and, once root has an MFA device, a
 * code of it. Guesses count against the same throttle as root's sign-ins.
 */

export type RootCredentialsInput =
  | (RootProof & { readonly action: 'changePassword'; readonly newPassword: string })
  | (RootProof & { readonly action: 'enableMfa'; readonly serialNumber: string; readonly authenticationCode1: string; readonly authenticationCode2: string })
  | (RootProof & { readonly action: 'removeMfa'; readonly serialNumber: string });

interface RootProof {
  /** The account ID or alias. */
  readonly account: string;
  readonly password: string;
  /** A code of root's MFA device, required once it has one. */
  readonly mfaCode?: string;
}

const ACTIONS = new Set(['changePassword', 'enableMfa', 'removeMfa']);
const MFA_CODE = /^[0-9]{6}$/;
const MIN_ROOT_PASSWORD = 8;
const MAX_ROOT_PASSWORD = 128;
// IAM passwords may hold tab, line feed, carriage return and U+0020 to U+00FF (the API model's pattern).
const PASSWORD_CHARS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

const invalid = (message: string): ConsoleSignInError => new ConsoleSignInError('InvalidRequest', message, 400);

/** The JSON body as sent, member by member; anything else than the expected strings is refused. */
export function parseRootCredentialsInput(body: unknown): RootCredentialsInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const text = (name: string, required: boolean): string | undefined => {
    const value = Object.prototype.hasOwnProperty.call(body, name) ? (body as Record<string, unknown>)[name] : undefined;
    if (value === undefined || value === null || value === '') {
      if (required) throw invalid(`${name} is required.`);
      return undefined;
    }
    if (typeof value !== 'string') throw invalid(`${name} must be a string.`);
    if (value.length > 1024) throw invalid(`${name} is too long.`);
    return value;
  };
  const action = text('action', true) as string;
  if (!ACTIONS.has(action)) throw invalid('action must be changePassword, enableMfa or removeMfa.');
  const mfaCode = text('mfaCode', false)?.trim();
  const proof: RootProof = { account: (text('account', true) as string).trim(), password: text('password', true) as string, ...(mfaCode !== undefined ? { mfaCode } : {}) };
  if (action === 'changePassword') return { ...proof, action, newPassword: text('newPassword', true) as string };
  const serialNumber = text('serialNumber', true) as string;
  if (action === 'removeMfa') return { ...proof, action, serialNumber };
  return { ...proof, action: 'enableMfa', serialNumber, authenticationCode1: text('authenticationCode1', true) as string, authenticationCode2: text('authenticationCode2', true) as string };
}

/**
 * The rules of AWS's root password: 8 to 128 characters, at least three of uppercase letters, lowercase letters,
 * numbers and other characters. Undefined when the password meets them.
 */
export function rootPasswordViolation(password: string): string | undefined {
  if (password.length < MIN_ROOT_PASSWORD || password.length > MAX_ROOT_PASSWORD) return `The password must be ${MIN_ROOT_PASSWORD} to ${MAX_ROOT_PASSWORD} characters long.`;
  if (!PASSWORD_CHARS.test(password)) return 'The password may hold only printable characters (U+0020 to U+00FF), tabs and line breaks.';
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(password)).length;
  if (kinds < 3) return 'The password must hold at least three of: uppercase letters, lowercase letters, numbers, symbols.';
  return undefined;
}

/** Nobody yet: the MFA code check needs a context, and no session exists on this path. */
const ANONYMOUS: Caller = { kind: 'anonymous', account: '', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' };

const wrongPassword = (): ConsoleSignInError => new ConsoleSignInError('SignInFailed', 'The current password is incorrect.', 401);
const throttled = (): ConsoleSignInError => new ConsoleSignInError('Throttling', 'Too many failed attempts. Wait a few minutes and try again.', 429);

const IAM_CODES: ReadonlySet<string> = new Set(['NoSuchEntity', 'EntityAlreadyExists', 'LimitExceeded', 'InvalidAuthenticationCode', 'Throttling']);

/** An IAM error of the MFA operations, answered as the console endpoint answers (IAM's code, status and message). */
function fromServiceError(error: unknown): never {
  if (error instanceof ServiceError && IAM_CODES.has(error.code)) throw new ConsoleSignInError(error.code as ConsoleSignInErrorCode, error.message, error.status);
  throw error;
}

async function proveRoot(env: SignInEnv, tx: StoreTx, account: string | undefined, input: RootProof): Promise<{ ctx: OperationContext; hash: string }> {
  const { services, now } = env;
  const limiter = services.guessLimiter;
  const accountKey = account ?? input.account.toLowerCase();
  // The keys root's sign-in counts under: a guess here costs what a guess at the sign-in costs.
  const nameKey = `console-root:${accountKey}`;
  const keys = env.sourceIp === undefined ? [nameKey] : [nameKey, `console-source:${env.sourceIp}`];
  if (limiter.isThrottled(keys, now)) throw throttled();
  const record = account === undefined ? undefined : await tx.get(ROOT_LOGIN_KIND, account, ROOT_LOGIN_KEY);
  const data = record?.data as RootLoginData | undefined;
  const wellFormed = input.password.length <= MAX_ROOT_PASSWORD && (input.mfaCode === undefined || MFA_CODE.test(input.mfaCode));
  const matches = await services.verifyPassword(input.password, data?.passwordHash ?? (await decoyHash(services)));
  if (!matches || data === undefined || account === undefined || !wellFormed) {
    limiter.recordFailure(keys, now);
    throw wrongPassword();
  }
  const ctx: OperationContext = {
    caller: ANONYMOUS,
    account,
    tx,
    now,
    requestId: 'console-root-credentials',
    services,
    ...(env.sourceIp !== undefined ? { sourceIp: env.sourceIp } : {}),
  };
  const devices = await devicesOf(ctx, ROOT_MFA_OWNER);
  if (devices.length > 0) {
    if (input.mfaCode === undefined) throw new ConsoleSignInError('MfaRequired', 'Enter the code your MFA device shows.', 401);
    let check: Awaited<ReturnType<typeof useMfaCode>>;
    try {
      check = await useMfaCode(ctx, ROOT_MFA_OWNER, (devices[0] as (typeof devices)[number]).key, input.mfaCode);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'Throttling') throw throttled();
      throw error;
    }
    if (check !== 'accepted') throw new ConsoleSignInError('InvalidAuthenticationCode', 'The MFA code is not valid. Wait for the next code and try again.', 401);
  }
  limiter.recordSuccess([nameKey]);
  return { ctx, hash: data.passwordHash };
}

/** Changes root's password or MFA devices after proving the caller is root; one transaction, nothing changed on refusal. */
export async function changeRootCredentials(env: SignInEnv, input: RootCredentialsInput): Promise<Record<string, unknown>> {
  const account = await accountOf(env, input.account);
  return env.store.transaction(async (tx) => {
    const { ctx, hash } = await proveRoot(env, tx, account, input);
    switch (input.action) {
      case 'changePassword': {
        const violation = rootPasswordViolation(input.newPassword);
        if (violation !== undefined) throw new ConsoleSignInError('PasswordPolicyViolation', violation, 400);
        if (await env.services.verifyPassword(input.newPassword, hash)) throw new ConsoleSignInError('PasswordPolicyViolation', 'The new password must differ from the current one.', 400);
        const record = await tx.get(ROOT_LOGIN_KIND, ctx.account, ROOT_LOGIN_KEY);
        if (record === undefined) throw wrongPassword();
        const next: RootLoginData = { ...(record.data as unknown as RootLoginData), passwordHash: await env.services.hashPassword(input.newPassword), passwordChanged: env.now.toISOString() };
        await tx.update({ ...record, data: { ...next } });
        return { changed: 'password' };
      }
      case 'enableMfa': {
        const device = await assignMfaDevice(ctx, ROOT_MFA_OWNER, input.serialNumber, input.authenticationCode1, input.authenticationCode2).catch(fromServiceError);
        return { serialNumber: device.key };
      }
      case 'removeMfa':
        await removeMfaDevice(ctx, ROOT_MFA_OWNER, input.serialNumber).catch(fromServiceError);
        return { removed: input.serialNumber };
    }
  });
}
