// The console is a client of Gatehouse's public APIs only: the sign-in endpoint, then IAM and STS through the AWS
// SDK v3 (and CloudTrail for the event history, Organizations for the organization's page), which signs every call
// with SigV4 as any SDK does. Enforcement applies to it as to the CLI.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
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

/** A POST of JSON to one of the console's endpoints: its JSON answer, or AWS-style `{code, message}` on failure. */
async function postJson(url: string, request: unknown): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; code: string; message: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
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
  if (response.ok) return { ok: true, body };
  return {
    ok: false,
    code: typeof body['error'] === 'string' ? body['error'] : `HTTP${response.status}`,
    message: typeof body['message'] === 'string' ? body['message'] : `The request failed (HTTP ${response.status}).`,
  };
}

export async function signIn(request: SignInRequest): Promise<SignInOutcome> {
  const answer = await postJson(SIGN_IN_URL, request);
  if (!answer.ok) return answer;
  return { ok: true, session: { ...(answer.body as unknown as Omit<ConsoleSession, 'accountAsTyped'>), accountAsTyped: request.account } };
}

/**
 * The root user's own credentials (password, MFA devices): as in AWS, not IAM operations but the console's. Every
 * request carries the current password and, once root has an MFA device, a code of it.
 */
export const ROOT_CREDENTIALS_URL = '/_gatehouse/console/root-credentials';

export type RootCredentialsRequest = { readonly account: string; readonly password: string; readonly mfaCode?: string } & (
  | { readonly action: 'changePassword'; readonly newPassword: string }
  | { readonly action: 'enableMfa'; readonly serialNumber: string; readonly authenticationCode1: string; readonly authenticationCode2: string }
  | { readonly action: 'removeMfa'; readonly serialNumber: string }
);

/** Undefined when done; the failure's message otherwise (AWS's code first, as errorText writes SDK errors). */
export async function changeRootCredentials(request: RootCredentialsRequest): Promise<string | undefined> {
  const answer = await postJson(ROOT_CREDENTIALS_URL, request);
  return answer.ok ? undefined : `${answer.code}: ${answer.message}`;
}

export interface Clients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  /** LookupEvents only: Gatehouse serves the audit trail as CloudTrail's event history. */
  readonly cloudTrail: CloudTrailClient;
  readonly organizations: OrganizationsClient;
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
  return { iam: new IAMClient(config), sts: new STSClient(config), cloudTrail: new CloudTrailClient(config), organizations: new OrganizationsClient(config) };
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

/** A managed policy's default version's document (URL-encoded, as IAM returns it), read as any client reads it. */
export async function defaultPolicyDocument(iam: IAMClient, arn: string): Promise<string | undefined> {
  const versionId = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId;
  return (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }))).PolicyVersion?.Document;
}
