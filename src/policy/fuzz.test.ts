// Fuzzing the public entry points with mutated policy documents: validatePolicy must never throw, compilePolicies may
// throw only MalformedPolicyError, evaluate must never throw and must answer within 50 ms. The corpus covers identity,
// resource, trust and SCP shapes with conditions and variables; mutations change the JSON structure and its strings
// (wildcard runs, huge values, unicode, `${`, wrong types, deep nesting). Time-bounded; the seed comes from
// GATEHOUSE_FUZZ_SEED when set (to replay a failure) and is printed with every failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStaticCatalog } from './catalog.js';
import type { DecisionRequest } from './context.js';
import { compilePolicies, type PolicySet } from './engine.js';
import { MalformedPolicyError } from './errors.js';
import { validatePolicy, type ValidatePolicyType } from './validate.js';

const BUDGET_MS = 3000;
const EVALUATION_LIMIT_MS = 50;
const ACCT = '111122223333';

const catalog = createStaticCatalog({
  services: {
    s3: { actions: ['GetObject', 'PutObject', 'ListBucket'], conditionKeys: { 's3:prefix': 'String', 's3:ExistingObjectTag/${TagKey}': 'String' } },
    iam: { actions: ['GetUser', 'PassRole', 'CreateRole'], conditionKeys: { 'iam:PassedToService': 'String' } },
    sts: { actions: ['AssumeRole', 'TagSession'], conditionKeys: { 'sts:ExternalId': 'String' } },
  },
  globalConditionKeys: {
    'aws:CurrentTime': 'Date',
    'aws:SourceIp': 'IPAddress',
    'aws:SecureTransport': 'Bool',
    'aws:MultiFactorAuthAge': 'Numeric',
    'aws:PrincipalArn': 'ARN',
    'aws:SourceArn': 'ARN',
    'aws:TagKeys': 'ArrayOfString',
    'aws:username': 'String',
    'aws:PrincipalTag/${TagKey}': 'String',
  },
});

type Json = unknown;
const V = '2012-10-17';
const CORPUS: { type: ValidatePolicyType; doc: Json }[] = [
  { type: 'identity', doc: { Version: V, Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 'iam:GetUser'], Resource: `arn:aws:iam::${ACCT}:user/\${aws:username}` }] } },
  {
    type: 'identity',
    doc: {
      Version: V,
      Statement: [
        { Sid: 'Home', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*', 'public/?*'] } } },
        { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b/*', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCT}:role/*`, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
      ],
    },
  },
  {
    type: 'resource',
    doc: {
      Version: V,
      Statement: [
        { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCT}:root`, ACCT] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } } },
        { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*', Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/ops-*` } } },
      ],
    },
  },
  {
    type: 'trust',
    doc: {
      Version: V,
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'sts:ExternalId': 'x' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } },
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
  },
  {
    type: 'scp',
    doc: {
      Version: V,
      Statement: [
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringNotLike': { 'aws:TagKeys': ['team', 'cost-*'] }, DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } },
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*admin*' }, Null: { 'aws:PrincipalTag/team': 'true' } } },
      ],
    },
  },
];

/** mulberry32: small, seedable, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzzer {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  string(): string {
    const long = (unit: string): string => unit.repeat(1 + this.int(this.pick([4, 64, 2048, 20_000])));
    return this.pick<() => string>([
      () => long('a*'),
      () => long('*a') + 'b',
      () => `arn:aws:iam::${ACCT}:user/${long('a*')}b`,
      () => `arn:${long('a*')}:${long('?')}:*:*:${long('*a')}`,
      () => long('a'),
      () => long('${'),
      () => long('😀'),
      () => '\ud800\u0000İK' + long('?'),
      () => this.pick(['*', '?', '', ':', 'arn:', 'arn:aws:s3:::b/*', '${aws:username}', "${aws:PrincipalTag/x, 'd*'}", 'iam:*', 's3:Get?bject']),
      () => this.pick(['Allow', 'Deny', '2012-10-17', '2008-10-17', 'true', '10.0.0.0/8', '::1', '2030-01-01', '1e400', 'QUJD']),
    ])();
  }

  value(depth: number): Json {
    const choice = this.int(depth > 3 ? 5 : 8);
    if (choice === 0) return this.int(3) === 0 ? this.random() * 1e20 : this.int(100);
    if (choice === 1) return this.random() < 0.5;
    if (choice === 2) return null;
    if (choice <= 4) return this.string();
    if (choice === 5) return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
    if (choice === 6) return Object.fromEntries(Array.from({ length: this.int(4) }, () => [this.key(), this.value(depth + 1)]));
    // Deep nesting.
    let nested: Json = this.string();
    for (let i = this.int(2000); i > 0; i--) nested = this.int(2) === 0 ? [nested] : { [this.key()]: nested };
    return nested;
  }

  key(): string {
    return this.pick([
      'Version', 'Statement', 'Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition',
      'AWS', 'Service', 'Federated', 'CanonicalUser', 'StringLike', 'StringNotLike', 'ArnLike', 'ArnEquals', 'StringEqualsIgnoreCase',
      'ForAllValues:StringLike', 'ForAnyValue:ArnNotLike', 'IpAddress', 'NumericEquals', 'DateLessThan', 'BinaryEquals', 'Bool', 'Null',
      'StringLikeIfExists', 'aws:TagKeys', 'aws:PrincipalTag/team', 'aws:SourceArn', 'aws:username', 's3:prefix', 'statement', 'Id', this.string(),
    ]);
  }

  /** One structural or textual change somewhere in the document. */
  mutate(node: Json, depth = 0): Json {
    if (Array.isArray(node)) {
      if (node.length > 0 && this.int(6) !== 0) {
        const i = this.int(node.length);
        return node.map((child, j) => (j === i ? this.mutate(child, depth + 1) : child));
      }
      return this.pick([() => [...node, this.value(depth)], () => node.slice(1), () => node[0] ?? this.value(depth), () => ({ x: node })])();
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node);
      // Mostly deeper: changes at the top make documents that only test the parser's first refusal.
      const op = entries.length > 0 ? this.int(12) : this.int(2);
      if (op === 0) return { ...node, [this.key()]: this.value(depth) };
      if (op === 1) return depth > 0 || this.int(4) === 0 ? [node] : node;
      const i = this.int(entries.length);
      const [key, child] = entries[i] as [string, Json];
      if (op === 2) return Object.fromEntries(entries.filter((_, j) => j !== i));
      if (op === 3) return Object.fromEntries(entries.map(([k, v], j) => (j === i ? [this.int(2) === 0 ? k.toUpperCase() : this.key(), v] : [k, v])));
      return { ...node, [key]: this.mutate(child, depth + 1) };
    }
    if (typeof node === 'string' && this.int(2) === 0) {
      const at = this.int(node.length + 1);
      return node.slice(0, at) + this.pick(['*', '?', '*a*a*a*a*a*a*a*a*a*b', '${', '}', ':', '/', '😀', this.string()]) + node.slice(at);
    }
    return this.value(depth);
  }

  /** A value the pattern (nearly) matches: wildcards filled in, the last character sometimes changed. */
  instance(pattern: string): string {
    const fills = pattern.split('*').length > 5 ? [0, 1, 2] : [0, 1, 64, 2048];
    const filled = pattern.replace(/\?/g, 'a').replace(/\*/g, () => 'a'.repeat(this.pick(fills)));
    return this.int(2) === 0 ? `${filled.slice(0, -1)}c` : filled;
  }

  request(strings: readonly string[]): DecisionRequest {
    const fromDoc = (): string => (strings.length > 0 ? this.instance(this.pick(strings)) : this.string());
    const principal = this.pick([`arn:aws:iam::${ACCT}:user/alice`, `arn:aws:sts::${ACCT}:assumed-role/dev/s`, ACCT, 'ec2.amazonaws.com', 'anonymous', this.string()]);
    const context: Record<string, string | string[] | boolean | number> = {};
    for (let i = this.int(4); i > 0; i--) {
      const key = this.key();
      context[key] = this.pick<() => string | string[] | boolean | number>([fromDoc, () => this.string(), () => [this.string(), fromDoc()], () => this.random() < 0.5, () => this.int(1e6)])();
    }
    return {
      principal,
      action: this.pick(['s3:GetObject', 'iam:GetUser', 'sts:AssumeRole', `iam:${'a'.repeat(2048)}`, this.string(), fromDoc()]),
      resource: this.pick(['*', 'arn:aws:s3:::b/k', `arn:aws:iam::${ACCT}:user/${'a'.repeat(2048)}`, `arn:${'a:'.repeat(1000)}${'a'.repeat(2048)}`, this.string(), fromDoc(), fromDoc()]),
      context,
    };
  }
}

function stringsOf(node: Json, out: string[] = [], depth = 0): string[] {
  if (typeof node === 'string') out.push(node);
  else if (node !== null && typeof node === 'object' && depth < 50) for (const child of Object.values(node)) stringsOf(child, out, depth + 1);
  return out;
}

function setFor(type: ValidatePolicyType, doc: Json): PolicySet {
  if (type === 'identity') return { identityPolicies: [doc], sessionPolicy: doc };
  if (type === 'scp') return { serviceControlPolicies: [{ target: 'r-root', policies: [doc] }], identityPolicies: [{ Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }] };
  return { resourcePolicy: doc };
}

test(`fuzzed policies: validate never throws, compile throws only MalformedPolicyError, evaluate answers within ${EVALUATION_LIMIT_MS} ms`, (t) => {
  const seed = Number(process.env['GATEHOUSE_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  t.diagnostic(`seed ${seed} (replay with GATEHOUSE_FUZZ_SEED=${seed})`);
  const fuzz = new Fuzzer(prng(seed));
  const started = performance.now();
  let iterations = 0;
  let compiled = 0;
  let slowest = 0;
  const where = (doc: Json, detail: string): string => `seed ${seed}, iteration ${iterations}: ${detail}; document ${JSON.stringify(doc).slice(0, 400)}`;
  while (performance.now() - started < BUDGET_MS) {
    iterations++;
    const { type, doc: base } = fuzz.pick(CORPUS);
    let doc: Json = base;
    for (let i = 1 + fuzz.int(3); i > 0; i--) doc = fuzz.mutate(doc);
    const input = fuzz.int(5) === 0 ? JSON.stringify(doc).slice(0, fuzz.int(3) === 0 ? fuzz.int(200) : undefined) : doc;

    try {
      validatePolicy(input, type, catalog, { managedPolicy: fuzz.int(2) === 0 });
    } catch (error) {
      assert.fail(where(doc, `validatePolicy threw ${String(error)}`));
    }

    let set;
    try {
      set = compilePolicies(setFor(type, input));
    } catch (error) {
      if (error instanceof MalformedPolicyError) {
        continue;
      }
      assert.fail(where(doc, `compilePolicies threw ${String(error)}`));
    }
    compiled++;
    const strings = stringsOf(doc).filter((text) => text.length < 50_000);
    for (let r = 0; r < 3; r++) {
      const request = fuzz.request(strings);
      let best = Infinity;
      // A garbage collection can pause one run: only the fastest of three counts against the limit.
      for (let k = 0; k < 3 && best >= EVALUATION_LIMIT_MS; k++) {
        const start = performance.now();
        try {
          set.evaluate(request, { explain: fuzz.int(4) === 0 });
        } catch (error) {
          assert.fail(where(doc, `evaluate threw ${String(error)} for ${JSON.stringify(request).slice(0, 300)}`));
        }
        best = Math.min(best, performance.now() - start);
      }
      slowest = Math.max(slowest, best);
      assert.ok(best < EVALUATION_LIMIT_MS, where(doc, `evaluate took ${best.toFixed(1)} ms for ${JSON.stringify(request).slice(0, 300)}`));
    }
  }
  t.diagnostic(`${iterations} documents, ${compiled} compiled, slowest evaluation ${slowest.toFixed(2)} ms`);
  assert.ok(compiled > 50, `only ${compiled} of ${iterations} documents compiled: the mutations are too destructive to test evaluate`);
});
