import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sha256Hex } from '../sigv4/payload-hash.js';
import { signRequest, type SigningCredentials } from '../sigv4/sign-request.js';

/**
 * What a service (an S3-compatible store, say) uses to ask Gatehouse whether a request it received may proceed: it
 * forwards the request as received with the action(s) and resource(s), signed with the service's own Gatehouse
 * credentials (SigV4, service `iam`). The answer is the JSON of POST /_gatehouse/authorize.
 */
export interface AuthorizeClientOptions {
  /** Gatehouse's endpoint, e.g. http://127.0.0.1:4566. */
  readonly endpoint: string;
  /** The service principal's keys: it needs gatehouse:Authorize (and gatehouse:GetChunkSigningKey for streaming uploads). */
  readonly credentials: SigningCredentials;
  readonly region?: string;
  readonly clock?: () => Date;
}

/** An ACL in S3's JSON shape (GetObjectAcl's, as the SDKs show it). */
export interface AclJson {
  readonly Owner: { readonly ID: string; readonly DisplayName?: string };
  readonly Grants: ReadonlyArray<{
    readonly Grantee: { readonly Type: 'CanonicalUser'; readonly ID: string } | { readonly Type: 'Group'; readonly URI: string } | { readonly Type: 'AmazonCustomerByEmail'; readonly EmailAddress: string };
    readonly Permission: 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
  }>;
}

export type ObjectOwnershipJson = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/** An S3Acl (what parseAccessControlPolicy, cannedAcl and aclFromGrantHeaders return) as the authorize call carries it. */
export function aclJson(acl: { owner: { id: string; displayName?: string }; grants: ReadonlyArray<{ grantee: { type: string; id?: string; uri?: string; emailAddress?: string }; permission: AclJson['Grants'][number]['Permission'] }> }): AclJson {
  return {
    Owner: { ID: acl.owner.id, ...(acl.owner.displayName !== undefined ? { DisplayName: acl.owner.displayName } : {}) },
    Grants: acl.grants.map((g) => ({
      Grantee:
        g.grantee.type === 'CanonicalUser'
          ? { Type: 'CanonicalUser' as const, ID: g.grantee.id ?? '' }
          : g.grantee.type === 'Group'
            ? { Type: 'Group' as const, URI: g.grantee.uri ?? '' }
            : { Type: 'AmazonCustomerByEmail' as const, EmailAddress: g.grantee.emailAddress ?? '' },
      Permission: g.permission,
    })),
  };
}

export interface ForwardedAction {
  readonly Action: string;
  readonly Resource: string;
  readonly ResourceAccount?: string;
  readonly ResourcePolicy?: string | object;
  readonly ResourcePolicyArn?: string;
  /** The ACL S3 consults for this action; in force unless ObjectOwnership is BucketOwnerEnforced (the default). */
  readonly Acl?: AclJson;
  readonly ObjectOwnership?: ObjectOwnershipJson;
  readonly Context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface AuthorizeRequestBody {
  readonly Request?: { Method: string; Path: string; Query: string; Headers: Array<[string, string]>; BodySha256?: string };
  readonly PrincipalArn?: string;
  readonly Service?: string;
  readonly Regions?: readonly string[];
  readonly ResourceAccount?: string;
  readonly ResourcePolicy?: string | object;
  readonly ResourcePolicyArn?: string;
  readonly Acl?: AclJson;
  readonly ObjectOwnership?: ObjectOwnershipJson;
  readonly Context?: Readonly<Record<string, string | readonly string[]>>;
  readonly Actions: readonly ForwardedAction[];
  readonly Explain?: boolean;
  readonly IncludeChunkSigningKey?: boolean;
}

export interface AuthorizeResponseBody {
  readonly Authenticated: boolean;
  readonly Allowed: boolean;
  readonly Error?: { Code: string; Message: string; Status: number };
  readonly Results: ReadonlyArray<{ Action: string; Resource: string; Decision: string; Allowed: boolean; Message?: string; Explanation?: unknown }>;
  readonly Principal?: { Arn: string; Account: string; CanonicalUserId?: string; Type: string; UserId: string; AccessKeyId?: string; SessionContext?: unknown };
  readonly Payload?: { Mode: string; Sha256?: string; SignedChunks: boolean; Trailer: boolean };
  readonly Streaming?: { SeedSignature: string; Timestamp: string; Scope: string; SigningKey?: string };
}

/** A failure of the call itself (the service's credentials, permissions or input), not a decision. */
export class AuthorizeCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The request line and headers of a received request, as the authorize API wants them (headers as sent, repeated ones included). */
export function forwardedRequestOf(req: IncomingMessage, bodySha256?: string): NonNullable<AuthorizeRequestBody['Request']> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
  return { Method: req.method ?? 'GET', Path: q < 0 ? url : url.slice(0, q), Query: q < 0 ? '' : url.slice(q + 1), Headers: headers, ...(bodySha256 !== undefined ? { BodySha256: bodySha256 } : {}) };
}

/** A resource's entry in Gatehouse's resource-policy registry (GET /_gatehouse/resource-policies). */
export interface ResourcePolicyEntry {
  readonly Arn: string;
  readonly Account: string;
  readonly Policy?: string;
  readonly Tags: ReadonlyArray<{ Key: string; Value: string }>;
}

export interface AuthorizeClient {
  authorize(body: AuthorizeRequestBody): Promise<AuthorizeResponseBody>;
  /** The registered policy and tags of `arn`; undefined when nothing is registered. Needs gatehouse:GetResourcePolicy. */
  getResourcePolicy(arn: string): Promise<ResourcePolicyEntry | undefined>;
  /**
   * Registers `policy` for `arn` in `account`, validated as the owning service validates it: a bucket policy that S3
   * would refuse throws AuthorizeCallError with S3's MalformedPolicy and its message. Needs gatehouse:PutResourcePolicy.
   */
  putResourcePolicy(arn: string, account: string, policy: string): Promise<ResourcePolicyEntry>;
  /** Removes the policy of `arn` (a bucket's missing one: NoSuchBucketPolicy). Needs gatehouse:DeleteResourcePolicy. */
  deleteResourcePolicy(arn: string): Promise<void>;
}

export function createAuthorizeClient(options: AuthorizeClientOptions): AuthorizeClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const clock = options.clock ?? (() => new Date());

  async function call(method: string, path: string, body: unknown): Promise<{ status: number; answer: Record<string, unknown> }> {
    const url = `${endpoint}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    // The registry refuses a write whose signature it has seen (a replay); a nonce keeps two identical calls in the
    // same second (a retry, a second DELETE) from sharing one.
    const headers = signRequest(
      { method, url, headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(text), 'x-gatehouse-nonce': randomUUID() }, body: text },
      { credentials: options.credentials, region: options.region ?? 'us-east-1', service: 'iam', now: clock() },
    );
    delete headers['host'];
    const response = await fetch(url, { method, headers, ...(text !== '' ? { body: text } : {}) });
    const raw = await response.text();
    const answer = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    if (response.status >= 300 && response.status !== 404) throw new AuthorizeCallError(String(answer['Code']), String(answer['Message']), response.status);
    return { status: response.status, answer };
  }

  const registryPath = (arn: string): string => `/_gatehouse/resource-policies?arn=${encodeURIComponent(arn)}`;
  const failed = (status: number, answer: Record<string, unknown>): AuthorizeCallError => new AuthorizeCallError(String(answer['Code']), String(answer['Message']), status);

  return {
    async authorize(body) {
      const { status, answer } = await call('POST', '/_gatehouse/authorize', body);
      if (status !== 200) throw failed(status, answer);
      return answer as unknown as AuthorizeResponseBody;
    },
    async getResourcePolicy(arn) {
      const { status, answer } = await call('GET', registryPath(arn), undefined);
      if (status === 404) {
        if (answer['Code'] === 'ResourceNotFoundException') return undefined;
        throw failed(status, answer);
      }
      return answer as unknown as ResourcePolicyEntry;
    },
    async putResourcePolicy(arn, account, policy) {
      const { status, answer } = await call('PUT', registryPath(arn), { Account: account, Policy: policy });
      if (status !== 200) throw failed(status, answer);
      return answer as unknown as ResourcePolicyEntry;
    },
    async deleteResourcePolicy(arn) {
      const { status, answer } = await call('DELETE', registryPath(arn), undefined);
      if (status !== 204) throw failed(status, answer);
    },
  };
}
