import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
  type PolicyVersion,
} from '@aws-sdk/client-iam';
import { useEffect, useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, formatDate, PageHeading, Section, Table, useAction, useLoad } from '../components.js';
import { parsePolicyDocument, summarizeAccess } from '../effective-access.js';
import { AccessAdvisor } from './access-advisor.js';
import { MarkedDocument } from '../marked-document.js';
import { DeletePolicy } from './delete-entities.js';
import { AccessSummary } from './effective-access.js';
import { localFinding, PolicyEditor } from './policy-editor.js';
import { prettyDocument } from './roles.js';

type EntityKind = 'user' | 'group' | 'role';

/** One managed policy: summary, versions (view one, set the default), a new version from the editor, attachments. */
export function PolicyDetailPage({ clients, arn, statement }: { clients: Clients; arn: string; statement?: number | undefined }) {
  const { iam } = clients;
  const policy = useLoad(() => iam.send(new GetPolicyCommand({ PolicyArn: arn })), `policy:${arn}`);
  const versions = useLoad(() => iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn })), `versions:${arn}`);
  const awsManaged = arn.startsWith('arn:aws:iam::aws:');
  const defaultVersion = policy.data?.Policy?.DefaultVersionId;
  const [shown, setShown] = useState<string>();
  const version = shown ?? defaultVersion;
  const document = useLoad(() => (version === undefined ? Promise.resolve(undefined) : iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }))), `version:${arn}:${version ?? ''}`);
  const reloadAll = () => {
    policy.reload();
    versions.reload();
  };
  const versionAction = useAction(reloadAll);
  const name = policy.data?.Policy?.PolicyName ?? arn.slice(arn.lastIndexOf('/') + 1);
  const versionColumns = [
    {
      label: 'Version',
      cell: (v: PolicyVersion) => (
        <button type="button" class="link" aria-pressed={v.VersionId === version} onClick={() => setShown(v.VersionId)}>
          {v.VersionId}
          {v.IsDefaultVersion === true ? ' (default)' : ''}
        </button>
      ),
    },
    { label: 'Created', cell: (v: PolicyVersion) => formatDate(v.CreateDate) },
    {
      label: 'Actions',
      cell: (v: PolicyVersion) =>
        awsManaged || v.IsDefaultVersion === true ? '—' : (
          <button type="button" disabled={versionAction.busy} onClick={() => versionAction.act(() => iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })))} aria-label={`Set ${v.VersionId} as default`}>
            Set as default
          </button>
        ),
    },
  ];
  return (
    <>
      <p class="breadcrumb">
        <a href="#/policies">Policies</a> / <span aria-current="page">{name}</span>
      </p>
      <PageHeading>{name}</PageHeading>
      <Section title="Summary" id="policy-summary" loaded={policy}>
        {(data) => (
          <dl class="summary">
            <dt>ARN</dt>
            <dd class="code">{data.Policy?.Arn}</dd>
            <dt>Type</dt>
            <dd>{awsManaged ? 'AWS managed' : 'Customer managed'}</dd>
            <dt>Description</dt>
            <dd>{data.Policy?.Description ?? '—'}</dd>
            <dt>Default version</dt>
            <dd>{data.Policy?.DefaultVersionId}</dd>
            <dt>Attachments</dt>
            <dd>{data.Policy?.AttachmentCount ?? 0}</dd>
          </dl>
        )}
      </Section>
      <Section title="Versions" id="policy-versions" loaded={versions}>
        {(data) => (
          <>
            <Table caption="Policy versions" columns={versionColumns} rows={data.Versions ?? []} rowKey={(v) => v.VersionId ?? ''} />
            <ErrorMessage text={versionAction.error} />
            <h3 class="subhead">Document of {version ?? '—'}</h3>
            {document.error !== undefined ? (
              <ErrorMessage text={document.error} />
            ) : (
              <>
                {/* A simulation decides with the default version: its statement is marked there (?statement=N). */}
                <MarkedDocument text={prettyDocument(document.data?.PolicyVersion?.Document)} statement={version === defaultVersion ? statement : undefined} label={`Policy document of ${version ?? ''}`} />
                {document.data?.PolicyVersion === undefined ? null : (
                  <>
                    <h3 class="subhead">What {version} allows</h3>
                    <AccessSummary services={summarizeAccess([parsePolicyDocument(document.data.PolicyVersion.Document) ?? {}])} caption={`Services ${version ?? ''} allows`} none="This version allows nothing." />
                  </>
                )}
              </>
            )}
          </>
        )}
      </Section>
      {awsManaged || document.data?.PolicyVersion === undefined ? null : (
        <NewVersion clients={clients} arn={arn} current={prettyDocument(document.data.PolicyVersion.Document)} onSaved={(id) => { setShown(id); reloadAll(); }} />
      )}
      <Attachments clients={clients} arn={arn} onChanged={policy.reload} />
      {awsManaged ? null : <AccessAdvisor clients={clients} kind="policy" arn={arn} />}
      {awsManaged ? null : <DeletePolicy clients={clients} arn={arn} policyName={name} />}
    </>
  );
}

function NewVersion({ clients, arn, current, onSaved }: { clients: Clients; arn: string; current: string; onSaved: (versionId: string | undefined) => void }) {
  const [text, setText] = useState(current);
  const [makeDefault, setMakeDefault] = useState(true);
  useEffect(() => setText(current), [current]);
  const action = useAction();
  const save = async (event: Event) => {
    event.preventDefault();
    const finding = localFinding(text);
    if (finding !== undefined) return action.setError(finding);
    let id: string | undefined;
    if (await action.act(async () => (id = (await clients.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: text, SetAsDefault: makeDefault }))).PolicyVersion?.VersionId))) onSaved(id);
  };
  return (
    <section class="panel" aria-labelledby="edit-policy-title">
      <h2 id="edit-policy-title">Edit policy</h2>
      <form class="form" onSubmit={save}>
        <PolicyEditor id="policy-document" label="Policy document" value={text} onInput={setText} serverError={action.error} />
        <label class="check">
          <input type="checkbox" checked={makeDefault} onChange={(e) => setMakeDefault(e.currentTarget.checked)} />
          Set the new version as the default
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Save new version
          </button>
        </div>
      </form>
    </section>
  );
}

function Attachments({ clients, arn, onChanged }: { clients: Clients; arn: string; onChanged: () => void }) {
  const { iam } = clients;
  const entities = useLoad(() => iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn })), `entities:${arn}`);
  const action = useAction(() => {
    entities.reload();
    onChanged();
  });
  const [kind, setKind] = useState<EntityKind>('user');
  const [name, setName] = useState('');
  const attach = (k: EntityKind, n: string): Promise<unknown> =>
    k === 'user'
      ? iam.send(new AttachUserPolicyCommand({ UserName: n, PolicyArn: arn }))
      : k === 'group'
        ? iam.send(new AttachGroupPolicyCommand({ GroupName: n, PolicyArn: arn }))
        : iam.send(new AttachRolePolicyCommand({ RoleName: n, PolicyArn: arn }));
  const detach = (k: EntityKind, n: string): Promise<unknown> =>
    k === 'user'
      ? iam.send(new DetachUserPolicyCommand({ UserName: n, PolicyArn: arn }))
      : k === 'group'
        ? iam.send(new DetachGroupPolicyCommand({ GroupName: n, PolicyArn: arn }))
        : iam.send(new DetachRolePolicyCommand({ RoleName: n, PolicyArn: arn }));
  return (
    <Section title="Attached entities" id="policy-entities" loaded={entities}>
      {(data) => {
        const rows = [
          ...(data.PolicyUsers ?? []).map((u) => ({ kind: 'user' as const, name: u.UserName ?? '' })),
          ...(data.PolicyGroups ?? []).map((g) => ({ kind: 'group' as const, name: g.GroupName ?? '' })),
          ...(data.PolicyRoles ?? []).map((r) => ({ kind: 'role' as const, name: r.RoleName ?? '' })),
        ];
        return (
          <>
            {rows.length === 0 ? (
              <p class="muted">Not attached to any user, group or role.</p>
            ) : (
              <ul class="plain devices">
                {rows.map((r) => (
                  <li key={`${r.kind}:${r.name}`}>
                    <a href={`#/${r.kind}s/${encodeURIComponent(r.name)}`}>{r.name}</a> <span class="muted">({r.kind})</span>{' '}
                    <button type="button" disabled={action.busy} aria-label={`Detach from ${r.kind} ${r.name}`} onClick={() => action.act(() => detach(r.kind, r.name))}>
                      Detach
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <form
              class="form inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void action.act(async () => {
                  await attach(kind, name.trim());
                  setName('');
                });
              }}
            >
              <label for="attach-kind">Attach to a</label>
              <select id="attach-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as EntityKind)}>
                <option value="user">User</option>
                <option value="group">Group</option>
                <option value="role">Role</option>
              </select>
              <label for="attach-name">Name</label>
              <input id="attach-name" required autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
              <div class="actions">
                <button type="submit" disabled={action.busy}>
                  Attach policy
                </button>
              </div>
            </form>
            <ErrorMessage text={action.error} />
          </>
        );
      }}
    </Section>
  );
}
