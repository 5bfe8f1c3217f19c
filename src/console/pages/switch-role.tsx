import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage, PageHeading } from '../components.js';
import { rememberRole, ROLE_COLORS, roleHistory, type ConsoleSession, type RoleColor, type SwitchedRole } from '../session.js';

/** A role session name from the user's name: IAM's pattern wants 2 to 64 of [\w+=,.@-]. */
function sessionName(userName: string): string {
  const name = userName.slice(0, 64);
  return name.length >= 2 ? name : `${name}-console`;
}

/**
 * Switch Role: sts:AssumeRole with the signed-in user's own console credentials (the role's trust policy and the
 * user's policies decide, as for any client), then the console acts with the role session's credentials.
 */
export function SwitchRolePage({ clients, session, onSwitched }: { clients: Clients; session: ConsoleSession; onSwitched: (next: ConsoleSession) => void }) {
  const [account, setAccount] = useState(session.account);
  const [roleName, setRoleName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [color, setColor] = useState<RoleColor>('blue');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const history = roleHistory();

  async function switchTo(role: SwitchedRole) {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await clients.sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${role.account}:role/${role.roleName}`, RoleSessionName: sessionName(session.userName) }),
      );
      const c = answer.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined) throw new Error('AssumeRole returned no credentials.');
      rememberRole(role);
      onSwitched({
        ...session,
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() },
        arn: answer.AssumedRoleUser?.Arn ?? session.arn,
        account: role.account,
        role,
        base: session,
      });
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeading>Switch role</PageHeading>
      <p class="muted">Act as a role of this or another account. The role's trust policy must let you in, and your own policies must allow sts:AssumeRole on it.</p>
      {history.length > 0 ? (
        <section class="panel" aria-labelledby="recent-roles-title">
          <h2 id="recent-roles-title">Recent roles</h2>
          <ul class="plain devices">
            {history.map((role) => (
              <li key={`${role.account}/${role.roleName}`}>
                <button type="button" class={`role-chip role-${role.color}`} disabled={busy} onClick={() => switchTo(role)}>
                  {role.displayName}
                </button>{' '}
                <span class="muted code">
                  {role.roleName} @ {role.account}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <form
        class="panel form"
        onSubmit={(event) => {
          event.preventDefault();
          return switchTo({ account: account.trim(), roleName: roleName.trim(), displayName: displayName.trim() || `${roleName.trim()} @ ${account.trim()}`, color });
        }}
      >
        <label for="role-account">Account ID</label>
        <input id="role-account" required inputMode="numeric" pattern="[0-9]{12}" maxLength={12} value={account} onInput={(e) => setAccount(e.currentTarget.value)} />
        <label for="role-name">Role name</label>
        <input id="role-name" required autocapitalize="none" spellcheck={false} value={roleName} onInput={(e) => setRoleName(e.currentTarget.value)} />
        <label for="role-display">Display name (optional)</label>
        <input id="role-display" maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        <fieldset class="choice">
          <legend>Colour</legend>
          {ROLE_COLORS.map((c) => (
            <label key={c}>
              <input type="radio" name="role-color" value={c} checked={color === c} onChange={() => setColor(c)} /> {c}
            </label>
          ))}
        </fieldset>
        <ErrorMessage text={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Switch role
          </button>
        </div>
      </form>
    </>
  );
}
