import type { EventLog, Store, StoreTx } from '../store/store.js';
import type { Caller } from './caller.js';
import type { ServiceCatalogue } from './iam/access-advisor/tracked-services.js';
import type { GuessLimiter } from './guess-limiter.js';
import type { RoleTemplateCatalogue } from './iam/role-templates/catalogue.js';
import type { SessionClaims } from './sts/session-token.js';

/** Everything an operation may use. The clock and IDs come from here so tests can fix them. */
export interface OperationContext {
  readonly caller: Caller;
  /** The account the request acts in (IAM is per account): the caller's. */
  readonly account: string;
  readonly tx: StoreTx;
  readonly now: Date;
  readonly requestId: string;
  readonly services: CoreServices;
  /** The address the request came from (the socket's peer), for throttling guesses per address; absent in tests. */
  readonly sourceIp?: string;
  /** The scheme and Host the request was signed for (`https://iam.example.com`); absent in tests. */
  readonly origin?: string;
}

/** Shared helpers the composition root provides to operations (secrets, password hashing, AWS managed policies). */
export interface CoreServices {
  /** The audit trail's event log (CloudTrail LookupEvents reads it); absent where no audit trail is kept. */
  readonly events?: EventLog;
  encryptSecret(plain: string): string;
  decryptSecret(sealed: string): string;
  hashPassword(password: string): Promise<string>;
  verifyPassword(password: string, hash: string): Promise<boolean>;
  awsManagedPolicies(): AwsManagedPolicyCatalog;
  /** AWS's services and their actions (Access Advisor lists the services a policy grants); none known when absent. */
  serviceCatalogue?(): ServiceCatalogue;
  /** The role templates GetRoleTemplateVersion and AcquireRole serve; none when absent. */
  roleTemplates?(): RoleTemplateCatalogue;
  /**
   * The organization's account quota ("Maximum number of accounts", AWS's default 10, raised through Service Quotas):
   * CreateAccount and InviteAccountToOrganization refuse past it. AWS's default when absent.
   */
  readonly maxOrganizationAccounts?: number;
  /**
   * IAM's UsersPerAccount quota (AWS's default 5 000): CreateUser refuses past it and GetAccountSummary reports it as
   * UsersQuota. The operator's setting (gatehouse serve --max-users); AWS's default when absent.
   */
  readonly maxUsersPerAccount?: number;
  /** Throttles guessing of MFA codes and passwords (per device or user, and per source address). */
  readonly guessLimiter: GuessLimiter;
  /** Seals temporary credentials into a session token (STS); absent where no key ring is configured. */
  sealSessionToken?(claims: SessionClaims): string;
  /**
   * The JSON of an encoded authorization failure message issued in `account` under the same key ring (STS
   * DecodeAuthorizationMessage), or undefined when it is not one; absent where no key ring is configured.
   */
  openAuthorizationMessage?(account: string, encoded: string): string | undefined;
  /**
   * The document of a delegation policy template the operator registered under this ARN (IAM temporary delegation);
   * absent, or undefined for the ARN, when Gatehouse knows no such template.
   */
  delegationTemplate?(arn: string): unknown;
  /**
   * Hands a finalized delegation request's exchange token to its partner out of band (SendDelegationToken): AWS
   * publishes it to the request's SNS topic, Gatehouse writes it to its delegation outbox. Absent where none is
   * configured. Throws when the token could not be delivered, which fails the request.
   */
  deliverDelegationToken?(delivery: DelegationTokenDelivery): void;
}

/** What SendDelegationToken delivers to the partner that created the delegation request. */
export interface DelegationTokenDelivery {
  readonly delegationRequestId: string;
  /** The partner's account (the requestor) and its own reference for the request. */
  readonly requestorAccountId: string;
  readonly requestorWorkflowId: string;
  readonly notificationChannel: string;
  /** The account that accepted the request, where the delegated credentials act. */
  readonly ownerAccountId: string;
  /** What GetDelegatedAccessToken exchanges for credentials, until `expiration`. */
  readonly tradeInToken: string;
  readonly expiration: Date;
}

export interface AwsManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly defaultVersionId: string;
  readonly createDate: Date;
  readonly updateDate: Date;
  readonly description?: string;
  readonly versions: ReadonlyArray<{ readonly versionId: string; readonly document: string; readonly createDate: Date }>;
}

export interface AwsManagedPolicyCatalog {
  get(arn: string): AwsManagedPolicy | undefined;
  list(): readonly AwsManagedPolicy[];
}

export type Params = Readonly<Record<string, unknown>>;
export type Result = Record<string, unknown>;

/** A further action on another resource than the operation's, with any context keys of its own. */
export interface AlsoRequired {
  readonly action: string;
  readonly resource: string;
  readonly conditionKeys?: Readonly<Record<string, string | string[]>>;
}

export interface OperationDefinition {
  readonly service: 'iam' | 'sts' | 'organizations' | 'cloudtrail';
  readonly name: string;
  /**
   * The action the request is authorized as, when the Service Authorization Reference has no action of the
   * operation's name: AcquireRole is authorized as iam:GetRoleTemplateVersion on the template, then as the actions
   * of what it creates (alsoRequires). `service:name` when absent.
   */
  readonly action?: string;
  /**
   * The resource the Service Authorization Reference names for this action, for the authorization check that runs
   * before the operation. May read the store (a user's path is part of its ARN).
   */
  resource(ctx: OperationContext, params: Params): Promise<string> | string;
  /** Extra context keys for the decision (iam:PolicyARN, aws:RequestTag/…, iam:PermissionsBoundary…). */
  conditionKeys?(ctx: OperationContext, params: Params): Record<string, string | string[]>;
  /**
   * True when AWS lets the caller do this without any policy granting it: a user changing its own password when the
   * account's password policy allows users to. AWS documents that grant as unconditional, so no check runs.
   */
  allowedWithoutPolicy?(ctx: OperationContext, params: Params): Promise<boolean>;
  /**
   * A resource-based policy the decision includes, with the account that owns the resource: a role's trust policy
   * for sts:AssumeRole. Undefined when the resource does not exist (the engine then finds no Allow).
   */
  resourcePolicy?(ctx: OperationContext, params: Params): Promise<{ document: string; account: string } | undefined>;
  /**
   * Further actions the same request must be allowed: a name alone is on the same resource (sts:TagSession when tags
   * are passed); an AlsoRequired names its own resource (iam:PassRole on the role AddRoleToInstanceProfile adds).
   */
  alsoRequires?(ctx: OperationContext, params: Params): ReadonlyArray<string | AlsoRequired> | Promise<ReadonlyArray<string | AlsoRequired>>;
  /**
   * True when a request of a Get/List-named operation writes all the same (GetSessionToken spending an MFA code), so
   * it needs a writing transaction rather than the read-only snapshot such operations get.
   */
  writes?(params: Params): boolean;
  /**
   * For unsigned operations (AssumeRoleWithWebIdentity): work done before the store transaction, outside the
   * store's lock, such as fetching an identity provider's signing keys over the network. It may read the store.
   */
  prepare?(params: Params, env: { readonly store: Store; readonly now: Date }): Promise<void>;
  run(ctx: OperationContext, params: Params): Promise<Result>;
}

/**
 * A module's definer: `op(name, run, extra)` with the module's service and default resource (most operations of a
 * module act on the entity it is about), so each definition states only what differs.
 */
export function operationsOf(
  service: OperationDefinition['service'],
  resource: OperationDefinition['resource'],
): (name: string, run: OperationDefinition['run'], extra?: Partial<OperationDefinition>) => OperationDefinition {
  return (name, run, extra = {}) => ({ service, name, resource, run, ...extra });
}

export function defineOperations(list: readonly OperationDefinition[]): ReadonlyMap<string, OperationDefinition> {
  return new Map(list.map((op) => [`${op.service}:${op.name}`, op]));
}
