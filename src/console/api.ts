// The console is a client of Gatehouse's public APIs only: the sign-in endpoint, then IAM and STS through the AWS
// SDK v3, which signs every call with SigV4 as any SDK does. Enforcement applies to it as to the CLI.
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { ConsoleSession } from './session.js';

export const SIGN_IN_URL = '/_gatehouse/console/sign-in';
/** Gatehouse answers IAM and STS at its root; region is only part of the signature's scope. */
const REGION = 'us-east-1';

export interface SignInRequest {
  readonly account: string;
  readonly userName: string;
  readonly password: string;
  readonly root?: boolean;
  readonly mfaCode?: string;
}

export type SignInOutcome =
  | { readonly ok: true; readonly session: ConsoleSession }
  | { readonly ok: false; readonly code: string; readonly message: string };

export async function signIn(request: SignInRequest): Promise<SignInOutcome> {
  let response: Response;
  try {
    response = await fetch(SIGN_IN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    return { ok: false, code: 'NetworkError', message: 'The server could not be reached. Check that Gatehouse is running.' };
  }
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Answered below from the status alone.
  }
  if (response.ok) return { ok: true, session: { ...(body as unknown as Omit<ConsoleSession, 'accountAsTyped'>), accountAsTyped: request.account } };
  return {
    ok: false,
    code: typeof body['error'] === 'string' ? body['error'] : `HTTP${response.status}`,
    message: typeof body['message'] === 'string' ? body['message'] : `The sign-in failed (HTTP ${response.status}).`,
  };
}

export interface Clients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
}

export function clientsFor(session: ConsoleSession): Clients {
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = session.credentials;
  const config = {
    region: REGION,
    endpoint: window.location.origin,
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiration) },
    // A denial or a throttle is shown at once rather than retried behind the person's back.
    maxAttempts: 1,
  };
  return { iam: new IAMClient(config), sts: new STSClient(config) };
}

/**
 * The error's AWS code as the server sent it (`NoSuchEntity`; the SDK's exception class is `NoSuchEntityException`,
 * and the response's code is kept on the error as `Code`).
 */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { Code?: unknown }).Code;
  return typeof code === 'string' && code !== '' ? code : error.name;
}

/** An SDK error as text: AWS's code and message, as the CLI prints them. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error) ?? 'Error';
    return error.message !== '' ? `${code}: ${error.message}` : code;
  }
  return String(error);
}
