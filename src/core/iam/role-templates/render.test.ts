import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '../../errors.js';
import { createRoleTemplateCatalogue, type RoleTemplateVersion } from './catalogue.js';
import { renderPolicy, renderText, replacementEntries, resolveParameters } from './render.js';

const ARN = 'arn:aws:iam::aws:role-template/s3.amazonaws.com/Reader:1';

function versionWith(parameters: unknown[], policy: unknown = { Statement: [] }): RoleTemplateVersion {
  const catalogue = createRoleTemplateCatalogue([
    {
      TemplateArn: ARN,
      MinorVersion: 0,
      RoleNamePattern: 'Reader',
      AssumeRolePolicyDocumentTemplate: { Statement: [] },
      InlinePolicyTemplates: [{ PolicyName: 'p', PolicyDocument: policy }],
      ParametersDefinition: parameters,
    },
  ]);
  const version = catalogue.get(ARN)?.versions.get(0);
  assert.ok(version !== undefined);
  return version;
}

const invalid = (message: RegExp) => (error: unknown) => error instanceof ServiceError && error.code === 'InvalidInput' && error.status === 400 && message.test(error.message);

test('ReplacementValues become a Map of their own entries: __proto__ and constructor are keys like any other', () => {
  const sent = JSON.parse('{"__proto__":{"Values":["a"]},"constructor":{"Values":["b"]},"x":{"Values":["c",7]}}') as unknown;
  const entries = replacementEntries(sent);
  assert.deepEqual([...entries], [['__proto__', ['a']], ['constructor', ['b']], ['x', ['c']]]);
  assert.equal(({} as Record<string, unknown>)['a'], undefined);
  assert.deepEqual([...replacementEntries(undefined)], []);
});

test('a key that names no parameter is refused, whether __proto__, constructor or a typo', () => {
  const version = versionWith([{ Name: 'Bucket', Type: 'String' }]);
  for (const key of ['__proto__', 'constructor', 'toString', 'bucket']) {
    assert.throws(() => resolveParameters(version, new Map([[key, ['x']]]), ARN), invalid(new RegExp(`^${key} is not a parameter of the role template`)), key);
  }
});

test('values: given, else the default, else none; required parameters must be given or defaulted', () => {
  const version = versionWith([
    { Name: 'Bucket', Type: 'String', IsRequired: true },
    { Name: 'Prefix', Type: 'String', DefaultValue: 'logs' },
    { Name: 'Other', Type: 'String' },
    { Name: 'Ids', Type: 'NumberList', DefaultValue: '7' },
  ]);
  const resolved = resolveParameters(version, new Map([['Bucket', ['b1']]]), ARN);
  assert.deepEqual([...resolved.values], [['Bucket', ['b1']], ['Prefix', ['logs']], ['Other', []], ['Ids', ['7']]]);
  assert.deepEqual([...resolved.lists], ['Ids']);
  assert.throws(() => resolveParameters(version, new Map(), ARN), invalid(/requires a value for the parameter Bucket/));
});

test('values are checked against their type', () => {
  const version = versionWith([
    { Name: 'S', Type: 'String' },
    { Name: 'N', Type: 'Number' },
    { Name: 'A', Type: 'Arn' },
    { Name: 'NL', Type: 'NumberList' },
    { Name: 'AL', Type: 'ArnList' },
  ]);
  const ok = resolveParameters(version, new Map([['S', ['x']], ['N', ['-1.5']], ['A', ['arn:aws:s3:::bucket']], ['NL', ['1', '2']], ['AL', ['arn:aws:iam::111122223333:root']]]), ARN);
  assert.deepEqual(ok.values.get('NL'), ['1', '2']);
  assert.throws(() => resolveParameters(version, new Map([['S', ['x', 'y']]]), ARN), invalid(/S is of type String and takes exactly one value, not 2/));
  assert.throws(() => resolveParameters(version, new Map([['N', ['1e3']]]), ARN), invalid(/1e3 of the parameter N is not a Number/));
  assert.throws(() => resolveParameters(version, new Map([['A', ['bucket']]]), ARN), invalid(/bucket of the parameter A is not an ARN/));
  assert.throws(() => resolveParameters(version, new Map([['NL', ['1', 'two']]]), ARN), invalid(/two of the parameter NL is not a Number/));
});

test('text patterns take the one value; an optional parameter without one is empty', () => {
  const version = versionWith([{ Name: 'Team', Type: 'String' }, { Name: 'Env', Type: 'String' }]);
  const values = resolveParameters(version, new Map([['Team', ['red']]]), ARN);
  assert.equal(renderText('app-@{Team}-@{Env}-@{Team}', values), 'app-red--red');
});

test('a value cannot break out of its JSON string in a policy document', () => {
  const version = versionWith([{ Name: 'Bucket', Type: 'String' }], { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::@{Bucket}/x' }] });
  const evil = 'b"}],"Statement":[{"Effect":"Allow","Action":"iam:PassRole';
  const values = resolveParameters(version, new Map([['Bucket', [evil]]]), ARN);
  const rendered = JSON.parse(renderPolicy(version.inlinePolicies[0]?.policy.tree, values)) as { Statement: Array<{ Resource: string }> };
  assert.equal(rendered.Statement.length, 1);
  assert.equal(rendered.Statement[0]?.Resource, `arn:aws:s3:::${evil}/x`);
});

test('a list parameter standing alone becomes a list, spread into an enclosing list', () => {
  const version = versionWith([{ Name: 'Buckets', Type: 'ArnList' }], { Statement: [{ Resource: ['@{Buckets}', 'arn:aws:s3:::fixed'], NotResource: '@{Buckets}' }] });
  const values = resolveParameters(version, new Map([['Buckets', ['arn:aws:s3:::a', 'arn:aws:s3:::b']]]), ARN);
  assert.equal(
    renderPolicy(version.inlinePolicies[0]?.policy.tree, values),
    '{"Statement":[{"Resource":["arn:aws:s3:::a","arn:aws:s3:::b","arn:aws:s3:::fixed"],"NotResource":["arn:aws:s3:::a","arn:aws:s3:::b"]}]}',
  );
});

test('values in policy documents bring no wildcard and no policy variable', () => {
  const version = versionWith([{ Name: 'Bucket', Type: 'String' }, { Name: 'Arns', Type: 'ArnList' }], { Statement: [{ Resource: ['arn:aws:s3:::@{Bucket}', '@{Arns}'] }] });
  const tree = version.inlinePolicies[0]?.policy.tree;
  for (const [name, value] of [['Bucket', '*'], ['Bucket', 'a?c'], ['Bucket', '${aws:username}'], ['Arns', 'arn:aws:s3:::*']] as const) {
    const values = resolveParameters(version, new Map([[name, [value]]]), ARN);
    assert.throws(() => renderPolicy(tree, values), invalid(new RegExp(`parameter ${name} may not contain`)), value);
  }
  // The same characters are the template's own to write.
  const own = versionWith([{ Name: 'Bucket', Type: 'String' }], { Statement: [{ Resource: 'arn:aws:s3:::@{Bucket}/*' }] });
  assert.equal(renderPolicy(own.inlinePolicies[0]?.policy.tree, resolveParameters(own, new Map([['Bucket', ['b']]]), ARN)), '{"Statement":[{"Resource":"arn:aws:s3:::b/*"}]}');
});

test('keys are substituted as data: __proto__ stays a key, a key made equal to another is refused', () => {
  const version = versionWith([{ Name: 'Key', Type: 'String' }], { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1', '@{Key}': 'x' } } });
  const tree = version.inlinePolicies[0]?.policy.tree;
  const proto = renderPolicy(tree, resolveParameters(version, new Map([['Key', ['__proto__']]]), ARN));
  assert.equal(proto, '{"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1","__proto__":"x"}}}');
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.throws(
    () => renderPolicy(tree, resolveParameters(version, new Map([['Key', ['aws:RequestedRegion']]]), ARN)),
    invalid(/would have the key aws:RequestedRegion twice/),
  );
});

test('a template key __proto__ from JSON text stays a key', () => {
  const version = versionWith([], '{"Statement":[],"__proto__":{"polluted":true}}');
  const rendered = renderPolicy(version.inlinePolicies[0]?.policy.tree, resolveParameters(version, new Map(), ARN));
  assert.equal(rendered, '{"Statement":[],"__proto__":{"polluted":true}}');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
