import type { EntityRecord } from '../../store/store.js';
import { invalidInput } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { req, str } from './common.js';
import { delegationOwnerKeys, delegationRequestResource, type DelegationRequestData, noSuchDelegationRequest, visibleRequest } from './delegation-requests.js';

// GetHumanReadableSummary (IAM API Reference): "a human readable summary for a given entity. At this time, the only
// supported entity type is delegation-request". Who may read it follows GetDelegationRequest exactly ("These rules
// are identical to GetDelegationRequest API behavior"), and the Service Authorization Reference authorizes it on the
// delegation-request resource with iam:DelegationRequestOwner.
//
// AWS writes the summary with a large language model, in the locales of the AWS Management Console, asynchronously
// (SummaryState AVAILABLE, NOT_AVAILABLE, NOT_SUPPORTED, FAILED). Gatehouse has no model: it writes the summary from
// the request's own fields, in English, at once. A request for another language is answered NOT_SUPPORTED with no
// content ("Summary content is non-empty only if the SummaryState is AVAILABLE"), never with English passed off as
// it. Partner-written text (the description and request message) is quoted and escaped, so that Markdown in it cannot
// pass for the summary's own statements.

/** AWS's sample answer to a request without Locale names "en". */
const DEFAULT_LOCALE = 'en';

/** A BCP 47 language tag as the console's locales are written (en, en-US, pt-BR, zh-Hant-TW); `_` as some clients write it. */
const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;

const isEnglish = (locale: string): boolean => /^en(?:[-_]|$)/i.test(locale);

/** arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, the resource typed by what precedes its first "/". */
const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$/;

const DELEGATION_REQUEST_ID = /^[\w-]{16,128}$/;

/** Summary content's maximum length (summaryContentType). */
const MAX_CONTENT = 10000;

interface EntityRef {
  readonly account: string;
  readonly id: string;
}

/** The delegation request an EntityArn names, or AWS's InvalidInput for anything else. */
function parseEntityArn(arn: string): EntityRef {
  const m = ARN.exec(arn);
  if (m === null) throw invalidInput(`Invalid EntityArn: ${arn} is not an ARN.`);
  const [, partition, service, region, account, resource] = m as unknown as [string, string, string, string, string, string];
  const slash = resource.indexOf('/');
  const type = slash === -1 ? resource : resource.slice(0, slash);
  if (service !== 'iam' || type !== 'delegation-request') {
    throw invalidInput(`Unsupported entity type for EntityArn: ${arn}. The only supported entity type is delegation-request.`);
  }
  const id = slash === -1 ? '' : resource.slice(slash + 1);
  if (partition !== 'aws' || region !== '' || !/^\d{12}$/.test(account) || !DELEGATION_REQUEST_ID.test(id)) {
    throw invalidInput(`Invalid EntityArn: ${arn} is not the ARN of a delegation request.`);
  }
  return { account, id };
}

const entityOf = (p: Params): EntityRef | undefined => {
  try {
    return parseEntityArn(req(p, 'EntityArn'));
  } catch {
    return undefined;
  }
};

/**
 * A value as a Markdown code span, shown as written whatever it holds: the fence is one backtick longer than any run
 * of backticks in it, padded with a space each side when the value begins or ends with a backtick or is wrapped in
 * spaces (which a code span would otherwise strip).
 */
function code(text: string): string {
  if (text === '') return '(empty)';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const spaced = text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '';
  const pad = text.startsWith('`') || text.endsWith('`') || spaced ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A line of free text with Markdown's inline markup, and any block marker it starts with, escaped. */
const escapeLine = (line: string): string =>
  line
    .replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#>+=-])/, (_m, space: string, marker: string) => `${space}\\${marker}`)
    .replace(/^(\s*\d+)([.)])/, (_m, number: string, marker: string) => `${number}\\${marker}`);

/** A partner's text as a quotation: every line quoted, nothing in it taken as markup. */
const quote = (text: string): string =>
  text
    .split(/\r\n|\r|\n/)
    .map((line) => (line === '' ? '>' : `> ${escapeLine(line)}`))
    .join('\n');

function duration(seconds: number): string {
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  if (minutes > 0) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  if (rest > 0 || parts.length === 0) parts.push(`${rest} second${rest === 1 ? '' : 's'}`);
  return parts.join(' ');
}

interface PolicyParameter {
  readonly Name?: unknown;
  readonly Values?: unknown;
  readonly Type?: unknown;
}

function permissionLines(permissions: Readonly<Record<string, unknown>>): string[] {
  const template = permissions['PolicyTemplateArn'];
  const parameters = Array.isArray(permissions['Parameters']) ? (permissions['Parameters'] as PolicyParameter[]) : [];
  const lines = [typeof template === 'string' ? `The permissions are those of the policy template ${code(template)}.` : 'The request names no policy template.'];
  if (parameters.length === 0) return [...lines, 'It sets no template parameters.'];
  lines.push('It sets these template parameters:');
  for (const parameter of parameters) {
    const name = typeof parameter.Name === 'string' ? code(parameter.Name) : '(unnamed)';
    const values = Array.isArray(parameter.Values) ? parameter.Values.filter((v): v is string => typeof v === 'string').map(code) : [];
    const type = typeof parameter.Type === 'string' ? ` (${code(parameter.Type)})` : '';
    lines.push(`- ${name}${type}: ${values.length === 0 ? 'no value' : values.join(', ')}`);
  }
  return lines;
}

/** The summary of a delegation request, in Markdown, from its stored fields alone. */
export function summarizeDelegationRequest(record: EntityRecord): string {
  const d = record.data as unknown as DelegationRequestData;
  const lines = [
    `# Delegation request ${code(record.key)}`,
    '',
    `AWS account ${d.requestorId} asks for temporary access to ${d.ownerAccountId === undefined ? 'an AWS account that is not yet chosen' : `AWS account ${d.ownerAccountId}`}, for sessions of up to ${duration(d.sessionDuration)}.`,
    '',
    ...permissionLines(d.permissions),
    '',
    `State: ${d.state}. Created ${record.created}.`,
    ...(d.ownerId === undefined ? ['No one has taken ownership of the request yet.'] : [`Owner: ${code(d.ownerId)}.`]),
    ...(d.approverId === undefined ? [] : [`Approved by ${code(d.approverId)}.`]),
    ...(d.onlySendByOwner ? ['Only the owner may send the delegation token.'] : []),
    '',
    'The requester describes the request as follows (their words, not checked by IAM):',
    '',
    quote(d.description),
    ...(d.requestMessage === undefined ? [] : ['', 'Their message to the reviewer:', '', quote(d.requestMessage)]),
  ];
  const content = lines.join('\n');
  return content.length <= MAX_CONTENT ? content : `${content.slice(0, MAX_CONTENT - 1)}…`;
}

async function getHumanReadableSummary(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const entity = parseEntityArn(req(p, 'EntityArn'));
  const locale = str(p, 'Locale') ?? DEFAULT_LOCALE;
  if (!LOCALE.test(locale)) throw invalidInput(`Invalid Locale: ${locale}.`);
  const record = await visibleRequest(ctx, entity.id);
  const data = record.data as unknown as DelegationRequestData;
  // The ARN names an account of the request (its requestor's or its owner's) or the caller's: any other is no ARN of
  // this request, and is answered as a missing one, so that it reveals nothing.
  if (entity.account !== ctx.account && entity.account !== data.requestorId && entity.account !== data.ownerAccountId) {
    throw noSuchDelegationRequest(entity.id);
  }
  if (!isEnglish(locale)) return { SummaryContent: '', Locale: locale, SummaryState: 'NOT_SUPPORTED' };
  return { SummaryContent: summarizeDelegationRequest(record), Locale: locale, SummaryState: 'AVAILABLE' };
}

/** Authorized as GetDelegationRequest is, on the request's ARN; an ARN of anything else is decided as sent. */
async function entityResource(ctx: OperationContext, p: Params): Promise<string> {
  const entity = entityOf(p);
  return entity === undefined ? req(p, 'EntityArn') : delegationRequestResource(ctx, entity.id);
}

export const HUMAN_READABLE_SUMMARY_OPERATIONS: readonly OperationDefinition[] = [
  operationsOf('iam', entityResource)('GetHumanReadableSummary', getHumanReadableSummary, { conditionKeys: delegationOwnerKeys }),
];
