// The console session: temporary credentials from the sign-in endpoint, kept in this tab's sessionStorage only
// (never localStorage, never a cookie), and dropped at sign-out or expiry.

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

export interface ConsoleSession {
  readonly credentials: Credentials;
  readonly account: string;
  /** The IAM user's name, `root` for the root user. */
  readonly userName: string;
  readonly root: boolean;
  readonly arn: string;
  readonly passwordResetRequired: boolean;
  readonly mfaAuthenticated: boolean;
  /** What the person typed as the account (an alias stays an alias), to sign in again after a password change. */
  readonly accountAsTyped: string;
  /** Set while the console acts as a role (Switch Role): the credentials above are the role session's. */
  readonly role?: SwitchedRole;
  /** The signed-in user's own session, to switch back to; set with `role`. */
  readonly base?: ConsoleSession;
}

/** A role the person switched to, as the console shows it (AWS's Switch Role: a display name and a colour). */
export interface SwitchedRole {
  readonly account: string;
  readonly roleName: string;
  readonly displayName: string;
  readonly color: RoleColor;
}

export const ROLE_COLORS = ['red', 'orange', 'yellow', 'green', 'blue'] as const;
export type RoleColor = (typeof ROLE_COLORS)[number];

const HISTORY_KEY = 'gatehouse-console-roles';
const HISTORY_SIZE = 5;

/**
 * The last roles switched to, newest first: names and colours only, never credentials, so they may outlive the tab
 * (localStorage), as AWS's console remembers them.
 */
export function roleHistory(): SwitchedRole[] {
  try {
    const list = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]') as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (r): r is SwitchedRole =>
        typeof r === 'object' && r !== null && typeof r.account === 'string' && typeof r.roleName === 'string' && typeof r.displayName === 'string' && (ROLE_COLORS as readonly string[]).includes(r.color),
    );
  } catch {
    return [];
  }
}

export function rememberRole(role: SwitchedRole): void {
  const others = roleHistory().filter((r) => !(r.account === role.account && r.roleName === role.roleName));
  localStorage.setItem(HISTORY_KEY, JSON.stringify([role, ...others].slice(0, HISTORY_SIZE)));
}

const KEY = 'gatehouse-console-session';

export function expiresInMs(session: ConsoleSession, now = Date.now()): number {
  return Date.parse(session.credentials.expiration) - now;
}

export function loadSession(): ConsoleSession | undefined {
  try {
    const text = sessionStorage.getItem(KEY);
    if (text === null) return undefined;
    const session = JSON.parse(text) as ConsoleSession;
    if (typeof session?.credentials?.sessionToken !== 'string' || !(expiresInMs(session) > 0)) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: ConsoleSession): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
