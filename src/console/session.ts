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
