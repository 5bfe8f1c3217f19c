import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../core/errors.js';
import { inputShape, operation, serviceModel, type ServiceName } from './model.js';
import {
  codePointLength,
  compilePattern,
  inputViolations,
  javaPatternToJs,
  validateInput,
  validationFailure,
} from './validate-input.js';

const PATH_TEXT =
  'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';

function messageFor(service: ServiceName, action: string, params: Record<string, unknown>): string | undefined {
  const op = operation(service, action);
  assert.ok(op !== undefined);
  const input = inputShape(service, op);
  assert.ok(input !== undefined);
  const violations = inputViolations(service, input, params);
  return violations.length === 0 ? undefined : validationFailure(violations).message;
}

describe('javaPatternToJs', () => {
  it('translates the Java escapes the models use', () => {
    const cases = [
      { java: '[\\w+=,.@-]+', js: '[\\w+=,.@-]+' },
      { java: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', js: '[\\u{0009}\\u{000A}\\u{000D}\\u{0020}-\\u{00FF}]+' },
      { java: '[\\uE000-\\uFFFD\\u10000-\\u10FFFF]+', js: '[\\u{E000}-\\u{FFFD}\\u{10000}-\\u{10FFFF}]+' },
      { java: '[\\w+=,.@\\:-]*', js: '[\\w+=,.@:-]*' },
      { java: '[\\w+=,.@:\\/-]*', js: '[\\w+=,.@:\\/-]*' },
      { java: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+', js: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
      { java: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', js: '(\\u{002F})|(\\u{002F}[\\u{0021}-\\u{007E}]+\\u{002F})' },
      { java: '\\d{12}', js: '\\d{12}' },
    ];
    for (const c of cases) assert.equal(javaPatternToJs(c.java), c.js, c.java);
  });

  it('compiles every pattern in both models', () => {
    for (const service of ['iam', 'sts'] as const) {
      for (const [name, s] of Object.entries(serviceModel(service).shapes)) {
        if (s.type === 'string' && s.pattern !== undefined) {
          assert.doesNotThrow(() => compilePattern(s.pattern as string), `${service} ${name}: ${s.pattern}`);
        }
      }
    }
  });

  it('matches whole values only, as Java matches() does', () => {
    const cases = [
      { pattern: '[\\w+=,.@-]+', value: 'bob', ok: true },
      { pattern: '[\\w+=,.@-]+', value: 'bob+x=y,z.w@e-f_g', ok: true },
      { pattern: '[\\w+=,.@-]+', value: 'a/b', ok: false },
      { pattern: '[\\w+=,.@-]+', value: 'bob ', ok: false },
      { pattern: '[\\w+=,.@-]+', value: 'bøb', ok: false },
      { pattern: '[\\w+=,.@-]+', value: '', ok: false },
      { pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', value: 'pässwörd\n', ok: true },
      { pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', value: 'π', ok: false },
      { pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*', value: 'Ünïcode 名前 1:/=+-@', ok: true },
      { pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*', value: 'a,b', ok: false },
      { pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/', value: '/division_abc/subdivision_xyz/', ok: true },
      { pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/', value: 'division/', ok: false },
      { pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', value: '/', ok: true },
      { pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', value: '/a/b', ok: false },
      { pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+', value: 'arn:aws:iam::123456789012:role/x🙂', ok: true },
    ];
    for (const c of cases) assert.equal(compilePattern(c.pattern).test(c.value), c.ok, `${c.pattern} ${JSON.stringify(c.value)}`);
  });

  it('counts length in code points', () => {
    assert.equal(codePointLength('abc'), 3);
    assert.equal(codePointLength('🙂🙂'), 2);
    assert.equal(codePointLength(''), 0);
  });
});

describe('validateInput messages', () => {
  const cases: { name: string; service: ServiceName; action: string; params: Record<string, unknown>; message?: string }[] = [
    { name: 'valid input', service: 'iam', action: 'CreateUser', params: { UserName: 'bob', Path: '/x/', Tags: [{ Key: 'k', Value: 'v' }] } },
    {
      name: 'pattern',
      service: 'iam',
      action: 'GetUser',
      params: { UserName: 'a/b' },
      message:
        "1 validation error detected: Value 'a/b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    },
    {
      name: 'missing required member',
      service: 'iam',
      action: 'CreateUser',
      params: {},
      message: "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
    },
    {
      name: 'too long',
      service: 'iam',
      action: 'CreateRole',
      params: { RoleName: 'r'.repeat(65), AssumeRolePolicyDocument: '{}' },
      message: `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    },
    {
      name: 'empty string fails pattern and min length',
      service: 'iam',
      action: 'GetUser',
      params: { UserName: '' },
      message:
        "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    },
    {
      name: 'enum',
      service: 'iam',
      action: 'UpdateAccessKey',
      params: { AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Enabled' },
      message: "1 validation error detected: Value 'Enabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
    },
    {
      name: 'integer above max',
      service: 'iam',
      action: 'ListUsers',
      params: { MaxItems: 1001 },
      message: "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
    },
    {
      name: 'integer below min',
      service: 'iam',
      action: 'ListUsers',
      params: { MaxItems: 0 },
      message: "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    },
    {
      name: 'nested list member paths',
      service: 'iam',
      action: 'TagUser',
      params: { UserName: 'bob', Tags: [{ Key: 'ok', Value: 'fine' }, { Key: 'k', Value: 'bad,value' }] },
      message:
        "1 validation error detected: Value 'bad,value' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
    },
    {
      name: 'missing member inside a list element',
      service: 'iam',
      action: 'TagUser',
      params: { UserName: 'bob', Tags: [{ Key: 'k' }] },
      message: "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    },
    {
      name: 'sensitive values are not echoed',
      service: 'iam',
      action: 'CreateLoginProfile',
      params: { UserName: 'bob', Password: 'π' },
      message:
        "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    },
    {
      name: 'several members, semicolon-separated in model order',
      service: 'iam',
      action: 'CreateUser',
      params: { UserName: 'x'.repeat(65), PermissionsBoundary: 'short' },
      message:
        `2 validation errors detected: Value '${'x'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
        "Value 'short' at 'permissionsBoundary' failed to satisfy constraint: Member must have length greater than or equal to 20",
    },
    // IAM checks paths itself, with its own text (as CloudFormation users quote it: aws-cloudformation/cfn-lint#722).
    ...(
      [
        ['CreateUser', { UserName: 'u', Path: 'test/' }],
        ['CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: '{}', Path: '/a' }],
        ['CreateGroup', { GroupName: 'g', Path: '//' }],
        ['CreateInstanceProfile', { InstanceProfileName: 'p', Path: 'x' }],
        ['CreatePolicy', { PolicyName: 'p', PolicyDocument: '{}', Path: '/a b/' }],
        ['UpdateUser', { UserName: 'u', NewPath: 'nope' }],
      ] as const
    ).map(([action, params]) => ({
      name: `${action}: an invalid path gets IAM's own text`,
      service: 'iam' as const,
      action,
      params,
      message: PATH_TEXT,
    })),
    {
      name: 'an invalid path alongside another failure: the model failures are reported',
      service: 'iam',
      action: 'CreateUser',
      params: { Path: 'nope', UserName: 'x'.repeat(65) },
      message: `1 validation error detected: Value '${'x'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    },
    {
      name: 'a path too long keeps the length text',
      service: 'iam',
      action: 'CreateUser',
      params: { UserName: 'u', Path: `/${'a'.repeat(511)}/` },
      message: `1 validation error detected: Value '/${'a'.repeat(511)}/' at 'path' failed to satisfy constraint: Member must have length less than or equal to 512`,
    },
    {
      name: 'list too short',
      service: 'iam',
      action: 'UntagUser',
      params: { UserName: 'bob', TagKeys: [] },
      message: undefined,
    },
    {
      name: 'list too long',
      service: 'iam',
      action: 'TagUser',
      params: { UserName: 'bob', Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) },
      message:
        `1 validation error detected: Value '[${Array.from({ length: 51 }, (_, i) => `{Key: k${i}, Value: v}`).join(', ')}]' ` +
        "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    },
    {
      name: 'STS duration bounds',
      service: 'sts',
      action: 'GetSessionToken',
      params: { DurationSeconds: 100 },
      message: "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(messageFor(c.service, c.action, c.params), c.message));
  }

  it('throws a ValidationError with status 400', () => {
    const op = operation('iam', 'GetUser');
    assert.ok(op !== undefined);
    const input = inputShape('iam', op);
    assert.ok(input !== undefined);
    assert.doesNotThrow(() => validateInput('iam', input, { UserName: 'bob' }));
    assert.throws(
      () => validateInput('iam', input, { UserName: 'a b' }),
      (e: unknown) => e instanceof ServiceError && e.code === 'ValidationError' && e.status === 400 && e.fault === 'Sender',
    );
  });
});
