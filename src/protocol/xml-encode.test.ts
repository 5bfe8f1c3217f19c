import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeResultXml, encodeShapeXml, escapeXml, formatTimestamp } from './xml-encode.js';

const META = '<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>';

describe('escapeXml', () => {
  const cases = [
    { text: 'plain', xml: 'plain' },
    { text: `a&b<c>d"e'f`, xml: 'a&amp;b&lt;c&gt;d&quot;e&apos;f' },
    { text: 'line\r\nnext\ttab', xml: 'line&#13;\nnext\ttab' },
    { text: 'nul\u0000bell\u0007 kept', xml: 'nulbell kept' },
    { text: 'lone \uD800 surrogate, pair 🙂', xml: 'lone  surrogate, pair 🙂' },
    { text: 'ünïcödé 名前', xml: 'ünïcödé 名前' },
  ];
  for (const c of cases) it(JSON.stringify(c.text), () => assert.equal(escapeXml(c.text), c.xml));
});

describe('formatTimestamp', () => {
  const cases = [
    { date: new Date('2026-11-25T14:24:24Z'), text: '2026-11-25T14:24:24Z' },
    { date: new Date('2026-11-25T14:24:24.999Z'), text: '2026-11-25T14:24:24Z' },
    { date: new Date('2026-11-25T16:24:24+02:00'), text: '2026-11-25T14:24:24Z' },
  ];
  for (const c of cases) it(c.text, () => assert.equal(formatTimestamp(c.date), c.text));
});

describe('encodeResultXml', () => {
  const created = new Date('2026-11-25T14:24:24Z');
  const cases: { name: string; service: 'iam' | 'sts'; action: string; result: unknown; xml: string }[] = [
    {
      name: 'CreateUser: members in model order whatever the object order, absent ones omitted',
      service: 'iam',
      action: 'CreateUser',
      result: {
        User: {
          Tags: [{ Value: 'a b', Key: 'team' }],
          CreateDate: created,
          Arn: 'arn:aws:iam::123456789012:user/division_abc/bob',
          UserId: 'AIDAEXAMPLE',
          UserName: 'bob',
          Path: '/division_abc/',
          PasswordLastUsed: undefined,
          NotInModel: 'dropped',
        },
      },
      xml:
        '<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult><User>' +
        '<Path>/division_abc/</Path><UserName>bob</UserName><UserId>AIDAEXAMPLE</UserId>' +
        '<Arn>arn:aws:iam::123456789012:user/division_abc/bob</Arn><CreateDate>2026-11-25T14:24:24Z</CreateDate>' +
        '<Tags><member><Key>team</Key><Value>a b</Value></member></Tags>' +
        `</User></CreateUserResult>${META}</CreateUserResponse>`,
    },
    {
      name: 'ListUsers: lists as member elements, booleans and markers',
      service: 'iam',
      action: 'ListUsers',
      result: {
        Users: [
          { Path: '/', UserName: 'a', UserId: 'AIDA1', Arn: 'arn:aws:iam::1:user/a', CreateDate: created },
          { Path: '/', UserName: 'b', UserId: 'AIDA2', Arn: 'arn:aws:iam::1:user/b', CreateDate: created },
        ],
        IsTruncated: true,
        Marker: 'next&page',
      },
      xml:
        '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users>' +
        '<member><Path>/</Path><UserName>a</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::1:user/a</Arn><CreateDate>2026-11-25T14:24:24Z</CreateDate></member>' +
        '<member><Path>/</Path><UserName>b</UserName><UserId>AIDA2</UserId><Arn>arn:aws:iam::1:user/b</Arn><CreateDate>2026-11-25T14:24:24Z</CreateDate></member>' +
        `</Users><IsTruncated>true</IsTruncated><Marker>next&amp;page</Marker></ListUsersResult>${META}</ListUsersResponse>`,
    },
    {
      name: 'an empty list is an empty element; false is written',
      service: 'iam',
      action: 'ListUsers',
      result: { Users: [], IsTruncated: false },
      xml:
        '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users></Users>' +
        `<IsTruncated>false</IsTruncated></ListUsersResult>${META}</ListUsersResponse>`,
    },
    {
      name: 'no output shape: ResponseMetadata only',
      service: 'iam',
      action: 'DeleteUser',
      result: undefined,
      xml: `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">${META}</DeleteUserResponse>`,
    },
    {
      name: 'maps as entry/key/value, integers as text',
      service: 'iam',
      action: 'GetAccountSummary',
      result: { SummaryMap: { Users: 3, Groups: 0 } },
      xml:
        '<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult><SummaryMap>' +
        '<entry><key>Users</key><value>3</value></entry><entry><key>Groups</key><value>0</value></entry>' +
        `</SummaryMap></GetAccountSummaryResult>${META}</GetAccountSummaryResponse>`,
    },
    {
      name: 'blobs are base64',
      service: 'iam',
      action: 'GetCredentialReport',
      result: { Content: Buffer.from('user,arn\n', 'utf8'), ReportFormat: 'text/csv', GeneratedTime: created },
      xml:
        '<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetCredentialReportResult>' +
        '<Content>dXNlcixhcm4K</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-25T14:24:24Z</GeneratedTime>' +
        `</GetCredentialReportResult>${META}</GetCredentialReportResponse>`,
    },
    {
      name: 'STS namespace and result wrapper',
      service: 'sts',
      action: 'GetCallerIdentity',
      result: { UserId: 'AIDA', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/a' },
      xml:
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        '<UserId>AIDA</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/a</Arn>' +
        `</GetCallerIdentityResult>${META}</GetCallerIdentityResponse>`,
    },
    {
      name: 'an output structure with nothing set still has its wrapper',
      service: 'sts',
      action: 'GetCallerIdentity',
      result: {},
      xml: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult></GetCallerIdentityResult>${META}</GetCallerIdentityResponse>`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(encodeResultXml(c.service, c.action, c.result, 'rid-1'), c.xml));
  }

  it('skips values of the wrong type instead of writing them', () => {
    assert.equal(encodeShapeXml('iam', 'IsTruncated', 'booleanType', 'yes'), '');
    assert.equal(encodeShapeXml('iam', 'CreateDate', 'dateType', 'not a date'), '');
    assert.equal(encodeShapeXml('iam', 'CreateDate', 'dateType', '2026-11-25T14:24:24.5Z'), '<CreateDate>2026-11-25T14:24:24Z</CreateDate>');
    assert.equal(encodeShapeXml('iam', 'Users', 'userListType', 'nope'), '');
  });

  it('refuses an action the model does not have', () => {
    assert.throws(() => encodeResultXml('iam', 'Nope', {}, 'r'), /no operation Nope/);
  });
});
