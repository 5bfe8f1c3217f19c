import { createHash } from 'node:crypto';

/**
 * S3's canonical user ID of an account: 64 hex characters, the same for every principal of the account and stable
 * forever (ACL grants name it). AWS's are opaque; Gatehouse derives them from the account ID so that every node
 * (and every restart) gives the same one without storing anything. They are identifiers, not secrets: S3 shows them
 * to anyone who can read an ACL.
 */
export function canonicalUserId(account: string): string {
  return createHash('sha256').update(`gatehouse canonical user id\0${account}`).digest('hex');
}

/** The account a canonical user ID stands for, among the accounts given (ACLs name grantees by it). */
export function accountOfCanonicalUserId(id: string, accounts: Iterable<string>): string | undefined {
  const wanted = id.toLowerCase();
  for (const account of accounts) if (canonicalUserId(account) === wanted) return account;
  return undefined;
}
