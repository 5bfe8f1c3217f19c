import { ChangePasswordCommand, GetAccountPasswordPolicyCommand, type PasswordPolicy } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import { errorCode, errorText, type Clients } from '../api.js';
import { ErrorMessage, PageHeading, useLoad } from '../components.js';

/** The rules a new password must meet, in words: the account's policy, or IAM's default rules without one. */
function rules(policy: PasswordPolicy | undefined): string[] {
  if (policy === undefined) return ['At least 8 characters', 'At least three of: uppercase letters, lowercase letters, numbers, symbols'];
  const list = [`At least ${policy.MinimumPasswordLength ?? 6} characters`];
  if (policy.RequireUppercaseCharacters === true) list.push('At least one uppercase letter');
  if (policy.RequireLowercaseCharacters === true) list.push('At least one lowercase letter');
  if (policy.RequireNumbers === true) list.push('At least one number');
  if (policy.RequireSymbols === true) list.push("At least one symbol: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '");
  if ((policy.PasswordReusePrevention ?? 0) > 0) list.push(`Not one of your last ${policy.PasswordReusePrevention} passwords`);
  return list;
}

/**
 * Changing one's own password (iam:ChangePassword). `forced`: the password must be reset before anything else,
 * and the session allows nothing but this.
 */
export function ChangePasswordPage({ clients, forced, userName, onChanged }: { clients: Clients; forced: boolean; userName: string; onChanged: (newPassword: string) => void }) {
  const policy = useLoad(async () => {
    try {
      return (await clients.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy ?? null;
    } catch (error) {
      // No policy set: IAM's default rules apply. Any other failure leaves the rules unknown, not the form unusable.
      if (errorCode(error) === 'NoSuchEntity') return null;
      throw error;
    }
  }, 'policy');
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    if (newPassword !== confirm) {
      setError('The new password and its confirmation differ.');
      return;
    }
    setBusy(true);
    try {
      await clients.iam.send(new ChangePasswordCommand({ OldPassword: oldPassword, NewPassword: newPassword }));
      setDone(true);
      setOld('');
      setConfirm('');
      onChanged(newPassword);
      setNew('');
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeading>{forced ? 'Set a new password' : 'Change password'}</PageHeading>
      {forced ? (
        <p class="notice">
          The password of <strong>{userName}</strong> must be changed before you continue.
        </p>
      ) : null}
      {done ? (
        <p class="notice" role="status">
          Your password was changed.
        </p>
      ) : null}
      <form class="panel form" onSubmit={submit}>
        <label for="old-password">Current password</label>
        <input id="old-password" type="password" required autocomplete="current-password" value={oldPassword} onInput={(e) => setOld(e.currentTarget.value)} />
        <label for="new-password">New password</label>
        <input id="new-password" type="password" required autocomplete="new-password" aria-describedby="password-rules" value={newPassword} onInput={(e) => setNew(e.currentTarget.value)} />
        <label for="confirm-password">Confirm new password</label>
        <input id="confirm-password" type="password" required autocomplete="new-password" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        <div id="password-rules" class="muted">
          {policy.error !== undefined ? (
            <p>The account's password rules could not be read ({policy.error}).</p>
          ) : policy.data === undefined ? (
            <p>Reading the password rules…</p>
          ) : (
            <>
              <p>The new password needs:</p>
              <ul>
                {rules(policy.data ?? undefined).map((rule) => (
                  <li key={rule}>{rule}</li>
                ))}
              </ul>
            </>
          )}
        </div>
        <ErrorMessage text={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </>
  );
}
