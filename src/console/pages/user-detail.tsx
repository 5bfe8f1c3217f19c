import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  UpdateAccessKeyCommand,
  type AccessKey,
  type AccessKeyMetadata,
} from '@aws-sdk/client-iam';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage, formatDate, PageHeading, Section, useLoad } from '../components.js';
import { AccessAdvisor } from './access-advisor.js';
import { AttachedPolicies } from './attached-policies.js';
import { EffectiveAccess } from './effective-access.js';
import { DeleteUser } from './delete-user.js';
import { MfaDevices } from './mfa-devices.js';

/** One user: summary, groups, policies, access keys. Each part loads on its own, so one denial hides only that part. */
export function UserDetailPage({ clients, userName }: { clients: Clients; userName: string }) {
  const { iam } = clients;
  const user = useLoad(() => iam.send(new GetUserCommand({ UserName: userName })), `user:${userName}`);
  const groups = useLoad(() => iam.send(new ListGroupsForUserCommand({ UserName: userName })), `groups:${userName}`);
  const inline = useLoad(() => iam.send(new ListUserPoliciesCommand({ UserName: userName })), `inline:${userName}`);
  // Counts the attachments changed on this page: the effective-access summary is read again after each.
  const [round, setRound] = useState(0);
  return (
    <>
      <p class="breadcrumb">
        <a href="#/users">Users</a> / <span aria-current="page">{userName}</span>
      </p>
      <PageHeading>{userName}</PageHeading>
      <Section title="Summary" id="summary" loaded={user}>
        {(data) => (
          <dl class="summary">
            <dt>ARN</dt>
            <dd class="code">{data.User?.Arn}</dd>
            <dt>User ID</dt>
            <dd class="code">{data.User?.UserId}</dd>
            <dt>Path</dt>
            <dd>{data.User?.Path}</dd>
            <dt>Created</dt>
            <dd>{formatDate(data.User?.CreateDate)}</dd>
            <dt>Console password last used</dt>
            <dd>{data.User?.PasswordLastUsed === undefined ? 'Never' : formatDate(data.User.PasswordLastUsed)}</dd>
          </dl>
        )}
      </Section>
      <Section title="Groups" id="groups" loaded={groups}>
        {(data) =>
          (data.Groups ?? []).length === 0 ? (
            <p class="muted">Not a member of any group.</p>
          ) : (
            <ul class="plain">
              {(data.Groups ?? []).map((g) => (
                <li key={g.GroupId}>{g.GroupName}</li>
              ))}
            </ul>
          )
        }
      </Section>
      <AttachedPolicies clients={clients} userName={userName} onChanged={() => setRound((r) => r + 1)} />
      <EffectiveAccess clients={clients} userName={userName} round={round} />
      <Section title="Inline policies" id="inline" loaded={inline}>
        {(data) =>
          (data.PolicyNames ?? []).length === 0 ? (
            <p class="muted">No inline policies.</p>
          ) : (
            <ul class="plain">
              {(data.PolicyNames ?? []).map((name) => (
                <li key={name}>{name}</li>
              ))}
            </ul>
          )
        }
      </Section>
      <AccessAdvisor clients={clients} kind="user" name={userName} />
      <MfaDevices clients={clients} userName={userName} />
      <AccessKeys clients={clients} userName={userName} />
      <DeleteUser clients={clients} userName={userName} />
    </>
  );
}

function AccessKeys({ clients, userName }: { clients: Clients; userName: string }) {
  const { iam } = clients;
  const keys = useLoad(() => iam.send(new ListAccessKeysCommand({ UserName: userName })), `keys:${userName}`);
  const [created, setCreated] = useState<AccessKey>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string>();
  const createdPanel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (created !== undefined) createdPanel.current?.focus();
  }, [created]);

  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      keys.reload();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  const create = () =>
    act(async () => {
      const answer = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      setCreated(answer.AccessKey);
    });
  const setStatus = (key: AccessKeyMetadata, status: 'Active' | 'Inactive') => act(() => iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId, Status: status })));
  const remove = (key: AccessKeyMetadata) =>
    act(async () => {
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId }));
      setConfirming(undefined);
    });

  return (
    <Section
      title="Access keys"
      id="access-keys"
      loaded={keys}
      actions={
        <button type="button" class="primary" disabled={busy} onClick={create}>
          Create access key
        </button>
      }
    >
      {(data) => (
        <>
          <ErrorMessage text={error} />
          {created !== undefined ? (
            <div class="secret" ref={createdPanel} tabIndex={-1} role="region" aria-label="New access key">
              <h3>New access key</h3>
              <p>
                <strong>This is the only time the secret access key can be seen.</strong> Copy it now and keep it safe; it cannot be shown again.
              </p>
              <dl class="summary">
                <dt>Access key ID</dt>
                <dd class="code" data-testid="new-access-key-id">
                  {created.AccessKeyId}
                </dd>
                <dt>Secret access key</dt>
                <dd class="code" data-testid="new-secret-access-key">
                  {created.SecretAccessKey}
                </dd>
              </dl>
              <button type="button" onClick={() => setCreated(undefined)}>
                Done, I saved the secret
              </button>
            </div>
          ) : null}
          {(data.AccessKeyMetadata ?? []).length === 0 ? (
            <p class="muted">No access keys.</p>
          ) : (
            <table class="cards">
              <caption class="visually-hidden">Access keys of {userName}</caption>
              <thead>
                <tr>
                  <th scope="col">Access key ID</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {(data.AccessKeyMetadata ?? []).map((key) => (
                  <tr key={key.AccessKeyId}>
                    <td data-label="Access key ID" class="code">
                      {key.AccessKeyId}
                    </td>
                    <td data-label="Status">{key.Status}</td>
                    <td data-label="Created">{formatDate(key.CreateDate)}</td>
                    <td data-label="Actions">
                      <div class="row-actions">
                        {key.Status === 'Active' ? (
                          <button type="button" disabled={busy} onClick={() => setStatus(key, 'Inactive')} aria-label={`Deactivate ${key.AccessKeyId}`}>
                            Deactivate
                          </button>
                        ) : (
                          <button type="button" disabled={busy} onClick={() => setStatus(key, 'Active')} aria-label={`Activate ${key.AccessKeyId}`}>
                            Activate
                          </button>
                        )}
                        {confirming === key.AccessKeyId ? (
                          <>
                            <button type="button" class="danger" disabled={busy} onClick={() => remove(key)} aria-label={`Confirm deleting ${key.AccessKeyId}`}>
                              Confirm delete
                            </button>
                            <button type="button" onClick={() => setConfirming(undefined)}>
                              Cancel
                            </button>
                          </>
                        ) : (
                          <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(key.AccessKeyId)} aria-label={`Delete ${key.AccessKeyId}`}>
                            Delete
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  );
}
