import type { StoreTx } from '../../store/store.js';
import { noSuchEntity } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { bool, num } from './common.js';
import { KIND } from './kinds.js';

/** The account password policy as stored: every rule resolved to its value (absent numbers mean "not set"). */
export interface PasswordPolicyData {
  readonly MinimumPasswordLength: number;
  readonly RequireSymbols: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireUppercaseCharacters: boolean;
  readonly RequireLowercaseCharacters: boolean;
  readonly AllowUsersToChangePassword: boolean;
  readonly MaxPasswordAge?: number;
  readonly PasswordReusePrevention?: number;
  readonly HardExpiry?: boolean;
}

/** An account has at most one password policy; it is stored under this key. */
export const PASSWORD_POLICY_KEY = 'default';

/** The policy in force in the account, if one was set. */
export async function readPasswordPolicy(tx: StoreTx, account: string): Promise<PasswordPolicyData | undefined> {
  const record = await tx.get(KIND.passwordPolicy, account, PASSWORD_POLICY_KEY);
  return record === undefined ? undefined : (record.data as unknown as PasswordPolicyData);
}

const noSuchPolicy = (account: string): Error => noSuchEntity(`The Password Policy with domain name ${account} cannot be found.`);

/** The PasswordPolicy structure: ExpirePasswords is derived, unset numbers and HardExpiry are left out as IAM does. */
export function passwordPolicyView(policy: PasswordPolicyData): Record<string, unknown> {
  return {
    MinimumPasswordLength: policy.MinimumPasswordLength,
    RequireSymbols: policy.RequireSymbols,
    RequireNumbers: policy.RequireNumbers,
    RequireUppercaseCharacters: policy.RequireUppercaseCharacters,
    RequireLowercaseCharacters: policy.RequireLowercaseCharacters,
    AllowUsersToChangePassword: policy.AllowUsersToChangePassword,
    ExpirePasswords: (policy.MaxPasswordAge ?? 0) > 0,
    ...(policy.MaxPasswordAge !== undefined ? { MaxPasswordAge: policy.MaxPasswordAge } : {}),
    ...(policy.PasswordReusePrevention !== undefined ? { PasswordReusePrevention: policy.PasswordReusePrevention } : {}),
    ...(policy.HardExpiry !== undefined ? { HardExpiry: policy.HardExpiry } : {}),
  };
}

async function getPolicy(ctx: OperationContext): Promise<Record<string, unknown>> {
  const policy = await readPasswordPolicy(ctx.tx, ctx.account);
  if (policy === undefined) throw noSuchPolicy(ctx.account);
  return { PasswordPolicy: passwordPolicyView(policy) };
}

/** The whole policy is replaced: a member left out takes its documented default, not its previous value. */
export function policyFromParams(p: Params): PasswordPolicyData {
  const maxAge = num(p, 'MaxPasswordAge');
  const reuse = num(p, 'PasswordReusePrevention');
  const hardExpiry = bool(p, 'HardExpiry');
  return {
    MinimumPasswordLength: num(p, 'MinimumPasswordLength') ?? 6,
    RequireSymbols: bool(p, 'RequireSymbols') ?? false,
    RequireNumbers: bool(p, 'RequireNumbers') ?? false,
    RequireUppercaseCharacters: bool(p, 'RequireUppercaseCharacters') ?? false,
    RequireLowercaseCharacters: bool(p, 'RequireLowercaseCharacters') ?? false,
    AllowUsersToChangePassword: bool(p, 'AllowUsersToChangePassword') ?? false,
    ...(maxAge !== undefined && maxAge > 0 ? { MaxPasswordAge: maxAge } : {}),
    ...(reuse !== undefined && reuse > 0 ? { PasswordReusePrevention: reuse } : {}),
    ...(hardExpiry !== undefined ? { HardExpiry: hardExpiry } : {}),
  };
}

async function updatePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const data = { ...policyFromParams(p) };
  const existing = await ctx.tx.get(KIND.passwordPolicy, ctx.account, PASSWORD_POLICY_KEY);
  if (existing !== undefined) {
    await ctx.tx.update({ ...existing, data });
  } else {
    await ctx.tx.insert({
      kind: KIND.passwordPolicy,
      account: ctx.account,
      key: PASSWORD_POLICY_KEY,
      id: `password-policy:${ctx.account}`,
      path: '/',
      owner: '',
      created: ctx.now.toISOString(),
      data,
    });
  }
  return {};
}

async function deletePolicy(ctx: OperationContext): Promise<Record<string, unknown>> {
  if (!(await ctx.tx.delete(KIND.passwordPolicy, ctx.account, PASSWORD_POLICY_KEY))) throw noSuchPolicy(ctx.account);
  return {};
}

// The Service Authorization Reference names no resource type for these actions: they are authorized against "*".
const op = operationsOf('iam', () => '*');

export const PASSWORD_POLICY_OPERATIONS: readonly OperationDefinition[] = [
  // AllowUsersToChangePassword "gives IAM users permissions to iam:ChangePassword for only their user and to the
  // iam:GetAccountPasswordPolicy action", at the account level, without any policy.
  op('GetAccountPasswordPolicy', getPolicy, {
    allowedWithoutPolicy: async (ctx) => ctx.caller.kind === 'user' && (await readPasswordPolicy(ctx.tx, ctx.account))?.AllowUsersToChangePassword === true,
  }),
  op('UpdateAccountPasswordPolicy', updatePolicy),
  op('DeleteAccountPasswordPolicy', deletePolicy),
];
