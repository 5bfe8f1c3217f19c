import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  GetGroupCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  RemoveUserFromGroupCommand,
  type Group,
} from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage, formatDate, PageHeading, Section, Table, useAction, useLoad } from '../components.js';
import { AccessAdvisor } from './access-advisor.js';
import { DeleteGroup } from './delete-entities.js';

const COLUMNS = [
  { label: 'Group name', cell: (g: Group) => <a href={`#/groups/${encodeURIComponent(g.GroupName ?? '')}`}>{g.GroupName}</a> },
  { label: 'Path', cell: (g: Group) => g.Path },
  { label: 'Created', cell: (g: Group) => formatDate(g.CreateDate) },
];

/** ListGroups (up to 1 000, IAM's page size ceiling) and CreateGroup. */
export function GroupsPage({ clients }: { clients: Clients }) {
  const groups = useLoad(() => clients.iam.send(new ListGroupsCommand({ MaxItems: 1000 })), 'groups');
  const [name, setName] = useState('');
  const action = useAction();
  const create = async (event: Event) => {
    event.preventDefault();
    if (await action.act(() => clients.iam.send(new CreateGroupCommand({ GroupName: name.trim() })))) window.location.hash = `#/groups/${encodeURIComponent(name.trim())}`;
  };
  return (
    <>
      <PageHeading>Groups</PageHeading>
      <Section title="IAM groups" id="groups" loaded={groups}>
        {(data) => ((data.Groups ?? []).length === 0 ? <p class="muted">No groups.</p> : <Table caption="IAM groups" columns={COLUMNS} rows={data.Groups ?? []} rowKey={(g) => g.GroupId ?? ''} />)}
      </Section>
      <form class="panel form" onSubmit={create} aria-labelledby="create-group-title">
        <h2 id="create-group-title">Create group</h2>
        <label for="new-group-name">Group name</label>
        <input id="new-group-name" required maxLength={128} autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <ErrorMessage text={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Create group
          </button>
        </div>
      </form>
    </>
  );
}

/** One group: its members (add a user, remove one) and its policies. */
export function GroupDetailPage({ clients, groupName }: { clients: Clients; groupName: string }) {
  const { iam } = clients;
  const group = useLoad(() => iam.send(new GetGroupCommand({ GroupName: groupName, MaxItems: 1000 })), `group:${groupName}`);
  const attached = useLoad(() => iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName })), `group-attached:${groupName}`);
  const inline = useLoad(() => iam.send(new ListGroupPoliciesCommand({ GroupName: groupName })), `group-inline:${groupName}`);
  const [userName, setUserName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      setUserName('');
      group.reload();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <p class="breadcrumb">
        <a href="#/groups">Groups</a> / <span aria-current="page">{groupName}</span>
      </p>
      <PageHeading>{groupName}</PageHeading>
      <Section title="Members" id="members" loaded={group}>
        {(data) => (
          <>
            <p class="code muted">{data.Group?.Arn}</p>
            {(data.Users ?? []).length === 0 ? (
              <p class="muted">No members.</p>
            ) : (
              <ul class="plain devices">
                {(data.Users ?? []).map((user) => (
                  <li key={user.UserId}>
                    <a href={`#/users/${encodeURIComponent(user.UserName ?? '')}`}>{user.UserName}</a>{' '}
                    <button type="button" disabled={busy} onClick={() => act(() => iam.send(new RemoveUserFromGroupCommand({ GroupName: groupName, UserName: user.UserName })))} aria-label={`Remove ${user.UserName} from the group`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <form
              class="form inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                return act(() => iam.send(new AddUserToGroupCommand({ GroupName: groupName, UserName: userName.trim() })));
              }}
            >
              <label for="add-member">User to add</label>
              <input id="add-member" required autocapitalize="none" spellcheck={false} value={userName} onInput={(e) => setUserName(e.currentTarget.value)} />
              <div class="actions">
                <button type="submit" disabled={busy}>
                  Add user
                </button>
              </div>
            </form>
            <ErrorMessage text={error} />
          </>
        )}
      </Section>
      <Section title="Attached policies" id="group-attached" loaded={attached}>
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
      <Section title="Inline policies" id="group-inline" loaded={inline}>
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
      <AccessAdvisor clients={clients} kind="group" name={groupName} />
      <DeleteGroup clients={clients} groupName={groupName} />
    </>
  );
}
