import type { Caller } from '../caller.js';
import { type ServiceError, validationError } from '../errors.js';

/**
 * Whose credentials an operation acts on when the request names no user (CreateAccessKey, ListAccessKeys, GetUser,
 * ListMFADevices and the others whose UserName is optional): the calling IAM user, or the root user itself.
 */
export type ImplicitTarget = { readonly kind: 'user'; readonly name: string } | { readonly kind: 'root' };

/** AWS's answer to a role session, a federated user or any other non-user caller that leaves UserName out. */
export const nonUserCredentials = (): ServiceError => validationError('Must specify userName when calling with non-User credentials');

/**
 * The caller as an implicit target. Only an IAM user (its long-term keys, or its own GetSessionToken session) and
 * the root user (likewise) stand for themselves. A federated user carries the name of the IAM user that issued its
 * token, but it is not that user: treating it as one, or any non-user as root, would hand a role session or a
 * federation token the keys of a user or of the whole account.
 */
export function implicitTarget(caller: Caller): ImplicitTarget {
  if (caller.kind === 'user' && caller.userName !== undefined) return { kind: 'user', name: caller.userName };
  if (caller.kind === 'root') return { kind: 'root' };
  throw nonUserCredentials();
}

/** The user a request names, else the calling IAM user's own name; undefined for the root user's own credentials. */
export function targetUserName(caller: Caller, named: string | undefined): string | undefined {
  if (named !== undefined) return named;
  const target = implicitTarget(caller);
  return target.kind === 'user' ? target.name : undefined;
}
