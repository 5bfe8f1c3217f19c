// The evaluation logic across policy types, through the public API.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DecisionRequest } from './context.js';
import type { Decision, DecidingFactor } from './decide.js';
import { compilePolicies, type PolicySet } from './engine.js';

const ACCT = '111122223333';
const OTHER = '444455556666';
const MGMT = '999988887777';
const USER = `arn:aws:iam::${ACCT}:user/Alice`;
const ROLE = `arn:aws:iam::${ACCT}:role/Dev`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/Dev/alice-session`;
const FED = `arn:aws:sts::${ACCT}:federated-user/Bob`;
const ROOT = `arn:aws:iam::${ACCT}:root`;
const OTHER_USER = `arn:aws:iam::${OTHER}:user/Zhang`;
const OBJECT = 'arn:aws:s3:::bucket/key';

type Json = Record<string, unknown>;
const doc = (...statements: Json[]): Json => ({ Version: '2012-10-17', Statement: statements });
const allow = (extra: Json = {}): Json => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });
const deny = (extra: Json = {}): Json => ({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*', ...extra });
const allowFor = (principal: unknown, extra: Json = {}): Json => ({
  Effect: 'Allow',
  Principal: typeof principal === 'string' && principal !== '*' ? { AWS: principal } : principal,
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::bucket/*',
  ...extra,
});
const ALLOW = doc(allow());
const DENY = doc(deny());
const NOTHING = doc({ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' });
const FULL_ACCESS = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const get = (principal: string, extra: Partial<DecisionRequest> = {}): DecisionRequest => ({ principal, action: 's3:GetObject', resource: OBJECT, ...extra });

interface DecideCase {
  readonly name: string;
  readonly set: PolicySet;
  readonly request: DecisionRequest;
  readonly expected: Decision;
  /** Checked when given. */
  readonly decidedBy?: readonly DecidingFactor[];
  readonly todo?: string;
}

function run(title: string, cases: readonly DecideCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, c.todo !== undefined ? { todo: c.todo } : {}, () => {
        const result = compilePolicies(c.set).evaluate(c.request);
        assert.equal(result.decision, c.expected);
        if (c.decidedBy !== undefined) assert.deepEqual(result.decidedBy, c.decidedBy);
      });
    }
  });
}

// IAM User Guide, "Permissions for GetScopedCredentials": the scoped credentials' permissions are the intersection of
// the calling session's effective permissions and every scope down policy; the resulting credentials can never have
// more. Limiting policies (which also carry a delegated session's permissions) therefore bind every principal and
// every grant, a resource policy naming the session and the root user included.
run('Limiting policies (scope down) bind whatever else allows', [
  { name: 'identity allows, the scope allows', set: { identityPolicies: [ALLOW], limitingPolicies: [ALLOW] }, request: get(SESSION), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'identity allows, the scope does not', set: { identityPolicies: [ALLOW], limitingPolicies: [NOTHING] }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'the scope cannot grant what the identity lacks', set: { identityPolicies: [NOTHING], limitingPolicies: [ALLOW] }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'every layer must allow', set: { identityPolicies: [ALLOW], limitingPolicies: [ALLOW, ALLOW, NOTHING] }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'a Deny in one layer denies', set: { identityPolicies: [ALLOW], limitingPolicies: [ALLOW, doc(allow(), deny())] }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['session'] },
  { name: 'the session policy and the scope both apply', set: { identityPolicies: [ALLOW], sessionPolicy: NOTHING, limitingPolicies: [ALLOW] }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'a resource policy naming the session does not lift the scope', set: { resourcePolicy: doc(allowFor(SESSION)), limitingPolicies: [NOTHING] }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'a resource policy naming everyone does not lift the scope', set: { resourcePolicy: doc(allowFor('*')), limitingPolicies: [NOTHING] }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'the root user is bound too', set: { limitingPolicies: [NOTHING] }, request: get(ROOT), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'the root user within its scope', set: { limitingPolicies: [ALLOW] }, request: get(ROOT), expected: 'Allowed', decidedBy: ['rootUser'] },
  { name: 'a Deny of the scope joins an identity Deny', set: { identityPolicies: [DENY], limitingPolicies: [DENY] }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['identity', 'session'] },
  { name: 'a user within its scope', set: { identityPolicies: [ALLOW], limitingPolicies: [FULL_ACCESS] }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'GetCallerIdentity is always answered', set: { limitingPolicies: [NOTHING] }, request: { principal: SESSION, action: 'sts:GetCallerIdentity', resource: '*' }, expected: 'Allowed', decidedBy: ['alwaysAllowed'] },
  {
    name: 'the scope reads the request context',
    set: { identityPolicies: [ALLOW], limitingPolicies: [doc(allow({ Condition: { StringEquals: { 'aws:SourceIp': '192.0.2.1' } } }))] },
    request: get(SESSION, { context: { 'aws:SourceIp': '198.51.100.7' } }),
    expected: 'ImplicitlyDenied',
    decidedBy: ['session'],
  },
]);

// Policy evaluation logic — "Determining whether a request is allowed or denied within an account", Deny
// evaluation: the enforcement code looks for a Deny in SCPs (and RCPs), resource-based policies, identity-based
// policies, permissions boundaries and session policies; one applicable explicit deny is a final Deny, whatever
// allows exist elsewhere. Default is an implicit deny.
const SCP_FULL = [{ target: 'r-root', policies: [FULL_ACCESS] }];
run('Explicit deny in any policy type wins', [
  { name: 'no policies: implicit deny', set: {}, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'identity Allow and identity Deny', set: { identityPolicies: [ALLOW, DENY] }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['identity'] },
  { name: 'Allow and Deny in the same identity policy', set: { identityPolicies: [doc(allow(), deny())] }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['identity'] },
  { name: 'identity Allow, resource policy Deny', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor('*'), deny({ Principal: '*' })) }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['resource'] },
  { name: 'resource policy Allow for the user, identity Deny', set: { identityPolicies: [DENY], resourcePolicy: doc(allowFor(USER)) }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['identity'] },
  { name: 'identity Allow, permissions boundary Deny', set: { identityPolicies: [ALLOW], permissionsBoundary: doc(allow(), deny()) }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'identity Allow, session policy Deny', set: { identityPolicies: [ALLOW], sessionPolicy: doc(allow(), deny()) }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['session'] },
  { name: 'identity Allow, SCP Deny next to FullAWSAccess', set: { identityPolicies: [ALLOW], serviceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, DENY] }] }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['scp'] },
  { name: 'identity Allow, RCP Deny next to RCPFullAWSAccess', set: { identityPolicies: [ALLOW], resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, doc(deny({ Principal: '*' }))] }] }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['rcp'] },
  { name: 'resource policy grant to the session, session policy Deny', set: { sessionPolicy: doc(deny()), resourcePolicy: doc(allowFor(SESSION)) }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['session'] },
  { name: 'resource policy grant to the user, boundary Deny', set: { permissionsBoundary: doc(deny()), resourcePolicy: doc(allowFor(USER)) }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'Deny with a non-matching condition does not apply', set: { identityPolicies: [doc(allow(), deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))] }, request: get(USER, { context: { 'aws:SecureTransport': 'true' } }), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'Deny for another action does not apply', set: { identityPolicies: [doc(allow(), deny({ Action: 's3:DeleteObject' }))] }, request: get(USER), expected: 'Allowed' },
  { name: 'Deny in a resource policy for another principal does not apply', set: { identityPolicies: [ALLOW], resourcePolicy: doc(deny({ Principal: { AWS: OTHER_USER } })) }, request: get(USER), expected: 'Allowed' },
  { name: 'SCP Deny and identity Deny are both reported', set: { identityPolicies: [DENY], serviceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, DENY] }] }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['scp', 'identity'] },
]);

// Policy evaluation logic — "Example identity-based and resource-based policy evaluation" (Carlos: identity policy
// with AllowS3ListRead, AllowS3Self, DenyS3Logs on arn:aws:s3:::*log*; a bucket policy for carlossalazar) and
// "Evaluating identity-based policies with resource-based policies" (same account: the union of both).
const CARLOS = `arn:aws:iam::${ACCT}:user/carlossalazar`;
const CARLOS_POLICY = doc(
  { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'], Resource: 'arn:aws:s3:::*' },
  { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
  { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
);
const CARLOS_BUCKET = doc({ Effect: 'Allow', Principal: { AWS: CARLOS }, Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] });
run('Same-account identity and resource-based policies', [
  { name: 'Carlos: PutObject to carlossalazar-logs is explicitly denied', set: { identityPolicies: [CARLOS_POLICY], resourcePolicy: CARLOS_BUCKET }, request: { principal: CARLOS, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar-logs/file' }, expected: 'ExplicitlyDenied', decidedBy: ['identity'] },
  { name: 'Carlos: PutObject to carlossalazar is allowed', set: { identityPolicies: [CARLOS_POLICY], resourcePolicy: CARLOS_BUCKET }, request: { principal: CARLOS, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file' }, expected: 'Allowed' },
  { name: 'Carlos: ListAllMyBuckets is allowed by the identity policy', set: { identityPolicies: [CARLOS_POLICY] }, request: { principal: CARLOS, action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'identity policy alone allows', set: { identityPolicies: [ALLOW] }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'resource policy alone allows (names the user)', set: { resourcePolicy: doc(allowFor(USER)) }, request: get(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'identity allows, resource policy silent about the user', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(OTHER_USER)) }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'neither allows', set: { identityPolicies: [NOTHING], resourcePolicy: doc(allowFor(OTHER_USER)) }, request: get(USER), expected: 'ImplicitlyDenied' },
]);

// Cross-account policy evaluation logic — "Determining whether a cross-account request is allowed": the identity-
// based policy in the trusted account and the resource-based policy in the trusting account must both allow.
// AWS JSON policy elements: Principal — naming an account delegates to it; an administrator there must grant access
// to an identity.
const cross = (principal: string): DecisionRequest => get(principal, { resourceAccount: ACCT });
run('Cross-account requests need both sides', [
  { name: 'identity allows, no resource policy', set: { identityPolicies: [ALLOW] }, request: cross(OTHER_USER), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'identity allows, resource policy names someone else', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(USER)) }, request: cross(OTHER_USER), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'resource policy names the user, no identity policy', set: { resourcePolicy: doc(allowFor(OTHER_USER)) }, request: cross(OTHER_USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'both allow', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(OTHER_USER)) }, request: cross(OTHER_USER), expected: 'Allowed', decidedBy: ['identity', 'resource'] },
  { name: 'resource policy names the account, identity allows', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(OTHER)) }, request: cross(OTHER_USER), expected: 'Allowed', decidedBy: ['identity', 'resource'] },
  { name: 'resource policy names the account, no identity allow', set: { identityPolicies: [NOTHING], resourcePolicy: doc(allowFor(OTHER)) }, request: cross(OTHER_USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'both allow but the caller’s boundary does not', set: { identityPolicies: [ALLOW], permissionsBoundary: NOTHING, resourcePolicy: doc(allowFor(OTHER_USER)) }, request: cross(OTHER_USER), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'resource account taken from the resource ARN', set: { identityPolicies: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' } }] }, request: { principal: OTHER_USER, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCT}:queue` }, expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'cross-account root user needs the resource policy', set: {}, request: cross(`arn:aws:iam::${OTHER}:root`), expected: 'ImplicitlyDenied' },
  { name: 'cross-account root user named through its account', set: { resourcePolicy: doc(allowFor(OTHER)) }, request: cross(`arn:aws:iam::${OTHER}:root`), expected: 'Allowed' },
]);

// Permissions boundaries for IAM entities — the ShirleyRodriguez example (boundary s3/cloudwatch/ec2; iam:CreateUser
// allowed by her identity policy still fails) and "Evaluating effective permissions with boundaries" (identity-based
// policies with boundaries: the intersection). Policy evaluation logic — "Session policies": a session's permissions
// are the intersection of the identity-based policy and the session policy; a session policy cannot grant more;
// "If there is no session policy … if the principal is a role session, then the request is Allowed. Otherwise, the
// request is implicitly denied" (federated user sessions from GetFederationToken).
const SHIRLEY_BOUNDARY = doc({ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' });
run('Permissions boundaries and session policies limit identity grants', [
  { name: 'Shirley: iam:CreateUser is outside the boundary', set: { identityPolicies: [doc({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' })], permissionsBoundary: SHIRLEY_BOUNDARY }, request: { principal: `arn:aws:iam::${ACCT}:user/ShirleyRodriguez`, action: 'iam:CreateUser', resource: '*' }, expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'Shirley: s3 action inside the boundary and allowed', set: { identityPolicies: [ALLOW], permissionsBoundary: SHIRLEY_BOUNDARY }, request: get(`arn:aws:iam::${ACCT}:user/ShirleyRodriguez`), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'boundary alone grants nothing', set: { permissionsBoundary: SHIRLEY_BOUNDARY }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'boundary on a role session', set: { identityPolicies: [ALLOW], permissionsBoundary: NOTHING }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'session policy allows within the identity policy', set: { identityPolicies: [ALLOW], sessionPolicy: ALLOW }, request: get(SESSION), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'session policy does not allow', set: { identityPolicies: [ALLOW], sessionPolicy: NOTHING }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'session policy cannot grant more than the identity policy', set: { identityPolicies: [NOTHING], sessionPolicy: ALLOW }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'role session without a session policy', set: { identityPolicies: [ALLOW] }, request: get(SESSION), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'identity, boundary and session policy all allow', set: { identityPolicies: [ALLOW], permissionsBoundary: ALLOW, sessionPolicy: ALLOW }, request: get(SESSION), expected: 'Allowed' },
  { name: 'federated user session with a session policy that allows', set: { identityPolicies: [ALLOW], sessionPolicy: ALLOW }, request: get(FED), expected: 'Allowed' },
  {
    name: 'federated user session without a session policy is implicitly denied',
    set: { identityPolicies: [ALLOW] },
    request: get(FED),
    expected: 'ImplicitlyDenied',

  },
]);

// Policy evaluation logic — "Determining whether a request is allowed or denied within an account", Resource-based
// policies: a grant directly to the IAM user or to the session principal (role session, federated user session) is
// not limited by an implicit deny in identity-based policies, permissions boundaries or session policies; a grant to
// the IAM role ARN is limited by an implicit deny in a permissions boundary or session policy.
// AWS JSON policy elements: Principal — "IAM role principals" (limited by session policies and boundaries), "AWS
// account principals" (naming the account delegates: an identity in the account must still be granted access), and
// "permissions boundaries or session policies do not limit permissions granted using aws:PrincipalArn with a
// wildcard (*) in the Principal element".
run('Resource-based policy grants and implicit denies (same account)', [
  { name: 'user ARN: no identity policy', set: { resourcePolicy: doc(allowFor(USER)) }, request: get(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'user ARN: boundary does not allow', set: { permissionsBoundary: NOTHING, resourcePolicy: doc(allowFor(USER)) }, request: get(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'session ARN: no identity policy', set: { resourcePolicy: doc(allowFor(SESSION)) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'session ARN: boundary does not allow', set: { identityPolicies: [ALLOW], permissionsBoundary: NOTHING, resourcePolicy: doc(allowFor(SESSION)) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'session ARN: session policy does not allow', set: { identityPolicies: [ALLOW], sessionPolicy: NOTHING, resourcePolicy: doc(allowFor(SESSION)) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'federated user session ARN: session policy does not allow', set: { identityPolicies: [ALLOW], sessionPolicy: NOTHING, resourcePolicy: doc(allowFor(FED)) }, request: get(FED), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'role ARN: no identity allow, no boundary or session policy', set: { identityPolicies: [NOTHING], resourcePolicy: doc(allowFor(ROLE)) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'role ARN: boundary does not allow', set: { permissionsBoundary: NOTHING, resourcePolicy: doc(allowFor(ROLE)) }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'role ARN: session policy does not allow', set: { sessionPolicy: NOTHING, resourcePolicy: doc(allowFor(ROLE)) }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['session'] },
  { name: 'role ARN: boundary and session policy allow', set: { permissionsBoundary: ALLOW, sessionPolicy: ALLOW, resourcePolicy: doc(allowFor(ROLE)) }, request: get(SESSION), expected: 'Allowed' },
  { name: 'account root: delegates only, no identity allow', set: { identityPolicies: [NOTHING], resourcePolicy: doc(allowFor(ROOT)) }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'account ID: delegates only, no identity allow', set: { resourcePolicy: doc(allowFor(ACCT)) }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'account root: identity allows', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(ROOT)) }, request: get(USER), expected: 'Allowed' },
  { name: 'Principal "*" with aws:PrincipalArn of the role: boundary does not limit', set: { permissionsBoundary: NOTHING, resourcePolicy: doc(allowFor('*', { Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } } })) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'Principal "*" with aws:PrincipalArn of the role: session policy does not limit', set: { sessionPolicy: NOTHING, resourcePolicy: doc(allowFor('*', { Condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } } })) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'Principal "*" with aws:PrincipalArn of another role', set: { resourcePolicy: doc(allowFor('*', { Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/Other` } } })) }, request: get(SESSION), expected: 'ImplicitlyDenied' },
  { name: 'Principal "*" still loses to an explicit deny in the boundary', set: { permissionsBoundary: DENY, resourcePolicy: doc(allowFor('*')) }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['permissionsBoundary'] },
]);

// Policy evaluation logic — "Organizations SCPs" (SCPs apply to principals of the member accounts, the root user
// included; no applicable Allow is a final implicit deny; identity-based and resource-based policies grant only if
// the SCP also allows; boundary, SCP and identity policy must all allow). AWS Organizations, SCP evaluation: an
// explicit Allow is needed at every level from the root through each OU to the account; SCPs do not affect the
// management account. Resource control policies (RCPs): the same every-level rule for resources of member accounts;
// RCPs do not affect resources in the management account; they also restrict callers from outside the organization.
const SCP_LEVELS = (accountLevel: Json) => [
  { target: 'r-root', policies: [FULL_ACCESS] },
  { target: 'ou-prod', policies: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })] },
  { target: ACCT, policies: [accountLevel] },
];
const OUTSIDE_ORG_DENY = doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalAccount': ACCT } } });
run('SCPs and RCPs', [
  { name: 'SCP allows at every level', set: { identityPolicies: [ALLOW], serviceControlPolicies: SCP_LEVELS(ALLOW) }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'SCP: the account level does not allow', set: { identityPolicies: [ALLOW], serviceControlPolicies: SCP_LEVELS(NOTHING) }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'SCP: the OU level does not allow', set: { identityPolicies: [doc({ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' })], serviceControlPolicies: SCP_LEVELS(FULL_ACCESS) }, request: { principal: USER, action: 'ec2:DescribeInstances', resource: '*' }, expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'SCP allows but no identity policy does', set: { serviceControlPolicies: SCP_FULL }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'SCP, boundary and identity policy must all allow (boundary missing)', set: { identityPolicies: [ALLOW], permissionsBoundary: NOTHING, serviceControlPolicies: SCP_FULL }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'SCP limits a resource-based policy grant too', set: { resourcePolicy: doc(allowFor(USER)), serviceControlPolicies: SCP_LEVELS(NOTHING) }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'SCP limits a role session', set: { identityPolicies: [ALLOW], serviceControlPolicies: [{ target: 'r-root', policies: [NOTHING] }] }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'management account: SCP deny does not apply', set: { identityPolicies: [ALLOW], serviceControlPolicies: [{ target: 'r-root', policies: [DENY] }], managementAccountId: ACCT }, request: get(USER), expected: 'Allowed' },
  { name: 'management account: missing SCP allow does not apply', set: { identityPolicies: [ALLOW], serviceControlPolicies: SCP_LEVELS(NOTHING), managementAccountId: ACCT }, request: get(USER), expected: 'Allowed' },
  { name: 'member account of an organization with another management account', set: { identityPolicies: [ALLOW], serviceControlPolicies: [{ target: 'r-root', policies: [DENY] }], managementAccountId: MGMT }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['scp'] },
  { name: 'RCP allows at every level', set: { identityPolicies: [ALLOW], resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS] }, { target: ACCT, policies: [FULL_ACCESS] }] }, request: get(USER), expected: 'Allowed' },
  { name: 'RCP: one level does not allow', set: { identityPolicies: [ALLOW], resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS] }, { target: 'ou-prod', policies: [NOTHING] }] }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['rcp'] },
  { name: 'RCP denies a caller from outside the organization despite both Allows', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(OTHER_USER)), resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, OUTSIDE_ORG_DENY] }] }, request: cross(OTHER_USER), expected: 'ExplicitlyDenied', decidedBy: ['rcp'] },
  { name: 'the same RCP lets a caller of the account through', set: { identityPolicies: [ALLOW], resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, OUTSIDE_ORG_DENY] }] }, request: get(USER), expected: 'Allowed' },
  { name: 'RCPs do not affect resources of the management account', set: { identityPolicies: [ALLOW], resourcePolicy: doc(allowFor(OTHER_USER)), resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, OUTSIDE_ORG_DENY] }], managementAccountId: ACCT }, request: cross(OTHER_USER), expected: 'Allowed' },
]);

// Policy evaluation logic — "By default, all requests are implicitly denied with the exception of the AWS account
// root user, which has full access"; "The SCP maximum applies to principals in member accounts, including each AWS
// account root user".
run('Root user', [
  { name: 'root user with no policies', set: {}, request: get(ROOT), expected: 'Allowed', decidedBy: ['rootUser'] },
  { name: 'root user given as a bare account ID', set: {}, request: get(ACCT), expected: 'Allowed', decidedBy: ['rootUser'] },
  { name: 'root user is not bound by identity policies', set: { identityPolicies: [DENY] }, request: get(ROOT), expected: 'Allowed', decidedBy: ['rootUser'] },
  { name: 'root user is bound by an SCP that does not allow', set: { serviceControlPolicies: SCP_LEVELS(NOTHING) }, request: get(ROOT), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'root user is bound by an SCP deny', set: { serviceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS, DENY] }] }, request: get(ROOT), expected: 'ExplicitlyDenied', decidedBy: ['scp'] },
  { name: 'root user of the management account is not bound by SCPs', set: { serviceControlPolicies: [{ target: 'r-root', policies: [DENY] }], managementAccountId: ACCT }, request: get(ROOT), expected: 'Allowed', decidedBy: ['rootUser'] },
  { name: 'root user is bound by a resource policy deny', set: { resourcePolicy: doc(deny({ Principal: '*' })) }, request: get(ROOT), expected: 'ExplicitlyDenied', decidedBy: ['resource'] },
]);

// Policy evaluation logic — "IAM role trust policies and KMS key policies are exceptions to this logic, because they
// must explicitly allow access for principals". How IAM roles differ from resource-based policies / KMS key
// policies: a key policy that allows the account ("enable IAM policies") lets identity policies grant access.
const ROLE_TARGET = `arn:aws:iam::${ACCT}:role/Target`;
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const assume = (principal: string): DecisionRequest => ({ principal, action: 'sts:AssumeRole', resource: ROLE_TARGET });
const trust = (principal: unknown): Json => doc({ Effect: 'Allow', Principal: typeof principal === 'string' ? { AWS: principal } : principal, Action: 'sts:AssumeRole' });
const ALLOW_ASSUME = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_TARGET });
const decrypt = (principal: string): DecisionRequest => ({ principal, action: 'kms:Decrypt', resource: KEY });
const ALLOW_DECRYPT = doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY });
const keyPolicy = (principal: string): Json => doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' });
run('Trust policies and KMS key policies must allow explicitly', [
  { name: 'AssumeRole: identity allows, no trust policy', set: { identityPolicies: [ALLOW_ASSUME] }, request: assume(USER), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'AssumeRole: identity allows, trust policy names someone else', set: { identityPolicies: [ALLOW_ASSUME], resourcePolicy: trust(OTHER_USER) }, request: assume(USER), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'AssumeRole: trust policy names the user', set: { resourcePolicy: trust(USER) }, request: assume(USER), expected: 'Allowed' },
  { name: 'AssumeRole: trust policy names the account, identity allows', set: { identityPolicies: [ALLOW_ASSUME], resourcePolicy: trust(ACCT) }, request: assume(USER), expected: 'Allowed' },
  { name: 'AssumeRole: trust policy names the account, no identity allow', set: { resourcePolicy: trust(ACCT) }, request: assume(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'AssumeRole: cross-account, trust names the account and identity allows', set: { identityPolicies: [ALLOW_ASSUME], resourcePolicy: trust(OTHER) }, request: assume(OTHER_USER), expected: 'Allowed' },
  { name: 'AssumeRole: service principal named in the trust policy', set: { resourcePolicy: trust({ Service: 'ec2.amazonaws.com' }) }, request: assume('ec2.amazonaws.com'), expected: 'Allowed' },
  { name: 'KMS: identity allows, key policy does not', set: { identityPolicies: [ALLOW_DECRYPT], resourcePolicy: keyPolicy(`arn:aws:iam::${ACCT}:role/KeyAdmin`) }, request: decrypt(USER), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'KMS: identity allows, no key policy given', set: { identityPolicies: [ALLOW_DECRYPT] }, request: decrypt(USER), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'KMS: key policy enables IAM policies (account root) and identity allows', set: { identityPolicies: [ALLOW_DECRYPT], resourcePolicy: keyPolicy(ROOT) }, request: decrypt(USER), expected: 'Allowed' },
  { name: 'KMS: key policy enables IAM policies but no identity allow', set: { resourcePolicy: keyPolicy(ROOT) }, request: decrypt(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'KMS: key policy names the user directly', set: { resourcePolicy: keyPolicy(USER) }, request: decrypt(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'KMS: actions without a key resource follow the usual logic', set: { identityPolicies: [doc({ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' })] }, request: { principal: USER, action: 'kms:ListKeys', resource: '*' }, expected: 'Allowed', decidedBy: ['identity'] },
]);

// AWS STS API Reference, GetCallerIdentity — "No permissions are required to perform this operation. If an
// administrator attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity
// action, you can still perform this operation."
run('sts:GetCallerIdentity', [
  { name: 'allowed with no policies', set: {}, request: { principal: USER, action: 'sts:GetCallerIdentity', resource: '*' }, expected: 'Allowed', decidedBy: ['alwaysAllowed'] },
  { name: 'allowed despite an explicit deny', set: { identityPolicies: [doc({ Effect: 'Deny', Action: 'sts:*', Resource: '*' })] }, request: { principal: SESSION, action: 'sts:GetCallerIdentity', resource: '*' }, expected: 'Allowed', decidedBy: ['alwaysAllowed'] },
  { name: 'action name in another case', set: {}, request: { principal: USER, action: 'STS:getcalleridentity', resource: '*' }, expected: 'Allowed', decidedBy: ['alwaysAllowed'] },
]);

// IAM policy elements: Variables and tags — "Principal key values": aws:username (IAM user: friendly name; root,
// role sessions, federated users: not present), aws:userid (root: the account ID; IAM user: the unique ID; role
// session: role-id:caller-specified-role-name; federated user: account:caller-specified-name), aws:PrincipalType
// (Account, User, AssumedRole, FederatedUser); "Information available in all requests": aws:CurrentTime and
// aws:EpochTime. AWS global condition context keys: aws:PrincipalArn (for a role session, the ARN of the role) and
// aws:PrincipalAccount. Checked with a Deny in the resource policy: the condition holds exactly when the request is
// explicitly denied.
interface KeyCase {
  readonly name: string;
  readonly principal: string;
  readonly principalId?: string;
  readonly time?: string;
  readonly condition: Json;
  readonly holds: boolean;
  readonly todo?: string;
}
describe('Global keys derived from the principal and the request time', () => {
  const cases: KeyCase[] = [
    { name: 'aws:PrincipalArn of an IAM user is the user ARN', principal: USER, condition: { ArnEquals: { 'aws:PrincipalArn': USER } }, holds: true },
    { name: 'aws:PrincipalArn of a role session is the role ARN', principal: SESSION, condition: { ArnEquals: { 'aws:PrincipalArn': ROLE } }, holds: true },
    { name: 'aws:PrincipalArn of a role session is not the session ARN', principal: SESSION, condition: { StringEquals: { 'aws:PrincipalArn': SESSION } }, holds: false },
    { name: 'aws:PrincipalArn of the root user', principal: ACCT, condition: { ArnEquals: { 'aws:PrincipalArn': ROOT } }, holds: true },
    { name: 'aws:PrincipalAccount of a user', principal: USER, condition: { StringEquals: { 'aws:PrincipalAccount': ACCT } }, holds: true },
    { name: 'aws:PrincipalAccount of a cross-account session', principal: `arn:aws:sts::${OTHER}:assumed-role/R/s`, condition: { StringEquals: { 'aws:PrincipalAccount': OTHER } }, holds: true },
    { name: 'aws:username of an IAM user is the friendly name', principal: USER, condition: { StringEquals: { 'aws:username': 'Alice' } }, holds: true },
    { name: 'aws:username of an IAM user under a path is the friendly name', principal: `arn:aws:iam::${ACCT}:user/division/team/Alice`, condition: { StringEquals: { 'aws:username': 'Alice' } }, holds: true },
    { name: 'aws:username is not present for a role session', principal: SESSION, condition: { Null: { 'aws:username': 'true' } }, holds: true },
    { name: 'aws:username is not present for the root user', principal: ROOT, condition: { Null: { 'aws:username': 'true' } }, holds: true },
    { name: 'aws:username is not present for a federated user', principal: FED, condition: { Null: { 'aws:username': 'true' } }, holds: true },
    { name: 'aws:userid of an IAM user is its unique ID', principal: USER, principalId: 'AIDAJQABLZS4A3QDU576Q', condition: { StringEquals: { 'aws:userid': 'AIDAJQABLZS4A3QDU576Q' } }, holds: true },
    { name: 'aws:userid of a role session is role-id:session-name', principal: SESSION, principalId: 'AROADBQP57FF2AEXAMPLE', condition: { StringEquals: { 'aws:userid': 'AROADBQP57FF2AEXAMPLE:alice-session' } }, holds: true },
    { name: 'aws:userid of a federated user is account:name', principal: FED, condition: { StringEquals: { 'aws:userid': `${ACCT}:Bob` } }, holds: true },
    { name: 'aws:userid of the root user is the account ID', principal: ROOT, condition: { StringEquals: { 'aws:userid': ACCT } }, holds: true },
    { name: 'aws:PrincipalType User', principal: USER, condition: { StringEquals: { 'aws:PrincipalType': 'User' } }, holds: true },
    { name: 'aws:PrincipalType AssumedRole', principal: SESSION, condition: { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } }, holds: true },
    { name: 'aws:PrincipalType FederatedUser', principal: FED, condition: { StringEquals: { 'aws:PrincipalType': 'FederatedUser' } }, holds: true },
    { name: 'aws:PrincipalType Account (root user)', principal: ROOT, condition: { StringEquals: { 'aws:PrincipalType': 'Account' } }, holds: true },
    { name: 'aws:CurrentTime from the request time (before)', principal: USER, time: '2025-06-01T12:00:00Z', condition: { DateLessThan: { 'aws:CurrentTime': '2025-06-01T12:00:01Z' } }, holds: true },
    { name: 'aws:CurrentTime from the request time (after)', principal: USER, time: '2025-06-01T12:00:00Z', condition: { DateGreaterThan: { 'aws:CurrentTime': '2025-06-01T12:00:00Z' } }, holds: false },
    { name: 'aws:EpochTime from the request time', principal: USER, time: '2025-06-01T12:00:00Z', condition: { NumericEquals: { 'aws:EpochTime': '1748779200' } }, holds: true },
    { name: 'aws:CurrentTime is absent without a request time', principal: USER, condition: { Null: { 'aws:CurrentTime': 'true' } }, holds: true },
  ];
  for (const c of cases) {
    test(c.name, c.todo !== undefined ? { todo: c.todo } : {}, () => {
      const set: PolicySet = {
        identityPolicies: [ALLOW],
        resourcePolicy: doc(allowFor('*'), deny({ Principal: '*', Condition: c.condition })),
      };
      const request = get(c.principal, {
        resourceAccount: c.principal.includes(OTHER) ? OTHER : ACCT,
        ...(c.principalId !== undefined ? { principalId: c.principalId } : {}),
        ...(c.time !== undefined ? { time: c.time } : {}),
      });
      const decision = compilePolicies(set).evaluate(request).decision;
      assert.equal(decision === 'ExplicitlyDenied', c.holds, `decision was ${decision}`);
    });
  }
});

// The explanation: every statement whose Action covers the request, with what matched and the resolved condition
// values; the policy types that lacked an Allow. (Engine contract, checked on the documented Carlos example.)
describe('Explanation', () => {
  test('lists the statements that cover the action, in order, with their outcome', () => {
    const result = compilePolicies({ identityPolicies: [{ name: 'CarlosPolicy', document: CARLOS_POLICY }], resourcePolicy: CARLOS_BUCKET }).evaluate(
      { principal: CARLOS, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar-logs/file' },
      { explain: true },
    );
    assert.equal(result.decision, 'ExplicitlyDenied');
    const explanation = result.explanation;
    assert.ok(explanation !== undefined);
    const rows = explanation.statements.map((s) => [s.policyType, s.policyName, s.sid ?? null, s.effect, s.matched, s.resourceMatched]);
    assert.deepEqual(rows, [
      ['identity', 'CarlosPolicy', 'AllowS3Self', 'Allow', false, false],
      ['identity', 'CarlosPolicy', 'DenyS3Logs', 'Deny', true, true],
      ['resource', 'resourcePolicy', null, 'Allow', false, false],
    ]);
    assert.equal(explanation.principal.arn, CARLOS);
    assert.equal(explanation.principal.kind, 'user');
    assert.equal(explanation.principal.account, ACCT);
    assert.equal(explanation.crossAccount, false);
    assert.match(explanation.summary, /explicit deny/i);
  });

  test('shows condition values after variable substitution and the request values', () => {
    const policy = doc(allow({ Sid: 'Home', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*'] }, IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }));
    const result = compilePolicies({ identityPolicies: [policy] }).evaluate(
      get(USER, { context: { 's3:prefix': 'home/Alice/docs/', 'aws:SourceIp': '198.51.100.7' } }),
      { explain: true },
    );
    assert.equal(result.decision, 'ImplicitlyDenied');
    const [statement] = result.explanation?.statements ?? [];
    assert.ok(statement !== undefined);
    assert.equal(statement.matched, false);
    assert.equal(statement.resourceMatched, true);
    assert.deepEqual(
      statement.conditions.map((c) => ({ operator: c.operator, key: c.key, policyValues: c.policyValues, requestValues: c.requestValues, result: c.result })),
      [
        { operator: 'StringLike', key: 's3:prefix', policyValues: ['home/Alice/*'], requestValues: ['home/Alice/docs/'], result: true },
        { operator: 'IpAddress', key: 'aws:SourceIp', policyValues: ['203.0.113.0/24'], requestValues: ['198.51.100.7'], result: false },
      ],
    );
    assert.deepEqual(result.explanation?.missingAllow, ['identity']);
  });

  test('an unresolvable variable shows as null and a missing key as null request values', () => {
    const policy = doc(allow({ Condition: { StringEquals: { 's3:prefix': '${aws:PrincipalTag/team}' } } }));
    const result = compilePolicies({ identityPolicies: [policy] }).evaluate(get(USER), { explain: true });
    const condition = result.explanation?.statements[0]?.conditions[0];
    assert.ok(condition !== undefined);
    assert.deepEqual(condition.policyValues, [null]);
    assert.equal(condition.requestValues, null);
    assert.equal(condition.result, false);
  });

  test('cross-account explanation names both accounts and the missing resource allow', () => {
    const result = compilePolicies({ identityPolicies: [ALLOW] }).evaluate(cross(OTHER_USER), { explain: true });
    assert.equal(result.decision, 'ImplicitlyDenied');
    assert.equal(result.explanation?.crossAccount, true);
    assert.equal(result.explanation?.resourceAccount, ACCT);
    assert.equal(result.explanation?.principal.account, OTHER);
    assert.deepEqual(result.explanation?.missingAllow, ['resource']);
  });

  test('SCP level without an allow is named', () => {
    const result = compilePolicies({ identityPolicies: [ALLOW], serviceControlPolicies: SCP_LEVELS(NOTHING) }).evaluate(get(USER), { explain: true });
    assert.deepEqual(result.explanation?.missingAllow, [`scp:${ACCT}`]);
    assert.ok(result.explanation?.statements.some((s) => s.policyType === 'scp'));
  });

  test('the principal match of resource policy statements is reported', () => {
    const result = compilePolicies({ resourcePolicy: doc(allowFor(OTHER_USER), allowFor(USER)) }).evaluate(get(USER), { explain: true });
    assert.equal(result.decision, 'Allowed');
    assert.deepEqual(result.explanation?.statements.map((s) => s.principalMatched), [false, true]);
    assert.match(result.explanation?.summary ?? '', /resource-based policy/);
  });

  test('without explain there is no explanation, and the decision is the same', () => {
    const set = compilePolicies({ identityPolicies: [CARLOS_POLICY], resourcePolicy: CARLOS_BUCKET });
    const request = { principal: CARLOS, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file' };
    const plain = set.evaluate(request);
    const explained = set.evaluate(request, { explain: true });
    assert.equal(plain.explanation, undefined);
    assert.equal(plain.decision, explained.decision);
    assert.deepEqual(plain.decidedBy, explained.decidedBy);
  });
});
