import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetAccountSummaryCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  ListRolesCommand,
  ListUsersCommand,
  NoSuchEntityException,
  paginateListUsers,
  type User,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ServiceError } from '../core/errors.js';
import type { ServiceName } from './model.js';
import { decodeQueryRequest, encodeQueryError, encodeQueryResult, QUERY_RESPONSE_CONTENT_TYPE } from './query-protocol.js';

function failure(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  assert.fail('expected a ServiceError');
}

describe('decodeQueryRequest', () => {
  it('decodes a POST form body', () => {
    const body = Buffer.from('Action=GetUser&Version=2010-05-08&UserName=bob', 'utf8');
    assert.deepEqual(decodeQueryRequest('iam', body, 'application/x-www-form-urlencoded; charset=utf-8', ''), {
      action: 'GetUser',
      version: '2010-05-08',
      params: { UserName: 'bob' },
    });
  });

  it('decodes a GET query string, and lets the body win over it', () => {
    assert.deepEqual(decodeQueryRequest('iam', '', undefined, 'Action=ListUsers&Version=2010-05-08&MaxItems=5').params, { MaxItems: 5 });
    assert.deepEqual(decodeQueryRequest('iam', 'MaxItems=7', undefined, '?Action=ListUsers&Version=2010-05-08&MaxItems=5').params, { MaxItems: 7 });
  });

  it('ignores a body that is not a form', () => {
    const error = failure(() => decodeQueryRequest('iam', '{"Action":"ListUsers"}', 'application/json', ''));
    assert.equal(error.code, 'MissingAction');
  });

  const refusals = [
    { name: 'no Action', service: 'iam', body: 'Version=2010-05-08', code: 'MissingAction', message: 'Missing Action' },
    { name: 'empty Action', service: 'iam', body: 'Action=&Version=2010-05-08', code: 'MissingAction', message: 'Missing Action' },
    {
      name: 'no Version',
      service: 'iam',
      body: 'Action=ListUsers',
      code: 'MissingParameter',
      message: 'The request must contain the parameter Version',
    },
    {
      name: 'unknown Action',
      service: 'iam',
      body: 'Action=CreateUsers&Version=2010-05-08',
      code: 'InvalidAction',
      message: 'Could not find operation CreateUsers for version 2010-05-08',
    },
    {
      name: 'another service’s Action',
      service: 'sts',
      body: 'Action=CreateUser&Version=2011-06-15',
      code: 'InvalidAction',
      message: 'Could not find operation CreateUser for version 2011-06-15',
    },
    {
      name: 'wrong Version',
      service: 'iam',
      body: 'Action=ListUsers&Version=2011-06-15',
      code: 'InvalidAction',
      message: 'Could not find operation ListUsers for version 2011-06-15',
    },
    {
      name: 'type errors',
      service: 'iam',
      body: 'Action=ListUsers&Version=2010-05-08&MaxItems=lots',
      code: 'ValidationError',
      message: "1 validation error detected: Value 'lots' at 'maxItems' failed to satisfy constraint: Member must be an integer",
    },
    {
      name: 'constraint errors',
      service: 'iam',
      body: 'Action=CreateUser&Version=2010-05-08&UserName=a%2Fb&Tags.member.1.Key=k',
      code: 'ValidationError',
      message:
        "2 validation errors detected: Value 'a/b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    },
  ] as const;
  for (const c of refusals) {
    it(`refuses ${c.name}`, () => {
      const error = failure(() => decodeQueryRequest(c.service, c.body, 'application/x-www-form-urlencoded', ''));
      assert.equal(error.code, c.code);
      assert.equal(error.message, c.message);
      assert.equal(error.status, 400);
      assert.equal(error.fault, 'Sender');
    });
  }
});

// --- round trips through the real AWS SDK for JavaScript v3 ------------------------------------------------------

type Handler = (action: string, params: Record<string, unknown>) => unknown;

interface FakeAws {
  readonly endpoint: string;
  readonly seen: { service: ServiceName; action: string; params: Record<string, unknown>; body: string }[];
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A loopback server that speaks only through the protocol layer, the way the gateway does. */
async function fakeAws(handlers: Record<'iam' | 'sts', Handler>): Promise<FakeAws> {
  const seen: FakeAws['seen'] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      // The credential scope names the service, as the gateway reads it.
      const service: 'iam' | 'sts' = /\/sts\/aws4_request/.test(req.headers.authorization ?? '') ? 'sts' : 'iam';
      const requestId = `req-${++counter}`;
      const url = req.url ?? '/';
      const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      let status = 200;
      let xml: string;
      try {
        const decoded = decodeQueryRequest(service, body, req.headers['content-type'], query);
        seen.push({ service, action: decoded.action, params: decoded.params, body: body.toString('utf8') });
        xml = encodeQueryResult(service, decoded.action, handlers[service](decoded.action, decoded.params), requestId);
      } catch (error) {
        const e = error instanceof ServiceError ? error : new ServiceError('ServiceFailure', String(error), 500, 'Receiver');
        ({ status, body: xml } = encodeQueryError(service, e, requestId));
      }
      res.writeHead(status, { 'content-type': QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': requestId });
      res.end(xml);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CREATED = new Date('2026-11-25T14:24:24.000Z');

function userRecord(name: string, path = '/'): User {
  return {
    Path: path,
    UserName: name,
    UserId: `AIDA${name.toUpperCase().padEnd(17, 'X')}`,
    Arn: `arn:aws:iam::123456789012:user${path}${name}`,
    CreateDate: CREATED,
  };
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];

const iamHandler: Handler = (action, params) => {
  switch (action) {
    case 'CreateUser':
      return { User: { ...userRecord(params.UserName as string, (params.Path as string | undefined) ?? '/'), Tags: params.Tags } };
    case 'GetUser':
      if (params.UserName === 'ghost') {
        throw new ServiceError('NoSuchEntity', 'The user with name ghost cannot be found.', 404);
      }
      return { User: { ...userRecord(params.UserName as string), PasswordLastUsed: new Date('2026-11-01T08:00:00Z') } };
    case 'ListUsers': {
      const start = params.Marker === undefined ? 0 : Number(params.Marker);
      const size = (params.MaxItems as number | undefined) ?? 100;
      const page = USERS.slice(start, start + size);
      const next = start + size;
      return next < USERS.length
        ? { Users: page.map((n) => userRecord(n)), IsTruncated: true, Marker: String(next) }
        : { Users: page.map((n) => userRecord(n)), IsTruncated: false };
    }
    case 'DeleteUser':
      return undefined;
    case 'CreateRole':
      return {
        Role: {
          Path: '/',
          RoleName: params.RoleName,
          RoleId: 'AROAEXAMPLEEXAMPLEEX',
          Arn: `arn:aws:iam::123456789012:role/${String(params.RoleName)}`,
          CreateDate: CREATED,
          AssumeRolePolicyDocument: params.AssumeRolePolicyDocument,
          Description: params.Description,
          MaxSessionDuration: params.MaxSessionDuration,
        },
      };
    case 'GetAccountSummary':
      return { SummaryMap: { Users: 5, UsersQuota: 5000, AccountMFAEnabled: 0 } };
    default:
      throw new ServiceError('NotImplemented', `no ${action}`, 501, 'Receiver');
  }
};

const stsHandler: Handler = (action, params) => {
  switch (action) {
    case 'GetCallerIdentity':
      return { UserId: 'AIDAEXAMPLE', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/alice' };
    case 'AssumeRole':
      return {
        Credentials: {
          AccessKeyId: 'ASIAEXAMPLEEXAMPLE01',
          SecretAccessKey: 'secret/with+chars=',
          SessionToken: 'token&<>',
          Expiration: new Date('2026-11-25T15:24:24Z'),
        },
        AssumedRoleUser: {
          AssumedRoleId: `AROAEXAMPLE:${String(params.RoleSessionName)}`,
          Arn: `arn:aws:sts::123456789012:assumed-role/demo/${String(params.RoleSessionName)}`,
        },
        PackedPolicySize: 6,
        SourceIdentity: params.SourceIdentity,
      };
    default:
      throw new ServiceError('NotImplemented', `no ${action}`, 501, 'Receiver');
  }
};

describe('AWS SDK for JavaScript v3 round trip', () => {
  let aws: FakeAws;
  let iam: IAMClient;
  let sts: STSClient;
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

  before(async () => {
    aws = await fakeAws({ iam: iamHandler, sts: stsHandler });
    iam = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials, maxAttempts: 1 });
    sts = new STSClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials, maxAttempts: 1 });
  });
  after(async () => {
    iam.destroy();
    sts.destroy();
    await aws.close();
  });

  it('CreateUser: the SDK’s body decodes to the input shape and the result parses back', async () => {
    const out = await iam.send(
      new CreateUserCommand({ UserName: 'bob', Path: '/division_abc/', Tags: [{ Key: 'team', Value: 'a b' }, { Key: 'x', Value: '' }] }),
    );
    const last = aws.seen.at(-1);
    assert.equal(last?.action, 'CreateUser');
    assert.deepEqual(last?.params, { UserName: 'bob', Path: '/division_abc/', Tags: [{ Key: 'team', Value: 'a b' }, { Key: 'x', Value: '' }] });
    assert.deepEqual(out.User, { ...userRecord('bob', '/division_abc/'), Tags: [{ Key: 'team', Value: 'a b' }, { Key: 'x', Value: '' }] });
    assert.ok(out.User?.CreateDate instanceof Date);
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.match(out.$metadata.requestId ?? '', /^req-\d+$/);
  });

  it('GetUser: optional timestamps parse to Dates', async () => {
    const out = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    assert.equal(out.User?.UserName, 'alice');
    assert.equal(out.User?.PasswordLastUsed?.toISOString(), '2026-11-01T08:00:00.000Z');
  });

  it('ListUsers: Marker and IsTruncated drive the SDK paginator', async () => {
    const first = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Marker, '2');
    assert.deepEqual(first.Users?.map((u) => u.UserName), ['alice', 'bob']);
    const pages: string[][] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 2 }, {})) {
      pages.push((page.Users ?? []).map((u) => u.UserName ?? ''));
    }
    assert.deepEqual(pages, [['alice', 'bob'], ['carol', 'dave'], ['erin']]);
  });

  it('DeleteUser: an operation without output answers with ResponseMetadata only', async () => {
    const out = await iam.send(new DeleteUserCommand({ UserName: 'bob' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(Object.keys(out).filter((k) => k !== '$metadata'), []);
  });

  it('CreateRole: text with XML specials, CR/LF and Latin-1 survives both ways', async () => {
    const document = '{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},\r\n"Action":"sts:AssumeRole","Sid":"a&b<c>\'d\'"}]} ñ';
    const out = await iam.send(
      new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: document, Description: 'tabs\tand "quotes"', MaxSessionDuration: 7200 }),
    );
    assert.equal(aws.seen.at(-1)?.params.AssumeRolePolicyDocument, document);
    assert.equal(out.Role?.AssumeRolePolicyDocument, document);
    assert.equal(out.Role?.Description, 'tabs\tand "quotes"');
    assert.equal(out.Role?.MaxSessionDuration, 7200);
  });

  it('GetAccountSummary: maps encode as entry/key/value', async () => {
    const out = await iam.send(new GetAccountSummaryCommand({}));
    assert.deepEqual(out.SummaryMap, { Users: 5, UsersQuota: 5000, AccountMFAEnabled: 0 });
  });

  it('NoSuchEntity becomes NoSuchEntityException with its message, status and request id', async () => {
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'ghost' })), (error: unknown) => {
      assert.ok(error instanceof NoSuchEntityException, String(error));
      assert.equal(error.name, 'NoSuchEntityException');
      assert.equal(error.message, 'The user with name ghost cannot be found.');
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.equal(error.$fault, 'client');
      assert.match(error.$metadata.requestId ?? '', /^req-\d+$/);
      return true;
    });
  });

  it('ValidationError (not modelled) still reaches the caller with its code and text', async () => {
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'a/b' })), (error: unknown) => {
      assert.ok(error instanceof IAMServiceException, String(error));
      assert.equal(error.name, 'ValidationError');
      assert.equal(
        error.message,
        "1 validation error detected: Value 'a/b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      );
      assert.equal(error.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  it('a Receiver fault surfaces as a server error', async () => {
    await assert.rejects(iam.send(new ListRolesCommand({})), (error: unknown) => {
      assert.ok(error instanceof IAMServiceException);
      assert.equal(error.name, 'NotImplemented');
      assert.equal(error.message, 'no ListRoles');
      assert.equal(error.$fault, 'server');
      assert.equal(error.$metadata.httpStatusCode, 501);
      return true;
    });
  });

  it('STS AssumeRole: nested input lists decode and credentials parse with a Date expiration', async () => {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/demo',
        RoleSessionName: 'session-1',
        DurationSeconds: 3600,
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        Tags: [{ Key: 'Project', Value: 'Unicorn' }],
        TransitiveTagKeys: ['Project'],
      }),
    );
    const last = aws.seen.at(-1);
    assert.equal(last?.service, 'sts');
    assert.deepEqual(last?.params, {
      RoleArn: 'arn:aws:iam::123456789012:role/demo',
      RoleSessionName: 'session-1',
      DurationSeconds: 3600,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      Tags: [{ Key: 'Project', Value: 'Unicorn' }],
      TransitiveTagKeys: ['Project'],
    });
    assert.equal(out.Credentials?.SecretAccessKey, 'secret/with+chars=');
    assert.equal(out.Credentials?.SessionToken, 'token&<>');
    assert.equal(out.Credentials?.Expiration?.toISOString(), '2026-11-25T15:24:24.000Z');
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/demo/session-1');
    assert.equal(out.PackedPolicySize, 6);
  });

  it('STS GetCallerIdentity', async () => {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ UserId: out.UserId, Account: out.Account, Arn: out.Arn }, {
      UserId: 'AIDAEXAMPLE',
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/alice',
    });
  });

  it('STS errors carry the STS namespace and reach the SDK', async () => {
    await assert.rejects(sts.send(new AssumeRoleCommand({ RoleArn: 'short', RoleSessionName: 'x' })), (error: unknown) => {
      assert.equal((error as Error).name, 'ValidationError');
      assert.equal(
        (error as Error).message,
        "2 validation errors detected: Value 'short' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
          "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
      );
      return true;
    });
  });
});
