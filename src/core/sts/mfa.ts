import { accessDenied } from '../errors.js';
import { str } from '../iam/common.js';
import { ROOT_MFA_OWNER, useMfaCode } from '../iam/mfa-devices.js';
import type { OperationContext, Params } from '../operation.js';

// AWS's texts (STS answers AccessDenied for all three). The second one has two spaces after the first sentence.
const MISSING_HALF = 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.';
const UNKNOWN_DEVICE = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';
const INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';

/**
 * The MFA check of one request, remembered per request parameters: the check runs once, before authorization (the
 * decision needs aws:MultiFactorAuthPresent), and the operation reads its outcome afterwards.
 */
const verified = new WeakMap<Params, string>();

/**
 * Checks SerialNumber/TokenCode when a request carries them (AssumeRole, GetSessionToken): the device must be enabled
 * for the calling IAM user, and the code current and not used before. Returns when MFA authenticated the request
 * (ISO 8601), undefined when the request asked for no MFA; throws AccessDenied with AWS's text otherwise. A code
 * accepted here is spent, so this must run in a transaction that can write.
 */
export async function verifyMfaParameters(ctx: OperationContext, p: Params): Promise<string | undefined> {
  const known = verified.get(p);
  if (known !== undefined) return known;
  const serial = str(p, 'SerialNumber');
  const code = str(p, 'TokenCode');
  if (serial === undefined && code === undefined) return undefined;
  if (serial === undefined || code === undefined) throw accessDenied(MISSING_HALF);
  // IAM users and the root user (its own access key: root's GetSessionToken) have MFA devices; role and federated
  // sessions have none to name.
  const { caller } = ctx;
  const owner = caller.kind === 'user' ? caller.userId : caller.kind === 'root' && caller.session === undefined ? ROOT_MFA_OWNER : undefined;
  if (owner === undefined) throw accessDenied(UNKNOWN_DEVICE);
  // A user's GetSessionToken session carries the user's unique ID, so both authenticate the same device owner.
  const check = await useMfaCode(ctx, owner, serial, code);
  if (check === 'unknownDevice') throw accessDenied(UNKNOWN_DEVICE);
  if (check === 'invalidCode') throw accessDenied(INVALID_CODE);
  const when = ctx.now.toISOString();
  verified.set(p, when);
  return when;
}

/** The condition keys an MFA-authenticated request adds to its own authorization (the trust policy sees them). */
export function mfaConditionKeys(p: Params): Record<string, string> {
  const when = verified.get(p);
  return when === undefined ? {} : { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' };
}

