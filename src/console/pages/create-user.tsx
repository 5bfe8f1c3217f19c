import { AttachUserPolicyCommand, CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage } from '../components.js';

/** AWS's console attaches this when a new user must set a password at first sign-in, so that the user can. */
const CHANGE_PASSWORD_POLICY = 'arn:aws:iam::aws:policy/IAMUserChangePassword';

/**
 * CreateUser, then (with console access) CreateLoginProfile and, for a forced reset, IAMUserChangePassword: three
 * calls, each under the signed-in user's own permissions. A step that fails is reported with what was already done.
 */
export function CreateUserForm({ clients, onCreated, onCancel }: { clients: Clients; onCreated: (name: string) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [consoleAccess, setConsoleAccess] = useState(false);
  const [password, setPassword] = useState('');
  const [reset, setReset] = useState(true);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    let created = false;
    try {
      await clients.iam.send(new CreateUserCommand({ UserName: name, ...(path !== '' ? { Path: path } : {}) }));
      created = true;
      if (consoleAccess) {
        await clients.iam.send(new CreateLoginProfileCommand({ UserName: name, Password: password, PasswordResetRequired: reset }));
        if (reset) await clients.iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: CHANGE_PASSWORD_POLICY }));
      }
      onCreated(name);
    } catch (failure) {
      setError(created ? `The user ${name} was created, but: ${errorText(failure)}` : errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel form" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create user</h2>
      <label for="new-user-name">User name</label>
      <input id="new-user-name" ref={first} required maxLength={64} autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <label for="new-user-path">Path (optional)</label>
      <input id="new-user-path" placeholder="/" autocapitalize="none" spellcheck={false} value={path} onInput={(e) => setPath(e.currentTarget.value)} />
      <label class="check">
        <input type="checkbox" checked={consoleAccess} onChange={(e) => setConsoleAccess(e.currentTarget.checked)} /> Give console access (a password)
      </label>
      {consoleAccess ? (
        <>
          <label for="new-user-password">Console password</label>
          <input id="new-user-password" type="password" required autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <label class="check">
            <input type="checkbox" checked={reset} onChange={(e) => setReset(e.currentTarget.checked)} /> Must create a new password at next sign-in (attaches
            IAMUserChangePassword)
          </label>
        </>
      ) : null}
      <ErrorMessage text={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
