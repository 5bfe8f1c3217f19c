// Helpers for the core's own tests: an operation context on a real store, with a fixed clock.
import assert from 'node:assert/strict';
import { ServiceError } from './errors.js';
import { GuessLimiter } from './guess-limiter.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';
import type { AwsManagedPolicy, CoreServices, OperationContext, OperationDefinition, Params, Result } from './operation.js';

export const TEST_ACCOUNT = '111122223333';

export const ROOT_CALLER: Caller = {
  kind: 'root',
  account: TEST_ACCOUNT,
  arn: `arn:aws:iam::${TEST_ACCOUNT}:root`,
  userId: TEST_ACCOUNT,
  accessKeyId: 'AKIAROOTROOTROOTROOT',
};

/** An IAM user of the test account calling with its long-term key (the user need not exist in the store). */
export function userCaller(name: string, userId = `AIDA${name.toUpperCase()}`): Caller {
  return { kind: 'user', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/${name}`, userId, userName: name, accessKeyId: `AKIA${name.toUpperCase()}` };
}

/** A session of a role of the test account (AssumeRole credentials). */
export function roleSessionCaller(role: string, session = 's'): Caller {
  return {
    kind: 'assumedRole',
    account: TEST_ACCOUNT,
    arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/${role}/${session}`,
    userId: `AROA${role.toUpperCase()}:${session}`,
    accessKeyId: `ASIA${role.toUpperCase()}`,
    roleName: role,
    roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/${role}`,
  };
}

/** Plain-text "encryption" and hashing: the core tests check behaviour, not cryptography. */
export function testServices(awsPolicies: readonly AwsManagedPolicy[] = []): CoreServices {
  return {
    encryptSecret: (plain) => `sealed:${plain}`,
    decryptSecret: (sealed) => sealed.slice('sealed:'.length),
    hashPassword: async (password) => `hash:${password}`,
    verifyPassword: async (password, hash) => hash === `hash:${password}`,
    awsManagedPolicies: () => ({
      get: (arn) => awsPolicies.find((p) => p.arn === arn),
      list: () => awsPolicies,
    }),
    guessLimiter: new GuessLimiter(),
  };
}

/** Runs one operation in its own transaction, as the server would (without authorization). */
export function runner(store: Store, operations: ReadonlyMap<string, OperationDefinition>, services: CoreServices = testServices()) {
  let clock = new Date('2026-11-25T12:00:00Z');
  return {
    setClock(date: Date): void {
      clock = date;
    },
    async run(name: string, params: Params, caller: Caller = ROOT_CALLER): Promise<Result> {
      const op = operations.get(`iam:${name}`) ?? operations.get(`sts:${name}`) ?? operations.get(`organizations:${name}`) ?? operations.get(`cloudtrail:${name}`);
      if (op === undefined) throw new Error(`no operation ${name}`);
      return store.transaction((tx) => {
        const ctx: OperationContext = { caller, account: caller.account, tx, now: clock, requestId: 'test', services };
        return op.run(ctx, params);
      });
    },
  };
}

/** Asserts that an operation fails with exactly this AWS error code, HTTP status and message. */
export async function rejects(call: Promise<unknown>, code: string, status: number, message: string): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.deepEqual({ code: error.code, status: error.status, message: error.message }, { code, status, message });
    return true;
  });
}
