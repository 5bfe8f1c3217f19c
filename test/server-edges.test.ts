// What a newcomer meets at the edges of the server, through Debian's AWS CLI v2 and the SDK: services Gatehouse does
// not serve are answered in the client's own protocol with a readable error; a body over the limit gets a 413 the
// client prints (not a reset connection); the health endpoint; one request-log line per request.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CreatePolicyCommand, CreateUserCommand, GetUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { capturedLogger } from '../src/server/testing.js';
import { awsCli, type CliResult } from './helpers/aws-cli.js';
import { failure, iamClient } from './helpers/clients.js';
import { ROOT_KEY, useTestServer } from './helpers/server.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-edges-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The CLI as root; HOME is the scratch folder, so no profile of the machine's is read. */
const aws = (endpoint: string, args: string[]): Promise<CliResult> => awsCli(endpoint, args, ROOT_KEY, { HOME: scratch });

describe('services Gatehouse does not serve', () => {
  const server = useTestServer();
  // One of each protocol: awsJson (kinesis), awsQuery (sns), restJson (lambda), the EC2 dialect, S3's restXml.
  for (const [args, operation] of [
    [['kinesis', 'list-streams'], 'ListStreams'],
    [['sns', 'list-topics'], 'ListTopics'],
    [['lambda', 'list-functions'], 'ListFunctions'],
    [['ec2', 'describe-regions'], 'DescribeRegions'],
    [['s3api', 'list-buckets'], 'ListBuckets'],
  ] as const) {
    test(`aws ${args.join(' ')} prints that ${args[0]} is not served`, async () => {
      const result = await aws(server.endpoint, [...args]);
      assert.notEqual(result.code, 0);
      const service = args[0] === 's3api' ? 's3' : args[0];
      assert.match(
        result.stderr,
        new RegExp(`An error occurred \\(ServiceNotServed\\) when calling the ${operation} operation: Gatehouse serves IAM, STS, Organizations and CloudTrail \\(LookupEvents\\); this endpoint does not serve ${service}\\.`),
      );
    });
  }
});

describe('a body over the limit', () => {
  const server = useTestServer();
  // 2 MB of policy: the request is over the 1 MiB limit whatever else it holds.
  const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'a'.repeat(2_000_000)}` }] });

  test('the AWS CLI prints the 413 (RequestEntityTooLarge) instead of "Connection was closed"', async () => {
    const file = join(scratch, 'big-policy.json');
    writeFileSync(file, document);
    const result = await aws(server.endpoint, ['iam', 'create-policy', '--policy-name', 'big', '--policy-document', `file://${file}`]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /An error occurred \(RequestEntityTooLarge\) when calling the CreatePolicy operation: The request body is larger than the limit of 1048576 bytes \(1 MiB\)\./);
  });

  test('the SDK gets RequestEntityTooLarge with HTTP 413, and the server goes on answering', async () => {
    const iam = iamClient(server.endpoint);
    const error = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'big', PolicyDocument: document })));
    assert.equal(error.name, 'RequestEntityTooLarge');
    assert.equal(error.status, 413);
    assert.ok(Array.isArray((await iam.send(new ListUsersCommand({}))).Users));
  });
});

describe('the health endpoint', () => {
  const server = useTestServer();

  test('GET /_gatehouse/health answers without authentication: the version and the store', async () => {
    const response = await fetch(`${server.endpoint}/_gatehouse/health`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as { status: string; version: string; store: string };
    assert.equal(body.status, 'ok');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.equal(body.store, 'sqlite');
  });

  test('HEAD works, other methods and other reserved paths do not', async () => {
    assert.equal((await fetch(`${server.endpoint}/_gatehouse/health`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${server.endpoint}/_gatehouse/health`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${server.endpoint}/_gatehouse/nothing`)).status, 404);
  });

  test('a closed store answers 503', async () => {
    await server.running.store.close();
    const response = await fetch(`${server.endpoint}/_gatehouse/health`);
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { status: string }).status, 'unavailable');
  });
});

describe('the request log', () => {
  const captured = capturedLogger();
  const server = useTestServer({}, { logger: captured.logger });

  test('one line per request: request ID, principal, service, action, decision, status, duration', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'logged' }));
    await failure(iam.send(new GetUserCommand({ UserName: 'nobody' })));
    // Lines are handed to the destination in chunks, within 50 ms.
    const requests = await new Promise<Array<Record<string, unknown>>>((resolve) => {
      const started = Date.now();
      const poll = (): void => {
        const found = captured.lines.filter((line) => line['msg'] === 'request');
        if (found.some((line) => line['action'] === 'iam:GetUser') || Date.now() - started > 2000) resolve(found);
        else setTimeout(poll, 20);
      };
      poll();
    });
    const create = requests.find((line) => line['action'] === 'iam:CreateUser');
    assert.ok(create !== undefined, JSON.stringify(requests));
    assert.equal(create['principal'], `arn:aws:iam::111122223333:root`);
    assert.equal(create['service'], 'iam');
    assert.equal(create['decision'], 'Allowed');
    assert.equal(create['status'], 200);
    assert.equal(typeof create['requestId'], 'string');
    assert.equal(typeof create['ms'], 'number');
    const missing = requests.find((line) => line['action'] === 'iam:GetUser');
    assert.equal(missing?.['status'], 404);
    assert.equal(missing?.['code'], 'NoSuchEntity');
  });

  test('the level switches while serving: at warn no request writes a line, back at info they do again', async () => {
    const iam = iamClient(server.endpoint);
    const count = (): number => captured.lines.filter((line) => line['msg'] === 'request' && line['action'] === 'iam:ListUsers').length;
    server.running.setLogLevel('warn');
    await iam.send(new ListUsersCommand({}));
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(count(), 0);
    server.running.setLogLevel('info');
    await iam.send(new ListUsersCommand({}));
    const started = Date.now();
    while (count() === 0 && Date.now() - started < 2000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(count(), 1);
  });
});
