import { Agent } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Authenticator } from '../src/core/authenticate.js';
import { Authorizer } from '../src/core/authorize.js';
import { AuthorizeApi, type AuthorizeInput } from '../src/core/authorize-api/authorize-request.js';
import { ACCESS_KEY_OPERATIONS } from '../src/core/iam/access-keys.js';
import { INLINE_POLICY_OPERATIONS } from '../src/core/iam/inline-policies.js';
import { USER_OPERATIONS } from '../src/core/iam/users.js';
import { defineOperations } from '../src/core/operation.js';
import { runner, testServices } from '../src/core/testing.js';
import { sha256Hex } from '../src/sigv4/payload-hash.js';
import { signS3 } from '../src/sigv4/s3-test-signer.js';
import { signRequest } from '../src/sigv4/sign-request.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { ACCOUNT, call, iam, load, median, ROOT, startChild } from './http-bench.js';
import { formatRate, type Rate } from './measure.js';

const READ = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' }] });
const SERVICE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'gatehouse:Authorize', Resource: 'arn:aws:gatehouse:::service/s3' }] });
const ROUNDS = 3;

/** Sequential awaits for `seconds` after a warm-up, best of rounds of `batch`. */
async function measureAsync(label: string, fn: () => Promise<unknown>, seconds = 2, batch = 20_000): Promise<Rate> {
  for (let i = 0; i < batch; i++) await fn();
  let best = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    best = Math.max(best, batch / ((performance.now() - start) / 1000));
  }
  return { label, perSecond: best };
}

/** The library call on one thread: a signed S3 GET verified and decided in process. Target: 100 000/s. */
async function inProcess(): Promise<boolean> {
  const store = openSqliteStore({ path: ':memory:' });
  try {
    const services = testServices();
    const ops = runner(store, defineOperations([...USER_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...ACCESS_KEY_OPERATIONS]), services);
    const now = new Date();
    ops.setClock(now);
    await ops.run('CreateUser', { UserName: 'reader' });
    await ops.run('PutUserPolicy', { UserName: 'reader', PolicyName: 'read', PolicyDocument: READ });
    const key = (await ops.run('CreateAccessKey', { UserName: 'reader' }))['AccessKey'] as Record<string, string>;
    const api = new AuthorizeApi({ store, authenticator: new Authenticator(store, services.decryptSecret), authorizer: new Authorizer(store, services.awsManagedPolicies), clock: () => new Date() });
    const request = await signS3({ accessKeyId: key['AccessKeyId'] as string, secretAccessKey: key['SecretAccessKey'] as string }, 'GET', '/photos/cat.jpg', '', now);
    const input: AuthorizeInput = { request, resourceAccount: '111122223333', actions: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::photos/cat.jpg' }] };
    const sample = await api.authorize(input);
    if (!sample.allowed) throw new Error(`in-process authorize refused: ${JSON.stringify(sample)}`);
    const rate = await measureAsync('in-process authorize of a signed S3 GET (library call)', () => api.authorize(input));
    const met = rate.perSecond >= 100_000;
    console.log('\nAuthorize API, in process, one thread');
    console.log(`  ${rate.label.padEnd(66)} ${formatRate(rate.perSecond).padStart(11)}`);
    console.log(`  target >= 100 000/s: ${met ? 'MET' : 'NOT MET'}`);
    return met;
  } finally {
    await store.close();
  }
}

/** POST /_gatehouse/authorize of a signed S3 GET, against a bare node:http server answering the same bytes. Target: 50%. */
async function overHttp(): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-authz-'));
  const agent = new Agent({ keepAlive: true });
  const gatehouse = await startChild(['gatehouse', dataDir]);
  try {
    const port = gatehouse.port;
    const keyOf = (xml: string) => ({ id: /<AccessKeyId>([^<]+)</.exec(xml)?.[1] as string, secret: /<SecretAccessKey>([^<]+)</.exec(xml)?.[1] as string });
    for (const [name, policy] of [['store', SERVICE], ['reader', READ]] as const) {
      await iam(agent, port, ROOT, { Action: 'CreateUser', UserName: name });
      await iam(agent, port, ROOT, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'p', PolicyDocument: policy });
    }
    const store = keyOf(await iam(agent, port, ROOT, { Action: 'CreateAccessKey', UserName: 'store' }));
    const reader = keyOf(await iam(agent, port, ROOT, { Action: 'CreateAccessKey', UserName: 'reader' }));
    const forwarded = await signS3({ accessKeyId: reader.id, secretAccessKey: reader.secret }, 'GET', '/photos/cat.jpg', '', new Date());
    const body = JSON.stringify({
      Request: { Method: forwarded.method, Path: forwarded.path, Query: forwarded.query, Headers: forwarded.headers, BodySha256: forwarded.bodySha256 },
      ResourceAccount: ACCOUNT,
      Actions: [{ Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/cat.jpg' }],
    });
    const url = `http://127.0.0.1:${port}/_gatehouse/authorize`;
    const headers = signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(body) }, body },
      { credentials: { accessKeyId: store.id, secretAccessKey: store.secret }, region: 'us-east-1', service: 'iam', now: new Date() },
    );
    // The load generators set Host themselves, to the value signed: a second one would break the signature.
    delete headers['host'];
    const req = { headers, body };
    const sample = await call(agent, port, req, '/_gatehouse/authorize');
    if (sample.status !== 200 || !sample.body.includes('"Allowed":true')) throw new Error(`authorize over HTTP failed: ${sample.status} ${sample.body}`);
    const file = join(dataDir, 'authorize-response.json');
    writeFileSync(file, sample.body);
    let ok = true;
    for (const connections of [1, 32]) {
      console.log(`\nAuthorize API over HTTP (POST /_gatehouse/authorize, a signed S3 GET, caller signed too), ${connections} connection${connections === 1 ? '' : 's'}`);
      const bare = await startChild(['bare', file]);
      try {
        const baselines: Rate[] = [];
        const measures: Rate[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          baselines.push(await load(bare.port, req, 'baseline: bare node:http server, same response bytes', connections, 4, '/_gatehouse/authorize'));
          measures.push(await load(port, req, 'Gatehouse authorize over HTTP', connections, 4, '/_gatehouse/authorize'));
        }
        const baseline = median(baselines);
        const measured = median(measures);
        for (const [r, all] of [[baseline, baselines], [measured, measures]] as const) {
          const spread = all.map((x) => formatRate(x.perSecond).trim()).join(', ');
          console.log(`  ${r.label.padEnd(66)} ${formatRate(r.perSecond).padStart(11)}  ${(r.perSecond / baseline.perSecond).toFixed(2)}x baseline  (median of ${spread})`);
        }
        const ratio = measured.perSecond / baseline.perSecond;
        const met = ratio >= 0.5;
        ok &&= met;
        console.log(`  target >= 50% of the bare server: ${(ratio * 100).toFixed(0)}% ${met ? 'MET' : 'NOT MET'}`);
      } finally {
        bare.child.kill();
      }
    }
    return ok;
  } finally {
    agent.destroy();
    gatehouse.child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runAuthorizeBench(): Promise<{ ok: boolean }> {
  const local = await inProcess();
  const remote = await overHttp();
  return { ok: local && remote };
}
