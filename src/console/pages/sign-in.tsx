import { useEffect, useRef, useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { ErrorMessage } from '../components.js';
import type { ConsoleSession } from '../session.js';

export interface SignInDefaults {
  readonly account?: string;
  readonly userName?: string;
  readonly root?: boolean;
}

/** Account ID or alias, user name and password; then, for a user with an MFA device, the code it shows. */
export function SignInPage({ onSignedIn, notice, defaults }: { onSignedIn: (session: ConsoleSession) => void; notice?: string | undefined; defaults?: SignInDefaults }) {
  const [account, setAccount] = useState(defaults?.account ?? '');
  const [root, setRoot] = useState(defaults?.root === true);
  const [userName, setUserName] = useState(defaults?.userName ?? '');
  const [password, setPassword] = useState('');
  const [mfaCode, setMfaCode] = useState('');
  const [step, setStep] = useState<'password' | 'mfa'>('password');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const codeField = useRef<HTMLInputElement>(null);
  const firstField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (step === 'mfa') codeField.current?.focus();
    else firstField.current?.focus();
  }, [step]);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const outcome = await signIn({ account, userName: root ? '' : userName, password, ...(root ? { root: true } : {}), ...(step === 'mfa' ? { mfaCode } : {}) });
    setBusy(false);
    if (outcome.ok) {
      setPassword('');
      onSignedIn(outcome.session);
      return;
    }
    if (outcome.code === 'MfaRequired') {
      setStep('mfa');
      return;
    }
    setMfaCode('');
    setError(outcome.message);
  }

  function back() {
    setStep('password');
    setMfaCode('');
    setPassword('');
    setError(undefined);
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Gatehouse</h1>
      <p class="muted">As an IAM user of the account with your console password, or as the account's root user.</p>
      {notice !== undefined ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} class="panel form" aria-describedby={error !== undefined ? 'sign-in-error' : undefined}>
        {step === 'password' ? (
          <>
            <fieldset class="choice">
              <legend>Sign in as</legend>
              <label>
                <input type="radio" name="who" value="user" checked={!root} onChange={() => setRoot(false)} /> IAM user
              </label>
              <label>
                <input type="radio" name="who" value="root" checked={root} onChange={() => setRoot(true)} /> Root user
              </label>
            </fieldset>
            <label for="account">Account ID or alias</label>
            <input id="account" ref={firstField} name="account" required autocomplete="organization" value={account} onInput={(e) => setAccount(e.currentTarget.value)} />
            {root ? null : (
              <>
                <label for="user-name">IAM user name</label>
                <input id="user-name" name="username" required autocomplete="username" autocapitalize="none" spellcheck={false} value={userName} onInput={(e) => setUserName(e.currentTarget.value)} />
              </>
            )}
            <label for="password">Password</label>
            <input id="password" name="password" type="password" required autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </>
        ) : (
          <>
            <p>
              Multi-factor authentication: enter the six-digit code your MFA device shows for <strong>{root ? 'the root user' : userName}</strong>.
            </p>
            <label for="mfa-code">MFA code</label>
            <input
              id="mfa-code"
              ref={codeField}
              name="mfa-code"
              required
              inputMode="numeric"
              pattern="[0-9]{6}"
              maxLength={6}
              autocomplete="one-time-code"
              value={mfaCode}
              onInput={(e) => setMfaCode(e.currentTarget.value.trim())}
            />
          </>
        )}
        <div id="sign-in-error">
          <ErrorMessage text={error} />
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          {step === 'mfa' ? (
            <button type="button" onClick={back}>
              Back
            </button>
          ) : null}
        </div>
      </form>
    </main>
  );
}
