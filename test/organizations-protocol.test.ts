// The awsJson1_1 door for Organizations: `POST /` with X-Amz-Target, scope service `organizations`, JSON errors with
// AWS's codes, as the SDK v3 client and the AWS CLI read them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateGovCloudAccountCommand, DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { awsCli } from './helpers/aws-cli.js';
import { failure, organizationsClient } from './helpers/clients.js';
import { ROOT_KEY, useTestServer } from './helpers/server.js';

describe('Organizations on the same port', () => {
  const server = useTestServer();

  test('an operation of the model that is not served answers NotImplemented (501) in JSON', async () => {
    const client = organizationsClient(server.endpoint);
    const error = await failure(client.send(new CreateGovCloudAccountCommand({ Email: 'a@example.com', AccountName: 'gov' })));
    assert.deepEqual(error, { name: 'NotImplemented', message: 'The operation CreateGovCloudAccount is not implemented by Gatehouse.', status: 501 });
  });

  test('a wrong secret is InvalidSignatureException, an unknown key UnrecognizedClientException', async () => {
    const wrong = organizationsClient(server.endpoint, { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: 'not-the-secret' });
    const bad = await failure(wrong.send(new DescribeOrganizationCommand({})));
    assert.equal(bad.name, 'InvalidSignatureException');
    assert.equal(bad.status, 403);
    const unknown = organizationsClient(server.endpoint, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' });
    const none = await failure(unknown.send(new DescribeOrganizationCommand({})));
    assert.deepEqual(none, { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', status: 403 });
  });

  test('a signed request whose target is not an Organizations operation is UnknownOperationException', async () => {
    const client = organizationsClient(server.endpoint);
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-target'] = 'AWSOrganizationsV20161128.NoSuchOperation';
        return next(args);
      },
      { step: 'build' },
    );
    const error = await failure(client.send(new DescribeOrganizationCommand({})));
    assert.equal(error.name, 'UnknownOperationException');
    assert.equal(error.status, 400);
  });

  test('an unsigned request is answered MissingAuthenticationTokenException, in JSON', async () => {
    const response = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization' },
      body: '{}',
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.deepEqual(await response.json(), { __type: 'MissingAuthenticationTokenException', Message: 'Missing Authentication Token' });
  });

  test('the AWS CLI prints the JSON error as it prints AWS’s', async () => {
    const result = await awsCli(server.endpoint, ['organizations', 'create-gov-cloud-account', '--email', 'a@example.com', '--account-name', 'gov']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /An error occurred \(NotImplemented\) when calling the CreateGovCloudAccount operation: The operation CreateGovCloudAccount is not implemented by Gatehouse\./);
  });
});
