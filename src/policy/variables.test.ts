// Policy variables in Resource and Condition values, through the public API.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicies, type PolicySet } from './engine.js';
import type { DecisionRequest } from './context.js';
import { hasVariable } from './validate-context.js';
import { nextReference, parseTemplate } from './variables.js';

const ACCT = '111122223333';
const DAVID = `arn:aws:iam::${ACCT}:user/David`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/Dev/david-session`;

interface VariableCase {
  readonly name: string;
  readonly version?: string | null;
  /** The statement under test (Effect Allow is added). */
  readonly statement: Record<string, unknown>;
  readonly request: DecisionRequest;
  /** Policies of the set other than the identity policy, e.g. a bucket policy for anonymous callers. */
  readonly asResourcePolicy?: boolean;
  readonly expected: 'Allowed' | 'ImplicitlyDenied';
  readonly todo?: string;
}

function decide(c: VariableCase): string {
  const version = c.version === undefined ? '2012-10-17' : c.version;
  const policy = { ...(version === null ? {} : { Version: version }), Statement: [{ Effect: 'Allow', ...c.statement }] };
  const set: PolicySet = c.asResourcePolicy === true ? { resourcePolicy: policy } : { identityPolicies: [policy] };
  return compilePolicies(set).evaluate(c.request).decision;
}

function run(title: string, cases: readonly VariableCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, c.todo !== undefined ? { todo: c.todo } : {}, () => assert.equal(decide(c), c.expected));
    }
  });
}

const homeObjects = { Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::mybucket/${aws:username}/*'] };
const get = (principal: string, resource: string, extra: Partial<DecisionRequest> = {}): DecisionRequest => ({
  principal,
  action: 's3:GetObject',
  resource,
  ...extra,
});

// IAM policy elements: Variables and tags — "Introduction" (arn:aws:s3:::mybucket/${aws:username}/* replaced with the
// friendly name of the current user), the Note on Version (without Version 2012-10-17, variables are literal
// strings), "Resource element" (variables in the resource part of the ARN; the ${aws:username}-queue example and
// ${aws:PrincipalTag/department}), "Principal key values" (aws:username is not present for role sessions: "any
// attempt to match it fails"), and "Key names are case-insensitive".
run('Variables in the Resource element', [
  { name: "${aws:username}: the user's own folder", statement: homeObjects, request: get(DAVID, 'arn:aws:s3:::mybucket/David/notes.txt'), expected: 'Allowed' },
  { name: "${aws:username}: another user's folder", statement: homeObjects, request: get(DAVID, 'arn:aws:s3:::mybucket/Maria/notes.txt'), expected: 'ImplicitlyDenied' },
  { name: '${aws:username}: the value is compared case-sensitively', statement: homeObjects, request: get(DAVID, 'arn:aws:s3:::mybucket/david/notes.txt'), expected: 'ImplicitlyDenied' },
  { name: '${aws:username}: not present for a role session, the statement does not apply', statement: homeObjects, request: get(SESSION, 'arn:aws:s3:::mybucket/david-session/notes.txt'), expected: 'ImplicitlyDenied' },
  { name: 'variable name is case-insensitive (${AWS:UserName})', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::mybucket/${AWS:UserName}/*' }, request: get(DAVID, 'arn:aws:s3:::mybucket/David/x'), expected: 'Allowed' },
  { name: 'wildcards around a variable keep their meaning (${aws:username}-queue)', statement: { Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-2:*:${aws:username}-queue' }, request: { principal: DAVID, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCT}:David-queue` }, expected: 'Allowed' },
  { name: '${aws:username}-queue: another user’s queue', statement: { Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-2:*:${aws:username}-queue' }, request: { principal: DAVID, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCT}:Maria-queue` }, expected: 'ImplicitlyDenied' },
  { name: '${aws:PrincipalTag/department}: tag value names the bucket', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:PrincipalTag/department}' }, request: get(DAVID, 'arn:aws:s3:::bucket/HR', { context: { 'aws:PrincipalTag/department': 'HR' } }), expected: 'Allowed' },
  { name: '${aws:PrincipalTag/department}: untagged principal, statement does not apply', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:PrincipalTag/department}' }, request: get(DAVID, 'arn:aws:s3:::bucket/HR'), expected: 'ImplicitlyDenied' },
  { name: 'without Version, ${aws:username} is literal text (literal request matches)', version: null, statement: homeObjects, request: get(DAVID, 'arn:aws:s3:::mybucket/${aws:username}/x'), expected: 'Allowed' },
  { name: 'without Version, ${aws:username} is not substituted', version: null, statement: homeObjects, request: get(DAVID, 'arn:aws:s3:::mybucket/David/x'), expected: 'ImplicitlyDenied' },
  { name: 'with Version 2008-10-17, ${aws:username} is not substituted', version: '2008-10-17', statement: homeObjects, request: get(DAVID, 'arn:aws:s3:::mybucket/David/x'), expected: 'ImplicitlyDenied' },
]);

// IAM policy elements: Variables and tags — "Special characters": ${*}, ${?} and ${$} stand for a literal *, ? and $
// where the character would otherwise be a wildcard (or start a variable).
run('Special characters ${*}, ${?}, ${$}', [
  { name: '${*} matches a literal asterisk', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/star${*}name' }, request: get(DAVID, 'arn:aws:s3:::bucket/star*name'), expected: 'Allowed' },
  { name: '${*} is not a wildcard', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/star${*}name' }, request: get(DAVID, 'arn:aws:s3:::bucket/starXYZname'), expected: 'ImplicitlyDenied' },
  { name: '${?} matches a literal question mark', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/what${?}' }, request: get(DAVID, 'arn:aws:s3:::bucket/what?'), expected: 'Allowed' },
  { name: '${?} is not a wildcard', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/what${?}' }, request: get(DAVID, 'arn:aws:s3:::bucket/whatX'), expected: 'ImplicitlyDenied' },
  { name: '${$} matches a literal dollar sign', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/price${$}' }, request: get(DAVID, 'arn:aws:s3:::bucket/price$'), expected: 'Allowed' },
  { name: '${*} in a StringEquals condition value', statement: { Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/label': 'a${*}b' } } }, request: get(DAVID, 'arn:aws:s3:::bucket/x', { context: { 'aws:PrincipalTag/label': 'a*b' } }), expected: 'Allowed' },
  { name: '${*} in a StringLike condition value is literal', statement: { Action: 's3:GetObject', Resource: '*', Condition: { StringLike: { 'aws:PrincipalTag/label': 'a${*}b' } } }, request: get(DAVID, 'arn:aws:s3:::bucket/x', { context: { 'aws:PrincipalTag/label': 'aXb' } }), expected: 'ImplicitlyDenied' },
]);

// IAM policy elements: Variables and tags — "Specifying default values": ${key, 'default'} uses the default when the
// key is absent (the ${aws:userid, 'anonymous'} example for anonymous callers).
run('Default values', [
  { name: 'default used when the tag is missing', statement: { Action: 's3:GetObject', Resource: "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*" }, request: get(DAVID, 'arn:aws:s3:::bucket/company-wide/x'), expected: 'Allowed' },
  { name: 'tag value used when present', statement: { Action: 's3:GetObject', Resource: "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*" }, request: get(DAVID, 'arn:aws:s3:::bucket/red/x', { context: { 'aws:PrincipalTag/team': 'red' } }), expected: 'Allowed' },
  { name: 'default not used when the tag is present', statement: { Action: 's3:GetObject', Resource: "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*" }, request: get(DAVID, 'arn:aws:s3:::bucket/company-wide/x', { context: { 'aws:PrincipalTag/team': 'red' } }), expected: 'ImplicitlyDenied' },
  { name: "anonymous caller: ${aws:userid, 'anonymous'} in a bucket policy", asResourcePolicy: true, statement: { Principal: '*', Action: 's3:GetObject', Resource: "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}/*" }, request: get('anonymous', 'arn:aws:s3:::bucket/anonymous/readme'), expected: 'Allowed' },
  { name: 'default in a condition value', statement: { Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:prefix': "${aws:PrincipalTag/home, 'public'}/" } } }, request: get(DAVID, 'arn:aws:s3:::bucket/x', { context: { 's3:prefix': 'public/' } }), expected: 'Allowed' },
]);

// IAM policy elements: Variables and tags — "Condition element": variables in String and ARN operator values (not
// Numeric, Date, Boolean, Binary, IP or Null); a variable whose key is missing makes the match fail.
// Single-valued vs. multivalued context keys — a multivalued key cannot be used as a policy variable.
run('Variables in Condition values', [
  { name: 'StringLike s3:prefix ${aws:username}/* (own prefix)', statement: { Action: 's3:ListBucket', Resource: 'arn:aws:s3:::mybucket', Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } } }, request: { principal: DAVID, action: 's3:ListBucket', resource: 'arn:aws:s3:::mybucket', context: { 's3:prefix': 'David/docs/' } }, expected: 'Allowed' },
  { name: 'StringLike s3:prefix ${aws:username}/* (other prefix)', statement: { Action: 's3:ListBucket', Resource: 'arn:aws:s3:::mybucket', Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } } }, request: { principal: DAVID, action: 's3:ListBucket', resource: 'arn:aws:s3:::mybucket', context: { 's3:prefix': 'Maria/' } }, expected: 'ImplicitlyDenied' },
  { name: 'StringEquals with a tag variable on both sides of the comparison', statement: { Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:ExistingObjectTag/owner': '${aws:PrincipalTag/owner}' } } }, request: get(DAVID, 'arn:aws:s3:::b/x', { context: { 's3:ExistingObjectTag/owner': 'ops', 'aws:PrincipalTag/owner': 'ops' } }), expected: 'Allowed' },
  { name: 'StringEquals with a variable whose key is missing fails', statement: { Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:ExistingObjectTag/owner': '${aws:PrincipalTag/owner}' } } }, request: get(DAVID, 'arn:aws:s3:::b/x', { context: { 's3:ExistingObjectTag/owner': 'ops' } }), expected: 'ImplicitlyDenied' },
  { name: 'ArnEquals aws:PrincipalArn with ${aws:username}', statement: { Action: 's3:GetObject', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:user/\${aws:username}` } } }, request: get(DAVID, 'arn:aws:s3:::b/x'), expected: 'Allowed' },
  { name: 'aws:userid variable from the principal ID', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:userid}/*' }, request: get(DAVID, 'arn:aws:s3:::home/AIDAJQABLZS4A3QDU576Q/x', { principalId: 'AIDAJQABLZS4A3QDU576Q' }), expected: 'Allowed' },
  { name: 'Numeric operators do not substitute variables', statement: { Action: 's3:ListBucket', Resource: '*', Condition: { NumericEquals: { 's3:max-keys': '${aws:PrincipalTag/limit}' } } }, request: { principal: DAVID, action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:max-keys': '10', 'aws:PrincipalTag/limit': '10' } }, expected: 'ImplicitlyDenied' },
  { name: 'a multivalued key cannot be used as a variable', statement: { Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:TagKeys}' }, request: get(DAVID, 'arn:aws:s3:::bucket/a', { context: { 'aws:TagKeys': ['a', 'b'] } }), expected: 'ImplicitlyDenied' },
]);

// `${` references are found in linear time: an unclosed `${` used to make the scan start over from every later one.
describe('finding ${…} references', () => {
  const cases = [
    { name: 'a reference', text: 'a${x}b', expected: [['x', 1, 5]] },
    { name: 'the first } closes, whatever opened in between', text: '${a${b}c}', expected: [['a${b', 0, 7]] },
    { name: 'scanning resumes after the closing }', text: '${a}${b}', expected: [['a', 0, 4], ['b', 4, 8]] },
    { name: 'an unclosed ${ ends the scan', text: 'x${a${b', expected: [] },
    { name: 'a } before the ${ does not close it', text: '}${a', expected: [] },
    { name: 'an empty reference', text: '${}', expected: [['', 0, 3]] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const found: [string, number, number][] = [];
      for (let ref = nextReference(c.text, 0); ref !== undefined; ref = nextReference(c.text, ref.end)) found.push([ref.body, ref.at, ref.end]);
      assert.deepEqual(found, c.expected);
    });
  }

  test('200,000 characters of unclosed ${ parse, compile and validate in linear time', () => {
    const text = `arn:aws:s3:::b/${'${'.repeat(100_000)}`;
    const start = performance.now();
    parseTemplate(text, '2012-10-17');
    assert.equal(hasVariable(text), false);
    const set = compilePolicies({ identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: text }] }] });
    assert.equal(set.evaluate(get(DAVID, 'arn:aws:s3:::b/x')).decision, 'ImplicitlyDenied');
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 200, `took ${elapsed.toFixed(0)} ms`);
  });
});
