import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputShape, operation, type ServiceName } from './model.js';
import { decodeInput, isFormContentType, parseForm } from './query-decode.js';

function decode(service: ServiceName, body: string): { params: Record<string, unknown>; violations: string[] } {
  const fields = parseForm(body);
  const action = fields.get('Action');
  assert.ok(action !== undefined);
  const op = operation(service, action);
  assert.ok(op !== undefined, action);
  const input = inputShape(service, op);
  assert.ok(input !== undefined);
  const decoded = decodeInput(service, input, fields);
  return { params: decoded.params, violations: decoded.violations.map((v) => `${v.shown} at '${v.path}': ${v.constraint}`) };
}

describe('parseForm', () => {
  const cases = [
    { body: 'a=1&b=2', fields: { a: '1', b: '2' } },
    { body: 'v=a+b%20c', fields: { v: 'a b c' } },
    { body: 'v=%2Fdivision_abc%2F', fields: { v: '/division_abc/' } },
    { body: 'v=%E5%90%8D%E5%89%8D%F0%9F%99%82', fields: { v: '名前🙂' } },
    { body: 'v=%2B1%3D2%26x', fields: { v: '+1=2&x' } },
    { body: 'v=a=b', fields: { v: 'a=b' } },
    { body: 'empty=&bare', fields: { empty: '', bare: '' } },
    { body: 'v=1&v=2', fields: { v: '2' } },
    { body: 'v=100%', fields: { v: '100%' } },
    { body: '?x=1', fields: { x: '1' } },
    { body: '', fields: {} },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.body), () => assert.deepEqual(Object.fromEntries(parseForm(c.body)), c.fields));
  }

  it('recognises form content types', () => {
    const cases = [
      { type: 'application/x-www-form-urlencoded; charset=utf-8', form: true },
      { type: 'application/x-www-form-urlencoded', form: true },
      { type: 'Application/X-WWW-Form-Urlencoded;charset=UTF-8', form: true },
      { type: undefined, form: true },
      { type: 'application/json', form: false },
      { type: 'application/x-amz-json-1.1', form: false },
    ];
    for (const c of cases) assert.equal(isFormContentType(c.type), c.form, String(c.type));
  });
});

describe('decodeInput', () => {
  const cases: { name: string; service: ServiceName; body: string; params: Record<string, unknown>; violations?: string[] }[] = [
    {
      name: 'CreateUser as botocore sends it (+ for spaces)',
      service: 'iam',
      body: 'Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fdivision_abc%2F&Tags.member.1.Key=team&Tags.member.1.Value=a+b',
      params: { UserName: 'bob', Path: '/division_abc/', Tags: [{ Key: 'team', Value: 'a b' }] },
    },
    {
      name: 'CreateUser as SDK v3 sends it (%20 for spaces)',
      service: 'iam',
      body: 'Action=CreateUser&Version=2010-05-08&UserName=bob&Tags.member.1.Key=team&Tags.member.1.Value=a%20b&Tags.member.2.Key=cost&Tags.member.2.Value=',
      params: { UserName: 'bob', Tags: [{ Key: 'team', Value: 'a b' }, { Key: 'cost', Value: '' }] },
    },
    {
      name: 'list elements in numeric order, not text order',
      service: 'iam',
      body:
        'Action=UntagUser&Version=2010-05-08&UserName=bob' +
        Array.from({ length: 11 }, (_, i) => `&TagKeys.member.${11 - i}=k${11 - i}`).join(''),
      params: { UserName: 'bob', TagKeys: Array.from({ length: 11 }, (_, i) => `k${i + 1}`) },
    },
    {
      name: 'gaps are compacted; zero and non-numeric positions ignored',
      service: 'iam',
      body: 'Action=UntagUser&Version=2010-05-08&UserName=bob&TagKeys.member.3=c&TagKeys.member.1=a&TagKeys.member.0=z&TagKeys.member.x=y&TagKeys.member.01=w',
      params: { UserName: 'bob', TagKeys: ['a', 'c'] },
    },
    {
      name: 'an empty list is the bare name',
      service: 'iam',
      body: 'Action=UntagUser&Version=2010-05-08&UserName=bob&TagKeys=',
      params: { UserName: 'bob', TagKeys: [] },
    },
    {
      name: 'integers and booleans',
      service: 'iam',
      body: 'Action=ListPolicies&Version=2010-05-08&OnlyAttached=true&MaxItems=100&Scope=Local&Marker=abc',
      params: { Scope: 'Local', OnlyAttached: true, Marker: 'abc', MaxItems: 100 },
    },
    {
      name: 'booleans ignore case',
      service: 'iam',
      body: 'Action=UpdateAccountPasswordPolicy&Version=2010-05-08&RequireSymbols=TRUE&AllowUsersToChangePassword=False&MinimumPasswordLength=14',
      params: { MinimumPasswordLength: 14, RequireSymbols: true, AllowUsersToChangePassword: false },
    },
    {
      name: 'unknown fields, wrong case and presign fields are ignored',
      service: 'iam',
      body: 'Action=GetUser&Version=2010-05-08&UserName=bob&username=eve&Bogus=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&UserName.member.1=x',
      params: { UserName: 'bob' },
    },
    {
      name: 'STS AssumeRole with nested lists and a duration',
      service: 'sts',
      body:
        'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=s1' +
        '&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&DurationSeconds=3600' +
        '&Tags.member.1.Key=Project&Tags.member.1.Value=Unicorn&TransitiveTagKeys.member.1=Project&ExternalId=ext-1',
      params: {
        RoleArn: 'arn:aws:iam::123456789012:role/demo',
        RoleSessionName: 's1',
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        DurationSeconds: 3600,
        Tags: [{ Key: 'Project', Value: 'Unicorn' }],
        TransitiveTagKeys: ['Project'],
        ExternalId: 'ext-1',
      },
    },
    {
      name: 'policy documents survive percent-encoding intact',
      service: 'iam',
      body: `Action=PutUserPolicy&Version=2010-05-08&UserName=bob&PolicyName=p&PolicyDocument=${encodeURIComponent('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}')}`,
      params: { UserName: 'bob', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' },
    },
    {
      name: 'values that are not of the member type are reported, not guessed',
      service: 'iam',
      body: 'Action=ListPolicies&Version=2010-05-08&MaxItems=ten&OnlyAttached=yes',
      params: {},
      violations: [
        "Value 'yes' at 'onlyAttached': Member must be a boolean",
        "Value 'ten' at 'maxItems': Member must be an integer",
      ],
    },
    {
      name: 'integers beyond 32 bits and fractions are not integers',
      service: 'iam',
      body: 'Action=UpdateAccountPasswordPolicy&Version=2010-05-08&MinimumPasswordLength=2147483648&MaxPasswordAge=1.5',
      params: {},
      violations: [
        "Value '2147483648' at 'minimumPasswordLength': Member must be an integer",
        "Value '1.5' at 'maxPasswordAge': Member must be an integer",
      ],
    },
    {
      name: 'an empty structure input',
      service: 'sts',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      params: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = decode(c.service, c.body);
      assert.deepEqual(got.params, c.params);
      assert.deepEqual(got.violations, c.violations ?? []);
    });
  }
});

describe('maps', () => {
  it('keeps keys as data, __proto__ included', () => {
    const { params, violations } = decode(
      'iam',
      'Action=PutAccountProperties&Version=2010-05-08&Properties.entry.1.key=__proto__&Properties.entry.1.value=x&Properties.entry.2.key=RoleManager&Properties.entry.2.value=y',
    );
    const properties = params['Properties'] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(properties), Object.prototype);
    assert.deepEqual(Object.keys(properties), ['__proto__', 'RoleManager']);
    assert.equal(Object.getOwnPropertyDescriptor(properties, '__proto__')?.value, 'x');
    assert.ok(violations.every((v) => !v.includes('RoleManager')));
  });
});
