// Property tests over small random policy sets. The alphabet of actions, resources, principals and condition values
// is tiny so that statements actually match requests; a sanity check asserts that a fair share of the generated
// cases is Allowed, so the monotonicity properties are not vacuous.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { DecisionRequest } from './context.js';
import { compilePolicies, type PolicySet } from './engine.js';
import { compileArnGlob, compileGlob, compileTextGlob, referenceGlobMatch } from './wildcard.js';

const ACCT = '111122223333';
const OTHER = '444455556666';
const PRINCIPALS = [
  `arn:aws:iam::${ACCT}:user/alice`,
  `arn:aws:sts::${ACCT}:assumed-role/dev/s1`,
  `arn:aws:iam::${OTHER}:user/zed`,
  ACCT,
] as const;
const ACTIONS = ['s3:GetObject', 's3:PutObject', 'sqs:SendMessage'] as const;
const RESOURCES = ['arn:aws:s3:::b1/k', 'arn:aws:s3:::b2/k'] as const;

type Json = Record<string, unknown>;

const actionPattern = fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:*', 's3:Get*', 'sqs:SendMessage', '*', 's3:?utObject');
const resourcePattern = fc.constantFrom('*', 'arn:aws:s3:::b1/*', 'arn:aws:s3:::b2/k', 'arn:aws:s3:::b?/*', 'arn:aws:s3:::*');
const condition = fc.option(
  fc.constantFrom<Json>(
    { StringEquals: { 'aws:PrincipalTag/team': 'red' } },
    { StringNotEquals: { 'aws:PrincipalTag/team': 'red' } },
    { Bool: { 'aws:SecureTransport': 'true' } },
    { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'blue' } },
    { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['a*'] } },
    { Null: { 'aws:PrincipalTag/team': 'false' } },
  ),
  { freq: 3 },
);

function statement(withPrincipal: boolean): fc.Arbitrary<Json> {
  const principal = fc.constantFrom<unknown>('*', { AWS: ACCT }, { AWS: OTHER }, { AWS: PRINCIPALS[0] }, { AWS: `arn:aws:iam::${ACCT}:role/dev` }, { AWS: PRINCIPALS[1] }, { AWS: PRINCIPALS[2] });
  return fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      action: fc.array(actionPattern, { minLength: 1, maxLength: 2 }),
      notAction: fc.boolean(),
      resource: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
      principal,
      condition,
    })
    .map((s) => ({
      Effect: s.effect,
      ...(s.notAction && s.effect === 'Deny' ? { NotAction: s.action } : { Action: s.action }),
      Resource: s.resource,
      ...(withPrincipal ? { Principal: s.principal } : {}),
      ...(s.condition !== null ? { Condition: s.condition } : {}),
    }));
}

const policy = (withPrincipal: boolean): fc.Arbitrary<Json> =>
  fc.array(statement(withPrincipal), { minLength: 1, maxLength: 3 }).map((Statement) => ({ Version: '2012-10-17', Statement }));

/** Policy sets as plain data, so that statements can be added or removed before compiling. */
interface SetShape {
  identityPolicies: Json[];
  permissionsBoundary: Json | null;
  sessionPolicy: Json | null;
  resourcePolicy: Json | null;
  scp: Json[];
  managementAccountId: string | undefined;
}

const setShape: fc.Arbitrary<SetShape> = fc.record({
  identityPolicies: fc.array(policy(false), { minLength: 0, maxLength: 2 }),
  permissionsBoundary: fc.option(policy(false), { freq: 3 }),
  sessionPolicy: fc.option(policy(false), { freq: 3 }),
  resourcePolicy: fc.option(policy(true), { freq: 2 }),
  scp: fc.array(policy(false), { minLength: 0, maxLength: 2 }),
  managementAccountId: fc.constantFrom(undefined, undefined, ACCT),
});

const request: fc.Arbitrary<DecisionRequest> = fc
  .record({
    principal: fc.constantFrom(...PRINCIPALS),
    action: fc.constantFrom(...ACTIONS),
    resource: fc.constantFrom(...RESOURCES),
    crossAccount: fc.boolean(),
    team: fc.option(fc.constantFrom('red', 'blue'), { freq: 2 }),
    secure: fc.boolean(),
    tagKeys: fc.option(fc.array(fc.constantFrom('ab', 'b', 'a'), { maxLength: 2 }), { freq: 2 }),
  })
  .map((r) => ({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    resourceAccount: r.crossAccount ? OTHER : ACCT,
    context: {
      'aws:SecureTransport': r.secure,
      ...(r.team !== null ? { 'aws:PrincipalTag/team': r.team } : {}),
      ...(r.tagKeys !== null ? { 'aws:TagKeys': r.tagKeys } : {}),
    },
  }));

function toSet(shape: SetShape): PolicySet {
  return {
    identityPolicies: shape.identityPolicies,
    permissionsBoundary: shape.permissionsBoundary,
    sessionPolicy: shape.sessionPolicy,
    resourcePolicy: shape.resourcePolicy,
    serviceControlPolicies: shape.scp.map((p, i) => ({ target: `level-${i}`, policies: [p] })),
    ...(shape.managementAccountId !== undefined ? { managementAccountId: shape.managementAccountId } : {}),
  };
}

const decide = (shape: SetShape, r: DecisionRequest): string => compilePolicies(toSet(shape)).evaluate(r).decision;

/** Every policy slot of a shape, with a setter that returns a modified copy. */
type Slot = { readonly doc: Json; readonly withPrincipal: boolean; replace(doc: Json): SetShape };
function slots(shape: SetShape): Slot[] {
  const out: Slot[] = [];
  shape.identityPolicies.forEach((doc, i) =>
    out.push({ doc, withPrincipal: false, replace: (d) => ({ ...shape, identityPolicies: shape.identityPolicies.map((p, j) => (j === i ? d : p)) }) }),
  );
  shape.scp.forEach((doc, i) => out.push({ doc, withPrincipal: false, replace: (d) => ({ ...shape, scp: shape.scp.map((p, j) => (j === i ? d : p)) }) }));
  for (const key of ['permissionsBoundary', 'sessionPolicy', 'resourcePolicy'] as const) {
    const doc = shape[key];
    if (doc !== null) out.push({ doc, withPrincipal: key === 'resourcePolicy', replace: (d) => ({ ...shape, [key]: d }) });
  }
  return out;
}

const statementsOf = (doc: Json): Json[] => doc['Statement'] as Json[];

describe('policy evaluation properties', () => {
  test('the generator produces a useful mix of decisions', (t) => {
    const samples = fc.sample(fc.tuple(setShape, request), { numRuns: 2000, seed: 42 });
    const counts = { Allowed: 0, ExplicitlyDenied: 0, ImplicitlyDenied: 0 } as Record<string, number>;
    for (const [shape, r] of samples) {
      const d = decide(shape, r);
      counts[d] = (counts[d] ?? 0) + 1;
    }
    const share = (k: string): number => (counts[k] ?? 0) / samples.length;
    t.diagnostic(`decision shares: ${JSON.stringify(counts)} of ${samples.length}`);
    assert.ok(share('Allowed') >= 0.1, `Allowed share ${share('Allowed')}`);
    assert.ok(share('ExplicitlyDenied') >= 0.05, `ExplicitlyDenied share ${share('ExplicitlyDenied')}`);
    assert.ok(share('ImplicitlyDenied') >= 0.1, `ImplicitlyDenied share ${share('ImplicitlyDenied')}`);
  });

  // Policy evaluation logic: an explicit deny in any policy overrides any allow.
  test('adding a Deny statement never turns a decision into Allowed', () => {
    fc.assert(
      fc.property(setShape, request, fc.nat(), statement(false), statement(true), (shape, r, pick, plain, withPrincipal) => {
        const all = slots(shape);
        fc.pre(all.length > 0);
        const slot = all[pick % all.length] as Slot;
        const added = { ...(slot.withPrincipal ? withPrincipal : plain), Effect: 'Deny' };
        const changed = slot.replace({ ...slot.doc, Statement: [...statementsOf(slot.doc), added] });
        const before = decide(shape, r);
        const after = decide(changed, r);
        if (before !== 'Allowed') assert.notEqual(after, 'Allowed', `${before} became Allowed`);
        if (before === 'ExplicitlyDenied') assert.equal(after, 'ExplicitlyDenied');
      }),
      { numRuns: 600, seed: 7 },
    );
  });

  // Policy evaluation logic: requests are implicitly denied unless some Allow grants them.
  test('removing an Allow statement never turns a decision into Allowed', () => {
    fc.assert(
      fc.property(setShape, request, fc.nat(), fc.nat(), (shape, r, pickSlot, pickStatement) => {
        // Only from documents that keep at least one statement: removing a whole boundary, session policy or SCP
        // level would remove a limit, which is not what this property is about.
        const candidates = slots(shape).filter((s) => statementsOf(s.doc).length > 1 && statementsOf(s.doc).some((st) => st['Effect'] === 'Allow'));
        fc.pre(candidates.length > 0);
        const slot = candidates[pickSlot % candidates.length] as Slot;
        const statements = statementsOf(slot.doc);
        const allowIndexes = statements.flatMap((st, i) => (st['Effect'] === 'Allow' ? [i] : []));
        const drop = allowIndexes[pickStatement % allowIndexes.length] as number;
        const changed = slot.replace({ ...slot.doc, Statement: statements.filter((_, i) => i !== drop) });
        const before = decide(shape, r);
        const after = decide(changed, r);
        if (before !== 'Allowed') assert.notEqual(after, 'Allowed', `${before} became Allowed`);
      }),
      { numRuns: 600, seed: 11 },
    );
  });

  test('explain does not change the decision', () => {
    fc.assert(
      fc.property(setShape, request, (shape, r) => {
        const set = compilePolicies(toSet(shape));
        const plain = set.evaluate(r);
        const explained = set.evaluate(r, { explain: true });
        assert.equal(explained.decision, plain.decision);
        assert.deepEqual(explained.decidedBy, plain.decidedBy);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe('compiled matchers agree with referenceGlobMatch', () => {
  const patternChars = fc.constantFrom('a', 'b', 'A', '*', '?', '/', '.', '-');
  const valueChars = fc.constantFrom('a', 'b', 'A', 'B', '/', '.', '-', '*', '?');
  const pattern = fc.array(patternChars, { maxLength: 8 }).map((cs) => cs.join(''));
  const value = fc.array(valueChars, { maxLength: 10 }).map((cs) => cs.join(''));
  // Values built from the pattern so that matches are common.
  const related = pattern.chain((p) =>
    fc.tuple(fc.constant(p), fc.array(fc.constantFrom('', 'a', 'ab', 'B/', '.'), { minLength: p.length, maxLength: p.length })).map(([pat, fills]) => ({
      pattern: pat,
      value: [...pat].map((ch, i) => (ch === '*' ? (fills[i] ?? '') : ch === '?' ? (fills[i] ?? 'a').slice(0, 1) || 'x' : ch)).join(''),
    })),
  );
  const pairs = fc.oneof(fc.record({ pattern, value }), related);

  test('the generated pairs match often enough', (t) => {
    const samples = fc.sample(pairs, { numRuns: 2000, seed: 5 });
    const matches = samples.filter((s) => referenceGlobMatch(s.pattern, s.value)).length;
    t.diagnostic(`matching pairs: ${matches} of ${samples.length}`);
    assert.ok(matches / samples.length >= 0.25, `match share ${matches / samples.length}`);
  });

  test('compileTextGlob (case sensitive)', () => {
    fc.assert(fc.property(pairs, ({ pattern: p, value: v }) => compileTextGlob(p)(v) === referenceGlobMatch(p, v)), { numRuns: 3000, seed: 1 });
  });

  test('compileTextGlob (ignoreCase)', () => {
    fc.assert(fc.property(pairs, ({ pattern: p, value: v }) => compileTextGlob(p, { ignoreCase: true })(v) === referenceGlobMatch(p, v, true)), { numRuns: 3000, seed: 2 });
  });

  test('compileGlob with one wild part', () => {
    fc.assert(fc.property(pairs, ({ pattern: p, value: v }) => compileGlob([{ value: p, wild: true }])(v) === referenceGlobMatch(p, v)), { numRuns: 3000, seed: 3 });
  });

  test('compileArnGlob for patterns without colons', () => {
    fc.assert(fc.property(pairs, ({ pattern: p, value: v }) => compileArnGlob([{ value: p, wild: true }])(v) === referenceGlobMatch(p, v)), { numRuns: 3000, seed: 4 });
  });
});
