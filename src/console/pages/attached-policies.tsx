import { AttachUserPolicyCommand, DetachUserPolicyCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage, Section, useLoad } from '../components.js';

/** A user's managed policies: attach one by ARN (an AWS managed policy's or the account's), detach one. */
export function AttachedPolicies({ clients, userName, onChanged }: { clients: Clients; userName: string; onChanged?: () => void }) {
  const { iam } = clients;
  const attached = useLoad(() => iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName })), `attached:${userName}`);
  const [arn, setArn] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      attached.reload();
      onChanged?.();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  const attach = (event: Event) => {
    event.preventDefault();
    const policyArn = arn.trim();
    return act(async () => {
      await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: policyArn }));
      setArn('');
    });
  };

  return (
    <Section title="Attached policies" id="attached" loaded={attached}>
      {(data) => (
        <>
          {(data.AttachedPolicies ?? []).length === 0 ? (
            <p class="muted">No managed policies attached.</p>
          ) : (
            <ul class="plain devices">
              {(data.AttachedPolicies ?? []).map((p) => (
                <li key={p.PolicyArn}>
                  {p.PolicyName} <span class="muted code">{p.PolicyArn}</span>{' '}
                  <button type="button" disabled={busy} onClick={() => act(() => iam.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: p.PolicyArn })))} aria-label={`Detach ${p.PolicyName}`}>
                    Detach
                  </button>
                </li>
              ))}
            </ul>
          )}
          <form class="form inline-form" onSubmit={attach}>
            <label for="attach-policy-arn">Policy ARN to attach</label>
            <input
              id="attach-policy-arn"
              required
              placeholder="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
              autocapitalize="none"
              spellcheck={false}
              value={arn}
              onInput={(e) => setArn(e.currentTarget.value)}
            />
            <div class="actions">
              <button type="submit" disabled={busy}>
                Attach policy
              </button>
            </div>
          </form>
          <ErrorMessage text={error} />
        </>
      )}
    </Section>
  );
}
