import { SIGV4_MESSAGES as M, SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import type { QueryParameter } from './canonical-query.js';
import { splitSignedHeaders } from './parse-authorization.js';

export interface PresignedParameters {
  algorithm: string;
  credential: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date as sent (format checked by the caller, like the header form's date). */
  date: string;
  /** Seconds; undefined when X-Amz-Expires is absent. */
  expires?: number;
  securityToken?: string;
}

// A presigned URL is valid for at most seven days: the signing key is derived from the date.
const MAX_EXPIRES_SECONDS = 604800;

/** True when the query carries X-Amz-Algorithm, which is what makes a request a presigned one. */
export function isPresigned(parameters: readonly QueryParameter[]): boolean {
  return parameters.some((parameter) => parameter.name === 'X-Amz-Algorithm');
}

function first(parameters: readonly QueryParameter[], name: string): string | undefined {
  return parameters.find((parameter) => parameter.name === name)?.value;
}

/** Reads the X-Amz-* query parameters of a presigned URL (names are case-sensitive, as AWS treats them). */
export function parsePresigned(parameters: readonly QueryParameter[]): PresignedParameters {
  const algorithm = first(parameters, 'X-Amz-Algorithm') ?? '';
  const credential = first(parameters, 'X-Amz-Credential');
  const signature = first(parameters, 'X-Amz-Signature');
  const signedHeaders = first(parameters, 'X-Amz-SignedHeaders');
  const date = first(parameters, 'X-Amz-Date');
  const missing: string[] = [];
  if (!credential) missing.push(T.queryRequires('X-Amz-Credential'));
  if (!signature) missing.push(T.queryRequires('X-Amz-Signature'));
  if (signedHeaders === undefined) missing.push(T.queryRequires('X-Amz-SignedHeaders'));
  if (!date) missing.push(T.queryRequires('X-Amz-Date'));
  if (missing.length > 0 || !credential || !signature || signedHeaders === undefined || !date) {
    throw new SigV4Error('IncompleteSignature', `${missing.join(' ')} ${M.reexamineQuery}`);
  }

  const result: PresignedParameters = {
    algorithm,
    credential,
    signedHeaders: splitSignedHeaders(signedHeaders),
    signature,
    date,
  };
  const expires = first(parameters, 'X-Amz-Expires');
  if (expires !== undefined) {
    if (!/^\d{1,15}$/.test(expires)) throw new SigV4Error('IncompleteSignature', T.badExpires(expires));
    const seconds = Number(expires);
    if (seconds > MAX_EXPIRES_SECONDS) throw new SigV4Error('IncompleteSignature', T.expiresTooLong());
    result.expires = seconds;
  }
  const securityToken = first(parameters, 'X-Amz-Security-Token');
  if (securityToken !== undefined) result.securityToken = securityToken;
  return result;
}
