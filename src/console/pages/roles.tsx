import { GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand, UpdateAssumeRolePolicyCommand, type Role } from '@aws-sdk/client-iam';
import { useEffect, useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { formatDate, PageHeading, Pager, Section, Table, useAction, useLoad, usePaged } from '../components.js';
import { AccessAdvisor } from './access-advisor.js';
import { localFinding, PolicyEditor } from './policy-editor.js';

const PAGE_SIZE = 100;

/** The policy document IAM returns URL-encoded, as indented JSON (as it came when it is not JSON). */
export function prettyDocument(encoded: string | undefined): string {
  if (encoded === undefined) return '';
  let text = encoded;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    // Not URL-encoded: shown as it is.
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const COLUMNS = [
  { label: 'Role name', cell: (r: Role) => <a href={`#/roles/${encodeURIComponent(r.RoleName ?? '')}`}>{r.RoleName}</a> },
  { label: 'Path', cell: (r: Role) => r.Path },
  { label: 'Created', cell: (r: Role) => formatDate(r.CreateDate) },
  { label: 'Description', cell: (r: Role) => r.Description ?? '—' },
];

/** ListRoles, a page at a time. */
export function RolesPage({ clients }: { clients: Clients }) {
  const paged = usePaged((marker) => clients.iam.send(new ListRolesCommand({ MaxItems: PAGE_SIZE, ...(marker !== undefined ? { Marker: marker } : {}) })), 'roles');
  return (
    <>
      <PageHeading>Roles</PageHeading>
      <Section
        title="IAM roles"
        id="roles"
        loaded={paged.loaded}
        actions={
          <a class="button primary" href="#/create-role">
            Create role
          </a>
        }
      >
        {(data) => (
          <>
            {(data.Roles ?? []).length === 0 ? <p class="muted">No roles.</p> : <Table caption={`IAM roles, page ${paged.page}`} columns={COLUMNS} rows={data.Roles ?? []} rowKey={(r) => r.RoleId ?? ''} />}
            <Pager paged={paged} data={data} what="roles" />
          </>
        )}
      </Section>
    </>
  );
}

/** One role: its summary, last use, trust policy and permissions policies. */
export function RoleDetailPage({ clients, roleName }: { clients: Clients; roleName: string }) {
  const { iam } = clients;
  const role = useLoad(() => iam.send(new GetRoleCommand({ RoleName: roleName })), `role:${roleName}`);
  const attached = useLoad(() => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })), `role-attached:${roleName}`);
  const inline = useLoad(() => iam.send(new ListRolePoliciesCommand({ RoleName: roleName })), `role-inline:${roleName}`);
  return (
    <>
      <p class="breadcrumb">
        <a href="#/roles">Roles</a> / <span aria-current="page">{roleName}</span>
      </p>
      <PageHeading>{roleName}</PageHeading>
      <Section title="Summary" id="role-summary" loaded={role}>
        {(data) => (
          <>
            <dl class="summary">
              <dt>ARN</dt>
              <dd class="code">{data.Role?.Arn}</dd>
              <dt>Created</dt>
              <dd>{formatDate(data.Role?.CreateDate)}</dd>
              <dt>Maximum session</dt>
              <dd>{data.Role?.MaxSessionDuration === undefined ? '—' : `${data.Role.MaxSessionDuration / 3600} hours`}</dd>
              <dt>Last used</dt>
              <dd>
                {data.Role?.RoleLastUsed?.LastUsedDate === undefined ? 'Never' : `${formatDate(data.Role.RoleLastUsed.LastUsedDate)} in ${data.Role.RoleLastUsed.Region ?? '—'}`}
              </dd>
            </dl>
            <TrustPolicy clients={clients} roleName={roleName} current={prettyDocument(data.Role?.AssumeRolePolicyDocument)} onSaved={role.reload} />
          </>
        )}
      </Section>
      <Section title="Attached policies" id="role-attached" loaded={attached}>
        {(data) =>
          (data.AttachedPolicies ?? []).length === 0 ? (
            <p class="muted">No managed policies attached.</p>
          ) : (
            <ul class="plain">
              {(data.AttachedPolicies ?? []).map((p) => (
                <li key={p.PolicyArn}>
                  {p.PolicyName} <span class="muted code">{p.PolicyArn}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Section>
      <Section title="Inline policies" id="role-inline" loaded={inline}>
        {(data) =>
          (data.PolicyNames ?? []).length === 0 ? (
            <p class="muted">No inline policies.</p>
          ) : (
            <ul class="plain">
              {(data.PolicyNames ?? []).map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )
        }
      </Section>
      <AccessAdvisor clients={clients} kind="role" name={roleName} />
    </>
  );
}

/** The role's trust policy, shown and edited in place (UpdateAssumeRolePolicy, whose refusal is shown under it). */
function TrustPolicy({ clients, roleName, current, onSaved }: { clients: Clients; roleName: string; current: string; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(current);
  useEffect(() => setText(current), [current]);
  const action = useAction(() => {
    setEditing(false);
    onSaved();
  });
  const save = async (event: Event) => {
    event.preventDefault();
    const finding = localFinding(text);
    if (finding !== undefined) return action.setError(finding);
    await action.act(() => clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: text })));
  };
  if (!editing) {
    return (
      <>
        <div class="panel-head">
          <h3 class="subhead">Trust policy</h3>
          <button type="button" onClick={() => setEditing(true)}>
            Edit trust policy
          </button>
        </div>
        <pre class="code document" tabIndex={0} aria-label="Trust policy">
          {current}
        </pre>
      </>
    );
  }
  return (
    <form class="form" onSubmit={save}>
      <PolicyEditor id="trust-policy-editor" label="Trust policy" value={text} onInput={setText} serverError={action.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={action.busy}>
          Update trust policy
        </button>
        <button
          type="button"
          onClick={() => {
            setEditing(false);
            setText(current);
            action.setError(undefined);
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
