import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { REGION, ROOT_KEY } from './server.js';

export interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials. */
  readonly sessionToken?: string;
}

/** An IAM client of the real AWS SDK for JavaScript v3, pointed at the test server. */
export function iamClient(endpoint: string, key: Key = ROOT_KEY): IAMClient {
  return new IAMClient({ endpoint, region: REGION, credentials: key, maxAttempts: 1 });
}

/** An Organizations client of the real AWS SDK for JavaScript v3 (awsJson1_1), pointed at the test server. */
export function organizationsClient(endpoint: string, key: Key = ROOT_KEY): OrganizationsClient {
  return new OrganizationsClient({ endpoint, region: REGION, credentials: key, maxAttempts: 1 });
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

/** An STS client of the real AWS SDK for JavaScript v3, pointed at the test server. */
export function stsClient(endpoint: string, key: Key = ROOT_KEY): STSClient {
  return new STSClient({ endpoint, region: REGION, credentials: key, maxAttempts: 1 });
}

/** The temporary credentials an STS call returned, as SDK credentials. */
export function keyOf(credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Key {
  if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined || credentials.SessionToken === undefined) {
    throw new Error('no credentials in the response');
  }
  return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
}
