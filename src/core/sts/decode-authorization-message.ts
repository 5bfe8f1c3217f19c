import { ServiceError } from '../errors.js';
import { req } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';

/**
 * The STS model's InvalidAuthorizationMessageException (HTTP 400, the sender's fault). AWS documents the code and
 * status but not the text; this one restates the model's description of the error.
 */
export const invalidAuthorizationMessage = (): ServiceError =>
  new ServiceError('InvalidAuthorizationMessageException', 'The message passed to DecodeAuthorizationMessage was invalid.', 400);

/**
 * The JSON behind an encoded authorization failure message. Whatever is wrong with the message (not one of ours,
 * altered, sealed under a key the ring has dropped, issued in another account) gets the same answer, so the error
 * tells a caller nothing about why.
 */
async function decodeAuthorizationMessage(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const decoded = ctx.services.openAuthorizationMessage?.(ctx.account, req(p, 'EncodedMessage'));
  if (decoded === undefined) throw invalidAuthorizationMessage();
  return { DecodedMessage: decoded };
}

export const DECODE_AUTHORIZATION_MESSAGE_OPERATIONS: readonly OperationDefinition[] = [
  // The Service Authorization Reference names no resource type for it: the engine is asked about `*`.
  { service: 'sts', name: 'DecodeAuthorizationMessage', resource: () => '*', run: decodeAuthorizationMessage },
];
