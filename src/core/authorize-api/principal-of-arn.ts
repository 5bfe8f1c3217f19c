import type { StoreTx } from '../../store/store.js';
import { roleArn as roleArnOf, rootArn, userArn } from '../arns.js';
import type { Caller } from '../caller.js';
import { KIND } from '../iam/kinds.js';

const USER = /^arn:aws:iam::([0-9]{12}):user\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const ROOT = /^arn:aws:iam::([0-9]{12}):root$/;
const SESSION = /^arn:aws:sts::([0-9]{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/;

/**
 * The caller an already-authenticated principal ARN stands for (the trusted-caller form of the authorize API): an IAM
 * user (by its name; the path in the ARN must be the user's), an account's root user, or a role session (the role's
 * policies, without any session policy: the caller vouches for the session, not for what it was scoped down to).
 * Undefined when no such principal exists now.
 */
export async function callerOfArn(tx: StoreTx, arn: string): Promise<Caller | undefined> {
  const root = ROOT.exec(arn);
  if (root !== null) {
    const account = root[1] as string;
    if ((await tx.getById(KIND.account, `account:${account}`)) === undefined) return undefined;
    return { kind: 'root', account, arn: rootArn(account), userId: account, accessKeyId: '' };
  }
  const user = USER.exec(arn);
  if (user !== null) {
    const account = user[1] as string;
    const record = await tx.get(KIND.user, account, user[2] as string);
    if (record === undefined || userArn(account, record.path, record.key) !== arn) return undefined;
    return { kind: 'user', account, arn, userId: record.id, userName: record.key, accessKeyId: '' };
  }
  const session = SESSION.exec(arn);
  if (session !== null) {
    const account = session[1] as string;
    const role = await tx.get(KIND.role, account, session[2] as string);
    // Names are found whatever their case, but the caller was authorized on the ARN it gave: a case variant of the
    // role's name would pass a case-sensitive pattern that the real name does not, so only the exact name stands.
    if (role === undefined || role.key !== session[2]) return undefined;
    const roleArn = roleArnOf(account, role.path, role.key);
    return { kind: 'assumedRole', account, arn: `arn:aws:sts::${account}:assumed-role/${role.key}/${session[3] as string}`, userId: `${role.id}:${session[3] as string}`, roleName: role.key, roleArn, accessKeyId: '' };
  }
  return undefined;
}
