import { accessDenied, ServiceError } from '../errors.js';
import { req } from '../iam/common.js';
import type { DelegationRequestData } from '../iam/delegation-requests.js';
import { tradeInTokenMatches, tradeInTokenRequestId } from '../iam/delegation-tokens.js';
import { KIND } from '../iam/kinds.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { sealCredentials, wholeSeconds } from './credentials.js';
import { packedPercent, packedTooLarge } from './session-policy.js';

// GetDelegatedAccessToken: the partner that created a delegation request trades the token SendDelegationToken
// released for credentials in the customer's account. They act as the identity that accepted the request (its
// policies, boundary and own limits, bound to its unique ID as every session is) and are limited by the request's
// rendered policy template, which authorization requires to allow each request as well. They last until the end of
// the delegation period (SessionDuration from finalization), and so does the token: it may be exchanged again until
// then, by the requestor's account only.

/** Gatehouse's answer (AWS documents none) for a token it did not issue, or that is not the caller's account's. */
const invalidTradeInToken = (): ServiceError => accessDenied('The trade-in token is not valid.');

const expiredTradeInToken = (): ServiceError =>
  new ServiceError('ExpiredTradeInTokenException', 'The trade-in token has expired and can no longer be exchanged for credentials.', 400);

/** The rendered template may take AWS's 2,048 characters ("The final rendered policy has a maximum size limit"). */
function checkPolicySize(policy: string): void {
  const percent = packedPercent({ policy, policyArns: [] }, []);
  if (percent > 100) throw packedTooLarge('session policies', percent);
}

async function getDelegatedAccessToken(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const token = req(p, 'TradeInToken');
  const id = tradeInTokenRequestId(token);
  const record = id === undefined ? undefined : await ctx.tx.getById(KIND.delegationRequest, id);
  const data = record?.data as unknown as DelegationRequestData | undefined;
  // One answer for every token that does not open a request of the caller's account: nothing is learnt from it.
  if (record === undefined || data === undefined || data.state !== 'FINALIZED' || !tradeInTokenMatches(token, data.tokenHash)) throw invalidTradeInToken();
  if (data.requestorId !== ctx.caller.account) throw invalidTradeInToken();
  const { approver, renderedPolicy, finalized } = data;
  if (approver === undefined || renderedPolicy === undefined || finalized === undefined) throw invalidTradeInToken();
  const expires = new Date(Date.parse(finalized) + data.sessionDuration * 1000);
  if (ctx.now.getTime() >= expires.getTime()) throw expiredTradeInToken();
  checkPolicySize(renderedPolicy);

  const credentials = sealCredentials(
    ctx,
    {
      kind: 'delegatedSession',
      account: approver.account,
      arn: approver.arn,
      userId: approver.userId,
      ...(approver.userName !== undefined ? { userName: approver.userName } : {}),
      ...(approver.roleArn !== undefined ? { roleArn: approver.roleArn } : {}),
      ...(approver.roleName !== undefined ? { roleName: approver.roleName } : {}),
      ...(approver.sessionName !== undefined ? { sessionName: approver.sessionName } : {}),
      ...(approver.sessionPolicy !== undefined ? { sessionPolicy: approver.sessionPolicy } : {}),
      ...(approver.tags !== undefined ? { tags: approver.tags } : {}),
      ...(approver.sourceIdentity !== undefined ? { sourceIdentity: approver.sourceIdentity } : {}),
      delegation: { requestId: record.key, principalKind: approver.principalKind, policies: [...(approver.limitPolicies ?? []), renderedPolicy] },
    },
    { issued: wholeSeconds(ctx.now), expires },
  );
  // PackedPolicySize is not populated for this operation (the API reference).
  return { Credentials: credentials.Credentials, AssumedPrincipal: approver.assumedPrincipal };
}

export const DELEGATED_ACCESS_TOKEN_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'GetDelegatedAccessToken',
    // The Service Authorization Reference names no resource type for sts:GetDelegatedAccessToken.
    resource: () => '*',
    run: getDelegatedAccessToken,
  },
];
