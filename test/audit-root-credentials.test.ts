// The root user's credential changes made through the console's endpoint, in the audit trail: PasswordUpdated
// (signin.amazonaws.com) for a new root password, EnableMFADevice / DeactivateMFADevice / DeleteVirtualMFADevice
// (iam.amazonaws.com) for root's MFA, read back with the AWS SDK v3. Refused attempts change nothing and record nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { CreateVirtualMFADeviceCommand } from '@aws-sdk/client-iam';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { iamClient } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ENDPOINT = '/_gatehouse/console/root-credentials';
const USER_AGENT = 'gatehouse-root-credentials-audit-test/1.0';
const FIRST = `Root-${randomBytes(9).toString('base64url')}!1a`;
const SECOND = `Next-${randomBytes(9).toString('base64url')}!2b`;
const server = useTestServer({ GATEHOUSE_AUDIT: 'on', GATEHOUSE_ROOT_PASSWORD: FIRST });

async function post(body: Rec): Promise<{ status: number; body: Rec }> {
  const response = await fetch(`${server.endpoint}${ENDPOINT}`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Rec };
}

async function eventsNamed(name: string): Promise<Rec[]> {
  const cloudTrail = new CloudTrailClient({ endpoint: server.endpoint, region: REGION, credentials: ROOT_KEY, maxAttempts: 1 });
  const page = await cloudTrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }));
  return (page.Events ?? []).map((e: Event) => JSON.parse(e.CloudTrailEvent ?? '{}') as Rec);
}

const ROOT_IDENTITY = { type: 'Root', principalId: TEST_ACCOUNT_ID, arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`, accountId: TEST_ACCOUNT_ID, accessKeyId: '' };

describe('root credential changes in the audit trail', () => {
  test('a refused password change records nothing; a made one is a PasswordUpdated sign-in event without the passwords', async () => {
    const refused = await post({ action: 'changePassword', account: TEST_ACCOUNT_ID, password: 'Not-the-password-1', newPassword: SECOND });
    assert.equal(refused.status, 401);
    assert.deepEqual(await eventsNamed('PasswordUpdated'), []);

    const made = await post({ action: 'changePassword', account: TEST_ACCOUNT_ID, password: FIRST, newPassword: SECOND });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const [record, ...more] = await eventsNamed('PasswordUpdated');
    assert.deepEqual(more, []);
    assert.ok(record !== undefined);
    assert.deepEqual(record['userIdentity'], ROOT_IDENTITY);
    assert.equal(record['eventSource'], 'signin.amazonaws.com');
    assert.equal(record['eventType'], 'AwsConsoleSignIn');
    assert.equal(record['userAgent'], USER_AGENT);
    assert.equal(record['requestParameters'], null);
    assert.deepEqual(record['responseElements'], { PasswordUpdated: 'Success' });
    assert.equal(record['recipientAccountId'], TEST_ACCOUNT_ID);
    const text = JSON.stringify(record);
    assert.equal(text.includes(FIRST) || text.includes(SECOND), false, 'no password in the record');
  });

  test('assigning and removing root MFA records the IAM calls, with the serial number and no code', async () => {
    const device = (await iamClient(server.endpoint).send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'root-mfa' }))).VirtualMFADevice;
    const serial = device?.SerialNumber as string;
    const seed = Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
    const step = timeStep(new Date());
    const [code1, code2] = [codeAt(seed, step - 2), codeAt(seed, step - 1)];
    const enabled = await post({ action: 'enableMfa', account: TEST_ACCOUNT_ID, password: SECOND, serialNumber: serial, authenticationCode1: code1, authenticationCode2: code2 });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const [enable] = await eventsNamed('EnableMFADevice');
    assert.ok(enable !== undefined);
    assert.deepEqual(enable['userIdentity'], ROOT_IDENTITY);
    assert.equal(enable['eventSource'], 'iam.amazonaws.com');
    assert.equal(enable['eventType'], 'AwsApiCall');
    assert.deepEqual(enable['requestParameters'], { serialNumber: serial });
    assert.equal(JSON.stringify(enable).includes(code1) || JSON.stringify(enable).includes(code2), false, 'no code in the record');

    const removed = await post({ action: 'removeMfa', account: TEST_ACCOUNT_ID, password: SECOND, mfaCode: codeAt(seed, step), serialNumber: serial });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    for (const name of ['DeactivateMFADevice', 'DeleteVirtualMFADevice']) {
      const [record] = await eventsNamed(name);
      assert.ok(record !== undefined, name);
      assert.deepEqual(record['userIdentity'], ROOT_IDENTITY);
      assert.deepEqual(record['requestParameters'], { serialNumber: serial });
    }
  });
});
