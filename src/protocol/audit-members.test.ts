import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cloudTrailResponseDate, loggedRequestParameters, loggedResponseElements } from './audit-members.js';
import { operationNames, serviceModel, shape, type ServiceName, type Shape } from './model.js';

const SECRET = 'S3CR3T-VALUE';

// Members whose values are secrets wherever they appear, whether or not the model marks their shape sensitive.
const SECRET_MEMBERS = new Set([
  'Password', 'NewPassword', 'OldPassword', 'PrivateKey', 'AddPrivateKey', 'TokenCode', 'AuthenticationCode1', 'AuthenticationCode2',
  'SAMLAssertion', 'WebIdentityToken', 'SecretAccessKey', 'ServicePassword', 'ServiceCredentialSecret', 'Base32StringSeed',
  'QRCodePNG', 'ContextAssertion', 'TradeInToken',
]);

/** A value for every member of the shape, two levels of lists deep: SECRET in every secret member, `x` elsewhere. */
function fill(service: ServiceName, target: Shape, secret: boolean, depth = 0): unknown {
  if (depth > 6) return undefined;
  const isSecret = secret || target.sensitive === true;
  switch (target.type) {
    case 'structure':
      return Object.fromEntries(Object.entries(target.members).map(([name, ref]) => [name, fill(service, shape(service, ref.shape), SECRET_MEMBERS.has(name), depth + 1)]));
    case 'list':
      return [fill(service, shape(service, target.member.shape), isSecret, depth + 1)];
    case 'map':
      return { k: fill(service, shape(service, target.value.shape), isSecret, depth + 1) };
    case 'string':
      return isSecret ? SECRET : 'x';
    case 'blob':
      return Buffer.from(isSecret ? SECRET : 'x');
    case 'timestamp':
      return new Date('2026-11-25T14:24:24Z');
    case 'boolean':
      return true;
    default:
      return 1;
  }
}

describe('requestParameters and responseElements', () => {
  for (const service of ['iam', 'sts'] as const) {
    test(`${service}: no secret member of any operation's input or output is logged, whatever its nesting`, () => {
      const model = serviceModel(service);
      let checked = 0;
      for (const name of operationNames(service)) {
        const op = model.operations[name];
        for (const [ref, log] of [
          [op?.input, loggedRequestParameters],
          [op?.output, loggedResponseElements],
        ] as const) {
          if (ref === undefined) continue;
          const value = fill(service, shape(service, ref.shape), false) as Record<string, unknown>;
          const logged = JSON.stringify(log(service, name, value));
          assert.ok(!logged.includes(SECRET) && !logged.includes(Buffer.from(SECRET).toString('base64')), `${name}: ${logged}`);
          checked += 1;
        }
      }
      assert.ok(checked > (service === 'iam' ? 200 : 10), `${checked} shapes checked`);
    });
  }

  // Inputs of our own, shaped as AWS's published example events show them.
  const requests: ReadonlyArray<{ service: ServiceName; action: string; params: Record<string, unknown>; logged: unknown }> = [
    { service: 'iam', action: 'CreateUser', params: { UserName: 'JaneDoe' }, logged: { userName: 'JaneDoe' } },
    { service: 'iam', action: 'AttachUserPolicy', params: { UserName: 'sampleuser', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, logged: { userName: 'sampleuser', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
    { service: 'iam', action: 'CreateLoginProfile', params: { UserName: 'u', Password: 'hunter2', PasswordResetRequired: true }, logged: { userName: 'u', passwordResetRequired: true } },
    { service: 'iam', action: 'ChangePassword', params: { OldPassword: 'a', NewPassword: 'b' }, logged: null },
    { service: 'iam', action: 'EnableMFADevice', params: { UserName: 'u', SerialNumber: 'arn:aws:iam::111122223333:mfa/u', AuthenticationCode1: '123456', AuthenticationCode2: '654321' }, logged: { userName: 'u', serialNumber: 'arn:aws:iam::111122223333:mfa/u' } },
    { service: 'iam', action: 'UploadServerCertificate', params: { ServerCertificateName: 'c', CertificateBody: 'PEM', PrivateKey: 'KEY' }, logged: { serverCertificateName: 'c', certificateBody: 'PEM' } },
    { service: 'sts', action: 'AssumeRole', params: { RoleArn: 'arn:aws:iam::111122223333:role/R', RoleSessionName: 's', DurationSeconds: 3600, ExternalId: 'e', SerialNumber: 'arn:aws:iam::111122223333:mfa/u', TokenCode: '123456', Tags: [{ Key: 'a', Value: 'b' }], PolicyArns: [{ arn: 'x' }] }, logged: { roleArn: 'arn:aws:iam::111122223333:role/R', roleSessionName: 's', policyArns: [{ arn: 'x' }], tags: [{ key: 'a', value: 'b' }], durationSeconds: 3600, externalId: 'e', serialNumber: 'arn:aws:iam::111122223333:mfa/u' } },
    { service: 'sts', action: 'GetSessionToken', params: { DurationSeconds: 900, SerialNumber: 'arn:aws:iam::111122223333:mfa/u', TokenCode: '123456' }, logged: { durationSeconds: 900, serialNumber: 'arn:aws:iam::111122223333:mfa/u' } },
    { service: 'sts', action: 'AssumeRoleWithWebIdentity', params: { RoleArn: 'arn:aws:iam::111122223333:role/W', RoleSessionName: 's', WebIdentityToken: 'eyJ.jwt.sig', DurationSeconds: 3600 }, logged: { roleArn: 'arn:aws:iam::111122223333:role/W', roleSessionName: 's', durationSeconds: 3600 } },
    { service: 'sts', action: 'AssumeRoleWithSAML', params: { RoleArn: 'arn:aws:iam::111122223333:role/S', PrincipalArn: 'arn:aws:iam::111122223333:saml-provider/P', SAMLAssertion: 'PHNhbWw+' }, logged: { roleArn: 'arn:aws:iam::111122223333:role/S', principalArn: 'arn:aws:iam::111122223333:saml-provider/P' } },
    { service: 'sts', action: 'GetCallerIdentity', params: {}, logged: null },
  ];
  for (const { service, action, params, logged } of requests) {
    test(`${action}: requestParameters ${JSON.stringify(logged)}`, () => {
      assert.deepEqual(loggedRequestParameters(service, action, params), logged);
    });
  }

  test('members the model does not name are not copied, a __proto__ key included', () => {
    const params = JSON.parse('{"UserName":"u","Injected":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const logged = loggedRequestParameters('iam', 'CreateUser', params);
    assert.deepEqual(logged, { userName: 'u' });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('AssumeRole responseElements: credentials with accessKeyId, sessionToken and expiration, never the secret', () => {
    const logged = loggedResponseElements('sts', 'AssumeRole', {
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'wJalrXUtnFEMI', SessionToken: 'token', Expiration: new Date('2026-03-19T00:36:26Z') },
      AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:s', Arn: 'arn:aws:sts::111122223333:assumed-role/R/s' },
    });
    assert.deepEqual(logged, {
      credentials: { accessKeyId: 'ASIAEXAMPLE', sessionToken: 'token', expiration: 'Mar 19, 2026, 12:36:26 AM' },
      assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:s', arn: 'arn:aws:sts::111122223333:assumed-role/R/s' },
    });
  });

  test('CreateAccessKey and CreateVirtualMFADevice responses lose their secrets', () => {
    assert.deepEqual(loggedResponseElements('iam', 'CreateAccessKey', { AccessKey: { UserName: 'u', AccessKeyId: 'AKIA', Status: 'Active', SecretAccessKey: 'secret', CreateDate: '2026-11-25T14:24:24Z' } }), {
      accessKey: { userName: 'u', accessKeyId: 'AKIA', status: 'Active', createDate: 'Nov 25, 2026, 2:24:24 PM' },
    });
    assert.deepEqual(loggedResponseElements('iam', 'CreateVirtualMFADevice', { VirtualMFADevice: { SerialNumber: 'arn:aws:iam::111122223333:mfa/d', Base32StringSeed: Buffer.from('seed'), QRCodePNG: Buffer.from('png') } }), {
      virtualMFADevice: { serialNumber: 'arn:aws:iam::111122223333:mfa/d' },
    });
  });

  test('response dates read as AWS writes them (12-hour clock, UTC)', () => {
    const cases: Array<[string, string]> = [
      ['2014-07-15T21:40:14Z', 'Jul 15, 2014, 9:40:14 PM'],
      ['2026-01-01T00:05:09Z', 'Jan 1, 2026, 12:05:09 AM'],
      ['2026-06-30T12:00:00Z', 'Jun 30, 2026, 12:00:00 PM'],
    ];
    for (const [iso, shown] of cases) assert.equal(cloudTrailResponseDate(new Date(iso)), shown);
  });
});
