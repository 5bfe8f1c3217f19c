import { createStaticCatalog } from '../policy/catalog.js';
import { MalformedPolicyError } from '../policy/errors.js';
import { validatePolicy, type ValidatePolicyType } from '../policy/validate.js';

/** A request field that is not what `simulate` accepts: answered as InvalidInput, never decided. */
export class InputError extends Error {}

// IAM's own rejections need no service catalogue: the server checks documents with an empty one too.
const NO_SERVICES = createStaticCatalog({ services: {} });

const ACCOUNT_ID = /^\d{12}$/;
// An IAM or STS principal ARN: partition, an empty region, a 12-digit account, then root, user/…, role/…,
// assumed-role/…/…, federated-user/…, or an identity provider.
const PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:(?:iam::\d{12}:(?:root|user\/.+|role\/.+|oidc-provider\/.+|saml-provider\/.+)|sts::\d{12}:(?:assumed-role\/[^/]+\/.+|federated-user\/.+))$/;
// A service principal (ec2.amazonaws.com, elasticmapreduce.amazonaws.com.cn) or a web identity provider
// (accounts.google.com, graph.facebook.com, www.amazon.com): a lower-case DNS name.
const SERVICE_PRINCIPAL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
// service:Action as the Service Authorization Reference writes them; a request names one action, no wildcard.
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9_-]+$/;

/** Checks the principal as the server's callers would name it; a bare name such as `alice` is none of these. */
export function checkPrincipal(principal: string): void {
  if (principal === 'anonymous' || principal === '*') return;
  if (ACCOUNT_ID.test(principal) || PRINCIPAL_ARN.test(principal) || SERVICE_PRINCIPAL.test(principal)) return;
  throw new InputError(
    `"principal" must be an IAM or STS principal ARN, a 12-digit account ID, a service principal such as ec2.amazonaws.com, or "anonymous"; got ${JSON.stringify(principal)}`,
  );
}

export function checkAction(action: string): void {
  if (!ACTION.test(action)) throw new InputError(`"action" must be service:Action (for example s3:GetObject); got ${JSON.stringify(action)}`);
}

export function checkResource(resource: string): void {
  if (resource !== '*' && !resource.startsWith('arn:')) throw new InputError(`"resource" must be an ARN or "*"; got ${JSON.stringify(resource)}`);
}

function documentOf(input: unknown): { name?: string; document: unknown } {
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && 'document' in input && !('Statement' in input)) {
    const wrapped = input as { name?: unknown; document: unknown };
    return typeof wrapped.name === 'string' ? { name: wrapped.name, document: wrapped.document } : { document: wrapped.document };
  }
  return { document: input };
}

/**
 * Refuses a document exactly where the server (or Organizations, for SCPs and RCPs) would refuse to store it, with
 * the same MalformedPolicyDocument message: a statement without Resource is no more decidable here than there.
 */
export function checkDocument(input: unknown, type: ValidatePolicyType, label: string): void {
  const { name = label, document } = documentOf(input);
  const { iamError } = validatePolicy(document, type, NO_SERVICES);
  if (iamError !== undefined) throw new MalformedPolicyError(`${name}: ${iamError.message}`, iamError.path);
}
