import type { Store } from '../../store/store.js';
import type { SignInAttempt } from '../audit/console-login.js';
import { rootArn, userArn } from '../arns.js';
import type { Caller } from '../caller.js';
import { ServiceError } from '../errors.js';
import { devicesOf, ROOT_MFA_OWNER, useMfaCode } from '../iam/mfa-devices.js';
import { KIND } from '../iam/kinds.js';
import { loginProfileData } from '../iam/login-profiles.js';
import { readPasswordPolicy, type PasswordPolicyData } from '../iam/password-policy.js';
import type { CoreServices, OperationContext } from '../operation.js';
import { issueCredentials, type IssuedCredentials } from './credentials.js';
import { ROOT_LOGIN_KEY, ROOT_LOGIN_KIND, type RootLoginData } from './root-password.js';

/**
 * Signing in to the web console: an IAM user's password (and, when the user has an MFA device, a code) for temporary
 * credentials of a console session. The session acts as the user itself (its ARN, its unique ID, its policies, as the
 * authorizer reads them on every request), so it can never hold more than the user's own permissions; the browser
 * signs its calls with them like any SDK.
 */

export interface ConsoleSignInInput {
  /** The account ID (12 digits) or the account's alias. */
  readonly account: string;
  /** True to sign in as the account's root user (with the root password); userName is then not read. */
  readonly root?: boolean;
  readonly userName: string;
  readonly password: string;
  /** The six digits the user's MFA device shows; required when the user has one. */
  readonly mfaCode?: string;
  /** Which of the user's MFA devices the code is from; the earliest enabled one when absent. */
  readonly mfaSerial?: string;
}

export interface ConsoleSignInResult {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string; readonly expiration: string };
  readonly account: string;
  /** The IAM user's name; `root` for the root user. */
  readonly userName: string;
  readonly root: boolean;
  readonly arn: string;
  /** The session may only change the password (iam:ChangePassword) until the user signs in with the new one. */
  readonly passwordResetRequired: boolean;
  readonly mfaAuthenticated: boolean;
}

export type ConsoleSignInErrorCode =
  | 'SignInFailed'
  | 'MfaRequired'
  | 'PasswordExpired'
  | 'Throttling'
  | 'InvalidRequest'
  // Changing the root user's credentials (root-credentials.ts) answers these as well, IAM's own among them.
  | 'PasswordPolicyViolation'
  | 'InvalidAuthenticationCode'
  | 'NoSuchEntity'
  | 'EntityAlreadyExists'
  | 'LimitExceeded';

export class ConsoleSignInError extends Error {
  constructor(
    readonly code: ConsoleSignInErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * AWS's words for every failure that must not tell which part was wrong: an unknown account or user, a user without
 * a password, a wrong password, a wrong MFA code. Telling them apart would let anyone list the users of an account.
 */
export const SIGN_IN_FAILED = 'Your authentication information is incorrect. Please try again.';
const failed = (): ConsoleSignInError => new ConsoleSignInError('SignInFailed', SIGN_IN_FAILED, 401);

/** AWS's default console session for an IAM user lasts 12 hours. */
export const CONSOLE_SESSION_SECONDS = 12 * 3600;
/** The root user's sessions last at most an hour, as its GetSessionToken sessions do. */
export const ROOT_CONSOLE_SESSION_SECONDS = 3600;
/** A session that may only change the password needs minutes, not hours. */
export const RESET_SESSION_SECONDS = 15 * 60;

// IAM's own limits: user names are 1-64 of [\w+=,.@-], passwords at most 128 characters, aliases 3-63 characters.
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT_ID = /^[0-9]{12}$/;
const ALIAS = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;
const MFA_CODE = /^[0-9]{6}$/;
const MAX_PASSWORD = 128;

/** The input as sent (JSON), checked member by member: anything else than the expected strings is refused. */
export function parseSignInInput(body: unknown): ConsoleSignInInput {
  const invalid = (what: string): ConsoleSignInError => new ConsoleSignInError('InvalidRequest', what, 400);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const get = (name: string): unknown => (Object.prototype.hasOwnProperty.call(body, name) ? (body as Record<string, unknown>)[name] : undefined);
  const text = (name: string, required: boolean): string | undefined => {
    const value = get(name);
    if (value === undefined || value === null || value === '') {
      if (required) throw invalid(`${name} is required.`);
      return undefined;
    }
    if (typeof value !== 'string') throw invalid(`${name} must be a string.`);
    if (value.length > 1024) throw invalid(`${name} is too long.`);
    return value;
  };
  const account = (text('account', true) as string).trim();
  const root = get('root');
  if (root !== undefined && typeof root !== 'boolean') throw invalid('root must be true or false.');
  const userName = root === true ? '' : (text('userName', true) as string).trim();
  const password = text('password', true) as string;
  const mfaCode = text('mfaCode', false)?.trim();
  const mfaSerial = text('mfaSerial', false);
  return { account, userName, password, ...(root === true ? { root: true } : {}), ...(mfaCode !== undefined ? { mfaCode } : {}), ...(mfaSerial !== undefined ? { mfaSerial } : {}) };
}

export interface SignInEnv {
  readonly store: Store;
  readonly services: CoreServices;
  readonly now: Date;
  /** The address the attempt came from: guesses are throttled per address as well as per user. */
  readonly sourceIp?: string;
  /**
   * Told what the attempt came to once the credentials were checked (the audit trail's ConsoleLogin event). Not told
   * of attempts refused before any check (throttled, or naming an alias no account has): see console-routes.ts.
   */
  readonly observe?: (attempt: SignInAttempt) => void;
}

// A password hash nobody's password matches, verified when there is no user or no password, so that an unknown user
// takes as long to refuse as a wrong password (timing would otherwise tell which names exist).
const decoys = new WeakMap<CoreServices, Promise<string>>();
export function decoyHash(services: CoreServices): Promise<string> {
  let hash = decoys.get(services);
  if (hash === undefined) {
    hash = services.hashPassword(`decoy-${Math.random()}-${Date.now()}`);
    decoys.set(services, hash);
  }
  return hash;
}

/** The account a sign-in names: its ID as given, or the account whose alias it is; undefined when none is. */
export async function accountOf(env: Pick<SignInEnv, 'store'>, named: string): Promise<string | undefined> {
  if (ACCOUNT_ID.test(named)) return named;
  const alias = named.toLowerCase();
  if (!ALIAS.test(alias)) return undefined;
  return env.store.read(async (tx) => (await tx.getById(KIND.accountAlias, `account-alias:${alias}`))?.account);
}

/** Who signs in, before the session exists: nobody yet (issueCredentials and useMfaCode need a context). */
const ANONYMOUS: Caller = { kind: 'anonymous', account: '', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' };

function credentialsOf(issued: IssuedCredentials): ConsoleSignInResult['credentials'] {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = issued.Credentials;
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration.toISOString() };
}

/** True when the password policy's MaxPasswordAge has passed since the password was last set. */
export function passwordExpired(policy: PasswordPolicyData | undefined, passwordChanged: string, now: Date): boolean {
  const maxAge = policy?.MaxPasswordAge;
  if (maxAge === undefined || maxAge <= 0) return false;
  return now.getTime() >= Date.parse(passwordChanged) + maxAge * 86_400_000;
}

function principalOf(account: string, user: { id: string; key: string; path: string }): SignInAttempt['principal'] {
  return { kind: 'user', userId: user.id, userName: user.key, arn: userArn(account, user.path, user.key) };
}

/**
 * The MFA step of a sign-in whose password was right: nothing when `owner` (a user's unique ID, or the root user) has
 * no device; otherwise the code must be given (MfaRequired) and be right for the device it names or the earliest
 * enabled one (SignInFailed). useMfaCode throttles and counts guesses per device and address, and spends the code.
 */
async function mfaStep(
  env: SignInEnv,
  ctx: OperationContext,
  owner: string,
  principal: SignInAttempt['principal'],
  input: ConsoleSignInInput,
  throttled: () => ConsoleSignInError,
): Promise<{ readonly serial: string; readonly time: string } | undefined> {
  const devices = await devicesOf(ctx, owner);
  if (devices.length === 0) return undefined;
  const { account } = ctx;
  if (input.mfaCode === undefined) {
    env.observe?.({ account, principal, outcome: 'mfaRequired', mfaUsed: false, mfaDevices: devices.map((d) => d.key) });
    throw new ConsoleSignInError('MfaRequired', 'Enter the code your MFA device shows.', 401);
  }
  const device = devices.find((d) => d.key === input.mfaSerial) ?? (devices[0] as (typeof devices)[number]);
  let check: Awaited<ReturnType<typeof useMfaCode>>;
  try {
    check = await useMfaCode(ctx, owner, device.key, input.mfaCode);
  } catch (error) {
    // The password was checked: a code refused unheard is a failed sign-in.
    if (error instanceof ServiceError && error.code === 'Throttling') {
      env.observe?.({ account, principal, outcome: 'failure', mfaUsed: true });
      throw throttled();
    }
    throw error;
  }
  if (check !== 'accepted') {
    env.observe?.({ account, principal, outcome: 'failure', mfaUsed: true });
    throw failed();
  }
  return { serial: device.key, time: ctx.now.toISOString() };
}

/**
 * Checks a console sign-in and issues the console session's credentials. Throws ConsoleSignInError: SignInFailed for
 * every wrong or unknown part, MfaRequired when the password is right and the user has an MFA device but no code was
 * given, PasswordExpired when the policy's hard expiry keeps the user out, Throttling while guesses back off.
 */
export async function consoleSignIn(env: SignInEnv, input: ConsoleSignInInput): Promise<ConsoleSignInResult> {
  const { services, now } = env;
  const limiter = services.guessLimiter;
  const root = input.root === true;
  const wellFormed = (root || USER_NAME.test(input.userName)) && input.password.length <= MAX_PASSWORD && (input.mfaCode === undefined || MFA_CODE.test(input.mfaCode));
  const account = wellFormed ? await accountOf(env, input.account) : undefined;
  // Keyed by the name as asked, not by what exists, so that being throttled tells nothing about which users exist.
  // The account as resolved when it exists, so that its ID and its alias count against the same key.
  const accountKey = account ?? input.account.toLowerCase();
  const nameKey = root ? `console-root:${accountKey}` : `console-user:${accountKey}/${input.userName.toLowerCase()}`;
  const keys = env.sourceIp === undefined ? [nameKey] : [nameKey, `console-source:${env.sourceIp}`];
  const throttled = (): ConsoleSignInError => new ConsoleSignInError('Throttling', 'Too many failed sign-in attempts. Wait a few minutes and try again.', 429);
  if (limiter.isThrottled(keys, now)) throw throttled();
  return env.store.transaction(async (tx) => {
    // The store runs this process's transactions one at a time: no other attempt on these keys between check and count.
    if (limiter.isThrottled(keys, now)) throw throttled();
    if (root) {
      const record = account === undefined ? undefined : await tx.get(ROOT_LOGIN_KIND, account, ROOT_LOGIN_KEY);
      const rootData = record?.data as RootLoginData | undefined;
      const rootMatches = await services.verifyPassword(input.password, rootData?.passwordHash ?? (await decoyHash(services)));
      if (!rootMatches || record === undefined || account === undefined || !wellFormed) {
        limiter.recordFailure(keys, now);
        if (account !== undefined) env.observe?.({ account, principal: { kind: 'root' }, outcome: 'failure', mfaUsed: false });
        throw failed();
      }
      const ctx: OperationContext = { caller: ANONYMOUS, account, tx, now, requestId: 'console-sign-in', services, ...(env.sourceIp !== undefined ? { sourceIp: env.sourceIp } : {}) };
      const mfa = await mfaStep(env, ctx, ROOT_MFA_OWNER, { kind: 'root' }, input, throttled);
      limiter.recordSuccess([nameKey]);
      env.observe?.({ account, principal: { kind: 'root' }, outcome: 'success', mfaUsed: mfa !== undefined, ...(mfa !== undefined ? { mfaSerial: mfa.serial } : {}) });
      await tx.update({ ...record, data: { ...record.data, passwordLastUsed: now.toISOString() } });
      const arn = rootArn(account);
      // No userName: callerFromClaims makes a console session without one the root user.
      const issued = issueCredentials(
        ctx,
        { kind: 'consoleSession', account, arn, userId: account, ...(mfa !== undefined ? { mfaAuthTime: mfa.time } : {}) },
        ROOT_CONSOLE_SESSION_SECONDS,
      );
      return { credentials: credentialsOf(issued), account, userName: 'root', root: true, arn, passwordResetRequired: false, mfaAuthenticated: mfa !== undefined };
    }
    const user = account === undefined ? undefined : await tx.get(KIND.user, account, input.userName);
    const profile = user === undefined || account === undefined ? undefined : await tx.get(KIND.loginProfile, account, user.key);
    const data = profile === undefined ? undefined : loginProfileData(profile);
    const matches = await services.verifyPassword(input.password, data?.passwordHash ?? (await decoyHash(services)));
    if (!matches || user === undefined || data === undefined || account === undefined || !wellFormed) {
      limiter.recordFailure(keys, now);
      if (account !== undefined) env.observe?.({ account, principal: user === undefined ? { kind: 'unknownUser' } : principalOf(account, user), outcome: 'failure', mfaUsed: false });
      throw failed();
    }
    const principal = principalOf(account, user);
    const ctx: OperationContext = { caller: ANONYMOUS, account, tx, now, requestId: 'console-sign-in', services, ...(env.sourceIp !== undefined ? { sourceIp: env.sourceIp } : {}) };
    const checked = await mfaStep(env, ctx, user.id, principal, input, throttled);
    const mfaAuthTime = checked?.time;
    const mfaSerial = checked?.serial;
    const policy = await readPasswordPolicy(tx, account);
    const expired = passwordExpired(policy, data.passwordChanged, now);
    const mfa = { mfaUsed: mfaSerial !== undefined, ...(mfaSerial !== undefined ? { mfaSerial } : {}) };
    if (expired && policy?.HardExpiry === true) {
      env.observe?.({ account, principal, outcome: 'passwordExpired', ...mfa });
      throw new ConsoleSignInError('PasswordExpired', 'Your password has expired. Ask your administrator to reset it.', 403);
    }
    limiter.recordSuccess([nameKey]);
    env.observe?.({ account, principal, outcome: 'success', ...mfa });
    const resetRequired = data.passwordResetRequired || expired;
    await tx.update({ ...user, data: { ...user.data, passwordLastUsed: now.toISOString() } });
    const arn = userArn(account, user.path, user.key);
    const issued = issueCredentials(
      ctx,
      {
        kind: 'consoleSession',
        account,
        arn,
        userId: user.id,
        userName: user.key,
        ...(mfaAuthTime !== undefined ? { mfaAuthTime } : {}),
        ...(resetRequired ? { passwordResetRequired: true } : {}),
      },
      resetRequired ? RESET_SESSION_SECONDS : CONSOLE_SESSION_SECONDS,
    );
    return {
      credentials: credentialsOf(issued),
      account,
      userName: user.key,
      root: false,
      arn,
      passwordResetRequired: resetRequired,
      mfaAuthenticated: mfaAuthTime !== undefined,
    };
  });
}
