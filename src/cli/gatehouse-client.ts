import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../sigv4/payload-hash.js';
import { signRequest, type SigningCredentials } from '../sigv4/sign-request.js';

/**
 * Calls Gatehouse's own signed routes (under /_gatehouse/) the way an AWS client calls IAM: SigV4 with the
 * caller's keys, service `iam`. Configuration comes from the variables the AWS tools read.
 */

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';

export interface ClientSettings {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: SigningCredentials;
}

/** A failure to report as one line (exit status 1). */
export class ClientError extends Error {}

/** Endpoint, Region and keys from the options and the environment, or a ClientError naming what is missing. */
export function clientSettings(options: { endpoint?: string | undefined; region?: string | undefined }, env: NodeJS.ProcessEnv): ClientSettings {
  const endpoint = (options.endpoint ?? env['GATEHOUSE_ENDPOINT'] ?? env['AWS_ENDPOINT_URL_IAM'] ?? env['AWS_ENDPOINT_URL'] ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ClientError(`the endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClientError(`the endpoint ${endpoint} must be an http:// or https:// URL`);
  const region = options.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (accessKeyId === undefined || accessKeyId === '' || secretAccessKey === undefined || secretAccessKey === '') {
    throw new ClientError('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) to the keys of a principal allowed iam:PassRole on the role');
  }
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return { endpoint, region, credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && sessionToken !== '' ? { sessionToken } : {}) } };
}

/** Sends a signed JSON request and returns the JSON answer, or throws a ClientError with the server's code and message. */
export async function callGatehouse(settings: ClientSettings, method: 'POST' | 'DELETE', path: string, body: unknown, now: Date): Promise<Record<string, unknown>> {
  const url = `${settings.endpoint}${path}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = signRequest(
    // The server refuses a signature it has seen (a replay): a random token, signed, makes each request unique even
    // when the same caller asks the same thing twice in one second.
    { method, url, headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(text), 'x-gatehouse-client-token': randomUUID() }, body: text },
    { credentials: settings.credentials, region: settings.region, service: 'iam', now },
  );
  // fetch sets Host itself, from the URL, to the value signed.
  delete headers['host'];
  let response: Response;
  try {
    response = await fetch(url, { method, headers, ...(text !== '' ? { body: text } : {}) });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new ClientError(`cannot reach ${settings.endpoint}: ${cause ?? (error as Error).message}`);
  }
  const answer = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(answer) as Record<string, unknown>;
  } catch {
    throw new ClientError(`${settings.endpoint} answered ${response.status} with something other than JSON: is it a Gatehouse server?`);
  }
  if (!response.ok) throw new ClientError(`${String(parsed['Code'] ?? response.status)}: ${String(parsed['Message'] ?? answer)}`);
  return parsed;
}
