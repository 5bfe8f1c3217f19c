import { CreatePolicyCommand, ListPoliciesCommand, type Policy, type PolicyScopeType } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { formatDate, PageHeading, Pager, Section, Table, useAction, usePaged } from '../components.js';
import { EMPTY_POLICY, localFinding, PolicyEditor } from './policy-editor.js';

const PAGE_SIZE = 100;

export const policyHref = (arn: string | undefined): string => `#/policies/${encodeURIComponent(arn ?? '')}`;

const COLUMNS = [
  {
    label: 'Policy name',
    cell: (p: Policy) => <a href={policyHref(p.Arn)}>{p.PolicyName}</a>,
  },
  { label: 'Type', cell: (p: Policy) => ((p.Arn ?? '').startsWith('arn:aws:iam::aws:') ? 'AWS managed' : 'Customer managed') },
  { label: 'Attachments', cell: (p: Policy) => String(p.AttachmentCount ?? 0) },
  { label: 'Updated', cell: (p: Policy) => formatDate(p.UpdateDate) },
];

/** ListPolicies by scope (the account's, AWS's, both), a page at a time; create a customer managed policy. */
export function PoliciesPage({ clients }: { clients: Clients }) {
  const [scope, setScope] = useState<PolicyScopeType>('Local');
  const paged = usePaged((marker) => clients.iam.send(new ListPoliciesCommand({ Scope: scope, MaxItems: PAGE_SIZE, ...(marker !== undefined ? { Marker: marker } : {}) })), `policies:${scope}`);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeading>Policies</PageHeading>
      {creating ? <CreatePolicyForm clients={clients} onCancel={() => setCreating(false)} /> : null}
      <Section
        title="Managed policies"
        id="policies"
        loaded={paged.loaded}
        actions={
          creating ? undefined : (
            <button type="button" class="primary" onClick={() => setCreating(true)}>
              Create policy
            </button>
          )
        }
      >
        {(data) => (
          <>
            <div class="form inline-form">
              <label for="policy-scope">Show</label>
              <select id="policy-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as PolicyScopeType)}>
                <option value="Local">Customer managed</option>
                <option value="AWS">AWS managed</option>
                <option value="All">All</option>
              </select>
            </div>
            {(data.Policies ?? []).length === 0 ? (
              <p class="muted">No policies on this page.</p>
            ) : (
              <Table caption={`Managed policies, page ${paged.page}`} columns={COLUMNS} rows={data.Policies ?? []} rowKey={(p) => p.Arn ?? ''} />
            )}
            <Pager paged={paged} data={data} what="policies" />
          </>
        )}
      </Section>
    </>
  );
}

function CreatePolicyForm({ clients, onCancel }: { clients: Clients; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [document, setDocument] = useState(EMPTY_POLICY);
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const finding = localFinding(document);
    if (finding !== undefined) {
      action.setError(finding);
      return;
    }
    let arn: string | undefined;
    const ok = await action.act(async () => {
      const answer = await clients.iam.send(new CreatePolicyCommand({ PolicyName: name.trim(), PolicyDocument: document, ...(description.trim() !== '' ? { Description: description.trim() } : {}) }));
      arn = answer.Policy?.Arn;
    });
    if (ok) window.location.hash = policyHref(arn);
  };
  return (
    <section class="panel" aria-labelledby="create-policy-title">
      <h2 id="create-policy-title">Create policy</h2>
      <form class="form" onSubmit={submit}>
        <label for="new-policy-name">Policy name</label>
        <input id="new-policy-name" required autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="new-policy-description">Description (optional)</label>
        <input id="new-policy-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        <PolicyEditor id="new-policy-document" label="Policy document" value={document} onInput={setDocument} serverError={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Create policy
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
