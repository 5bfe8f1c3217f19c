import {
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  ListAttachedGroupPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListPolicyVersionsCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage } from '../components.js';

export type Step = (what: string) => void;

/**
 * Deletes a group as AWS's console does: IAM's DeleteGroup refuses a group with members or policies (DeleteConflict),
 * so those go first, each call under the signed-in identity's own permissions.
 */
async function deleteGroupAndDependents(iam: IAMClient, GroupName: string, step: Step): Promise<void> {
  step('members');
  let marker: string | undefined;
  do {
    const page = await iam.send(new GetGroupCommand({ GroupName, ...(marker !== undefined ? { Marker: marker } : {}) }));
    for (const user of page.Users ?? []) await iam.send(new RemoveUserFromGroupCommand({ GroupName, UserName: user.UserName }));
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  step('inline policies');
  for (const name of (await iam.send(new ListGroupPoliciesCommand({ GroupName }))).PolicyNames ?? []) await iam.send(new DeleteGroupPolicyCommand({ GroupName, PolicyName: name }));
  step('attached policies');
  for (const p of (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName }))).AttachedPolicies ?? []) await iam.send(new DetachGroupPolicyCommand({ GroupName, PolicyArn: p.PolicyArn }));
  step('the group');
  await iam.send(new DeleteGroupCommand({ GroupName }));
}

/**
 * Deletes a customer managed policy as AWS's console does: detached from every user, group and role, its versions
 * other than the default deleted, then the policy (DeletePolicy refuses one still attached or with other versions).
 */
async function deletePolicyAndDependents(iam: IAMClient, PolicyArn: string, step: Step): Promise<void> {
  step('attachments');
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, ...(marker !== undefined ? { Marker: marker } : {}) }));
    for (const u of page.PolicyUsers ?? []) await iam.send(new DetachUserPolicyCommand({ PolicyArn, UserName: u.UserName }));
    for (const g of page.PolicyGroups ?? []) await iam.send(new DetachGroupPolicyCommand({ PolicyArn, GroupName: g.GroupName }));
    for (const r of page.PolicyRoles ?? []) await iam.send(new DetachRolePolicyCommand({ PolicyArn, RoleName: r.RoleName }));
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  step('older versions');
  for (const v of (await iam.send(new ListPolicyVersionsCommand({ PolicyArn }))).Versions ?? []) {
    if (v.IsDefaultVersion !== true) await iam.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: v.VersionId }));
  }
  step('the policy');
  await iam.send(new DeletePolicyCommand({ PolicyArn }));
}

/** A "type the name to confirm" panel that runs `remove` step by step and says which step a failure stopped at. */
export function ConfirmDelete(props: { id: string; what: string; name: string; explanation: string; remove: (step: Step) => Promise<void>; done: string }) {
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    let current = '';
    try {
      await props.remove((what) => {
        current = what;
      });
      window.location.hash = props.done;
    } catch (failure) {
      setError(`Deleting ${current} failed: ${errorText(failure)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>Delete {props.what}</h2>
      <form class="form" onSubmit={submit}>
        <p>{props.explanation} This cannot be undone.</p>
        <label for={`${props.id}-confirm`}>Type the {props.what} name to confirm</label>
        <input id={`${props.id}-confirm`} autocapitalize="none" spellcheck={false} value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        <ErrorMessage text={error} />
        <div class="actions">
          <button type="submit" class="danger" disabled={busy || confirm !== props.name}>
            Delete {props.what}
          </button>
        </div>
      </form>
    </section>
  );
}

export function DeleteGroup({ clients, groupName }: { clients: Clients; groupName: string }) {
  return (
    <ConfirmDelete
      id="delete-group"
      what="group"
      name={groupName}
      explanation="Removes the group's members, deletes its inline policies and detaches its managed policies, then deletes the group."
      remove={(step) => deleteGroupAndDependents(clients.iam, groupName, step)}
      done="#/groups"
    />
  );
}

export function DeletePolicy({ clients, arn, policyName }: { clients: Clients; arn: string; policyName: string }) {
  return (
    <ConfirmDelete
      id="delete-policy"
      what="policy"
      name={policyName}
      explanation="Detaches the policy from every user, group and role, deletes its other versions, then deletes the policy."
      remove={(step) => deletePolicyAndDependents(clients.iam, arn, step)}
      done="#/policies"
    />
  );
}
