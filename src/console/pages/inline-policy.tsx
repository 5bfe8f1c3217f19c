import { GetGroupPolicyCommand, GetRolePolicyCommand, GetUserPolicyCommand, PutGroupPolicyCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { useEffect, useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { PageHeading, Section, useAction, useLoad } from '../components.js';
import { MarkedDocument } from '../marked-document.js';
import { localFinding, PolicyEditor } from './policy-editor.js';
import { prettyDocument } from './roles.js';

export type InlineOwner = 'user' | 'group' | 'role';

/** The console's address of an inline policy, with a statement (from 1) to mark. */
export const inlinePolicyHref = (owner: InlineOwner, ownerName: string, policyName: string, statement?: number): string =>
  `#/inline-policies/${owner}/${encodeURIComponent(ownerName)}/${encodeURIComponent(policyName)}${statement === undefined ? '' : `?statement=${statement}`}`;

/** One inline policy of a user, group or role: its document (a statement marked when asked) and an editor to change it. */
export function InlinePolicyPage({ clients, owner, ownerName, policyName, statement }: { clients: Clients; owner: InlineOwner; ownerName: string; policyName: string; statement: number | undefined }) {
  const { iam } = clients;
  const [round, setRound] = useState(0);
  const loaded = useLoad(async () => {
    const answer =
      owner === 'user'
        ? await iam.send(new GetUserPolicyCommand({ UserName: ownerName, PolicyName: policyName }))
        : owner === 'group'
          ? await iam.send(new GetGroupPolicyCommand({ GroupName: ownerName, PolicyName: policyName }))
          : await iam.send(new GetRolePolicyCommand({ RoleName: ownerName, PolicyName: policyName }));
    return prettyDocument(answer.PolicyDocument);
  }, `inline:${owner}:${ownerName}:${policyName}:${round}`);
  const [text, setText] = useState('');
  useEffect(() => setText(loaded.data ?? ''), [loaded.data]);
  const action = useAction(() => setRound((r) => r + 1));
  const save = async (event: Event) => {
    event.preventDefault();
    const finding = localFinding(text);
    if (finding !== undefined) return action.setError(finding);
    await action.act(() =>
      owner === 'user'
        ? iam.send(new PutUserPolicyCommand({ UserName: ownerName, PolicyName: policyName, PolicyDocument: text }))
        : owner === 'group'
          ? iam.send(new PutGroupPolicyCommand({ GroupName: ownerName, PolicyName: policyName, PolicyDocument: text }))
          : iam.send(new PutRolePolicyCommand({ RoleName: ownerName, PolicyName: policyName, PolicyDocument: text })),
    );
  };
  return (
    <>
      <p class="breadcrumb">
        <a href={`#/${owner}s`}>{owner === 'user' ? 'Users' : owner === 'group' ? 'Groups' : 'Roles'}</a> / <a href={`#/${owner}s/${encodeURIComponent(ownerName)}`}>{ownerName}</a> / <span aria-current="page">{policyName}</span>
      </p>
      <PageHeading>{policyName}</PageHeading>
      <Section title={`Inline policy of ${owner} ${ownerName}`} id="inline-policy" loaded={loaded}>
        {(document) => (
          <>
            {statement === undefined ? null : <p>Statement {statement} is marked.</p>}
            <MarkedDocument text={document} statement={statement} label={`Policy document of ${policyName}`} />
            <form class="form" onSubmit={save}>
              <PolicyEditor id="inline-document" label="Edit policy document" value={text} onInput={setText} serverError={action.error} />
              <div class="actions">
                <button type="submit" class="primary" disabled={action.busy}>
                  Save policy
                </button>
              </div>
            </form>
          </>
        )}
      </Section>
    </>
  );
}
