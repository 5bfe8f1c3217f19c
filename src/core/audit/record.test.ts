import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caller } from '../caller.js';
import type { SessionClaims } from '../sts/session-token.js';
import { auditEventOf, buildRecord, isReadOnlyEvent, logsResponse, recordText, resourcesOf, type AuditedRequest } from './record.js';
import { lookupUserName, userIdentityOf, type UserIdentity } from './user-identity.js';

const ACCOUNT = '444455556666';
const ISSUED = '2026-11-25T21:39:40.123Z';

const claims = (fields: Partial<SessionClaims> & Pick<SessionClaims, 'kind' | 'arn' | 'userId'>): SessionClaims => ({
  account: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'never-logged',
  issued: ISSUED,
  expires: '2026-11-25T22:39:40.000Z',
  ...fields,
});

// Our own callers, and the userIdentity AWS's published examples show for each kind (same fields, same order).
const CASES: ReadonlyArray<{ name: string; caller: Caller; identity: UserIdentity; lookupName?: string }> = [
  {
    name: 'root user, long-term key',
    caller: { kind: 'root', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'AKIAROOT' },
    identity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAROOT' },
    lookupName: 'root',
  },
  {
    name: 'IAM user, long-term key',
    caller: { kind: 'user', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, userId: 'AIDAALICE', userName: 'Alice', accessKeyId: 'AKIAALICE' },
    identity: { type: 'IAMUser', principalId: 'AIDAALICE', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, accountId: ACCOUNT, accessKeyId: 'AKIAALICE', userName: 'Alice' },
    lookupName: 'Alice',
  },
  {
    name: 'IAM user, GetSessionToken credentials with MFA',
    caller: {
      kind: 'user', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, userId: 'AIDAALICE', userName: 'Alice', accessKeyId: 'ASIAEXAMPLE',
      session: claims({ kind: 'userSession', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, userId: 'AIDAALICE', userName: 'Alice', mfaAuthTime: ISSUED }),
    },
    identity: {
      type: 'IAMUser', principalId: 'AIDAALICE', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLE', userName: 'Alice',
      sessionContext: { attributes: { creationDate: '2026-11-25T21:39:40Z', mfaAuthenticated: 'true' } },
    },
    lookupName: 'Alice',
  },
  {
    name: 'assumed role with a source identity',
    caller: {
      kind: 'assumedRole', account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/RoleToBeAssumed/MySessionName`, userId: 'AROAEXAMPLE:MySessionName', accessKeyId: 'ASIAEXAMPLE',
      roleName: 'RoleToBeAssumed', roleArn: `arn:aws:iam::${ACCOUNT}:role/ops/RoleToBeAssumed`,
      session: claims({ kind: 'assumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/RoleToBeAssumed/MySessionName`, userId: 'AROAEXAMPLE:MySessionName', sourceIdentity: 'alice@example.com' }),
    },
    identity: {
      type: 'AssumedRole', principalId: 'AROAEXAMPLE:MySessionName', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/RoleToBeAssumed/MySessionName`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/ops/RoleToBeAssumed`, accountId: ACCOUNT, userName: 'RoleToBeAssumed' },
        attributes: { creationDate: '2026-11-25T21:39:40Z', mfaAuthenticated: 'false' },
        sourceIdentity: 'alice@example.com',
      },
    },
    lookupName: 'MySessionName',
  },
  {
    name: 'role session from web identity federation',
    caller: {
      kind: 'assumedRole', account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Web/s`, userId: 'AROAWEB:s', accessKeyId: 'ASIAEXAMPLE', roleName: 'Web', roleArn: `arn:aws:iam::${ACCOUNT}:role/Web`,
      session: claims({ kind: 'assumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Web/s`, userId: 'AROAWEB:s', federatedContext: { 'aws:FederatedProvider': `arn:aws:iam::${ACCOUNT}:oidc-provider/server.example.com` } }),
    },
    identity: {
      type: 'AssumedRole', principalId: 'AROAWEB:s', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Web/s`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAWEB', arn: `arn:aws:iam::${ACCOUNT}:role/Web`, accountId: ACCOUNT, userName: 'Web' },
        webIdFederationData: { federatedProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/server.example.com`, attributes: {} },
        attributes: { creationDate: '2026-11-25T21:39:40Z', mfaAuthenticated: 'false' },
      },
    },
    lookupName: 's',
  },
  {
    name: 'federated user (GetFederationToken by an IAM user)',
    caller: {
      kind: 'federatedUser', account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:federated-user/Bob`, userId: `${ACCOUNT}:Bob`, userName: 'Alice', accessKeyId: 'ASIAEXAMPLE',
      session: claims({ kind: 'federatedUser', arn: `arn:aws:sts::${ACCOUNT}:federated-user/Bob`, userId: `${ACCOUNT}:Bob`, userName: 'Alice', issuerUserId: 'AIDAALICE' }),
    },
    identity: {
      type: 'FederatedUser', principalId: `${ACCOUNT}:Bob`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/Bob`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: { type: 'IAMUser', principalId: 'AIDAALICE', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, accountId: ACCOUNT, userName: 'Alice' },
        attributes: { creationDate: '2026-11-25T21:39:40Z', mfaAuthenticated: 'false' },
      },
    },
    lookupName: 'Bob',
  },
];

describe('userIdentity', () => {
  for (const { name, caller, identity, lookupName } of CASES) {
    test(name, () => {
      const built = userIdentityOf(caller);
      assert.deepEqual(built, identity);
      assert.deepEqual(JSON.stringify(built), JSON.stringify(identity), 'fields in CloudTrail order');
      assert.ok(!JSON.stringify(built).includes('never-logged'), 'no secret from the session claims');
      assert.equal(lookupUserName(built), lookupName);
    });
  }
  test('web identity and SAML users are named by the provider (LookupEvents Username is the subject)', () => {
    assert.equal(lookupUserName({ type: 'WebIdentityUser', principalId: 'accounts.google.com:app:123', userName: '123', identityProvider: 'accounts.google.com' }), '123');
    assert.equal(lookupUserName({ type: 'Unknown' }), undefined);
  });
});

describe('record', () => {
  const request = (fields: Partial<AuditedRequest> = {}): AuditedRequest => ({
    service: 'iam',
    action: 'CreateUser',
    identity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAROOT' },
    account: ACCOUNT,
    time: new Date('2026-11-25T21:40:14.567Z'),
    region: 'us-east-1',
    sourceIp: '192.0.2.1',
    userAgent: 'aws-cli/2.0',
    requestId: 'req-1',
    eventId: '6dc5fd3e-1a55-4b57-9d2b-3a9e0b0a9c11',
    params: { UserName: 'Bob' },
    requestParameters: { userName: 'Bob' },
    responseElements: { user: { userName: 'Bob' } },
    ...fields,
  });

  test('a successful mutating IAM call: every field CloudTrail writes, in its order', () => {
    const record = buildRecord(request());
    assert.deepEqual(JSON.parse(JSON.stringify(record)), {
      eventVersion: '1.11',
      userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAROOT' },
      eventTime: '2026-11-25T21:40:14Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      awsRegion: 'us-east-1',
      sourceIPAddress: '192.0.2.1',
      userAgent: 'aws-cli/2.0',
      requestParameters: { userName: 'Bob' },
      responseElements: { user: { userName: 'Bob' } },
      requestID: 'req-1',
      eventID: '6dc5fd3e-1a55-4b57-9d2b-3a9e0b0a9c11',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    });
    assert.deepEqual(Object.keys(record).slice(0, 8), ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent']);
  });

  test('a failed call carries errorCode and errorMessage and no response', () => {
    const record = buildRecord(request({ error: { code: 'EntityAlreadyExists', message: 'User with name Bob already exists.' } }));
    assert.equal(record.errorCode, 'EntityAlreadyExists');
    assert.equal(record.errorMessage, 'User with name Bob already exists.');
    assert.equal(record.responseElements, null);
    assert.deepEqual(Object.keys(record).slice(7, 11), ['userAgent', 'errorCode', 'errorMessage', 'requestParameters']);
  });

  test('audit mode: the would-be denial is in additionalEventData.gatehouseWouldDeny, the call itself succeeded', () => {
    const record = buildRecord(request({ wouldDeny: { code: 'AccessDenied', message: 'User: x is not authorized' } }));
    assert.equal(record.errorCode, undefined);
    assert.deepEqual(record.additionalEventData, { gatehouseWouldDeny: { errorCode: 'AccessDenied', errorMessage: 'User: x is not authorized' } });
  });

  test('AssumeRole lists the role as its resource; the event is indexed by its resources and names', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/JohnRole2`;
    const assume = request({ service: 'sts', action: 'AssumeRole', region: 'eu-west-1', params: { RoleArn: arn, RoleSessionName: 's' } });
    const record = buildRecord(assume);
    assert.deepEqual(record.resources, [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: arn }]);
    assert.equal(record.eventSource, 'sts.amazonaws.com');
    assert.equal(record.awsRegion, 'eu-west-1');
    const event = auditEventOf(assume, record);
    assert.deepEqual(event.resources, [{ type: 'AWS::IAM::Role', name: arn }]);
    assert.equal(event.userName, 'root');
    assert.equal(event.accessKeyId, 'AKIAROOT');
    assert.equal(event.time, Date.parse('2026-11-25T21:40:14.567Z'));
    assert.deepEqual(JSON.parse(event.record), JSON.parse(JSON.stringify(record)));
  });

  const rules: ReadonlyArray<[service: 'iam' | 'sts', action: string, readOnly: boolean, response: boolean]> = [
    ['iam', 'CreateUser', false, true],
    ['iam', 'DeleteUser', false, true],
    ['iam', 'GetUser', true, false],
    ['iam', 'ListUsers', true, false],
    ['iam', 'SimulatePrincipalPolicy', true, false],
    ['iam', 'GenerateCredentialReport', false, true],
    ['sts', 'AssumeRole', true, true],
    ['sts', 'AssumeRoleWithWebIdentity', true, true],
    ['sts', 'GetSessionToken', true, true],
    ['sts', 'GetCallerIdentity', true, false],
    ['sts', 'DecodeAuthorizationMessage', true, false],
  ];
  for (const [service, action, readOnly, response] of rules) {
    test(`${service}:${action} is ${readOnly ? 'read-only' : 'a change'}, ${response ? 'response logged' : 'response null'}`, () => {
      assert.equal(isReadOnlyEvent(service, action), readOnly);
      assert.equal(logsResponse(service, action), response);
      assert.equal(buildRecord(request({ service, action })).responseElements === null, !response);
    });
  }

  test('recordText writes the very bytes JSON.stringify writes for the record, whatever the request holds', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/JohnRole2`;
    const variants: AuditedRequest[] = [
      request(),
      request({ error: { code: 'EntityAlreadyExists', message: 'User with name "Bob" already exists.\n' } }),
      request({ wouldDeny: { code: 'AccessDenied', message: 'User: x is not authorized' } }),
      request({ error: { code: 'AccessDenied', message: 'no' }, wouldDeny: { code: 'AccessDenied', message: 'no' } }),
      request({ service: 'sts', action: 'AssumeRole', region: 'eu-west-1', params: { RoleArn: arn, RoleSessionName: 's' }, responseElements: { credentials: { expiration: 'Nov 25, 2026, 10:40:14 PM' } } }),
      request({ service: 'sts', action: 'AssumeRoleWithSAML', params: { RoleArn: 'not-an-arn' } }),
      request({ service: 'sts', action: 'AssumeRole', params: { RoleArn: 42 } }),
      request({ service: 'iam', action: 'GetUser', requestParameters: null, responseElements: { ignored: true } }),
      request({ service: 'organizations', action: 'DescribeOrganization', requestParameters: null, responseElements: null }),
      request({ service: 'cloudtrail', action: 'LookupEvents', requestParameters: { lookupAttributes: [{ attributeKey: 'Username', attributeValue: '\u2028</script>' }] } }),
      request({ userAgent: 'agent with "quotes", \\ and \u0001 control', sourceIp: '', requestId: '\ud800', time: new Date(-1) }),
      request({ identity: { type: 'Unknown' }, account: '', requestParameters: { when: new Date(0), nested: { list: [1, null, 'x'] }, gone: undefined } }),
      ...CASES.map(({ caller }) => request({ identity: userIdentityOf(caller), account: caller.account })),
    ];
    for (const r of variants) {
      const expected = JSON.stringify(buildRecord(r));
      assert.equal(recordText(r), expected);
      assert.equal(recordText(r, JSON.stringify(r.identity)), expected);
      assert.equal(auditEventOf(r).record, expected);
      assert.equal(auditEventOf(r, undefined, JSON.stringify(r.identity)).record, expected);
      assert.deepEqual({ ...auditEventOf(r), record: '' }, { ...auditEventOf(r, buildRecord(r)), record: '' }, 'the lookup fields do not depend on how the text was made');
    }
  });

  test('resources named by the input, by CloudTrail type; a prototype key is not read', () => {
    assert.deepEqual(resourcesOf({ UserName: 'u', GroupName: 'g', PolicyArn: 'arn:aws:iam::aws:policy/P', Other: 'x' }), [
      { type: 'AWS::IAM::User', name: 'u' },
      { type: 'AWS::IAM::Group', name: 'g' },
      { type: 'AWS::IAM::Policy', name: 'arn:aws:iam::aws:policy/P' },
    ]);
    assert.deepEqual(resourcesOf(Object.create({ UserName: 'inherited' }) as Record<string, unknown>), []);
  });
});
