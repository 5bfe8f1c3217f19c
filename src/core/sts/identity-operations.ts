import { KIND } from '../iam/kinds.js';
import { req } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { accountOfAccessKeyId } from './session-access-key.js';

async function getCallerIdentity(ctx: OperationContext): Promise<Record<string, unknown>> {
  return { UserId: ctx.caller.userId, Account: ctx.caller.account, Arn: ctx.caller.arn };
}

/**
 * The account an access key belongs to. Long-term keys are looked up; any other ID is decoded as AWS decodes key
 * IDs, which is exact for the temporary keys this server issues (their bits name the account, see
 * session-access-key.ts) and, as with AWS, says nothing about whether the key exists.
 */
async function getAccessKeyInfo(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const id = req(p, 'AccessKeyId');
  const stored = await ctx.tx.getById(KIND.accessKey, id);
  const account = stored?.account ?? accountOfAccessKeyId(id) ?? ctx.account;
  return { Account: account };
}

export const IDENTITY_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'GetCallerIdentity',
    resource: () => '*',
    // AWS: no permission is needed, and an explicit deny cannot refuse it; the engine agrees, so skip asking it.
    allowedWithoutPolicy: async () => true,
    run: getCallerIdentity,
  },
  { service: 'sts', name: 'GetAccessKeyInfo', resource: () => '*', run: getAccessKeyInfo },
];
