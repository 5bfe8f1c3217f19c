import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { IssuedSession } from '../../core/instances/role-sessions.js';
import type { InstanceView } from './credential-source.js';
import { createImdsHandler, credentialsDocument, imdsJson } from './imds-handler.js';
import { ImdsTokens, tokenTtl } from './imds-tokens.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const SESSION: IssuedSession = {
  AccessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  SecretAccessKey: 'secret',
  SessionToken: 'token',
  Expiration: new Date('2026-11-25T18:00:00Z'),
  issued: NOW,
  roleArn: 'arn:aws:iam::111122223333:role/App',
};

/** A view the handler is served, changeable by each test; `asked` counts credential requests. */
let view: InstanceView;
let asked = 0;
let gone = 0;
let clock = NOW;

const registered = (over: Partial<Extract<InstanceView, { state: 'registered' }>> = {}): InstanceView => ({
  state: 'registered',
  httpTokens: 'required',
  profile: { arn: 'arn:aws:iam::111122223333:instance-profile/web', id: 'AIPAEXAMPLEEXAMPLE01' },
  roleName: 'App',
  trusted: true,
  ...over,
});

function serve(httpTokens: 'required' | 'optional'): { server: Server; port: () => number; tokens: ImdsTokens } {
  const tokens = new ImdsTokens();
  const handler = createImdsHandler(
    { instanceId: 'i-0123456789abcdef0', httpTokens },
    {
      source: {
        instance: async (_id, withCredentials) => {
          if (withCredentials) asked++;
          return view.state === 'registered' && withCredentials && view.trusted ? { ...view, credentials: SESSION } : view;
        },
      },
      clock: () => clock,
      onGone: () => void gone++,
    },
    tokens,
  );
  const server = createServer(handler);
  return { server, port: () => (server.address() as AddressInfo).port, tokens };
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A raw request (node:http, so that Host and X-Forwarded-For are sent exactly as given). */
function call(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('IMDS with IMDSv2 required', () => {
  const imds = serve('required');
  before(() => new Promise<void>((resolve) => imds.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => imds.server.close(() => resolve())));

  const token = async (ttl = '21600'): Promise<string> => {
    const answer = await call(imds.port(), 'PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': ttl });
    assert.equal(answer.status, 200);
    return answer.body;
  };

  test('a token: 200, the TTL echoed, 256 random bits', async () => {
    view = registered();
    const answer = await call(imds.port(), 'PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '300' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-aws-ec2-metadata-token-ttl-seconds'], '300');
    assert.match(answer.body, /^[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(answer.body, await token());
  });

  const badTtl: Array<[string, Record<string, string>, number]> = [
    ['no TTL', {}, 400],
    ['a TTL of 0', { 'x-aws-ec2-metadata-token-ttl-seconds': '0' }, 400],
    ['a TTL of 21601', { 'x-aws-ec2-metadata-token-ttl-seconds': '21601' }, 400],
    ['a TTL that is no number', { 'x-aws-ec2-metadata-token-ttl-seconds': '1e3' }, 400],
    ['a negative TTL', { 'x-aws-ec2-metadata-token-ttl-seconds': '-5' }, 400],
    ['a request through a proxy', { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '10.1.2.3' }, 403],
  ];
  for (const [name, headers, status] of badTtl) {
    test(`refuses a token for ${name} (${status})`, async () => {
      view = registered();
      const answer = await call(imds.port(), 'PUT', '/latest/api/token', headers);
      assert.equal(answer.status, status);
      assert.match(answer.body, new RegExp(`<h1>${status} - `));
    });
  }

  test('GET of the token path is 405; PUT elsewhere is 405', async () => {
    assert.equal((await call(imds.port(), 'GET', '/latest/api/token')).status, 405);
    assert.equal((await call(imds.port(), 'PUT', '/latest/meta-data/', { 'x-aws-ec2-metadata-token-ttl-seconds': '60' })).status, 405);
  });

  test('without a token (IMDSv1), or with one not issued here, every item is 401', async () => {
    view = registered();
    for (const path of ['/latest/meta-data/instance-id', '/latest/meta-data/iam/security-credentials/App']) {
      assert.equal((await call(imds.port(), 'GET', path)).status, 401);
      assert.equal((await call(imds.port(), 'GET', path, { 'x-aws-ec2-metadata-token': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).status, 401);
    }
  });

  test('the items an SDK reads, with a token', async () => {
    view = registered();
    const t = await token();
    const get = (path: string) => call(imds.port(), 'GET', path, { 'x-aws-ec2-metadata-token': t });
    const cases: Array<[string, number, string]> = [
      ['/latest/meta-data/', 200, 'iam/\ninstance-id'],
      ['/latest/meta-data/instance-id', 200, 'i-0123456789abcdef0'],
      ['/latest/meta-data/iam/', 200, 'info\nsecurity-credentials/'],
      ['/latest/meta-data/iam/security-credentials/', 200, 'App'],
      ['/latest/meta-data/iam/security-credentials', 200, 'App'],
      ['/latest/meta-data/iam/security-credentials/App', 200, credentialsDocument(SESSION)],
      ['/latest/meta-data/iam/security-credentials/app', 404, ''],
      ['/latest/meta-data/iam/security-credentials/Other', 404, ''],
      ['/latest/meta-data/ami-id', 404, ''],
      ['/latest/user-data', 404, ''],
    ];
    for (const [path, status, body] of cases) {
      const answer = await get(path);
      assert.equal(answer.status, status, path);
      if (status === 200) assert.equal(answer.body, body, path);
    }
    const info = JSON.parse((await get('/latest/meta-data/iam/info')).body) as Record<string, string>;
    assert.deepEqual(info, { Code: 'Success', LastUpdated: '2026-11-25T12:00:00Z', InstanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/web', InstanceProfileId: 'AIPAEXAMPLEEXAMPLE01' });
    const credentials = JSON.parse((await get('/latest/meta-data/iam/security-credentials/App')).body) as Record<string, string>;
    assert.deepEqual(Object.keys(credentials), ['Code', 'LastUpdated', 'Type', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    assert.equal(credentials['Type'], 'AWS-HMAC');
    assert.equal(credentials['Expiration'], '2026-11-25T18:00:00Z');
  });

  test('credentials are only minted for the credentials item', async () => {
    view = registered();
    const t = await token();
    asked = 0;
    await call(imds.port(), 'GET', '/latest/meta-data/iam/info', { 'x-aws-ec2-metadata-token': t });
    await call(imds.port(), 'GET', '/latest/meta-data/iam/security-credentials/', { 'x-aws-ec2-metadata-token': t });
    assert.equal(asked, 0);
    await call(imds.port(), 'GET', '/latest/meta-data/iam/security-credentials/App', { 'x-aws-ec2-metadata-token': t });
    assert.equal(asked, 1);
  });

  test('a role EC2 may not assume: 200 with Code AssumeRoleUnauthorizedAccess and a Message, no credentials', async () => {
    view = registered({ trusted: false });
    const t = await token();
    for (const path of ['/latest/meta-data/iam/security-credentials/App', '/latest/meta-data/iam/info']) {
      const answer = await call(imds.port(), 'GET', path, { 'x-aws-ec2-metadata-token': t });
      assert.equal(answer.status, 200);
      const doc = JSON.parse(answer.body) as Record<string, string>;
      assert.equal(doc['Code'], 'AssumeRoleUnauthorizedAccess');
      assert.match(doc['Message'] ?? '', /EC2 cannot assume the role App/);
      assert.equal(doc['AccessKeyId'], undefined);
    }
  });

  test('a profile without a role lists no role; an instance whose profile is gone has no iam/ at all', async () => {
    view = registered({ roleName: undefined, trusted: false });
    delete (view as { roleName?: string }).roleName;
    const t = await token();
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/iam/security-credentials/', { 'x-aws-ec2-metadata-token': t })).status, 404);
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/iam/info', { 'x-aws-ec2-metadata-token': t })).status, 200);
    view = { state: 'registered', httpTokens: 'required', trusted: false };
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/iam/', { 'x-aws-ec2-metadata-token': t })).status, 404);
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/', { 'x-aws-ec2-metadata-token': t })).body, 'instance-id');
  });

  test('a token expires after its TTL', async () => {
    view = registered();
    clock = NOW;
    const t = await token('2');
    clock = new Date(NOW.getTime() + 1999);
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': t })).status, 200);
    clock = new Date(NOW.getTime() + 2000);
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': t })).status, 401);
    clock = NOW;
  });

  test('a Host that is a name (DNS rebinding) is refused before anything else', async () => {
    view = registered();
    for (const host of ['evil.example', 'evil.example:80', '169.254.169.254.evil.example']) {
      assert.equal((await call(imds.port(), 'PUT', '/latest/api/token', { host, 'x-aws-ec2-metadata-token-ttl-seconds': '60' })).status, 403, host);
      assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/instance-id', { host })).status, 403, host);
    }
    assert.equal((await call(imds.port(), 'PUT', '/latest/api/token', { host: 'localhost', 'x-aws-ec2-metadata-token-ttl-seconds': '60' })).status, 200);
  });

  test('a deregistered instance: 404, its tokens dropped, its listener told', async () => {
    view = registered();
    const t = await token();
    gone = 0;
    view = { state: 'gone' };
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/iam/security-credentials/App', { 'x-aws-ec2-metadata-token': t })).status, 404);
    assert.equal(gone, 1);
    assert.equal(imds.tokens.size, 0);
    assert.equal((await call(imds.port(), 'PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '60' })).status, 404);
  });
});

describe('IMDS with IMDSv1 allowed', () => {
  const imds = serve('optional');
  before(() => new Promise<void>((resolve) => imds.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => imds.server.close(() => resolve())));

  test('serves without a token, but not with a bad one', async () => {
    view = registered({ httpTokens: 'optional' });
    const answer = await call(imds.port(), 'GET', '/latest/meta-data/iam/security-credentials/App');
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).AccessKeyId, SESSION.AccessKeyId);
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': 'made-up' })).status, 401);
  });

  test("another instance's token is nothing here", async () => {
    const other = new ImdsTokens();
    const foreign = other.issue(60, NOW);
    assert.equal((await call(imds.port(), 'GET', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': foreign })).status, 401);
  });
});

describe('IMDS tokens', () => {
  test('tokenTtl takes whole seconds from 1 to 21600', () => {
    const table: Array<[string | undefined, number | undefined]> = [
      ['1', 1],
      ['21600', 21600],
      [' 60 ', 60],
      ['0', undefined],
      ['21601', undefined],
      ['99999', undefined],
      ['1.5', undefined],
      ['', undefined],
      [undefined, undefined],
      ['0x10', undefined],
    ];
    for (const [header, ttl] of table) assert.equal(tokenTtl(header), ttl, String(header));
  });

  test('bounded: past the limit expired tokens go first, then the oldest', () => {
    const tokens = new ImdsTokens(3);
    const old = tokens.issue(1, NOW);
    const a = tokens.issue(600, NOW);
    const b = tokens.issue(600, NOW);
    const later = new Date(NOW.getTime() + 5000);
    const c = tokens.issue(600, later);
    assert.equal(tokens.valid(old, later), false);
    assert.ok([a, b, c].every((t) => tokens.valid(t, later)));
    const d = tokens.issue(600, later);
    assert.equal(tokens.valid(a, later), false);
    assert.ok([b, c, d].every((t) => tokens.valid(t, later)));
  });

  test('imdsJson writes the instance form', () => {
    assert.equal(imdsJson([['Code', 'Success'], ['A', 'x"y']]), '{\n  "Code" : "Success",\n  "A" : "x\\"y"\n}');
  });
});
