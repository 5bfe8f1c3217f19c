import { DescribeOrganizationCommand, ListPoliciesCommand, ListRootsCommand, ListTargetsForPolicyCommand, type Account, type PolicySummary, type PolicyTargetSummary, type Root } from '@aws-sdk/client-organizations';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, PageHeading, Section, Table, useAction, useLoad, type Loaded } from '../components.js';
import { allPages, LEVEL_TEXT, levelsOf, whyDenied, type Level, type WhyDenied } from '../organization.js';
import { Parent } from './organization-tree.js';

type OrgPolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
const TYPE_TEXT: Record<OrgPolicyType, string> = { SERVICE_CONTROL_POLICY: 'SCP', RESOURCE_CONTROL_POLICY: 'RCP' };

/**
 * The organization as its management account (or a delegated administrator) sees it: the tree of roots, OUs and
 * accounts, the SCPs and RCPs and where each is attached, an account's effective policies level by level, and why an
 * action is denied there by SCPs. Any other account sees AWS's own answer, as the API gave it.
 */
export function OrganizationPage({ clients }: { clients: Clients }) {
  const { organizations } = clients;
  const organization = useLoad(() => organizations.send(new DescribeOrganizationCommand({})), 'organization');
  const roots = useLoad(async () => (await organizations.send(new ListRootsCommand({}))).Roots ?? [], 'roots');
  const [account, setAccount] = useState<Account>();
  return (
    <>
      <PageHeading>Organizations</PageHeading>
      <Section title="Organization" id="org-summary" loaded={organization}>
        {(data) => (
          <dl class="summary">
            <dt>Organization ID</dt>
            <dd class="code">{data.Organization?.Id}</dd>
            <dt>Management account</dt>
            <dd>
              <span class="code">{data.Organization?.MasterAccountId}</span> ({data.Organization?.MasterAccountEmail})
            </dd>
            <dt>Feature set</dt>
            <dd>{data.Organization?.FeatureSet}</dd>
          </dl>
        )}
      </Section>
      {organization.error !== undefined ? null : (
        <Section title="Structure" id="org-tree" loaded={roots}>
          {(list: Root[]) => (
            <>
              <p class="muted">Expand a root or an OU to read its children; choose an account to see the policies that apply to it.</p>
              <ul class="org-tree">
                {list.map((r) => (
                  <Parent key={r.Id} clients={clients} id={r.Id ?? ''} label={r.Name === undefined || r.Name === 'Root' ? 'Root' : `Root ${r.Name}`} detail={r.Id ?? ''} open selected={account?.Id} onSelect={setAccount} />
                ))}
              </ul>
            </>
          )}
        </Section>
      )}
      {roots.data === undefined ? null : (
        <>
          <Policies clients={clients} />
          {account === undefined ? null : <Effective key={account.Id} clients={clients} account={account} roots={roots.data} management={organization.data?.Organization?.MasterAccountId} />}
        </>
      )}
    </>
  );
}

const targetText = (t: PolicyTargetSummary): string =>
  t.Type === 'ROOT' && t.Name === 'Root' ? `Root (${t.TargetId ?? ''})` : `${t.Type === 'ROOT' ? 'Root' : t.Type === 'ORGANIZATIONAL_UNIT' ? 'OU' : 'Account'} ${t.Name ?? ''} (${t.TargetId ?? ''})`;

/** SCPs and RCPs (ListPolicies by type) and their targets (ListTargetsForPolicy). */
function Policies({ clients }: { clients: Clients }) {
  const { organizations } = clients;
  const load = async (type: OrgPolicyType) =>
    Promise.all(
      (
        await allPages<PolicySummary>(async (token) => {
          const page = await organizations.send(new ListPoliciesCommand({ Filter: type, ...(token !== undefined ? { NextToken: token } : {}) }));
          return { NextToken: page.NextToken, items: page.Policies };
        })
      ).map(async (policy) => ({
        policy,
        type,
        targets: await allPages<PolicyTargetSummary>(async (token) => {
          const page = await organizations.send(new ListTargetsForPolicyCommand({ PolicyId: policy.Id, ...(token !== undefined ? { NextToken: token } : {}) }));
          return { NextToken: page.NextToken, items: page.Targets };
        }),
      })),
    );
  const scps = useLoad(() => load('SERVICE_CONTROL_POLICY'), 'scps');
  const rcps = useLoad(() => load('RESOURCE_CONTROL_POLICY'), 'rcps');
  const columns = [
    { label: 'Name', cell: (r: { policy: PolicySummary }) => r.policy.Name },
    { label: 'ID', cell: (r: { policy: PolicySummary }) => <span class="code">{r.policy.Id}</span> },
    { label: 'Managed by', cell: (r: { policy: PolicySummary }) => (r.policy.AwsManaged === true ? 'AWS' : 'Customer') },
    {
      label: 'Attached to',
      cell: (r: { targets: PolicyTargetSummary[] }) =>
        r.targets.length === 0 ? '—' : (
          <ul class="plain">
            {r.targets.map((t) => (
              <li key={t.TargetId}>{targetText(t)}</li>
            ))}
          </ul>
        ),
    },
  ];
  const table = (title: string, loaded: Loaded<Array<{ policy: PolicySummary; targets: PolicyTargetSummary[] }>>, id: string) => (
    <Section title={title} id={id} loaded={loaded}>
      {(rows) => (rows.length === 0 ? <p class="muted">None.</p> : <Table caption={title} columns={columns} rows={rows} rowKey={(r) => r.policy.Id ?? ''} />)}
    </Section>
  );
  return (
    <>
      {table('Service control policies', scps, 'org-scps')}
      {table('Resource control policies', rcps, 'org-rcps')}
    </>
  );
}

/** "OU engineering", "Account backend"; a root is "Root" unless it was named otherwise. */
const levelName = (l: Level): string => (l.type === 'ROOT' && l.name === 'Root' ? 'Root' : `${LEVEL_TEXT[l.type]} ${l.name}`);

/** By name: Organizations lists a target's policies in no promised order. */
const policyNames = (list: readonly PolicySummary[]): string => (list.length === 0 ? 'none' : list.map((p) => `${p.Name ?? ''} (${p.Id ?? ''})`).sort((a, b) => a.localeCompare(b)).join(', '));

/** The chosen account's effective SCPs and RCPs by level, and why an action is denied there. */
function Effective({ clients, account, roots, management }: { clients: Clients; account: Account; roots: readonly Root[]; management: string | undefined }) {
  const { organizations, iam } = clients;
  const id = account.Id ?? '';
  const levels = useLoad(() => levelsOf(organizations, id, (rootId) => roots.find((r) => r.Id === rootId)?.Name ?? rootId), `levels:${id}`);
  const scpEnabled = roots.some((r) => r.PolicyTypes?.some((t) => t.Type === 'SERVICE_CONTROL_POLICY' && t.Status === 'ENABLED'));
  const [action, setAction] = useState('');
  const [resource, setResource] = useState('*');
  const [answer, setAnswer] = useState<WhyDenied>();
  const run = useAction();
  const explain = async (event: Event) => {
    event.preventDefault();
    setAnswer(undefined);
    const data = levels.data;
    if (data === undefined) return;
    await run.act(async () => setAnswer(await whyDenied(iam, organizations, id, data, action.trim(), resource.trim() === '' ? '*' : resource.trim())));
  };
  return (
    <Section title={`Effective policies of ${account.Name ?? id} (${id})`} id="org-effective" loaded={levels}>
      {(data: Level[]) => (
        <>
          <p class="muted">
            AWS evaluates these level by level, from the root to the account: an explicit Deny at any level denies, and each level must have an Allow. SCPs limit the account's principals; RCPs limit its resources.
            {id === management ? ' This is the management account: SCPs and RCPs do not apply to it.' : ''}
          </p>
          <ol class="level-list" aria-label="Levels from the root to the account">
            {data.map((l) => (
              <li key={l.id}>
                <strong>{levelName(l)}</strong>{' '}
                <span class="code">{l.id}</span>
                <div>SCPs: {policyNames(l.scps)}</div>
                <div>RCPs: {policyNames(l.rcps)}</div>
              </li>
            ))}
          </ol>
          <h3 class="subhead">Why is this denied?</h3>
          {!scpEnabled ? (
            <p>Service control policies are not enabled at the root: they deny nothing.</p>
          ) : (
            <form class="form" onSubmit={explain}>
              <div class="sim-grid">
                <label for="why-action">Action</label>
                <input id="why-action" required placeholder="s3:DeleteBucket" autocapitalize="none" spellcheck={false} value={action} onInput={(e) => setAction(e.currentTarget.value)} />
                <label for="why-resource">Resource ARN</label>
                <input id="why-resource" autocapitalize="none" spellcheck={false} value={resource} onInput={(e) => setResource(e.currentTarget.value)} />
              </div>
              <ErrorMessage text={run.error} />
              <div class="actions">
                <button type="submit" class="primary" disabled={run.busy}>
                  Explain
                </button>
              </div>
            </form>
          )}
          {answer === undefined ? null : <Verdict answer={answer} action={action.trim()} management={id === management} />}
        </>
      )}
    </Section>
  );
}

function Verdict({ answer, action, management }: { answer: WhyDenied; action: string; management: boolean }) {
  return (
    <div role="status" class="why">
      <p>
        <strong class={answer.allowed ? 'verdict-allow' : 'verdict-deny'}>{answer.allowed ? `The SCPs allow ${action}.` : `The SCPs deny ${action}.`}</strong>
        {management ? ' (They would not apply: this is the management account.)' : ''}
      </p>
      <ol class="level-list" aria-label="SCP verdict at each level">
        {answer.levels.map(({ level, result }) => (
          <li key={level.id}>
            {levelName(level)}:{' '}
            {result.verdict === 'allows' ? (
              <span class="verdict-allow">allows</span>
            ) : result.verdict === 'denies' ? (
              <>
                <span class="verdict-deny">explicit Deny</span> in {result.statement === undefined ? 'a statement' : `statement ${result.statement}`} of SCP <strong>{result.policy}</strong> ({result.policyId})
              </>
            ) : (
              <>
                <span class="verdict-deny">no Allow</span>: none of this level's SCPs allows {action}
              </>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
