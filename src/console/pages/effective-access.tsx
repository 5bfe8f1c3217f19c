import {
  GetGroupPolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { defaultPolicyDocument, type Clients } from '../api.js';
import { Section, Table, useLoad } from '../components.js';
import { ACCESS_LEVELS_URL, describeLevels, parseAccessLevels, type AccessLevelTable } from '../access-levels.js';
import { parsePolicyDocument, summarizeAccess, type ServiceAccess } from '../effective-access.js';

/**
 * Every identity policy that applies to the user, read through IAM's API as any client would: the user's inline and
 * attached policies and those of each of the user's groups (managed policies at their default version).
 */
async function userDocuments(clients: Clients, userName: string): Promise<Array<{ Statement?: unknown }>> {
  const { iam } = clients;
  const texts: Array<string | undefined> = [];
  const arns = new Set<string>();
  for (const name of (await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? []) {
    texts.push((await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }))).PolicyDocument);
  }
  for (const p of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? []) if (p.PolicyArn !== undefined) arns.add(p.PolicyArn);
  for (const group of (await iam.send(new ListGroupsForUserCommand({ UserName: userName }))).Groups ?? []) {
    const groupName = group.GroupName ?? '';
    for (const name of (await iam.send(new ListGroupPoliciesCommand({ GroupName: groupName }))).PolicyNames ?? []) {
      texts.push((await iam.send(new GetGroupPolicyCommand({ GroupName: groupName, PolicyName: name }))).PolicyDocument);
    }
    for (const p of (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName }))).AttachedPolicies ?? []) if (p.PolicyArn !== undefined) arns.add(p.PolicyArn);
  }
  for (const arn of arns) texts.push(await defaultPolicyDocument(iam, arn));
  return texts.map(parsePolicyDocument).filter((d): d is { Statement?: unknown } => d !== undefined);
}

const actions = (list: readonly string[]): string => (list.includes('*') ? 'All actions' : list.join(', '));

let levelsOnce: Promise<AccessLevelTable> | undefined;

/** The console's table of access levels, fetched once per page load (a failed fetch is tried again next time). */
function loadLevels(): Promise<AccessLevelTable> {
  levelsOnce ??= (async () => {
    const response = await fetch(ACCESS_LEVELS_URL, { credentials: 'omit' });
    if (!response.ok) throw new Error(`The access levels could not be read (HTTP ${response.status}).`);
    return parseAccessLevels(await response.json());
  })();
  levelsOnce.catch(() => {
    levelsOnce = undefined;
  });
  return levelsOnce;
}

function columns(table: AccessLevelTable | undefined) {
  return [
    { label: 'Service', cell: (s: ServiceAccess) => (s.service === '*' ? 'All services' : table === undefined ? s.service : `${describeLevels(table, s).name} (${s.service})`) },
    { label: 'Access level', cell: (s: ServiceAccess) => (table === undefined ? '—' : describeLevels(table, s).levels) },
    { label: 'Allowed', cell: (s: ServiceAccess) => actions(s.allowed) },
    { label: 'Denied', cell: (s: ServiceAccess) => (s.denied.length === 0 ? '—' : actions(s.denied)) },
    { label: 'Scope', cell: (s: ServiceAccess) => (s.limited ? 'Some resources or conditions' : 'All resources') },
  ];
}

/** Services, their access levels and actions, as a table; the levels appear once their table is fetched. */
export function AccessSummary({ services, caption, none }: { services: readonly ServiceAccess[]; caption: string; none: string }) {
  // The levels are a static file of the console: without it the summary still shows the actions.
  const levels = useLoad(loadLevels, 'access-levels');
  return services.length === 0 ? <p>{none}</p> : <Table caption={caption} columns={columns(levels.data)} rows={services} rowKey={(s) => s.service} />;
}

/** The user's permissions tab summary: which services the user's identity policies allow. */
export function EffectiveAccess({ clients, userName, round }: { clients: Clients; userName: string; round: number }) {
  const summary = useLoad(async () => summarizeAccess(await userDocuments(clients, userName)), `effective:${userName}:${round}`);
  return (
    <Section title="Effective access" id="effective" loaded={summary}>
      {(services) => (
        <>
          <p class="muted">
            What the user's own and group policies allow, by service. Resources and conditions are not evaluated here, nor permissions boundaries, SCPs or resource-based policies.
          </p>
          <AccessSummary services={services} caption={`Services ${userName}'s policies allow`} none="No policy allows this user anything." />
        </>
      )}
    </Section>
  );
}
