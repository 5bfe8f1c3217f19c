// Closed accounts. CloseAccount marks the membership SUSPENDED and the account's own record closed; from then on its
// principals authenticate no more (long-term keys and session tokens alike) and none of its roles can be assumed.
// The record keeps the fact if the account later leaves the organization, so leaving cannot reopen it.
import type { StoreTx } from '../../store/store.js';
import { ServiceError } from '../errors.js';
import { accountRecordId } from './account-namespace.js';
import { membershipId, ORG_KIND } from './kinds.js';
import { MEMBERSHIP_STATUS } from './organization.js';

export async function accountClosed(tx: StoreTx, account: string): Promise<boolean> {
  const membership = await tx.getById(ORG_KIND.account, membershipId(account));
  if (membership !== undefined && membership.key === account && membership.data['status'] === MEMBERSHIP_STATUS.suspended) return true;
  const record = await tx.getById(ORG_KIND.accountRecord, accountRecordId(account));
  return record !== undefined && record.key === account && record.data['closed'] === true;
}

/** Marks the account's own record closed (accounts this server created have one). */
export async function markAccountRecordClosed(tx: StoreTx, account: string, when: string): Promise<void> {
  const record = await tx.getById(ORG_KIND.accountRecord, accountRecordId(account));
  if (record !== undefined && record.key === account) await tx.update({ ...record, data: { ...record.data, closed: true, closedTimestamp: when } });
}

/** What a closed account's credentials meet: AWS's answer for credentials that no longer stand for anyone. */
export const closedAccountCredentials = (): ServiceError => new ServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
