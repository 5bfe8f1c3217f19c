// IAM's own MalformedPolicyDocument texts reach an unmodified SDK client: CreatePolicy, PutUserPolicy and CreateRole
// (rows from src/policy/validate-iam-texts.test.ts, which cites where each comes from).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, GetUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { useTestServer } from './helpers/server.js';

const server = useTestServer();

const identity = (statement: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...statement }] });
const trust = (statement: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', ...statement }] });

const IAM_TYPE =
  'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.';

describe('MalformedPolicyDocument texts through the SDK', () => {
  test('CreatePolicy', async () => {
    const iam = iamClient(server.endpoint);
    const cases: Array<[string, string]> = [
      ['not json', 'Syntax errors in policy.'],
      [identity({ Resource: 'arn:aws:s3:us-east-1::example_bucket' }), 'Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.'],
      [identity({ Resource: 'arn:aws:iam::111122223333:bucket/x' }), IAM_TYPE],
      [identity({ Action: 'a a:GetObject' }), 'Vendor a a is not valid'],
      [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }), 'Policy document must be version 2012-10-17 or greater.'],
      [identity({ Resource: [] }), 'Policy statement must contain resources.'],
      [identity({ Resource: 'arn:aws:*:*:111122223333:*prod*' }), 'Resource vendor must be fully qualified and cannot contain regexes.'],
      [identity({ Effect: 'allow' }), 'The policy failed legacy parsing'],
      [identity({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), 'The policy failed legacy parsing'],
      [JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Resource: 'arn:aws:s3::example_bucket' } }), 'The policy failed legacy parsing'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny' }, { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: 'a' }] }), 'Syntax errors in policy.'],
    ];
    for (const [document, message] of cases) {
      const got = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'Broken', PolicyDocument: document })));
      assert.deepEqual(got, { name: 'MalformedPolicyDocumentException', message, status: 400 }, document);
    }
  });

  test('PutUserPolicy refuses, and stores a condition key without a service prefix', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'texts' }));
    const put = (PolicyDocument: string) => iam.send(new PutUserPolicyCommand({ UserName: 'texts', PolicyName: 'p', PolicyDocument }));
    assert.deepEqual(await failure(put('{')), { name: 'MalformedPolicyDocumentException', message: 'Syntax errors in policy.', status: 400 });
    assert.deepEqual(await failure(put(identity({ Action: 'a a:GetObject' }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'Vendor a a is not valid',
      status: 400,
    });
    const keyWithoutPrefix = identity({ Condition: { StringEquals: { a: 'b' } } });
    await put(keyWithoutPrefix);
    const stored = await iam.send(new GetUserPolicyCommand({ UserName: 'texts', PolicyName: 'p' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(stored.PolicyDocument ?? '')), JSON.parse(keyWithoutPrefix));
  });

  test('CreateRole', async () => {
    const iam = iamClient(server.endpoint);
    const create = (AssumeRolePolicyDocument: string) => iam.send(new CreateRoleCommand({ RoleName: 'texts', AssumeRolePolicyDocument }));
    assert.deepEqual(await failure(create('{')), { name: 'MalformedPolicyDocumentException', message: 'This policy contains invalid Json', status: 400 });
    assert.deepEqual(await failure(create(trust({ Action: 'a a:AssumeRole' }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'Vendor a a is not valid',
      status: 400,
    });
    assert.deepEqual(await failure(create(trust({ Principal: { Service: 'amazonaws.com' } }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'Invalid principal in policy: "SERVICE":"amazonaws.com"',
      status: 400,
    });
    assert.deepEqual(await failure(create(trust({ Principal: '*' }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'AssumeRolepolicy contained an invalid principal: "STAR":"*".',
      status: 400,
    });
    const created = await create(trust({ Condition: { StringEquals: { a: 'b' } }, Principal: { Service: 'states.eu-west-1.amazonaws.com' } }));
    assert.equal(created.Role?.RoleName, 'texts');
  });
});
