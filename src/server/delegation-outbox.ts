import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DelegationTokenDelivery } from '../core/operation.js';
import { ConfigError } from './config-error.js';

// IAM temporary delegation, outside the API: where SendDelegationToken's exchange token goes (AWS publishes it to the
// partner's SNS topic; Gatehouse writes a file the partner picks up) and where the policy templates partners would
// register with AWS come from (a file the operator writes).

/** The delegation outbox's directory is private, as the data directory is. */
export const OUTBOX_DIR_MODE = 0o700;
export const OUTBOX_FILE_MODE = 0o600;

/** Creates (or tightens) the outbox directory; a ConfigError when it cannot be made. */
export function prepareOutbox(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: OUTBOX_DIR_MODE });
    chmodSync(dir, OUTBOX_DIR_MODE);
  } catch (error) {
    throw new ConfigError(`cannot create the delegation outbox ${dir}: ${(error as Error).message.split(',')[0]}`);
  }
}

/** The file a delivery is written to: one per delegation request, named by its ID. */
export function outboxFile(dir: string, delegationRequestId: string): string {
  return join(dir, `${delegationRequestId}.json`);
}

/**
 * Writes the delivery as `<DelegationRequestId>.json`, mode 0600 from its creation (never readable by others, even
 * for an instant), whole or not at all: written to a temporary name, flushed, then renamed. The request ID comes from
 * Gatehouse (dr- and hex digits), never from the client, so the name cannot leave the directory.
 */
export function writeDelivery(dir: string, delivery: DelegationTokenDelivery): void {
  if (!/^dr-[0-9a-f]{32}$/.test(delivery.delegationRequestId)) throw new Error(`not a delegation request ID: ${delivery.delegationRequestId}`);
  const body = {
    DelegationRequestId: delivery.delegationRequestId,
    RequestorAccountId: delivery.requestorAccountId,
    RequestorWorkflowId: delivery.requestorWorkflowId,
    NotificationChannel: delivery.notificationChannel,
    OwnerAccountId: delivery.ownerAccountId,
    TradeInToken: delivery.tradeInToken,
    Expiration: delivery.expiration.toISOString(),
  };
  const target = outboxFile(dir, delivery.delegationRequestId);
  const temporary = join(dir, `.${delivery.delegationRequestId}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', OUTBOX_FILE_MODE);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  // The umask may have taken bits away, never added any; this makes the mode exact.
  chmodSync(temporary, OUTBOX_FILE_MODE);
  renameSync(temporary, target);
}

/**
 * The policy templates file: one JSON object from template ARN to its policy document (an object, or its JSON text),
 * whose strings may hold @{parameter} placeholders. Read once at start; a ConfigError names what is wrong.
 */
export function loadDelegationTemplates(path: string): ReadonlyMap<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the delegation templates file ${path}: ${(error as Error).message.split(',')[0]}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the delegation templates file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`the delegation templates file ${path} must be a JSON object from template ARN to policy document`);
  }
  // A Map, so that a template named "__proto__" or "constructor" is looked up as data, never through a prototype.
  const templates = new Map<string, unknown>();
  for (const [arn, document] of Object.entries(parsed)) {
    if (!/^arn:aws[a-z-]*:iam::[^:]*:[^\s]+$/.test(arn)) throw new ConfigError(`the delegation templates file ${path}: ${JSON.stringify(arn)} is not an IAM ARN`);
    const isDocument = typeof document === 'string' || (typeof document === 'object' && document !== null && !Array.isArray(document));
    if (!isDocument) throw new ConfigError(`the delegation templates file ${path}: the template ${arn} must be a policy document (a JSON object or its text)`);
    templates.set(arn, document);
  }
  return templates;
}
