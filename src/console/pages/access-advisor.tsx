import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetGroupCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  ListPoliciesGrantingServiceAccessCommand,
  type EntityDetails,
  type PolicyGrantingServiceAccess,
  type ServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, formatDate, Section, Table, useAction, useLoad } from '../components.js';
import { draftNarrowerPolicy, usageOf, type Draft } from '../unused-access.js';
import { entityDocuments, type AdvisorTarget } from './access-advisor-documents.js';
import { localFinding, PolicyEditor } from './policy-editor.js';
import { policyHref } from './policies.js';

export type { AdvisorTarget } from './access-advisor-documents.js';

const NOT_ACCESSED = 'Not accessed in the tracking period';
const REPORT_WAIT_MS = 30_000;
/** ListPoliciesGrantingServiceAccess takes at most 200 namespaces a call. */
const NAMESPACES_PER_CALL = 200;

interface Report {
  readonly arn: string;
  readonly jobId: string;
  readonly completed: Date | undefined;
  readonly services: readonly ServiceLastAccessed[];
  /** By namespace: the policies that grant it (users, groups and roles only; a policy's report is about itself). */
  readonly granting: ReadonlyMap<string, readonly PolicyGrantingServiceAccess[]>;
}

async function targetArn(clients: Clients, target: AdvisorTarget): Promise<string> {
  const { iam } = clients;
  if (target.kind === 'policy') return target.arn;
  if (target.kind === 'user') return (await iam.send(new GetUserCommand({ UserName: target.name }))).User?.Arn ?? '';
  if (target.kind === 'group') return (await iam.send(new GetGroupCommand({ GroupName: target.name, MaxItems: 1 }))).Group?.Arn ?? '';
  return (await iam.send(new GetRoleCommand({ RoleName: target.name }))).Role?.Arn ?? '';
}

/** GenerateServiceLastAccessedDetails at ACTION_LEVEL, its job until done, every page of it, and the granting policies. */
async function loadReport(clients: Clients, target: AdvisorTarget): Promise<Report> {
  const { iam } = clients;
  const arn = await targetArn(clients, target);
  const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: 'ACTION_LEVEL' }));
  const started = Date.now();
  const services: ServiceLastAccessed[] = [];
  let marker: string | undefined;
  let completed: Date | undefined;
  for (;;) {
    const page = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, ...(marker !== undefined ? { Marker: marker } : {}) }));
    if (page.JobStatus === 'IN_PROGRESS') {
      if (Date.now() - started > REPORT_WAIT_MS) throw new Error('The report is still being generated. Try again in a moment.');
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    if (page.JobStatus === 'FAILED') throw new Error(`${page.Error?.Code ?? 'Failed'}: ${page.Error?.Message ?? 'The report could not be generated.'}`);
    completed = page.JobCompletionDate;
    services.push(...(page.ServicesLastAccessed ?? []));
    if (page.IsTruncated !== true || page.Marker === undefined) break;
    marker = page.Marker;
  }
  const granting = new Map<string, PolicyGrantingServiceAccess[]>();
  if (target.kind !== 'policy') {
    const namespaces = services.map((s) => s.ServiceNamespace ?? '').filter((n) => n !== '');
    for (let i = 0; i < namespaces.length; i += NAMESPACES_PER_CALL) {
      let next: string | undefined;
      do {
        const answer = await iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: arn, ServiceNamespaces: namespaces.slice(i, i + NAMESPACES_PER_CALL), ...(next !== undefined ? { Marker: next } : {}) }));
        for (const entry of answer.PoliciesGrantingServiceAccess ?? []) granting.set(entry.ServiceNamespace ?? '', entry.Policies ?? []);
        next = answer.IsTruncated === true ? answer.Marker : undefined;
      } while (next !== undefined);
    }
  }
  return { arn, jobId: JobId ?? '', completed, services, granting };
}

function Policies({ policies }: { policies: readonly PolicyGrantingServiceAccess[] | undefined }) {
  if (policies === undefined || policies.length === 0) return <>—</>;
  return (
    <ul class="plain">
      {policies.map((p) => (
        <li key={`${p.PolicyType ?? ''}:${p.PolicyArn ?? p.PolicyName ?? ''}:${p.EntityName ?? ''}`}>
          {p.PolicyType === 'MANAGED' ? <a href={policyHref(p.PolicyArn)}>{p.PolicyName}</a> : p.PolicyName}{' '}
          <span class="muted">{p.PolicyType === 'INLINE' ? `(inline, ${(p.EntityType ?? '').toLowerCase()} ${p.EntityName ?? ''})` : '(managed)'}</span>
        </li>
      ))}
    </ul>
  );
}

/** The users and roles of a group's or policy's report that used one service (GetServiceLastAccessedDetailsWithEntities). */
function Entities({ clients, jobId, namespace }: { clients: Clients; jobId: string; namespace: string }) {
  const loaded = useLoad(async () => {
    const all: EntityDetails[] = [];
    let marker: string | undefined;
    do {
      const page = await clients.iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: jobId, ServiceNamespace: namespace, ...(marker !== undefined ? { Marker: marker } : {}) }));
      all.push(...(page.EntityDetailsList ?? []));
      marker = page.IsTruncated === true ? page.Marker : undefined;
    } while (marker !== undefined);
    return all;
  }, `entities:${jobId}:${namespace}`);
  if (loaded.error !== undefined) return <ErrorMessage text={loaded.error} />;
  if (loaded.data === undefined) return <p class="muted">Loading…</p>;
  if (loaded.data.length === 0) return <p class="muted">No user or role could have used it.</p>;
  return (
    <ul class="plain">
      {loaded.data.map((e) => (
        <li key={e.EntityInfo?.Arn}>
          {e.EntityInfo?.Name} <span class="muted">({(e.EntityInfo?.Type ?? '').toLowerCase()})</span>: {e.LastAuthenticated === undefined ? NOT_ACCESSED : formatDate(e.LastAuthenticated)}
        </li>
      ))}
    </ul>
  );
}

function ServiceTable({ clients, report, target }: { clients: Clients; report: Report; target: AdvisorTarget }) {
  const [shown, setShown] = useState<string>();
  const many = target.kind === 'group' || target.kind === 'policy';
  const columns = [
    { label: 'Service', cell: (s: ServiceLastAccessed) => `${s.ServiceName ?? ''} (${s.ServiceNamespace ?? ''})` },
    { label: 'Last accessed', cell: (s: ServiceLastAccessed) => (s.LastAuthenticated === undefined ? NOT_ACCESSED : `${formatDate(s.LastAuthenticated)} in ${s.LastAuthenticatedRegion ?? '—'}`) },
    ...(many
      ? [
          {
            label: 'Accessed by',
            cell: (s: ServiceLastAccessed) => (
              <>
                {s.LastAuthenticatedEntity === undefined ? '—' : <span class="code">{s.LastAuthenticatedEntity}</span>}{' '}
                <button type="button" class="link" aria-expanded={shown === s.ServiceNamespace} onClick={() => setShown(shown === s.ServiceNamespace ? undefined : s.ServiceNamespace)} aria-label={`Entities of ${s.ServiceNamespace ?? ''}`}>
                  Entities
                </button>
                {shown === s.ServiceNamespace ? <Entities clients={clients} jobId={report.jobId} namespace={s.ServiceNamespace ?? ''} /> : null}
              </>
            ),
          },
        ]
      : []),
    ...(target.kind === 'policy' ? [] : [{ label: 'Granted by', cell: (s: ServiceLastAccessed) => <Policies policies={report.granting.get(s.ServiceNamespace ?? '')} /> }]),
  ];
  const tracked = report.services.filter((s) => s.TrackedActionsLastAccessed !== undefined && s.TrackedActionsLastAccessed.length > 0);
  return (
    <>
      <Table caption="Services granted and their last access" columns={columns} rows={report.services} rowKey={(s) => s.ServiceNamespace ?? ''} />
      {tracked.map((s) => {
        // Used actions first, the most recent at the top; then the unused ones by name.
        const actions = [...(s.TrackedActionsLastAccessed ?? [])].sort((a, b) =>
          a.LastAccessedTime !== undefined || b.LastAccessedTime !== undefined ? (b.LastAccessedTime?.getTime() ?? 0) - (a.LastAccessedTime?.getTime() ?? 0) : (a.ActionName ?? '').localeCompare(b.ActionName ?? ''),
        );
        const used = actions.filter((a) => a.LastAccessedTime !== undefined).length;
        return (
          <details key={s.ServiceNamespace} class="advisor-actions">
            <summary>
              Actions of {s.ServiceName}: {used} of {actions.length} used
            </summary>
            <Table
              caption={`Actions of ${s.ServiceNamespace ?? ''} and their last access`}
              columns={[
                { label: 'Action', cell: (a) => <span class="code">{`${s.ServiceNamespace ?? ''}:${a.ActionName ?? ''}`}</span> },
                { label: 'Last accessed', cell: (a) => (a.LastAccessedTime === undefined ? NOT_ACCESSED : `${formatDate(a.LastAccessedTime)} in ${a.LastAccessedRegion ?? '—'}`) },
              ]}
              rows={actions}
              rowKey={(a) => a.ActionName ?? ''}
            />
          </details>
        );
      })}
    </>
  );
}

/**
 * The draft narrower policy in the policy editor. Saving is the person's act: a new version of the policy (not made
 * the default unless chosen), or a new customer managed policy that is attached to nothing.
 */
function DraftEditor({ clients, target, draft }: { clients: Clients; target: AdvisorTarget; draft: Draft }) {
  const [text, setText] = useState(JSON.stringify(draft.document, null, 2));
  const [name, setName] = useState(target.kind === 'policy' ? '' : `${target.name}-used-access`.slice(0, 128));
  const [makeDefault, setMakeDefault] = useState(false);
  const [saved, setSaved] = useState<{ arn: string | undefined; version?: string | undefined }>();
  const action = useAction();
  const save = async (event: Event) => {
    event.preventDefault();
    const finding = localFinding(text);
    if (finding !== undefined) return action.setError(finding);
    await action.act(async () => {
      if (target.kind === 'policy') {
        const answer = await clients.iam.send(new CreatePolicyVersionCommand({ PolicyArn: target.arn, PolicyDocument: text, SetAsDefault: makeDefault }));
        setSaved({ arn: target.arn, version: answer.PolicyVersion?.VersionId });
      } else {
        const answer = await clients.iam.send(new CreatePolicyCommand({ PolicyName: name.trim(), PolicyDocument: text, Description: `What ${target.kind} ${target.name} used, drafted by Access Advisor` }));
        setSaved({ arn: answer.Policy?.Arn });
      }
    });
  };
  return (
    <form class="form" onSubmit={save} aria-labelledby="advisor-draft-title">
      <h3 id="advisor-draft-title" class="subhead">
        Draft without unused access
      </h3>
      <p class="notice">
        A draft for review: nothing has changed. It keeps only the services used in the tracking period and, where the report tracks actions, only the actions used; services without action-level data
        keep their granted actions, and Deny statements are kept.{draft.notActionKept > 0 ? ` ${draft.notActionKept} statement(s) with NotAction are kept unchanged.` : ''}{' '}
        {target.kind === 'policy' ? 'Saving creates a new version of this policy.' : 'Saving creates a new customer managed policy; it is attached to nothing until you attach it, and the broader policies stay until you remove them.'}
      </p>
      {draft.removed.length === 0 ? null : (
        <p>
          No longer allowed as written: <span class="code">{draft.removed.join(', ')}</span>
        </p>
      )}
      {target.kind === 'policy' ? null : (
        <>
          <label for="advisor-policy-name">Policy name</label>
          <input id="advisor-policy-name" required maxLength={128} autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </>
      )}
      <PolicyEditor id="advisor-draft" label="Draft policy document" value={text} onInput={setText} serverError={action.error} />
      {target.kind === 'policy' ? (
        <label class="check">
          <input type="checkbox" checked={makeDefault} onChange={(e) => setMakeDefault(e.currentTarget.checked)} />
          Set the new version as the default
        </label>
      ) : null}
      {saved === undefined ? (
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            {target.kind === 'policy' ? 'Save as new version' : 'Create policy'}
          </button>
        </div>
      ) : (
        <p class="notice" role="status">
          Saved{saved.version !== undefined ? ` as ${saved.version}` : ''}: <a href={policyHref(saved.arn)}>open the policy</a>.
        </p>
      )}
    </form>
  );
}

function Suggestion({ clients, target, report }: { clients: Clients; target: AdvisorTarget; report: Report }) {
  const [draft, setDraft] = useState<Draft>();
  const action = useAction();
  const usage = usageOf(report.services);
  const unused = report.services.filter((s) => s.LastAuthenticated === undefined).length + report.services.reduce((n, s) => n + (s.TrackedActionsLastAccessed ?? []).filter((a) => a.LastAccessedTime === undefined).length, 0);
  if (unused === 0) return <p class="muted">Every granted service{usage.actions.size > 0 ? ' and tracked action' : ''} was used in the tracking period.</p>;
  return (
    <>
      {draft === undefined ? (
        <div class="actions">
          <button type="button" disabled={action.busy} onClick={() => action.act(async () => setDraft(draftNarrowerPolicy(await entityDocuments(clients, target), usage)))}>
            Draft a policy without unused access
          </button>
        </div>
      ) : draft.document === undefined ? (
        <p class="notice">Nothing the policies allow was used in the tracking period: a narrower policy would allow nothing. Consider removing the policies instead.</p>
      ) : (
        <DraftEditor clients={clients} target={target} draft={draft} />
      )}
      <ErrorMessage text={action.error} />
    </>
  );
}

/** Access Advisor for one user, group, role or managed policy: services and actions last accessed, and what grants them. */
export function AccessAdvisor(props: { clients: Clients } & AdvisorTarget) {
  const { clients, ...target } = props;
  const [round, setRound] = useState(0);
  const id = target.kind === 'policy' ? target.arn : `${target.kind}:${target.name}`;
  const report = useLoad(() => (round === 0 ? Promise.resolve(null) : loadReport(clients, target)), `advisor:${id}:${round}`);
  return (
    <Section
      title="Access Advisor"
      id="access-advisor"
      loaded={round === 0 ? { ...report, data: null, error: undefined } : report}
      actions={
        <button type="button" disabled={round > 0 && report.loading} onClick={() => setRound((r) => r + 1)}>
          {round === 0 ? 'Show last accessed information' : 'Refresh'}
        </button>
      }
    >
      {(data) =>
        data === null ? (
          <p class="muted">The services {target.kind === 'policy' ? 'this policy grants' : `this ${target.kind}'s policies grant`} and when they were last used, from a new last accessed report.</p>
        ) : (
          <>
            <p class="muted">
              Report of {formatDate(data.completed)}. Tracking period: the last 400 days. {data.services.length === 0 ? '' : `${data.services.filter((s) => s.LastAuthenticated !== undefined).length} of ${data.services.length} granted services used.`}
            </p>
            {data.services.length === 0 ? <p class="muted">No policy grants any service.</p> : <ServiceTable clients={clients} report={data} target={target} />}
            {data.services.length === 0 ? null : <Suggestion key={data.jobId} clients={clients} target={target} report={data} />}
          </>
        )
      }
    </Section>
  );
}
