// CloudTrail LookupEvents: the caller's own account's management events, newest first, one lookup attribute at most.
import { InvalidEventTokenError, type AuditEventQuery, type AuditEventRecord } from '../../store/store.js';
import { ServiceError } from '../errors.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';

const DEFAULT_MAX_RESULTS = 50;

const invalidLookupAttributes = (message: string): ServiceError => new ServiceError('InvalidLookupAttributesException', message, 400);
const invalidNextToken = (): ServiceError => new ServiceError('InvalidNextTokenException', 'Invalid token or token that was previously used in a request with different parameters.', 400);

type Filter = Pick<AuditEventQuery, 'eventId' | 'eventName' | 'eventSource' | 'userName' | 'accessKeyId' | 'readOnly' | 'resourceName' | 'resourceType'>;

/** The store filter of one lookup attribute (the key is one of the model's enum: the protocol layer checked it). */
function filterOf(key: string, value: string): Filter {
  switch (key) {
    case 'EventId':
      return { eventId: value };
    case 'EventName':
      return { eventName: value };
    case 'EventSource':
      return { eventSource: value };
    case 'Username':
      return { userName: value };
    case 'AccessKeyId':
      return { accessKeyId: value };
    case 'ResourceName':
      return { resourceName: value };
    case 'ResourceType':
      return { resourceType: value };
    case 'ReadOnly':
      if (value !== 'true' && value !== 'false') throw invalidLookupAttributes('ReadOnly must be either true or false.');
      return { readOnly: value === 'true' };
    default:
      throw invalidLookupAttributes(`The lookup attribute key ${key} is not valid.`);
  }
}

/**
 * What a NextToken is bound to: the account and every filter of the query that issued it. A token presented with
 * another query (or by another account) is refused, as AWS refuses a token "used in a request with different
 * parameters"; the account filter always comes from the caller, never from the token, so no token widens a query.
 */
function bindingOf(account: string, filter: Filter, start: number | undefined, end: number | undefined): string {
  return JSON.stringify([account, filter.eventId ?? null, filter.eventName ?? null, filter.eventSource ?? null, filter.userName ?? null, filter.accessKeyId ?? null, filter.readOnly ?? null, filter.resourceName ?? null, filter.resourceType ?? null, start ?? null, end ?? null]);
}

function sealToken(ctx: OperationContext, binding: string, cursor: string): string {
  return Buffer.from(ctx.services.encryptSecret(JSON.stringify({ b: binding, c: cursor })), 'utf8').toString('base64url');
}

/** The store's cursor inside a token this server sealed for the same query; InvalidNextTokenException otherwise. */
function openToken(ctx: OperationContext, binding: string, token: string): string {
  let opened: unknown;
  try {
    const raw = Buffer.from(token, 'base64url');
    // Node's base64 decoding skips what is not base64: only the exact text this server issued is accepted.
    if (raw.toString('base64url') !== token) throw invalidNextToken();
    opened = JSON.parse(ctx.services.decryptSecret(raw.toString('utf8')));
  } catch {
    throw invalidNextToken();
  }
  if (typeof opened !== 'object' || opened === null) throw invalidNextToken();
  const { b, c } = opened as { b?: unknown; c?: unknown };
  if (b !== binding || typeof c !== 'string') throw invalidNextToken();
  return c;
}

function eventView(event: AuditEventRecord): Record<string, unknown> {
  return {
    EventId: event.eventId,
    EventName: event.eventName,
    ReadOnly: event.readOnly ? 'true' : 'false',
    ...(event.accessKeyId !== undefined ? { AccessKeyId: event.accessKeyId } : {}),
    // Whole seconds, as the record's eventTime shows it.
    EventTime: new Date(Math.floor(event.time / 1000) * 1000),
    EventSource: event.eventSource,
    ...(event.userName !== undefined ? { Username: event.userName } : {}),
    Resources: event.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: event.record,
  };
}

async function lookupEvents(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const attributes = (p['LookupAttributes'] as Array<{ AttributeKey: string; AttributeValue: string } | null> | undefined) ?? [];
  if (attributes.length > 1) throw invalidLookupAttributes('You cannot specify more than one lookup attribute.');
  const [attribute] = attributes;
  if (attributes.length === 1 && attribute === null) throw invalidLookupAttributes('The lookup attribute is not valid.');
  const filter: Filter = attribute === undefined || attribute === null ? {} : filterOf(attribute.AttributeKey, attribute.AttributeValue);
  const start = p['StartTime'] instanceof Date ? p['StartTime'].getTime() : undefined;
  const end = p['EndTime'] instanceof Date ? p['EndTime'].getTime() : undefined;
  if ((start !== undefined && Number.isNaN(start)) || (end !== undefined && Number.isNaN(end)) || (start !== undefined && end !== undefined && start > end)) {
    throw new ServiceError('InvalidTimeRangeException', 'Start time must be before end time.', 400);
  }
  const binding = bindingOf(ctx.account, filter, start, end);
  const cursor = typeof p['NextToken'] === 'string' ? openToken(ctx, binding, p['NextToken']) : undefined;
  // Only management events are recorded: there are no Insights events to return.
  if (p['EventCategory'] === 'insight') return { Events: [] };
  const events = ctx.services.events;
  if (events === undefined) return { Events: [] };
  const maxResults = typeof p['MaxResults'] === 'number' ? p['MaxResults'] : DEFAULT_MAX_RESULTS;
  let page;
  try {
    page = await events.query({
      account: ctx.account,
      ...filter,
      ...(start !== undefined ? { startTime: start } : {}),
      ...(end !== undefined ? { endTime: end } : {}),
      maxResults,
      ...(cursor !== undefined ? { nextToken: cursor } : {}),
    });
  } catch (error) {
    if (error instanceof InvalidEventTokenError) throw invalidNextToken();
    throw error;
  }
  return {
    Events: page.events.map(eventView),
    ...(page.nextToken !== undefined ? { NextToken: sealToken(ctx, binding, page.nextToken) } : {}),
  };
}

export const LOOKUP_EVENTS_OPERATIONS: readonly OperationDefinition[] = [
  // The Service Authorization Reference: cloudtrail:LookupEvents has no resource type ("*").
  { service: 'cloudtrail', name: 'LookupEvents', resource: () => '*', run: lookupEvents },
];
