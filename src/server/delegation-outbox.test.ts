import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from './config.js';
import { loadDelegationTemplates, outboxFile, writeDelivery } from './delegation-outbox.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-outbox-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const delivery = {
  delegationRequestId: `dr-${'a1'.repeat(16)}`,
  requestorAccountId: '444455556666',
  requestorWorkflowId: 'wf-1',
  notificationChannel: 'arn:aws:sns:us-east-1:444455556666:d',
  ownerAccountId: '111122223333',
  tradeInToken: `dr-${'a1'.repeat(16)}.secret`,
  expiration: new Date('2026-11-25T13:00:00Z'),
};

describe('the delegation outbox', () => {
  test('a delivery is one 0600 JSON file named by the request, in a 0700 directory the configuration makes', () => {
    const dir = join(scratch, 'made', 'outbox');
    const config = loadConfig({ dataDir: join(scratch, 'data'), delegationOutbox: dir }, {});
    assert.equal(config.delegationOutbox, dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const umask = process.umask(0);
    try {
      writeDelivery(dir, delivery);
    } finally {
      process.umask(umask);
    }
    const file = outboxFile(dir, delivery.delegationRequestId);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'private whatever the umask');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      DelegationRequestId: delivery.delegationRequestId,
      RequestorAccountId: '444455556666',
      RequestorWorkflowId: 'wf-1',
      NotificationChannel: delivery.notificationChannel,
      OwnerAccountId: '111122223333',
      TradeInToken: delivery.tradeInToken,
      Expiration: '2026-11-25T13:00:00.000Z',
    });
    assert.deepEqual(readdirSync(dir), [`${delivery.delegationRequestId}.json`], 'no temporary file is left');
  });

  test('an ID that is not Gatehouse\'s cannot name a file', () => {
    for (const id of ['../escape', 'dr-x', `dr-${'a1'.repeat(16)}/..`]) {
      assert.throws(() => writeDelivery(scratch, { ...delivery, delegationRequestId: id }), /not a delegation request ID/);
    }
  });

  test('the environment variables set both options; empty ones set nothing', () => {
    const templates = join(scratch, 't.json');
    writeFileSync(templates, JSON.stringify({ 'arn:aws:iam::aws:policy-template/T': { Version: '2012-10-17', Statement: [] } }));
    const config = loadConfig({ dataDir: join(scratch, 'data2') }, { GATEHOUSE_DELEGATION_OUTBOX: join(scratch, 'env-outbox'), GATEHOUSE_DELEGATION_TEMPLATES: templates });
    assert.equal(config.delegationOutbox, join(scratch, 'env-outbox'));
    assert.deepEqual([...(config.delegationTemplates?.keys() ?? [])], ['arn:aws:iam::aws:policy-template/T']);
    const none = loadConfig({ dataDir: join(scratch, 'data3') }, { GATEHOUSE_DELEGATION_OUTBOX: ' ', GATEHOUSE_DELEGATION_TEMPLATES: '' });
    assert.deepEqual([none.delegationOutbox, none.delegationTemplates], [undefined, undefined]);
  });
});

describe('the delegation templates file', () => {
  const file = (name: string, text: string): string => {
    const path = join(scratch, name);
    writeFileSync(path, text);
    return path;
  };

  test('templates by ARN, as objects or JSON text; __proto__ stays a key like any other', () => {
    const templates = loadDelegationTemplates(file('ok.json', '{"arn:aws:iam::aws:policy-template/A":{"Version":"2012-10-17"},"arn:aws:iam::123456789012:policy-template/B":"{}"}'));
    assert.deepEqual([...templates.keys()], ['arn:aws:iam::aws:policy-template/A', 'arn:aws:iam::123456789012:policy-template/B']);
    assert.equal(templates.get('__proto__'), undefined);
    assert.equal(templates.get('constructor'), undefined);
  });

  for (const [name, text, message] of [
    ['not JSON', '{', /is not JSON/],
    ['an array', '[]', /must be a JSON object from template ARN to policy document/],
    ['a key that is no ARN', '{"__proto__":{}}', /"__proto__" is not an IAM ARN/],
    ['a template that is no document', '{"arn:aws:iam::aws:policy-template/A":[1]}', /must be a policy document/],
  ] as const) {
    test(`refused: ${name}`, () => assert.throws(() => loadDelegationTemplates(file(`${name}.json`, text)), message));
  }

  test('a missing file is a configuration error', () => {
    assert.throws(() => loadDelegationTemplates(join(scratch, 'missing.json')), /cannot read the delegation templates file/);
  });
});
