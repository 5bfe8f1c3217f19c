// The engine's edge rules: NotPrincipal, statements of resource policies without a principal, boundaries against
// resource policies that name the role, empty SCP/RCP levels, and the resources no customer policy can grant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DecisionRequest } from './context.js';
import type { Decision, DecidingFactor } from './decide.js';
import { compilePolicies, type PolicySet } from './engine.js';

const ACCT = '111122223333';
const OTHER = '444455556666';
const USER = `arn:aws:iam::${ACCT}:user/Alice`;
const ROLE = `arn:aws:iam::${ACCT}:role/Dev`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/Dev/alice-session`;
const OTHER_USER = `arn:aws:iam::${OTHER}:user/Zhang`;
const OBJECT = 'arn:aws:s3:::bucket/key';

type Json = Record<string, unknown>;
const doc = (...statements: Json[]): Json => ({ Version: '2012-10-17', Statement: statements });
const ALLOW = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
const NOTHING = doc({ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' });
const FULL_ACCESS = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const get = (principal: string, extra: Partial<DecisionRequest> = {}): DecisionRequest => ({ principal, action: 's3:GetObject', resource: OBJECT, ...extra });

interface EdgeCase {
  readonly name: string;
  readonly set: PolicySet;
  readonly request: DecisionRequest;
  readonly expected: Decision;
  readonly decidedBy?: readonly DecidingFactor[];
}

function run(title: string, cases: readonly EdgeCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, () => {
        const result = compilePolicies(c.set).evaluate(c.request);
        assert.equal(result.decision, c.expected);
        if (c.decidedBy !== undefined) assert.deepEqual(result.decidedBy, c.decidedBy);
        // The explained path decides alike.
        assert.equal(compilePolicies(c.set).evaluate(c.request, { explain: true }).decision, c.expected);
      });
    }
  });
}

// AWS JSON policy elements: NotPrincipal (reference_policies_elements_notprincipal) — "NotPrincipal must be used
// with "Effect":"Deny". Using it with "Effect":"Allow" is not supported." Where a stored resource policy still holds
// one, "Doing so allows all principals except the one named in the NotPrincipal element" (the page's earlier
// "NotPrincipal with Allow" section): the caller named (or the role of a session) is not granted by it, even when
// the account ARN is missing; naming the account names its root user.
// Key points: "When you use NotPrincipal, you must also specify the account ARN of the not-denied principal" and,
// for an assumed-role user, AWS checks the account, then the role, then the session: a Deny exempts a role
// session only when NotPrincipal names the account, the role and the assumed-role ARN.
// Permissions boundaries for IAM entities (access_policies_boundaries), Important: "The NotPrincipal element with a
// Deny effect will always deny any IAM principal that has a permissions boundary policy attached, regardless of the
// values specified in the NotPrincipal element."
const everyone = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' };
const denyAllBut = (...names: string[]): Json => doc(everyone, { Effect: 'Deny', NotPrincipal: { AWS: names }, Action: 's3:*', Resource: '*' });
const allowAllBut = (...names: string[]): Json => doc({ Effect: 'Allow', NotPrincipal: { AWS: names }, Action: 's3:GetObject', Resource: '*' });
run('NotPrincipal', [
  { name: 'Deny: session, role and account named: the session is exempt', set: { resourcePolicy: denyAllBut(SESSION, ROLE, ACCT) }, request: get(SESSION), expected: 'Allowed' },
  { name: 'Deny: only the role and account named: its session is denied', set: { resourcePolicy: denyAllBut(ROLE, ACCT) }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Deny: only the session and account named: the session is denied', set: { resourcePolicy: denyAllBut(SESSION, ACCT) }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Deny: user and account named: the user is exempt', set: { resourcePolicy: denyAllBut(USER, ACCT) }, request: get(USER), expected: 'Allowed' },
  { name: 'Deny: user and account named, user has a boundary: always denied', set: { identityPolicies: [ALLOW], permissionsBoundary: ALLOW, resourcePolicy: denyAllBut(USER, ACCT) }, request: get(USER), expected: 'ExplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Deny: session, role and account named, role has a boundary: always denied', set: { identityPolicies: [ALLOW], permissionsBoundary: ALLOW, resourcePolicy: denyAllBut(SESSION, ROLE, ACCT) }, request: get(SESSION), expected: 'ExplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Allow: a principal not named is granted', set: { resourcePolicy: allowAllBut(OTHER_USER, OTHER) }, request: get(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'Allow: the named user and account are not granted', set: { resourcePolicy: allowAllBut(USER, ACCT) }, request: get(USER), expected: 'ImplicitlyDenied' },
  { name: 'Allow: the user named without its account is not granted', set: { resourcePolicy: allowAllBut(USER) }, request: get(USER), expected: 'ImplicitlyDenied' },
  { name: 'Allow: a session whose role is named is not granted', set: { resourcePolicy: allowAllBut(ROLE) }, request: get(SESSION), expected: 'ImplicitlyDenied' },
  { name: 'Allow: the root user of the account named is not granted', set: { resourcePolicy: allowAllBut(OTHER) }, request: get(`arn:aws:iam::${OTHER}:root`, { resourceAccount: ACCT }), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Allow: naming the account alone does not exclude its other principals (as with Deny)', set: { resourcePolicy: allowAllBut(ACCT) }, request: get(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'Allow: the named user keeps its identity grant', set: { identityPolicies: [ALLOW], resourcePolicy: allowAllBut(USER) }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
]);

// AWS JSON policy elements: Principal (reference_policies_elements_principal) — "You must use the Principal element
// in resource-based policies"; a statement of a resource-based policy grants or denies only the principals it names,
// so one without Principal or NotPrincipal applies to nobody (the storing service refuses it: "Missing required field
// Principal").
const noPrincipalAllow = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
const noPrincipalDeny = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' });
run('Resource-policy statements without a principal', [
  { name: 'Allow without Principal grants nobody (same account)', set: { resourcePolicy: noPrincipalAllow }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'Allow without Principal grants nobody (other account)', set: { identityPolicies: [ALLOW], resourcePolicy: noPrincipalAllow }, request: get(OTHER_USER, { resourceAccount: ACCT }), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Allow without Principal grants no anonymous caller', set: { resourcePolicy: noPrincipalAllow }, request: get('anonymous', { resourceAccount: ACCT }), expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Allow without Principal does not open a trust policy', set: { resourcePolicy: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }) }, request: { principal: USER, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCT}:role/Target` }, expected: 'ImplicitlyDenied', decidedBy: ['resource'] },
  { name: 'Deny without Principal denies nobody', set: { identityPolicies: [ALLOW], resourcePolicy: noPrincipalDeny }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
  { name: 'identity policies keep statements without Principal', set: { identityPolicies: [noPrincipalAllow] }, request: get(USER), expected: 'Allowed', decidedBy: ['identity'] },
]);

// Policy evaluation for requests within a single account (reference_policies_evaluation-logic_policy-eval-basics),
// Impact of permissions boundaries: "an implicit deny in a permissions boundary does not limit the permissions
// granted by a resource-based policy" to an IAM user or role session named directly; a grant to the IAM role ARN is
// limited by an implicit deny in the permissions boundary or session policy.
const allowFor = (name: string): Json => doc({ Effect: 'Allow', Principal: { AWS: name }, Action: 's3:GetObject', Resource: '*' });
run('Permissions boundary against a same-account resource policy', [
  { name: 'names the role: the boundary still limits its session', set: { identityPolicies: [ALLOW], permissionsBoundary: NOTHING, resourcePolicy: allowFor(ROLE) }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'names the role with its path: the boundary still limits its session', set: { permissionsBoundary: NOTHING, resourcePolicy: allowFor(`arn:aws:iam::${ACCT}:role/team/Dev`) }, request: get(SESSION), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'names the role: the boundary limits the role as principal', set: { permissionsBoundary: NOTHING, resourcePolicy: allowFor(ROLE) }, request: get(ROLE), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
  { name: 'names the session: the boundary does not limit it', set: { permissionsBoundary: NOTHING, resourcePolicy: allowFor(SESSION) }, request: get(SESSION), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'names the user: the boundary does not limit it', set: { permissionsBoundary: NOTHING, resourcePolicy: allowFor(USER) }, request: get(USER), expected: 'Allowed', decidedBy: ['resource'] },
  { name: 'names the account: the boundary limits the identity grant', set: { identityPolicies: [ALLOW], permissionsBoundary: NOTHING, resourcePolicy: allowFor(ACCT) }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] },
]);

// Service control policies (orgs_manage_policies_scps_evaluation) and resource control policies: "every level …
// must have an explicit Allow"; a level whose policies allow nothing (none attached, or only Deny statements)
// allows nothing at that level.
const denyOnly = doc({ Effect: 'Deny', Action: 'ec2:*', Resource: '*' });
const rcpDenyOnly = doc({ Effect: 'Deny', Principal: '*', Action: 'ec2:*', Resource: '*' });
run('SCP and RCP levels that allow nothing', [
  { name: 'SCP level with no policies', set: { identityPolicies: [ALLOW], serviceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS] }, { target: 'ou-empty', policies: [] }] }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'SCP level with only a Deny for another service', set: { identityPolicies: [ALLOW], serviceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS] }, { target: ACCT, policies: [denyOnly] }] }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
  { name: 'RCP level with no policies', set: { identityPolicies: [ALLOW], resourceControlPolicies: [{ target: 'r-root', policies: [] }] }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['rcp'] },
  { name: 'RCP level with only a Deny for another service', set: { identityPolicies: [ALLOW], resourceControlPolicies: [{ target: 'r-root', policies: [FULL_ACCESS] }, { target: ACCT, policies: [rcpDenyOnly] }] }, request: get(USER), expected: 'ImplicitlyDenied', decidedBy: ['rcp'] },
  { name: 'an empty SCP level binds the root user too', set: { serviceControlPolicies: [{ target: 'r-root', policies: [] }] }, request: get(ACCT), expected: 'ImplicitlyDenied', decidedBy: ['scp'] },
]);

// AWS managed policies (access_policies_managed-vs-inline): "You cannot change the permissions defined in AWS
// managed policies." Service-linked roles (id_roles_create-service-linked-role / using-service-linked-roles): the
// role's permissions and trust policy are defined by the service and "cannot be modified"; you may edit its
// description and delete it through DeleteServiceLinkedRole. AWS KMS aliases: "alias names that begin with aws/ are
// reserved for AWS managed keys". These are AWS's own protections: no policy, not even the root user's full access,
// grants them, so the engine answers an implicit deny.
const MANAGED = 'arn:aws:iam::aws:policy/AdministratorAccess';
const SLR = `arn:aws:iam::${ACCT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`;
const SSO = `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`;
const AWS_ALIAS = `arn:aws:kms:us-east-1:${ACCT}:alias/aws/s3`;
const admin = (action: string, resource: string, principal = USER): EdgeCase => ({
  name: `${action} on ${resource.slice(resource.lastIndexOf(':') + 1)} (${principal === USER ? 'admin user' : 'root'})`,
  set: { identityPolicies: [FULL_ACCESS] },
  request: { principal, action, resource },
  expected: 'ImplicitlyDenied',
  decidedBy: ['awsProtected'],
});
const allowed = (action: string, resource: string): EdgeCase => ({ ...admin(action, resource), name: `${action} on ${resource.slice(resource.lastIndexOf(':') + 1)} stays allowed`, expected: 'Allowed', decidedBy: ['identity'] });
run('What no customer policy can grant', [
  ...['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy'].map((a) => admin(a, MANAGED)),
  admin('iam:DeletePolicy', MANAGED, `arn:aws:iam::${ACCT}:root`),
  admin('IAM:createpolicyversion', 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
  allowed('iam:GetPolicy', MANAGED),
  allowed('iam:AttachUserPolicy', `arn:aws:iam::${ACCT}:user/Alice`),
  allowed('iam:DeletePolicy', `arn:aws:iam::${ACCT}:policy/aws/Mine`),
  ...['iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'].map((a) => admin(a, SLR)),
  admin('iam:DeleteRole', SLR, `arn:aws:iam::${ACCT}:root`),
  allowed('iam:DeleteServiceLinkedRole', SLR),
  allowed('iam:UpdateRoleDescription', SLR),
  allowed('iam:GetRole', SLR),
  // IAM API Reference, TagRole: "The role can be a regular role or a service-linked role."
  allowed('iam:TagRole', SLR),
  ...['iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateRoleDescription', 'iam:TagRole'].map((a) => admin(a, SSO)),
  allowed('iam:GetRole', SSO),
  allowed('iam:DeleteRole', `arn:aws:iam::${ACCT}:role/my-aws-service-role`),
  ...['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'].map((a) => admin(a, AWS_ALIAS)),
  allowed('kms:DeleteAlias', `arn:aws:kms:us-east-1:${ACCT}:alias/awsome`),
  {
    name: 'an explicit deny still reads as an explicit deny',
    set: { identityPolicies: [FULL_ACCESS, doc({ Effect: 'Deny', Action: 'iam:DeletePolicy', Resource: '*' })] },
    request: { principal: USER, action: 'iam:DeletePolicy', resource: MANAGED },
    expected: 'ExplicitlyDenied',
    decidedBy: ['identity'],
  },
  {
    name: 'a caller without the permission gets the usual implicit deny',
    set: { identityPolicies: [NOTHING] },
    request: { principal: USER, action: 'iam:DeleteRole', resource: SLR },
    expected: 'ImplicitlyDenied',
    decidedBy: ['identity'],
  },
]);
