// RCPs bind AssumeRoleWithWebIdentity and AssumeRoleWithSAML too: the role's account path decides whoever the
// provider vouched for; a closed account's roles are refused alike.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { ServiceError } from '../errors.js';
import { inlineKey, inlineOwner, KIND } from '../iam/kinds.js';
import type { OperationContext } from '../operation.js';
import { orgFixture, organizationWithMember, type OrgFixture } from '../organizations/testing.js';
import { testServices } from '../testing.js';
import { issueFederatedRoleSession, type FederatedAction } from './federated-session.js';
import { createKeyRing, sealSessionToken } from './session-token.js';

const ring = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);
const NOW = new Date('2026-11-25T12:00:00Z');
const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

let f: OrgFixture;
let rootId: string;
let member: string;
let provider: string;

beforeEach(async () => {
  f = orgFixture();
  ({ rootId, member } = await organizationWithMember(f));
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
  provider = `arn:aws:iam::${member}:oidc-provider/idp.example.com`;
  await f.store.transaction(async (tx) => {
    const trust = doc({ Effect: 'Allow', Principal: { Federated: provider }, Action: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'] });
    await tx.insert({ kind: KIND.role, account: member, key: 'ci', id: 'AROACIXXXXXXXXXXXXXX', path: '/', owner: '', created: NOW.toISOString(), data: { assumeRolePolicyDocument: trust } });
    await tx.insert({ kind: KIND.inlinePolicy, account: member, key: inlineKey('role', 'ci', 'p'), id: 'AROACIXXXXXXXXXXXXXX:p', path: '/', owner: inlineOwner('role', 'ci'), created: NOW.toISOString(), data: { document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) } });
  });
});
afterEach(() => f.store.close());

async function federated(action: FederatedAction): Promise<string> {
  try {
    await f.store.transaction(async (tx) => {
      const ctx: OperationContext = {
        caller: { kind: 'anonymous', account: '', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' },
        account: '',
        tx,
        now: NOW,
        requestId: 'r',
        services: { ...testServices(), sealSessionToken: (claims) => sealSessionToken(ring, claims) },
      };
      await issueFederatedRoleSession(ctx, { action, roleArn: `arn:aws:iam::${member}:role/ci`, sessionName: 'build', providerArn: provider });
    });
    return 'issued';
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    return `${error.code}: ${error.message}`;
  }
}

test('an RCP on the member’s path refuses a federated AssumeRole as AWS answers it; detached, it is issued', async () => {
  assert.equal(await federated('sts:AssumeRoleWithWebIdentity'), 'issued');
  const created = (await f.run('CreatePolicy', {
    Name: 'no-federation',
    Description: '',
    Type: 'RESOURCE_CONTROL_POLICY',
    Content: doc({ Effect: 'Deny', Principal: '*', Action: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'], Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceOrgID': 'o-elsewhere00' } } }),
  })) as { Policy: { PolicySummary: { Id: string } } };
  const id = created.Policy.PolicySummary.Id;
  await f.run('AttachPolicy', { PolicyId: id, TargetId: rootId });
  assert.equal(await federated('sts:AssumeRoleWithWebIdentity'), 'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity');
  assert.equal(await federated('sts:AssumeRoleWithSAML'), 'AccessDenied: Not authorized to perform sts:AssumeRoleWithSAML');
  await f.run('DetachPolicy', { PolicyId: id, TargetId: rootId });
  assert.equal(await federated('sts:AssumeRoleWithSAML'), 'issued');
});

test('a closed account’s roles are not assumed through a provider either', async () => {
  await f.run('CloseAccount', { AccountId: member });
  assert.equal(await federated('sts:AssumeRoleWithWebIdentity'), 'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity');
});
