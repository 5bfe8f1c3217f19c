// Principal and NotPrincipal in resource-based policies, through the public API.
//
// Setup for the Principal tables: the resource (an S3 bucket) belongs to account 111122223333; callers live in
// 444455556666 and have an identity policy allowing s3:*, so the bucket policy's Principal alone decides whether
// the cross-account request is allowed (both sides must allow).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicies, type PolicySet } from './engine.js';

const OWNER = '111122223333';
const CALLER_ACCT = '444455556666';
const BOB = `arn:aws:iam::${CALLER_ACCT}:user/Bob`;
const CAROL = `arn:aws:iam::${CALLER_ACCT}:user/Carol`;
const AUDIT_ROLE = `arn:aws:iam::${CALLER_ACCT}:role/cross-account-read-only-role`;
const AUDIT_SESSION = `arn:aws:sts::${CALLER_ACCT}:assumed-role/cross-account-read-only-role/cross-account-audit-app`;
const OTHER_SESSION = `arn:aws:sts::${CALLER_ACCT}:assumed-role/cross-account-read-only-role/someone-else`;
const OTHER_ROLE_SESSION = `arn:aws:sts::${CALLER_ACCT}:assumed-role/admin/cross-account-audit-app`;
const FED_BOB = `arn:aws:sts::${CALLER_ACCT}:federated-user/Bob`;
const OBJECT = 'arn:aws:s3:::BUCKETNAME/report.csv';

const ALLOW_S3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

interface PrincipalCase {
  readonly name: string;
  readonly principalElement: unknown;
  readonly caller: string;
  readonly expected: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
  /** The caller has a permissions boundary (allowing s3:*). */
  readonly withBoundary?: boolean;
  readonly todo?: string;
}

function bucketPolicy(statements: unknown[]): unknown {
  return { Version: '2012-10-17', Statement: statements };
}

// A federated user session (GetFederationToken) has permissions only through the policy passed when it was made.
function crossAccount(resourcePolicy: unknown, caller: string, extra: Partial<PolicySet> = {}): string {
  const session = caller.includes(':federated-user/') ? { sessionPolicy: ALLOW_S3 } : {};
  const set: PolicySet = { identityPolicies: [ALLOW_S3], resourcePolicy, ...session, ...extra };
  return compilePolicies(set).evaluate({ principal: caller, action: 's3:GetObject', resource: OBJECT, resourceAccount: OWNER }).decision;
}

function run(title: string, cases: readonly PrincipalCase[], decide: (c: PrincipalCase) => string): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, c.todo !== undefined ? { todo: c.todo } : {}, () => assert.equal(decide(c), c.expected));
    }
  });
}

const allowFor = (principalElement: unknown): unknown =>
  bucketPolicy([{ Effect: 'Allow', Principal: principalElement, Action: 's3:GetObject', Resource: 'arn:aws:s3:::BUCKETNAME/*' }]);

// AWS JSON policy elements: Principal — "AWS account principals" (the account ARN and the bare account ID behave the
// same; naming the account does not limit the grant to its root user; several accounts in an array are ORed), "IAM
// user principals", "IAM role principals" (a role principal covers the role's sessions), "Role session principals"
// (a session principal names one specific session), "AWS STS federated user session principals", "All principals"
// ("*" and {"AWS": "*"} are equivalent).
run(
  'Principal element (AWS)',
  [
    { name: 'account ID names every principal of the account (user)', principalElement: { AWS: CALLER_ACCT }, caller: BOB, expected: 'Allowed' },
    { name: 'account root ARN is not limited to the root user (user)', principalElement: { AWS: `arn:aws:iam::${CALLER_ACCT}:root` }, caller: BOB, expected: 'Allowed' },
    { name: 'account root ARN covers role sessions of the account', principalElement: { AWS: `arn:aws:iam::${CALLER_ACCT}:root` }, caller: AUDIT_SESSION, expected: 'Allowed' },
    { name: 'account root ARN covers the root user itself', principalElement: { AWS: `arn:aws:iam::${CALLER_ACCT}:root` }, caller: `arn:aws:iam::${CALLER_ACCT}:root`, expected: 'Allowed' },
    { name: 'several accounts are ORed (second one)', principalElement: { AWS: ['123456789012', CALLER_ACCT] }, caller: BOB, expected: 'Allowed' },
    { name: 'a different account does not name the caller', principalElement: { AWS: '123456789012' }, caller: BOB, expected: 'ImplicitlyDenied' },
    { name: 'user ARN names that user', principalElement: { AWS: BOB }, caller: BOB, expected: 'Allowed' },
    { name: 'user ARN does not name another user', principalElement: { AWS: BOB }, caller: CAROL, expected: 'ImplicitlyDenied' },
    { name: 'several users are ORed', principalElement: { AWS: [CAROL, BOB] }, caller: BOB, expected: 'Allowed' },
    {
      name: 'the user name in a Principal ARN is case sensitive',
      principalElement: { AWS: `arn:aws:iam::${CALLER_ACCT}:user/bob` },
      caller: BOB,
      expected: 'ImplicitlyDenied',
  
    },
    { name: 'role ARN covers sessions of that role', principalElement: { AWS: AUDIT_ROLE }, caller: AUDIT_SESSION, expected: 'Allowed' },
    { name: 'role ARN does not cover sessions of another role', principalElement: { AWS: AUDIT_ROLE }, caller: OTHER_ROLE_SESSION, expected: 'ImplicitlyDenied' },
    { name: 'session ARN names that session', principalElement: { AWS: AUDIT_SESSION }, caller: AUDIT_SESSION, expected: 'Allowed' },
    { name: 'session ARN does not name another session of the same role', principalElement: { AWS: AUDIT_SESSION }, caller: OTHER_SESSION, expected: 'ImplicitlyDenied' },
    { name: 'federated user session ARN names that session', principalElement: { AWS: FED_BOB }, caller: FED_BOB, expected: 'Allowed' },
    { name: 'federated user session ARN is not the IAM user of the same name', principalElement: { AWS: FED_BOB }, caller: BOB, expected: 'ImplicitlyDenied' },
    { name: '"*" names every principal', principalElement: '*', caller: CAROL, expected: 'Allowed' },
    { name: '{"AWS": "*"} names every principal', principalElement: { AWS: '*' }, caller: AUDIT_SESSION, expected: 'Allowed' },
  ],
  (c) => crossAccount(allowFor(c.principalElement), c.caller),
);

// AWS JSON policy elements: Principal — "All principals": with "*" an Allow grants access to everyone including
// anonymous users, and "*" and {"AWS": "*"} are equivalent for anonymous users. Anonymous callers have no identity
// policies, so only the bucket policy can grant.
run(
  'Anonymous callers',
  [
    { name: '"*" grants anonymous access', principalElement: '*', caller: 'anonymous', expected: 'Allowed' },
    { name: '{"AWS": "*"} grants anonymous access', principalElement: { AWS: '*' }, caller: 'anonymous', expected: 'Allowed' },
    { name: 'an account principal does not name anonymous callers', principalElement: { AWS: OWNER }, caller: 'anonymous', expected: 'ImplicitlyDenied' },
  ],
  (c) => compilePolicies({ resourcePolicy: allowFor(c.principalElement) }).evaluate({ principal: c.caller, action: 's3:GetObject', resource: OBJECT, resourceAccount: OWNER }).decision,
);

// AWS JSON policy elements: Principal — "AWS service principals" (service-name.amazonaws.com; several services in
// one Service array), "Web identity session principals" and "SAML session principals" (Federated in a role trust
// policy). Services and identity providers carry no identity policies: the resource policy alone decides.
run(
  'Principal element (Service, Federated)',
  [
    { name: 'Service names that service', principalElement: { Service: ['ecs.amazonaws.com', 'elasticloadbalancing.amazonaws.com'] }, caller: 'ecs.amazonaws.com', expected: 'Allowed' },
    { name: 'Service array is ORed', principalElement: { Service: ['ecs.amazonaws.com', 'elasticloadbalancing.amazonaws.com'] }, caller: 'elasticloadbalancing.amazonaws.com', expected: 'Allowed' },
    { name: 'Service does not name another service', principalElement: { Service: ['ecs.amazonaws.com', 'elasticloadbalancing.amazonaws.com'] }, caller: 'lambda.amazonaws.com', expected: 'ImplicitlyDenied' },
    { name: 'Service does not name an IAM user', principalElement: { Service: 'ecs.amazonaws.com' }, caller: `arn:aws:iam::${OWNER}:user/Alice`, expected: 'ImplicitlyDenied' },
    { name: 'Federated web identity provider (Cognito)', principalElement: { Federated: 'cognito-identity.amazonaws.com' }, caller: 'cognito-identity.amazonaws.com', expected: 'Allowed' },
    { name: 'Federated web identity provider (other provider)', principalElement: { Federated: 'cognito-identity.amazonaws.com' }, caller: 'accounts.google.com', expected: 'ImplicitlyDenied' },
    { name: 'Federated SAML provider ARN', principalElement: { Federated: `arn:aws:iam::${OWNER}:saml-provider/provider-name` }, caller: `arn:aws:iam::${OWNER}:saml-provider/provider-name`, expected: 'Allowed' },
  ],
  (c) => {
    const action = c.principalElement !== null && typeof c.principalElement === 'object' && 'Federated' in c.principalElement
      ? (String(c.caller).startsWith('arn:') ? 'sts:AssumeRoleWithSAML' : 'sts:AssumeRoleWithWebIdentity')
      : 'sts:AssumeRole';
    const trust = bucketPolicy([{ Effect: 'Allow', Principal: c.principalElement, Action: action }]);
    return compilePolicies({ resourcePolicy: trust }).evaluate({ principal: c.caller, action, resource: `arn:aws:iam::${OWNER}:role/service-role`, resourceAccount: OWNER }).decision;
  },
);

// AWS JSON policy elements: NotPrincipal — "NotPrincipal with Deny": everyone except the listed principals is
// explicitly denied; include the account ARN (and for a session, the role ARN) or the account itself may be denied
// (the Bob and cross-account-audit-app examples). The statement grants nothing by itself, so the bucket policy also
// has an Allow for everyone.
const allowAll = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::BUCKETNAME/*' };
const denyAllBut = (names: string[]): unknown =>
  bucketPolicy([allowAll, { Effect: 'Deny', NotPrincipal: { AWS: names }, Action: 's3:*', Resource: ['arn:aws:s3:::BUCKETNAME', 'arn:aws:s3:::BUCKETNAME/*'] }]);
run(
  'NotPrincipal with Deny',
  [
    { name: 'Bob and his account listed: Bob is not denied', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: BOB, expected: 'Allowed' },
    { name: 'Bob and his account listed: Carol is denied', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: CAROL, expected: 'ExplicitlyDenied' },
    { name: 'Bob and his account listed: a role session of that account is denied', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: AUDIT_SESSION, expected: 'ExplicitlyDenied' },
    { name: 'only Bob listed (no account ARN): Bob may be denied through his account', principalElement: [BOB], caller: BOB, expected: 'ExplicitlyDenied' },
    { name: 'session, role and account listed: that session is not denied', principalElement: [AUDIT_SESSION, AUDIT_ROLE, `arn:aws:iam::${CALLER_ACCT}:root`], caller: AUDIT_SESSION, expected: 'Allowed' },
    { name: 'session, role and account listed: another session of the role is denied', principalElement: [AUDIT_SESSION, AUDIT_ROLE, `arn:aws:iam::${CALLER_ACCT}:root`], caller: OTHER_SESSION, expected: 'ExplicitlyDenied' },
    { name: 'session, role and account listed: same session name under another role is denied', principalElement: [AUDIT_SESSION, AUDIT_ROLE, `arn:aws:iam::${CALLER_ACCT}:root`], caller: OTHER_ROLE_SESSION, expected: 'ExplicitlyDenied' },
    { name: 'session and account listed without the role: the session may be denied through its role', principalElement: [AUDIT_SESSION, `arn:aws:iam::${CALLER_ACCT}:root`], caller: AUDIT_SESSION, expected: 'ExplicitlyDenied' },
    { name: 'anonymous caller is denied', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: 'anonymous', expected: 'ExplicitlyDenied' },
  ],
  (c) => {
    if (c.caller === 'anonymous') {
      return compilePolicies({ resourcePolicy: denyAllBut(c.principalElement as string[]) }).evaluate({ principal: 'anonymous', action: 's3:GetObject', resource: OBJECT, resourceAccount: OWNER }).decision;
    }
    return crossAccount(denyAllBut(c.principalElement as string[]), c.caller);
  },
);

// AWS JSON policy elements: NotPrincipal — "NotPrincipal with Allow": the statement allows every principal except
// the ones named, anonymous users included.
run(
  'NotPrincipal with Allow',
  [
    { name: 'an unnamed principal is allowed', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: CAROL, expected: 'Allowed' },
    { name: 'the named principal is not allowed by the statement', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: BOB, expected: 'ImplicitlyDenied' },
    { name: 'anonymous callers are allowed', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: 'anonymous', expected: 'Allowed' },
  ],
  (c) => {
    const policy = bucketPolicy([{ Effect: 'Allow', NotPrincipal: { AWS: c.principalElement }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::BUCKETNAME/*' }]);
    if (c.caller === 'anonymous') {
      return compilePolicies({ resourcePolicy: policy }).evaluate({ principal: 'anonymous', action: 's3:GetObject', resource: OBJECT, resourceAccount: OWNER }).decision;
    }
    return crossAccount(policy, c.caller);
  },
);

// Permissions boundaries for IAM entities — Important: "The NotPrincipal element with a Deny effect will always deny
// any IAM principal that has a permissions boundary policy attached, regardless of the values specified in the
// NotPrincipal element."
run(
  'NotPrincipal with Deny and a permissions boundary',
  [
    {
      name: 'listed user with a permissions boundary is still denied',
      principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`],
      caller: BOB,
      withBoundary: true,
      expected: 'ExplicitlyDenied',
  
    },
    {
      name: 'listed role session with a permissions boundary is still denied',
      principalElement: [AUDIT_SESSION, AUDIT_ROLE, `arn:aws:iam::${CALLER_ACCT}:root`],
      caller: AUDIT_SESSION,
      withBoundary: true,
      expected: 'ExplicitlyDenied',
  
    },
    { name: 'the same listed user without a boundary is not denied', principalElement: [BOB, `arn:aws:iam::${CALLER_ACCT}:root`], caller: BOB, expected: 'Allowed' },
  ],
  (c) => crossAccount(denyAllBut(c.principalElement as string[]), c.caller, c.withBoundary === true ? { permissionsBoundary: ALLOW_S3 } : {}),
);
