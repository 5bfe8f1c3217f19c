import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type OperationContext, type Params } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { DELEGATION_REQUEST_OPERATIONS } from './delegation-requests.js';
import { HUMAN_READABLE_SUMMARY_OPERATIONS } from './human-readable-summary.js';

const OPERATIONS = defineOperations([...DELEGATION_REQUEST_OPERATIONS, ...HUMAN_READABLE_SUMMARY_OPERATIONS]);
const PARTNER = '444455556666';
const OTHER = '777788889999';
const partner: Caller = { ...ROOT_CALLER, account: PARTNER, arn: `arn:aws:iam::${PARTNER}:root`, userId: PARTNER };
const other: Caller = { ...ROOT_CALLER, account: OTHER, arn: `arn:aws:iam::${OTHER}:root`, userId: OTHER };
const alice: Caller = { kind: 'user', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`, userId: 'AIDAALICE', userName: 'alice', accessKeyId: 'AKIAALICE' };

const TEMPLATE = 'arn:aws:iam::aws:policy-template/Monitoring';
const CREATE: Params = {
  Description: 'Deploy the monitoring stack',
  Permissions: { PolicyTemplateArn: TEMPLATE, Parameters: [{ Name: 'bucket', Values: ['logs', 'audit'], Type: 'stringList' }] },
  RequestorWorkflowId: 'workflow-1',
  NotificationChannel: `arn:aws:sns:us-east-1:${PARTNER}:delegation`,
  SessionDuration: 5400,
};

let store: Store;
let iam: ReturnType<typeof runner>;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, testServices());
});
afterEach(() => store.close());

const create = async (extra: Params = {}): Promise<string> =>
  (await iam.run('CreateDelegationRequest', { ...CREATE, ...extra }, partner))['DelegationRequestId'] as string;
const arnOf = (id: string, account = TEST_ACCOUNT): string => `arn:aws:iam::${account}:delegation-request/${id}`;
const summary = (params: Params, caller: Caller = ROOT_CALLER): Promise<Record<string, unknown>> => iam.run('GetHumanReadableSummary', params, caller);

describe('GetHumanReadableSummary of a delegation request', () => {
  test('in English by default ("en", as AWS answers), from the request\'s own fields', async () => {
    const id = await create({ RequestMessage: 'Please approve by Friday' });
    const out = await summary({ EntityArn: arnOf(id, PARTNER) }, partner);
    assert.equal(out['SummaryState'], 'AVAILABLE');
    assert.equal(out['Locale'], 'en');
    const content = out['SummaryContent'] as string;
    assert.equal(content.split('\n')[0], `# Delegation request \`${id}\``);
    assert.match(content, new RegExp(`AWS account ${PARTNER} asks for temporary access to an AWS account that is not yet chosen, for sessions of up to 1 hour 30 minutes\\.`));
    assert.match(content, /The permissions are those of the policy template `arn:aws:iam::aws:policy-template\/Monitoring`\./);
    assert.match(content, /^- `bucket` \(`stringList`\): `logs`, `audit`$/m);
    assert.match(content, /^State: UNASSIGNED\. Created 2026-11-25T12:00:00\.000Z\.$/m);
    assert.match(content, /^> Deploy the monitoring stack$/m);
    assert.match(content, /^> Please approve by Friday$/m);
  });

  test('it follows the request: owner, approver, state', async () => {
    const id = await create({ OwnerAccountId: TEST_ACCOUNT, OnlySendByOwner: true });
    const before = (await summary({ EntityArn: arnOf(id) }))['SummaryContent'] as string;
    assert.match(before, new RegExp(`temporary access to AWS account ${TEST_ACCOUNT},`));
    assert.match(before, /No one has taken ownership of the request yet\./);
    await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
    await iam.run('AcceptDelegationRequest', { DelegationRequestId: id });
    const after = (await summary({ EntityArn: arnOf(id) }))['SummaryContent'] as string;
    assert.match(after, new RegExp(`^Owner: \`${alice.arn}\`\\.$`, 'm'));
    assert.match(after, new RegExp(`^Approved by \`${ROOT_CALLER.arn}\`\\.$`, 'm'));
    assert.match(after, /^State: ACCEPTED\./m);
    assert.match(after, /^Only the owner may send the delegation token\.$/m);
  });

  const locales: ReadonlyArray<[string, string, string]> = [
    ['en-US', 'AVAILABLE', 'non-empty'],
    ['en_GB', 'AVAILABLE', 'non-empty'],
    ['EN', 'AVAILABLE', 'non-empty'],
    ['ja-JP', 'NOT_SUPPORTED', ''],
    ['de', 'NOT_SUPPORTED', ''],
    ['zh-Hant-TW', 'NOT_SUPPORTED', ''],
    ['eng', 'NOT_SUPPORTED', ''],
  ];
  for (const [locale, state, content] of locales) {
    test(`Locale ${locale}: ${state}, the locale echoed`, async () => {
      const id = await create();
      const out = await summary({ EntityArn: arnOf(id), Locale: locale });
      assert.deepEqual([out['SummaryState'], out['Locale']], [state, locale]);
      if (content === '') assert.equal(out['SummaryContent'], '');
      else assert.ok((out['SummaryContent'] as string).length > 0);
    });
  }

  for (const locale of ['12', 'en US', 'en-', 'e1-US', 'en--US']) {
    test(`Locale ${JSON.stringify(locale)} is refused`, async () => {
      const id = await create();
      await rejects(summary({ EntityArn: arnOf(id), Locale: locale }), 'InvalidInput', 400, `Invalid Locale: ${locale}.`);
    });
  }
});

describe('GetHumanReadableSummary refusals', () => {
  const id = 'dr-0123456789abcdef0123456789abcdef';
  const arns: ReadonlyArray<[string, string]> = [
    ['not-an-arn-of-anything', 'Invalid EntityArn: not-an-arn-of-anything is not an ARN.'],
    [`arn:aws:iam::${TEST_ACCOUNT}:role/admin`, `Unsupported entity type for EntityArn: arn:aws:iam::${TEST_ACCOUNT}:role/admin. The only supported entity type is delegation-request.`],
    [`arn:aws:iam::${TEST_ACCOUNT}:user/alice`, `Unsupported entity type for EntityArn: arn:aws:iam::${TEST_ACCOUNT}:user/alice. The only supported entity type is delegation-request.`],
    [`arn:aws:s3:::delegation-request/${id}`, `Unsupported entity type for EntityArn: arn:aws:s3:::delegation-request/${id}. The only supported entity type is delegation-request.`],
    [`arn:aws:iam::${TEST_ACCOUNT}:delegation-request`, `Invalid EntityArn: arn:aws:iam::${TEST_ACCOUNT}:delegation-request is not the ARN of a delegation request.`],
    [`arn:aws:iam:us-east-1:${TEST_ACCOUNT}:delegation-request/${id}`, `Invalid EntityArn: arn:aws:iam:us-east-1:${TEST_ACCOUNT}:delegation-request/${id} is not the ARN of a delegation request.`],
    [`arn:aws-cn:iam::${TEST_ACCOUNT}:delegation-request/${id}`, `Invalid EntityArn: arn:aws-cn:iam::${TEST_ACCOUNT}:delegation-request/${id} is not the ARN of a delegation request.`],
    [`arn:aws:iam::12345:delegation-request/${id}`, `Invalid EntityArn: arn:aws:iam::12345:delegation-request/${id} is not the ARN of a delegation request.`],
    [`arn:aws:iam::${TEST_ACCOUNT}:delegation-request/short`, `Invalid EntityArn: arn:aws:iam::${TEST_ACCOUNT}:delegation-request/short is not the ARN of a delegation request.`],
    [`arn:aws:iam::${TEST_ACCOUNT}:delegation-request/${id}/x`, `Invalid EntityArn: arn:aws:iam::${TEST_ACCOUNT}:delegation-request/${id}/x is not the ARN of a delegation request.`],
  ];
  for (const [arn, message] of arns) {
    test(`${arn}: InvalidInput`, async () => {
      await rejects(summary({ EntityArn: arn }), 'InvalidInput', 400, message);
    });
  }

  test('a request that does not exist: NoSuchEntity', async () => {
    await rejects(summary({ EntityArn: arnOf(id) }), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
  });

  test('another account sees what GetDelegationRequest lets it see, and nothing more', async () => {
    const targeted = await create({ OwnerAccountId: TEST_ACCOUNT });
    await rejects(summary({ EntityArn: arnOf(targeted, OTHER) }, other), 'NoSuchEntity', 404, `The delegation request with id ${targeted} cannot be found.`);
    await rejects(iam.run('GetDelegationRequest', { DelegationRequestId: targeted }, other), 'NoSuchEntity', 404, `The delegation request with id ${targeted} cannot be found.`);
    assert.equal((await summary({ EntityArn: arnOf(targeted) }))['SummaryState'], 'AVAILABLE');

    const open = await create();
    assert.equal((await summary({ EntityArn: arnOf(open, OTHER) }, other))['SummaryState'], 'AVAILABLE');
    await iam.run('AssociateDelegationRequest', { DelegationRequestId: open }, alice);
    await rejects(summary({ EntityArn: arnOf(open, OTHER) }, other), 'NoSuchEntity', 404, `The delegation request with id ${open} cannot be found.`);
    assert.equal((await summary({ EntityArn: arnOf(open, PARTNER) }, partner))['SummaryState'], 'AVAILABLE');
  });

  test("an ARN naming an account that is neither the caller's nor the request's answers as missing", async () => {
    const targeted = await create({ OwnerAccountId: TEST_ACCOUNT });
    await rejects(summary({ EntityArn: arnOf(targeted, OTHER) }), 'NoSuchEntity', 404, `The delegation request with id ${targeted} cannot be found.`);
    for (const account of [TEST_ACCOUNT, PARTNER]) assert.equal((await summary({ EntityArn: arnOf(targeted, account) }))['SummaryState'], 'AVAILABLE');
  });
});

describe("the partner's text cannot pass for the summary's own", () => {
  test('Markdown in the description and message is quoted and escaped, line by line', async () => {
    const description = '# Approved by AWS\n[click](https://example.com) <b>x</b> *bold* `code` 1. one\n- item\n\n> nested';
    const id = await create({ Description: description, RequestMessage: '| a | b |\r\n+ plus' });
    const content = (await summary({ EntityArn: arnOf(id) }))['SummaryContent'] as string;
    const quoted = content.split('\n').filter((line) => line.startsWith('>'));
    assert.deepEqual(quoted, [
      '> \\# Approved by AWS',
      '> \\[click\\](https://example.com) \\<b\\>x\\</b\\> \\*bold\\* \\`code\\` 1. one',
      '> \\- item',
      '>',
      '> \\> nested',
      '> \\| a \\| b \\|',
      '> \\+ plus',
    ]);
    // Only the summary's own heading starts a line with "#".
    assert.deepEqual(content.split('\n').filter((line) => line.startsWith('#')), [`# Delegation request \`${id}\``]);
  });

  test('a value with backticks is fenced by a longer run, padded when it starts or ends with one', async () => {
    const id = await create({ Permissions: { PolicyTemplateArn: TEMPLATE, Parameters: [{ Name: 'n`ame', Values: ['a``b', '`edge`', ' spaced '], Type: 'stringList' }] } });
    const content = (await summary({ EntityArn: arnOf(id) }))['SummaryContent'] as string;
    assert.match(content, /^- ``n`ame`` \(`stringList`\): ```a``b```, `` `edge` ``, `  spaced  `$/m);
  });

  test('a summary longer than SummaryContent allows is cut to 10000 characters', async () => {
    const values = Array.from({ length: 30 }, (_, i) => `${'v'.repeat(90)}${i}`);
    const parameters = Array.from({ length: 50 }, (_, i) => ({ Name: `param${i}`, Values: values, Type: 'stringList' }));
    const id = await create({ Permissions: { PolicyTemplateArn: TEMPLATE, Parameters: parameters } });
    const content = (await summary({ EntityArn: arnOf(id) }))['SummaryContent'] as string;
    assert.equal(content.length, 10000);
    assert.ok(content.endsWith('…'));
  });
});

describe('authorization of GetHumanReadableSummary', () => {
  const op = OPERATIONS.get('iam:GetHumanReadableSummary');
  const decide = (params: Params, caller: Caller = ROOT_CALLER): Promise<[string, Record<string, string | string[]>]> =>
    store.read(async (tx) => {
      const ctx: OperationContext = { caller, account: caller.account, tx, now: new Date(), requestId: 't', services: testServices() };
      const resource = (await op?.resource(ctx, params)) as string;
      return [resource, op?.conditionKeys?.(ctx, params) ?? {}];
    });

  test("on the delegation request's ARN in the caller's account, as GetDelegationRequest, with its owner once it has one", async () => {
    const id = await create();
    assert.deepEqual(await decide({ EntityArn: arnOf(id, PARTNER) }), [arnOf(id), {}]);
    await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
    assert.deepEqual(await decide({ EntityArn: arnOf(id) }), [arnOf(id), { 'iam:DelegationRequestOwner': alice.arn }]);
    // Another account does not learn the owner of a request it may not see.
    assert.deepEqual(await decide({ EntityArn: arnOf(id) }, other), [arnOf(id, OTHER), {}]);
  });

  test('an ARN of anything else is decided on as sent', async () => {
    const arn = `arn:aws:iam::${TEST_ACCOUNT}:role/admin`;
    assert.deepEqual(await decide({ EntityArn: arn }), [arn, {}]);
  });
});
