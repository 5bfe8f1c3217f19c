import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CREDENTIAL_REPORT_COLUMNS, type CredentialRow, credentialReportCsv, reportDate } from './credential-report-csv.js';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const T = (iso: string): Date => new Date(iso);
const ARN = 'arn:aws:iam::111122223333';

const bare = (user: string): CredentialRow => ({
  user,
  arn: `${ARN}:user/${user}`,
  created: T('2026-01-02T03:04:05.678Z'),
  password: { kind: 'none' },
  mfaActive: false,
  accessKeys: [],
  certificates: [],
});

test('the header is every documented column, in AWS order', () => {
  assert.equal(CREDENTIAL_REPORT_COLUMNS.length, 22);
  assert.equal(credentialReportCsv([]), HEADER);
});

test('dates are to the second with +00:00, truncated like the API timestamps', () => {
  assert.equal(reportDate(T('2026-11-25T12:34:56.999Z')), '2026-11-25T12:34:56+00:00');
});

const cases: ReadonlyArray<{ name: string; row: CredentialRow; line: string }> = [
  {
    name: 'a user without password, MFA, keys or certificates: false and N/A everywhere',
    row: bare('nobody'),
    line: `nobody,${ARN}:user/nobody,2026-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
  {
    name: 'the root user: not_supported password columns, no_information for a password never used',
    row: {
      ...bare('<root_account>'),
      arn: `${ARN}:root`,
      password: { kind: 'root' },
      accessKeys: [{ active: true, created: T('2026-01-05T00:00:00Z'), lastUsed: { date: T('2026-02-01T10:00:00Z'), service: 'iam', region: 'us-east-1' } }],
    },
    line: `<root_account>,${ARN}:root,2026-01-02T03:04:05+00:00,not_supported,no_information,not_supported,not_supported,false,true,2026-01-05T00:00:00+00:00,2026-02-01T10:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
  {
    name: 'the root user with a recorded password use',
    row: { ...bare('<root_account>'), arn: `${ARN}:root`, password: { kind: 'root', lastUsed: T('2026-03-01T00:00:00Z') } },
    line: `<root_account>,${ARN}:root,2026-01-02T03:04:05+00:00,not_supported,2026-03-01T00:00:00+00:00,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
  {
    name: 'a password never used, without rotation: no_information and N/A',
    row: { ...bare('pw'), password: { kind: 'set', changed: T('2026-01-03T00:00:00Z') } },
    line: `pw,${ARN}:user/pw,2026-01-02T03:04:05+00:00,true,no_information,2026-01-03T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
  {
    name: 'a used password with rotation, and MFA',
    row: {
      ...bare('pw'),
      mfaActive: true,
      password: { kind: 'set', changed: T('2026-01-03T00:00:00Z'), lastUsed: T('2026-01-04T00:00:00Z'), nextRotation: T('2026-04-03T00:00:00Z') },
    },
    line: `pw,${ARN}:user/pw,2026-01-02T03:04:05+00:00,true,2026-01-04T00:00:00+00:00,2026-01-03T00:00:00+00:00,2026-04-03T00:00:00+00:00,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
  {
    name: 'two keys (the second inactive, never used: its dates stay, its use is N/A) and two certificates',
    row: {
      ...bare('keys'),
      accessKeys: [
        { active: true, created: T('2026-01-05T00:00:00Z'), lastUsed: { date: T('2026-01-06T00:00:00Z'), service: 'sts', region: 'eu-west-1' } },
        { active: false, created: T('2026-01-07T00:00:00Z') },
      ],
      certificates: [
        { active: false, created: T('2026-01-08T00:00:00Z') },
        { active: true, created: T('2026-01-09T00:00:00Z') },
      ],
    },
    line: `keys,${ARN}:user/keys,2026-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false,true,2026-01-05T00:00:00+00:00,2026-01-06T00:00:00+00:00,eu-west-1,sts,false,2026-01-07T00:00:00+00:00,N/A,N/A,N/A,false,2026-01-08T00:00:00+00:00,true,2026-01-09T00:00:00+00:00`,
  },
  {
    name: 'a use without a region (a global service) has N/A for the region only',
    row: { ...bare('global'), accessKeys: [{ active: true, created: T('2026-01-05T00:00:00Z'), lastUsed: { date: T('2026-01-06T00:00:00Z'), service: 's3', region: '' } }] },
    line: `global,${ARN}:user/global,2026-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false,true,2026-01-05T00:00:00+00:00,2026-01-06T00:00:00+00:00,N/A,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
  {
    name: 'a name with a comma and a path with a quote are quoted (RFC 4180), so no column shifts',
    row: { ...bare('a,b'), arn: `${ARN}:user/x"y/a,b` },
    line: `"a,b","${ARN}:user/x""y/a,b",2026-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  },
];

for (const { name, row, line } of cases) {
  test(name, () => {
    const csv = credentialReportCsv([row]);
    assert.equal(csv, `${HEADER}\n${line}`);
  });
}

test('rows follow in the order given, joined by line feeds, with none after the last', () => {
  const csv = credentialReportCsv([bare('a'), bare('b')]);
  const lines = csv.split('\n');
  assert.deepEqual(lines.map((l) => l.split(',')[0]), ['user', 'a', 'b']);
  assert.ok(!csv.endsWith('\n'));
  for (const l of lines) assert.equal(l.split(',').length, 22);
});

test('a third key or certificate has no slot: the report has two of each', () => {
  const key = { active: true, created: T('2026-01-05T00:00:00Z') };
  const csv = credentialReportCsv([{ ...bare('many'), accessKeys: [key, key, key], certificates: [key, key, key] }]);
  assert.equal(csv.split('\n')[1]?.split(',').length, 22);
});
