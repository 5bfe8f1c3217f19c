import type { EntityRecord } from '../../store/store.js';
import { entityAlreadyExists, noSuchEntity, passwordPolicyViolation, ServiceError } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { bool, mustGet, req, str } from './common.js';
import { targetUserName } from './implicit-target.js';
import { KIND } from './kinds.js';
import { readPasswordPolicy, type PasswordPolicyData } from './password-policy.js';
import { ROOT_LOGIN_KEY, ROOT_LOGIN_KIND } from '../sts/root-password.js';
import { getUser, userResource } from './users.js';

/** A login profile's stored data; never returned, only the user name and dates are. */
export interface LoginProfileData {
  readonly passwordHash: string;
  readonly passwordResetRequired: boolean;
  /** Earlier password hashes, most recent first, for PasswordReusePrevention. */
  readonly previousHashes: readonly string[];
  readonly passwordChanged: string;
}

/** PasswordReusePrevention allows at most 24, so no more earlier hashes are ever needed. */
const MAX_PREVIOUS = 24;

// The symbols IAM's password rules count, as the UpdateAccountPasswordPolicy reference lists them.
const SYMBOLS = new Set("!@#$%^&*()_+-=[]{}|'");

const CLASSES = [
  { test: (c: string) => c >= 'A' && c <= 'Z', missing: 'Password should have at least one uppercase letter' },
  { test: (c: string) => c >= 'a' && c <= 'z', missing: 'Password should have at least one lowercase letter' },
  { test: (c: string) => c >= '0' && c <= '9', missing: 'Password should have at least one number' },
  { test: (c: string) => SYMBOLS.has(c), missing: 'Password should have at least one symbol' },
] as const;

/** Without an account policy IAM asks for 8 characters and three of the four character classes. */
const DEFAULT_MINIMUM_LENGTH = 8;
const DEFAULT_CLASSES_REQUIRED = 3;

const has = (password: string, test: (c: string) => boolean): boolean => [...password].some(test);

/**
 * The PasswordPolicyViolation message a password earns under the account's policy (or IAM's default rules when
 * the account has none); undefined when it passes. Reuse of earlier passwords is checked separately: it needs the
 * stored hashes.
 */
export function checkPassword(policy: PasswordPolicyData | undefined, password: string): string | undefined {
  if (policy === undefined) {
    if (password.length < DEFAULT_MINIMUM_LENGTH) return `Password should have a minimum length of ${DEFAULT_MINIMUM_LENGTH}`;
    const missing = CLASSES.filter((c) => !has(password, c.test)).map((c) => c.missing);
    const short = DEFAULT_CLASSES_REQUIRED - (CLASSES.length - missing.length);
    return short > 0 ? `Password should meet ${short} more of the following requirements: ${missing.join(', ')}` : undefined;
  }
  const [upper, lower, digit, symbol] = CLASSES;
  const fails =
    password.length < policy.MinimumPasswordLength ||
    (policy.RequireUppercaseCharacters && !has(password, upper.test)) ||
    (policy.RequireLowercaseCharacters && !has(password, lower.test)) ||
    (policy.RequireNumbers && !has(password, digit.test)) ||
    (policy.RequireSymbols && !has(password, symbol.test));
  return fails ? 'Password does not conform to the account password policy.' : undefined;
}

export const noSuchLoginProfile = (name: string): Error => noSuchEntity(`Login Profile for User ${name} cannot be found.`);

export function loginProfileData(record: EntityRecord): LoginProfileData {
  return record.data as unknown as LoginProfileData;
}

async function enforcePolicy(ctx: OperationContext, password: string): Promise<void> {
  const violation = checkPassword(await readPasswordPolicy(ctx.tx, ctx.account), password);
  if (violation !== undefined) throw passwordPolicyViolation(violation);
}

/**
 * UserName, or the calling IAM user's own name when it is left out. The root user has no login profile among IAM's
 * (AWS lets only an AssumeRoot session leave it out), so it must name a user; other callers get ValidationError.
 */
function targetName(ctx: OperationContext, p: Params): string {
  return targetUserName(ctx.caller, str(p, 'UserName')) ?? req(p, 'UserName');
}

function profileView(record: EntityRecord): Record<string, unknown> {
  return {
    UserName: record.key,
    CreateDate: new Date(record.created),
    PasswordResetRequired: loginProfileData(record).passwordResetRequired,
  };
}

async function getProfile(ctx: OperationContext, userName: string): Promise<EntityRecord> {
  const user = await getUser(ctx, userName);
  return mustGet(ctx.tx, KIND.loginProfile, ctx.account, user.key, () => noSuchLoginProfile(user.key));
}

/** The profile's data after a password change: the old hash joins the history. */
function withPassword(ctx: OperationContext, data: LoginProfileData, hash: string, resetRequired: boolean): LoginProfileData {
  return {
    passwordHash: hash,
    passwordResetRequired: resetRequired,
    previousHashes: [data.passwordHash, ...data.previousHashes].slice(0, MAX_PREVIOUS),
    passwordChanged: ctx.now.toISOString(),
  };
}

// The root user's console password, which only an AssumeRoot session reaches (IAMCreateRootUserPassword,
// IAMDeleteRootUserCredentials): with no UserName such a session acts on it, and CreateLoginProfile takes no Password
// (AWS enables the root user's password recovery instead). One record per account.
const ROOT_LOGIN_PROFILE = 'root-login-profile';
/** The name the root user goes by where IAM lists users' credentials (the credential report's `<root_account>`). */
const ROOT_USER_NAME = '<root_account>';

function actsOnRoot(ctx: OperationContext, p: Params): boolean {
  return str(p, 'UserName') === undefined && ctx.caller.kind === 'root' && ctx.caller.session?.kind === 'rootTaskSession';
}

function rootProfileView(record: EntityRecord): Record<string, unknown> {
  return { UserName: ROOT_USER_NAME, CreateDate: new Date(record.created), PasswordResetRequired: record.data['passwordResetRequired'] === true };
}

const noRootProfile = (): ServiceError => noSuchEntity('Login Profile for the root user cannot be found.');

/**
 * The root user's login profile: one enabled by an AssumeRoot session, or the console password the server keeps for
 * its own account's root user (sts/root-password.ts). Both are the same credential to IAM: deleting it must end
 * console sign-in as root, whichever record holds it.
 */
async function rootProfile(ctx: OperationContext): Promise<EntityRecord> {
  const record = (await ctx.tx.get(ROOT_LOGIN_PROFILE, ctx.account, ctx.account)) ?? (await ctx.tx.get(ROOT_LOGIN_KIND, ctx.account, ROOT_LOGIN_KEY));
  if (record === undefined) throw noRootProfile();
  return record;
}

async function createRootLoginProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  // The API reference: "This parameter must be omitted when you make the request with an AssumeRoot session."
  if (str(p, 'Password') !== undefined) throw new ServiceError('ValidationError', 'Password must be omitted when the request is made with an AssumeRoot session.', 400);
  if ((await ctx.tx.get(ROOT_LOGIN_PROFILE, ctx.account, ctx.account)) !== undefined || (await ctx.tx.get(ROOT_LOGIN_KIND, ctx.account, ROOT_LOGIN_KEY)) !== undefined) {
    throw entityAlreadyExists('Login Profile for the root user already exists.');
  }
  const record: EntityRecord = {
    kind: ROOT_LOGIN_PROFILE,
    account: ctx.account,
    key: ctx.account,
    id: `root-login-profile:${ctx.account}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { passwordResetRequired: bool(p, 'PasswordResetRequired') ?? false, passwordRecovery: true },
  };
  await ctx.tx.insert(record);
  return { LoginProfile: rootProfileView(record) };
}

async function createLoginProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  if (actsOnRoot(ctx, p)) return createRootLoginProfile(ctx, p);
  const user = await getUser(ctx, targetName(ctx, p));
  const password = req(p, 'Password');
  if ((await ctx.tx.get(KIND.loginProfile, ctx.account, user.key)) !== undefined) {
    throw entityAlreadyExists(`Login Profile for user ${user.key} already exists.`);
  }
  await enforcePolicy(ctx, password);
  const data: LoginProfileData = {
    passwordHash: await ctx.services.hashPassword(password),
    passwordResetRequired: bool(p, 'PasswordResetRequired') ?? false,
    previousHashes: [],
    passwordChanged: ctx.now.toISOString(),
  };
  const record: EntityRecord = {
    kind: KIND.loginProfile,
    account: ctx.account,
    key: user.key,
    // Unique across kinds, and stable across the user's renames (which move this record).
    id: `login-profile:${user.id}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { ...data },
  };
  await ctx.tx.insert(record);
  return { LoginProfile: profileView(record) };
}

async function getLoginProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  if (actsOnRoot(ctx, p)) return { LoginProfile: rootProfileView(await rootProfile(ctx)) };
  return { LoginProfile: profileView(await getProfile(ctx, targetName(ctx, p))) };
}

async function updateLoginProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProfile(ctx, req(p, 'UserName'));
  const data = loginProfileData(record);
  const password = str(p, 'Password');
  const resetRequired = bool(p, 'PasswordResetRequired') ?? data.passwordResetRequired;
  let next: LoginProfileData = { ...data, passwordResetRequired: resetRequired };
  if (password !== undefined) {
    await enforcePolicy(ctx, password);
    next = withPassword(ctx, data, await ctx.services.hashPassword(password), resetRequired);
  }
  await ctx.tx.update({ ...record, data: { ...next } });
  return {};
}

async function deleteLoginProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  if (actsOnRoot(ctx, p)) {
    await rootProfile(ctx);
    await ctx.tx.delete(ROOT_LOGIN_PROFILE, ctx.account, ctx.account);
    // The console password too: the root user signs in no more (a server restart with GATEHOUSE_ROOT_PASSWORD, or
    // without one, sets a new one, as the operator of the server may).
    await ctx.tx.delete(ROOT_LOGIN_KIND, ctx.account, ROOT_LOGIN_KEY);
    return {};
  }
  const record = await getProfile(ctx, targetName(ctx, p));
  await ctx.tx.delete(KIND.loginProfile, ctx.account, record.key);
  return {};
}

async function changePassword(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = ctx.caller.kind === 'user' ? ctx.caller.userName : undefined;
  if (name === undefined) throw new ServiceError('InvalidUserType', 'Only IAM Users can change their own password.', 400);
  const record = await getProfile(ctx, name);
  const data = loginProfileData(record);
  // Guesses at the old password are throttled per user and per source address. The check and the count straddle an
  // await: this runs in a write transaction, which the store runs one at a time in this process.
  const userKey = `password-user:${record.id}`;
  const keys = ctx.sourceIp === undefined ? [userKey] : [userKey, `password-source:${ctx.sourceIp}`];
  ctx.services.guessLimiter.check(keys, ctx.now);
  if (!(await ctx.services.verifyPassword(req(p, 'OldPassword'), data.passwordHash))) {
    ctx.services.guessLimiter.recordFailure(keys, ctx.now);
    throw new ServiceError('InvalidUserType', 'The old password is incorrect.', 400);
  }
  ctx.services.guessLimiter.recordSuccess([userKey]);
  const password = req(p, 'NewPassword');
  const policy = await readPasswordPolicy(ctx.tx, ctx.account);
  const violation = checkPassword(policy, password);
  if (violation !== undefined) throw passwordPolicyViolation(violation);
  // The current password counts as the most recent of the N earlier ones the policy forbids.
  const reuse = policy?.PasswordReusePrevention ?? 0;
  for (const hash of [data.passwordHash, ...data.previousHashes].slice(0, reuse)) {
    if (await ctx.services.verifyPassword(password, hash)) {
      throw passwordPolicyViolation('Policy constraint violation with password reuse prevention during password change.');
    }
  }
  await ctx.tx.update({ ...record, data: { ...withPassword(ctx, data, await ctx.services.hashPassword(password), false) } });
  return {};
}

const op = operationsOf('iam', (ctx, p) => userResource(ctx, str(p, 'UserName')));

export const LOGIN_PROFILE_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateLoginProfile', createLoginProfile),
  op('GetLoginProfile', getLoginProfile),
  op('UpdateLoginProfile', updateLoginProfile),
  op('DeleteLoginProfile', deleteLoginProfile),
  // Always the caller's own user: ChangePassword names no user.
  op('ChangePassword', changePassword, {
    // The caller's own ARN whoever it is: the operation answers a non-user with InvalidUserType.
    resource: (ctx) => ctx.caller.arn,
    // "Allow users to change their own password" in the account password policy grants it to every IAM user.
    allowedWithoutPolicy: async (ctx) =>
      ctx.caller.kind === 'user' && (await readPasswordPolicy(ctx.tx, ctx.account))?.AllowUsersToChangePassword === true,
  }),
];
