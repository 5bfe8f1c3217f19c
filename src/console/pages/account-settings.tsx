import {
  CreateAccountAliasCommand,
  DeleteAccountAliasCommand,
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  ListAccountAliasesCommand,
  UpdateAccountPasswordPolicyCommand,
  type PasswordPolicy,
} from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import { errorCode, errorText, type Clients } from '../api.js';
import { ErrorMessage, PageHeading, Section, useLoad } from '../components.js';

/** The account's alias (what people may type instead of the account ID to sign in) and its password policy. */
export function AccountSettingsPage({ clients, account }: { clients: Clients; account: string }) {
  return (
    <>
      <PageHeading>Account settings</PageHeading>
      <AccountAlias clients={clients} account={account} />
      <PasswordPolicyForm clients={clients} />
    </>
  );
}

function AccountAlias({ clients, account }: { clients: Clients; account: string }) {
  const { iam } = clients;
  const aliases = useLoad(() => iam.send(new ListAccountAliasesCommand({})), 'aliases');
  const [alias, setAlias] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      setAlias('');
      aliases.reload();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section title="Account alias" id="alias" loaded={aliases}>
      {(data) => {
        const current = data.AccountAliases?.[0];
        return (
          <>
            <p>
              Account ID <span class="code">{account}</span>
              {current !== undefined ? (
                <>
                  , alias <strong class="code">{current}</strong>{' '}
                  <button type="button" class="danger" disabled={busy} onClick={() => act(() => iam.send(new DeleteAccountAliasCommand({ AccountAlias: current })))}>
                    Delete alias
                  </button>
                </>
              ) : (
                ', no alias'
              )}
            </p>
            <form
              class="form"
              onSubmit={(event) => {
                event.preventDefault();
                return act(() => iam.send(new CreateAccountAliasCommand({ AccountAlias: alias.trim() })));
              }}
            >
              <label for="account-alias">{current === undefined ? 'New alias' : 'Replace the alias with'}</label>
              <input id="account-alias" required autocapitalize="none" spellcheck={false} value={alias} onInput={(e) => setAlias(e.currentTarget.value)} />
              <div class="actions">
                <button type="submit" disabled={busy}>
                  Save alias
                </button>
              </div>
            </form>
            <ErrorMessage text={error} />
          </>
        );
      }}
    </Section>
  );
}

interface PolicyForm {
  MinimumPasswordLength: string;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  AllowUsersToChangePassword: boolean;
  MaxPasswordAge: string;
  PasswordReusePrevention: string;
  HardExpiry: boolean;
}

function formOf(policy: PasswordPolicy | null): PolicyForm {
  return {
    MinimumPasswordLength: String(policy?.MinimumPasswordLength ?? 8),
    RequireUppercaseCharacters: policy?.RequireUppercaseCharacters ?? false,
    RequireLowercaseCharacters: policy?.RequireLowercaseCharacters ?? false,
    RequireNumbers: policy?.RequireNumbers ?? false,
    RequireSymbols: policy?.RequireSymbols ?? false,
    AllowUsersToChangePassword: policy?.AllowUsersToChangePassword ?? false,
    MaxPasswordAge: policy?.MaxPasswordAge === undefined ? '' : String(policy.MaxPasswordAge),
    PasswordReusePrevention: policy?.PasswordReusePrevention === undefined ? '' : String(policy.PasswordReusePrevention),
    HardExpiry: policy?.HardExpiry ?? false,
  };
}

const CHECKS: ReadonlyArray<readonly [keyof PolicyForm, string]> = [
  ['RequireUppercaseCharacters', 'Require at least one uppercase letter'],
  ['RequireLowercaseCharacters', 'Require at least one lowercase letter'],
  ['RequireNumbers', 'Require at least one number'],
  ['RequireSymbols', 'Require at least one symbol'],
  ['AllowUsersToChangePassword', 'Allow users to change their own password'],
  ['HardExpiry', 'Once a password has expired, only an administrator can reset it (hard expiry)'],
];

function PasswordPolicyForm({ clients }: { clients: Clients }) {
  const { iam } = clients;
  const policy = useLoad(async () => {
    try {
      return (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy ?? null;
    } catch (error) {
      if (errorCode(error) === 'NoSuchEntity') return null;
      throw error;
    }
  }, 'password-policy');
  // Kept here, not in the editor: the editor starts afresh from each policy read, and the message outlives that.
  const [saved, setSaved] = useState<string>();
  return (
    <Section title="Password policy" id="password-policy" loaded={policy}>
      {(data) => (
        <>
          <PolicyEditor
            key={JSON.stringify(data)}
            clients={clients}
            policy={data}
            onSaved={(message) => {
              setSaved(message);
              policy.reload();
            }}
            onEdit={() => setSaved(undefined)}
          />
          {saved !== undefined ? (
            <p class="notice" role="status">
              {saved}
            </p>
          ) : null}
        </>
      )}
    </Section>
  );
}

function PolicyEditor({ clients, policy, onSaved, onEdit }: { clients: Clients; policy: PasswordPolicy | null; onSaved: (message: string) => void; onEdit: () => void }) {
  const [form, setForm] = useState<PolicyForm>(() => formOf(policy));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof PolicyForm>(key: K, value: PolicyForm[K]) => setForm({ ...form, [key]: value });
  const number = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

  async function act(work: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(undefined);
    onEdit();
    try {
      await work();
      onSaved(done);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }
  const save = (event: Event) => {
    event.preventDefault();
    const maxAge = number(form.MaxPasswordAge);
    const reuse = number(form.PasswordReusePrevention);
    return act(
      () =>
        clients.iam.send(
          new UpdateAccountPasswordPolicyCommand({
            MinimumPasswordLength: number(form.MinimumPasswordLength),
            RequireUppercaseCharacters: form.RequireUppercaseCharacters,
            RequireLowercaseCharacters: form.RequireLowercaseCharacters,
            RequireNumbers: form.RequireNumbers,
            RequireSymbols: form.RequireSymbols,
            AllowUsersToChangePassword: form.AllowUsersToChangePassword,
            HardExpiry: form.HardExpiry,
            ...(maxAge !== undefined ? { MaxPasswordAge: maxAge } : {}),
            ...(reuse !== undefined ? { PasswordReusePrevention: reuse } : {}),
          }),
        ),
      'The password policy was saved.',
    );
  };
  return (
    <form class="form" onSubmit={save}>
      <p class="muted">{policy === null ? 'No policy is set: IAM asks for 8 characters and three of the four kinds of character.' : 'The policy in force:'}</p>
      <label for="min-length">Minimum password length (6 to 128)</label>
      <input id="min-length" type="number" min={6} max={128} required value={form.MinimumPasswordLength} onInput={(e) => set('MinimumPasswordLength', e.currentTarget.value)} />
      {CHECKS.map(([key, label]) => (
        <label class="check" key={key}>
          <input type="checkbox" checked={form[key] as boolean} onChange={(e) => set(key, e.currentTarget.checked as never)} /> {label}
        </label>
      ))}
      <label for="max-age">Passwords expire after (days, 1 to 1095; empty: never)</label>
      <input id="max-age" type="number" min={1} max={1095} value={form.MaxPasswordAge} onInput={(e) => set('MaxPasswordAge', e.currentTarget.value)} />
      <label for="reuse">Remember earlier passwords (1 to 24; empty: none)</label>
      <input id="reuse" type="number" min={1} max={24} value={form.PasswordReusePrevention} onInput={(e) => set('PasswordReusePrevention', e.currentTarget.value)} />
      <ErrorMessage text={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save password policy
        </button>
        {policy !== null ? (
          <button type="button" class="danger" disabled={busy} onClick={() => act(() => clients.iam.send(new DeleteAccountPasswordPolicyCommand({})), 'The password policy was deleted.')}>
            Delete password policy
          </button>
        ) : null}
      </div>
    </form>
  );
}
