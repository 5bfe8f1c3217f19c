import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRoleTemplateCatalogue, parseRoleTemplateArn, placeholdersOf, RoleTemplateDefinitionError, type RoleTemplateVersionDefinition } from './catalogue.js';

const ARN = 'arn:aws:iam::aws:role-template/lambda.amazonaws.com/ExampleRoleTemplate:1';
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

function version(extra: Record<string, unknown> = {}): RoleTemplateVersionDefinition {
  return {
    TemplateArn: ARN,
    MinorVersion: 0,
    RoleNamePattern: 'Example-@{Department}',
    AssumeRolePolicyDocumentTemplate: TRUST,
    ParametersDefinition: [
      { Name: 'Department', Type: 'String', IsRequired: true },
      { Name: 'Buckets', Type: 'StringList' },
    ],
    ...extra,
  } as RoleTemplateVersionDefinition;
}

test('the ARN of a role template: service principal, name, major version', () => {
  assert.deepEqual(parseRoleTemplateArn(ARN), { servicePrincipal: 'lambda.amazonaws.com', name: 'ExampleRoleTemplate', majorVersion: 1 });
  for (const arn of [
    'arn:aws:iam::111122223333:role-template/lambda.amazonaws.com/X:1',
    'arn:aws:iam::aws:role-template/X:1',
    'arn:aws:iam::aws:role-template/lambda.amazonaws.com/X',
    'arn:aws:iam::aws:role-template/lambda.amazonaws.com/X:01',
    'arn:aws:iam::aws:policy/AdministratorAccess',
  ]) {
    assert.equal(parseRoleTemplateArn(arn), undefined, arn);
  }
});

test('placeholders are @{name}', () => {
  assert.deepEqual(placeholdersOf('a-@{x}-@{y.z}-{w}-@w'), ['x', 'y.z']);
});

test('minor versions of one ARN form one template; the default is the stated one, else the newest', () => {
  const catalogue = createRoleTemplateCatalogue([version(), version({ MinorVersion: 2, Description: 'two' }), { RoleTemplateVersion: version({ MinorVersion: 1 }) }]);
  const template = catalogue.get(ARN);
  assert.ok(template !== undefined);
  assert.deepEqual([...template.versions.keys()].sort(), [0, 1, 2]);
  assert.equal(template.defaultMinorVersion, 2);
  assert.equal(template.description, 'two');
  assert.equal(template.enabled, true);
  assert.equal(template.servicePrincipal, 'lambda.amazonaws.com');
  assert.equal(template.versions.get(0)?.rolePathPattern, '/');
  assert.equal(template.versions.get(0)?.trustPolicy.text, JSON.stringify(TRUST));
  const stated = createRoleTemplateCatalogue([version({ DefaultMinorVersion: 0 }), version({ MinorVersion: 3 })]);
  assert.equal(stated.get(ARN)?.defaultMinorVersion, 0);
  // ARNs are compared exactly: another case names no template.
  assert.equal(catalogue.get(ARN.replace('Example', 'example')), undefined);
});

test('an empty catalogue knows no template', () => {
  const empty = createRoleTemplateCatalogue([]);
  assert.equal(empty.get(ARN), undefined);
  assert.deepEqual(empty.list(), []);
});

const REFUSED: ReadonlyArray<[string, unknown[], RegExp]> = [
  ['not an object', ['x'], /must be an object/],
  ['an unknown member', [version({ Colour: 'red' })], /has no member Colour/],
  ['a TemplateArn that is none', [version({ TemplateArn: 'arn:aws:iam::aws:policy/X' })], /is not a role template ARN/],
  ['no MinorVersion', [{ ...version(), MinorVersion: undefined }], /MinorVersion is required/],
  ['a negative MinorVersion', [version({ MinorVersion: -1 })], /MinorVersion must be an integer/],
  ['the same minor version twice', [version(), version()], /defined twice/],
  ['a TemplateName other than the ARN\'s', [version({ TemplateName: 'Other' })], /TemplateName must be ExampleRoleTemplate/],
  ['a MajorVersion other than the ARN\'s', [version({ MajorVersion: 2 })], /MajorVersion must be 1/],
  ['a ManagedByValue other than the ARN\'s', [version({ ManagedByValue: 'ec2.amazonaws.com' })], /ManagedByValue must be lambda.amazonaws.com/],
  ['a ManagedByType other than Service', [version({ ManagedByType: 'Customer' })], /ManagedByType must be Service/],
  ['descriptions that disagree', [version({ Description: 'a' }), version({ MinorVersion: 1, Description: 'b' })], /Description differs/],
  ['a default minor version that does not exist', [version({ DefaultMinorVersion: 7 })], /DefaultMinorVersion 7 is not one of its minor versions/],
  ['no RoleNamePattern', [{ ...version(), RoleNamePattern: undefined }], /RoleNamePattern is required/],
  ['a trust policy that is not JSON', [version({ AssumeRolePolicyDocumentTemplate: '{"Version":' })], /is not JSON/],
  ['a trust policy with characters beyond U+00FF', [version({ AssumeRolePolicyDocumentTemplate: '{"a":"€"}' })], /U\+00FF/],
  ['a path pattern that is no path', [version({ RolePathPattern: 'service-role' })], /RolePathPattern/],
  ['a parameter of an unknown type', [version({ ParametersDefinition: [{ Name: 'Department', Type: 'Integer' }] })], /Type must be one of/],
  ['a parameter defined twice', [version({ ParametersDefinition: [{ Name: 'Department', Type: 'String' }, { Name: 'Department', Type: 'String' }] })], /parameter Department is defined twice/],
  ['a parameter name with a brace', [version({ ParametersDefinition: [{ Name: 'a}b', Type: 'String' }] })], /Name/],
  ['a placeholder naming no parameter', [version({ RoleNamePattern: 'Example-@{Team}' })], /RoleNamePattern uses @\{Team\}, which is no parameter/],
  ['a list parameter in the name', [version({ RoleNamePattern: 'Example-@{Buckets}' })], /list parameter @\{Buckets\} where one value is expected/],
  ['a list parameter in a tag', [version({ RoleTagsTemplate: [{ Key: 'b', Value: '@{Buckets}' }] })], /RoleTagsTemplate\[0\]\.Value uses the list parameter/],
  [
    'a list parameter within a longer policy string',
    [version({ InlinePolicyTemplates: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Resource: 'arn:aws:s3:::@{Buckets}' }] } }] })],
    /inline policy p uses the list parameter/,
  ],
  [
    'a list parameter as a policy key',
    [version({ InlinePolicyTemplates: [{ PolicyName: 'p', PolicyDocument: { '@{Buckets}': 'x' } }] })],
    /inline policy p \(a key\) uses the list parameter/,
  ],
  ['an inline policy name IAM refuses', [version({ InlinePolicyTemplates: [{ PolicyName: 'a b', PolicyDocument: TRUST }] })], /PolicyName/],
  ['two inline policies of one name', [version({ InlinePolicyTemplates: [{ PolicyName: 'p', PolicyDocument: TRUST }, { PolicyName: 'P', PolicyDocument: TRUST }] })], /defined twice/],
  ['a managed policy ARN that is none', [version({ ManagedPolicyArns: ['arn:aws:s3:::bucket'] })], /ManagedPolicyArns\[0\] must be an IAM policy ARN/],
  ['a session duration out of range', [version({ MaxSessionDuration: 60 })], /MaxSessionDuration must be an integer from 3600 to 43200/],
  ['more than 50 tags', [version({ RoleTagsTemplate: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) })], /more than 50/],
  ['a date that is none', [version({ CreateTimestamp: 'yesterday' })], /CreateTimestamp must be an ISO 8601 date/],
  ['a TemplateVersionId IAM would not return', [version({ TemplateVersionId: 'short' })], /TemplateVersionId/],
];

for (const [name, definitions, message] of REFUSED) {
  test(`a definition is refused: ${name}`, () => {
    assert.throws(() => createRoleTemplateCatalogue(definitions), (error: unknown) => error instanceof RoleTemplateDefinitionError && message.test(error.message));
  });
}

test('a list parameter standing alone as a policy string is admitted', () => {
  const catalogue = createRoleTemplateCatalogue([
    version({ InlinePolicyTemplates: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: ['@{Buckets}', 'arn:aws:s3:::fixed'] }] } }] }),
  ]);
  assert.equal(catalogue.get(ARN)?.versions.get(0)?.inlinePolicies[0]?.name, 'p');
});
