// botocore is what the AWS CLI and boto3 speak with. Its serializer and parser run in-process here (no network, no
// credentials): its request bodies go through decodeQueryRequest, and our XML goes through its response parser.
// Skipped where python3 with botocore is not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ServiceError } from '../core/errors.js';
import { decodeQueryRequest, encodeQueryError, encodeQueryResult } from './query-protocol.js';

const BRIDGE = String.raw`
import json, sys, datetime
import botocore.session, botocore.serialize, botocore.parsers
from botocore.awsrequest import AWSRequest

session = botocore.session.get_session()
out = []
for job in json.load(sys.stdin):
    op = session.get_service_model(job['service']).operation_model(job['action'])
    if job['kind'] == 'serialize':
        req = botocore.serialize.create_serializer('query').serialize_to_request(job['params'], op)
        prepared = AWSRequest(method='POST', url='https://example.invalid/', data=req['body'], headers=req['headers']).prepare()
        out.append({'body': prepared.body, 'contentType': req['headers'].get('Content-Type')})
    else:
        parser = botocore.parsers.create_parser('query')
        shape = op.output_shape if job['status'] < 300 else None
        parsed = parser.parse({'body': job['xml'].encode('utf-8'), 'headers': {}, 'status_code': job['status']}, shape)
        out.append(parsed)

def default(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    if isinstance(value, bytes):
        return value.decode('utf-8')
    raise TypeError(repr(value))
json.dump(out, sys.stdout, default=default)
`;

function haveBotocore(): boolean {
  const probe = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' });
  return probe.status === 0;
}

type Job =
  | { kind: 'serialize'; service: 'iam' | 'sts'; action: string; params: unknown }
  | { kind: 'parse'; service: 'iam' | 'sts'; action: string; xml: string; status: number };

function botocore(jobs: Job[]): unknown[] {
  const run = spawnSync('python3', ['-c', BRIDGE], { input: JSON.stringify(jobs), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as unknown[];
}

const skip = haveBotocore() ? false : 'python3 with botocore is not installed';

describe('botocore (AWS CLI, boto3) compatibility', { skip }, () => {
  it('decodes the bodies botocore sends', () => {
    const cases = [
      {
        service: 'iam',
        action: 'CreateUser',
        params: { UserName: 'bob', Path: '/x+y~/', Tags: [{ Key: 'team', Value: 'a b+c=d' }, { Key: 'e', Value: '' }] },
      },
      { service: 'iam', action: 'UntagUser', params: { UserName: 'bob', TagKeys: [] } },
      { service: 'iam', action: 'ListPolicies', params: { Scope: 'Local', OnlyAttached: true, MaxItems: 10 } },
      {
        service: 'iam',
        action: 'PutUserPolicy',
        params: { UserName: 'bob', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' },
      },
      {
        service: 'sts',
        action: 'AssumeRole',
        params: {
          RoleArn: 'arn:aws:iam::123456789012:role/demo',
          RoleSessionName: 'cli-session',
          DurationSeconds: 900,
          PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
          Tags: [{ Key: 'Project', Value: 'Ünïcorn 名前' }],
        },
      },
    ] as const;
    const serialized = botocore(cases.map((c) => ({ kind: 'serialize' as const, ...c }))) as { body: string; contentType: string }[];
    cases.forEach((c, i) => {
      const sent = serialized[i];
      assert.ok(sent !== undefined);
      const decoded = decodeQueryRequest(c.service, sent.body, sent.contentType, '');
      assert.equal(decoded.action, c.action);
      assert.deepEqual(decoded.params, c.params, sent.body);
    });
  });

  it('parses our results and errors', () => {
    const created = new Date('2026-11-25T14:24:24Z');
    const user = { Path: '/', UserName: 'bob', UserId: 'AIDAEXAMPLE', Arn: 'arn:aws:iam::123456789012:user/bob', CreateDate: created };
    const results = [
      {
        service: 'iam',
        action: 'ListUsers',
        result: { Users: [user], IsTruncated: true, Marker: 'm&1' },
        parsed: { Users: [{ ...user, CreateDate: '2026-11-25T14:24:24Z' }], IsTruncated: true, Marker: 'm&1' },
      },
      {
        service: 'iam',
        action: 'GetAccountSummary',
        result: { SummaryMap: { Users: 1, Groups: 0 } },
        parsed: { SummaryMap: { Users: 1, Groups: 0 } },
      },
      {
        service: 'sts',
        action: 'GetSessionToken',
        result: { Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's<>', SessionToken: 't', Expiration: created } },
        parsed: { Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's<>', SessionToken: 't', Expiration: '2026-11-25T14:24:24Z' } },
      },
      { service: 'iam', action: 'DeleteUser', result: undefined, parsed: {} },
    ] as const;
    const error = encodeQueryError('iam', new ServiceError('NoSuchEntity', 'The user with name bob cannot be found.', 404), 'rid-err');
    const parsed = botocore([
      ...results.map((r) => ({
        kind: 'parse' as const,
        service: r.service,
        action: r.action,
        xml: encodeQueryResult(r.service, r.action, r.result, 'rid-ok'),
        status: 200,
      })),
      { kind: 'parse', service: 'iam', action: 'GetUser', xml: error.body, status: error.status },
    ]) as Record<string, unknown>[];
    results.forEach((r, i) => {
      const got = { ...parsed[i] };
      assert.deepEqual((got.ResponseMetadata as { RequestId?: string } | undefined)?.RequestId, 'rid-ok');
      delete got.ResponseMetadata;
      assert.deepEqual(got, r.parsed, r.action);
    });
    const failure = parsed[results.length] as { Error: Record<string, string>; ResponseMetadata: { RequestId: string } };
    assert.deepEqual(failure.Error, { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The user with name bob cannot be found.' });
    assert.equal(failure.ResponseMetadata.RequestId, 'rid-err');
  });
});
