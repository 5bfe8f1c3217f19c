import { IAMClient } from '@aws-sdk/client-iam';
import { REGION, ROOT_KEY } from './server.js';

export interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An IAM client of the real AWS SDK for JavaScript v3, pointed at the test server. */
export function iamClient(endpoint: string, key: Key = ROOT_KEY): IAMClient {
  return new IAMClient({ endpoint, region: REGION, credentials: key, maxAttempts: 1 });
}

/** The error an SDK call rejects with, for asserting AWS's code, status and message. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}
