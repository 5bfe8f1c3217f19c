import { openWithKeyRing, sealWithKeyRing, type SessionKeyRing } from './session-token.js';

/** What AWS appends to an AccessDenied text when it encodes the failure (EC2's wording). */
export const ENCODED_MESSAGE_SUFFIX = ' Encoded authorization failure message: ';

/** The longest EncodedMessage DecodeAuthorizationMessage accepts (the STS model's encodedMessageType). */
export const MAX_ENCODED_MESSAGE_LENGTH = 10240;

/** One statement that matched the denied request, as the decoded message lists it. */
export interface MatchedStatement {
  readonly statementId?: string;
  readonly effect: 'Allow' | 'Deny';
  /** The unique IDs of the principals the statement applied to. */
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>;
}

/** Everything the authorizer knows about a denial that the decoded message reports. */
export interface AuthorizationFailure {
  /** The account the request was made in: only its principals may decode the message. */
  readonly account: string;
  readonly explicitDeny: boolean;
  readonly matchedStatements: readonly MatchedStatement[];
  readonly principal: { readonly id: string; readonly name?: string; readonly arn: string };
  readonly action: string;
  readonly resource: string;
  /** The request's context keys, when the decision had them. */
  readonly conditions?: Readonly<Record<string, string | readonly string[]>>;
}

/** Turns a denial into the text appended after ENCODED_MESSAGE_SUFFIX. */
export type AuthorizationMessageEncoder = (failure: AuthorizationFailure) => string;

const items = <T>(list: readonly T[]): { items: readonly T[] } => ({ items: list });
const values = (list: readonly string[]): { items: ReadonlyArray<{ value: string }> } => items(list.map((value) => ({ value })));

/**
 * The decoded message as DecodeAuthorizationMessage returns it: AWS's JSON, its members in the order of AWS's
 * examples (allowed, explicitDeny, matchedStatements, failures, context with principal, action, resource,
 * conditions), every list wrapped in `{"items": [...]}` and every value in `{"value": ...}`.
 */
export function authorizationMessageDocument(failure: AuthorizationFailure): string {
  const { principal } = failure;
  return JSON.stringify({
    allowed: false,
    explicitDeny: failure.explicitDeny,
    matchedStatements: items(
      failure.matchedStatements.map((s) => ({
        ...(s.statementId !== undefined ? { statementId: s.statementId } : {}),
        effect: s.effect.toUpperCase(),
        principals: values(s.principals),
        principalGroups: items([]),
        actions: values(s.actions),
        resources: values(s.resources),
        conditions: items(s.conditions.map((c) => ({ key: c.key, values: values(c.values) }))),
      })),
    ),
    // Gatehouse has no evaluation failures to report (AWS lists policies it could not evaluate here).
    failures: items([]),
    context: {
      principal: { id: principal.id, ...(principal.name !== undefined ? { name: principal.name } : {}), arn: principal.arn },
      action: failure.action,
      resource: failure.resource,
      conditions: items(
        Object.entries(failure.conditions ?? {}).map(([key, value]) => ({ key, values: values(typeof value === 'string' ? [value] : value) })),
      ),
    },
  });
}

// The format byte and label keep authorization messages and session tokens apart under the same keys; the account
// in the label binds a message to the account it was issued in without carrying the account in clear.
const FORMAT = 0x41;
const label = (account: string): string => `gatehouse:authorization-message:${account}`;

/** Seals a decoded message's JSON under the ring's sealing key, as URL-safe base64 (no padding). */
export function sealAuthorizationMessage(ring: SessionKeyRing, account: string, document: string): string {
  return sealWithKeyRing(ring, FORMAT, document, label(account)).toString('base64url');
}

/**
 * The JSON of a message this ring sealed for this account, or undefined for anything else (malformed, altered,
 * sealed under a key the ring no longer holds, or issued in another account): DecodeAuthorizationMessage answers
 * all of these alike.
 */
export function openAuthorizationMessage(ring: SessionKeyRing, account: string, encoded: string): string | undefined {
  if (encoded.length === 0 || encoded.length > MAX_ENCODED_MESSAGE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  const raw = Buffer.from(encoded, 'base64url');
  // Only the one spelling this server writes: other texts that decode to the same bytes are not its messages.
  if (raw.toString('base64url') !== encoded) return undefined;
  return openWithKeyRing(ring, FORMAT, raw, label(account));
}

/**
 * The encoder the server injects into the authorizer. A message must stay short enough for DecodeAuthorizationMessage
 * to accept it back, so when a large context or many statements would exceed that, they are left out, context first.
 */
export function authorizationMessageEncoder(ring: SessionKeyRing): AuthorizationMessageEncoder {
  return (failure) => {
    const seal = (f: AuthorizationFailure): string => sealAuthorizationMessage(ring, f.account, authorizationMessageDocument(f));
    const full = seal(failure);
    if (full.length <= MAX_ENCODED_MESSAGE_LENGTH) return full;
    const { conditions: _dropped, ...withoutContext } = failure;
    const shorter = seal(withoutContext);
    if (shorter.length <= MAX_ENCODED_MESSAGE_LENGTH) return shorter;
    return seal({ ...withoutContext, matchedStatements: [] });
  };
}
