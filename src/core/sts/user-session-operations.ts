import { tagRequestKeys } from '../iam/tagging.js';
import { checkTags, list, num, req, type Tag } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { issueCredentials, tokenSizeMembers } from './credentials.js';
import { verifyMfaParameters } from './mfa.js';
import { buildSessionPolicy, hasPackedContent, packedPercent, sessionPolicyInput } from './session-policy.js';

const DEFAULT_DURATION = 43200;
/** The root user's sessions last at most an hour; AWS shortens longer requests rather than refusing them. */
const ROOT_MAX_DURATION = 3600;

function duration(ctx: OperationContext, p: Params): number {
  const asked = num(p, 'DurationSeconds') ?? DEFAULT_DURATION;
  return ctx.caller.kind === 'root' ? Math.min(asked, ROOT_MAX_DURATION) : asked;
}

async function getSessionToken(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { caller } = ctx;
  const mfaAuthTime = await verifyMfaParameters(ctx, p);
  const issued = issueCredentials(
    ctx,
    {
      kind: caller.kind === 'root' ? 'rootSession' : 'userSession',
      account: caller.account,
      arn: caller.arn,
      userId: caller.userId,
      ...(caller.userName !== undefined ? { userName: caller.userName } : {}),
      // With MFA the session may call IAM and satisfies aws:MultiFactorAuthPresent (see callerRestriction).
      ...(mfaAuthTime !== undefined ? { mfaAuthTime } : {}),
    },
    duration(ctx, p),
    num(p, 'MinimumSessionTokenSize'),
  );
  return { Credentials: issued.Credentials, ...tokenSizeMembers(issued) };
}

export function federatedUserArn(account: string, name: string): string {
  return `arn:aws:sts::${account}:federated-user/${name}`;
}

async function getFederationToken(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { caller } = ctx;
  const name = req(p, 'Name');
  const tags = list<Tag>(p, 'Tags');
  checkTags(tags);
  const input = sessionPolicyInput(p);
  const sessionPolicy = await buildSessionPolicy(ctx, input, tags);
  const arn = federatedUserArn(caller.account, name);
  const federatedUserId = `${caller.account}:${name}`;
  const issued = issueCredentials(
    ctx,
    {
      kind: 'federatedUser',
      account: caller.account,
      arn,
      userId: federatedUserId,
      ...(caller.userName !== undefined ? { userName: caller.userName, issuerUserId: caller.userId } : {}),
      ...(sessionPolicy !== undefined ? { sessionPolicy } : {}),
      ...(tags.length > 0 ? { tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {}),
    },
    duration(ctx, p),
    num(p, 'MinimumSessionTokenSize'),
  );
  return {
    Credentials: issued.Credentials,
    FederatedUser: { FederatedUserId: federatedUserId, Arn: arn },
    ...(hasPackedContent(input, tags) ? { PackedPolicySize: packedPercent(input, tags) } : {}),
    ...tokenSizeMembers(issued),
  };
}

export const USER_SESSION_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'GetSessionToken',
    // No policy decides GetSessionToken, so the MFA check waits for the operation itself, after the caller restrictions.
    resource: () => '*',
    // Checking a code spends it (replay protection), so a request with one needs a writing transaction.
    writes: (p) => p['TokenCode'] !== undefined,
    // AWS: no permission is needed to get a session token, and policies cannot control it.
    allowedWithoutPolicy: async () => true,
    run: getSessionToken,
  },
  {
    service: 'sts',
    name: 'GetFederationToken',
    resource: (ctx, p) => federatedUserArn(ctx.account, req(p, 'Name')),
    conditionKeys: tagRequestKeys,
    alsoRequires: (_ctx, p) => (list<Tag>(p, 'Tags').length > 0 ? ['sts:TagSession'] : []),
    run: getFederationToken,
  },
];
