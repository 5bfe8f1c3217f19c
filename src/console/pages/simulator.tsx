import { ListGroupsCommand, ListRolesCommand, ListUsersCommand, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand, type EvaluationResult } from '@aws-sdk/client-iam';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, PageHeading, useAction, useLoad } from '../components.js';
import { explainStatements, indexSource, type ExplainedStatement, type PrincipalKind } from '../simulation-sources.js';
import { contextEntries, CONTEXT_TYPES, DECISION_TEXT, decisionOf, explainDecision, listOf, type ContextRow } from '../simulation.js';
import { EMPTY_POLICY, PolicyEditor } from './policy-editor.js';

interface Outcome {
  readonly results: readonly EvaluationResult[];
  readonly statements: readonly ExplainedStatement[][];
  readonly boundaryName?: string;
}

/** The users, groups or roles of the account, for the principal picker (IAM's largest page). */
function usePrincipals(clients: Clients, kind: PrincipalKind) {
  const { iam } = clients;
  return useLoad(async (): Promise<Array<{ name: string; arn: string }>> => {
    const rows =
      kind === 'user'
        ? ((await iam.send(new ListUsersCommand({ MaxItems: 1000 }))).Users ?? []).map((u) => ({ name: u.UserName, arn: u.Arn }))
        : kind === 'group'
          ? ((await iam.send(new ListGroupsCommand({ MaxItems: 1000 }))).Groups ?? []).map((g) => ({ name: g.GroupName, arn: g.Arn }))
          : ((await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles ?? []).map((r) => ({ name: r.RoleName, arn: r.Arn }));
    return rows.filter((r): r is { name: string; arn: string } => r.name !== undefined && r.arn !== undefined);
  }, `principals:${kind}`);
}

/**
 * IAM's policy simulator: SimulatePrincipalPolicy for a user, group or role of the account, or SimulateCustomPolicy for
 * pasted policies; each decision explained with the statements that made it, linked to the policy with the statement
 * marked.
 */
export function SimulatorPage({ clients }: { clients: Clients }) {
  const { iam } = clients;
  const [mode, setMode] = useState<'principal' | 'custom'>('principal');
  const [kind, setKind] = useState<PrincipalKind>('user');
  const [chosen, setChosen] = useState('');
  const principals = usePrincipals(clients, kind);
  const [identity, setIdentity] = useState<string[]>([EMPTY_POLICY]);
  const [boundary, setBoundary] = useState('');
  const [resourcePolicy, setResourcePolicy] = useState('');
  const [callerArn, setCallerArn] = useState('');
  const [actions, setActions] = useState('');
  const [resources, setResources] = useState('');
  const [context, setContext] = useState<ContextRow[]>([]);
  const [outcome, setOutcome] = useState<Outcome>();
  const action = useAction();
  const principal = principals.data?.find((p) => p.name === chosen) ?? principals.data?.[0];

  const run = async (event: Event) => {
    event.preventDefault();
    setOutcome(undefined);
    await action.act(async () => {
      const common = {
        ActionNames: listOf(actions),
        ...(listOf(resources).length > 0 ? { ResourceArns: listOf(resources) } : {}),
        ...(context.some((r) => r.key.trim() !== '') ? { ContextEntries: contextEntries(context) } : {}),
        ...(resourcePolicy.trim() !== '' ? { ResourcePolicy: resourcePolicy } : {}),
        ...(callerArn.trim() !== '' ? { CallerArn: callerArn.trim() } : {}),
        MaxItems: 1000,
      };
      if (mode === 'principal') {
        if (principal === undefined) throw new Error(`Choose a ${kind} to simulate.`);
        const answer = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: principal.arn, ...common }));
        const results = answer.EvaluationResults ?? [];
        const index = await indexSource(iam, kind, principal.name);
        const statements = await explainStatements(iam, index, { identity: [], resource: resourcePolicy }, results);
        setOutcome({ results, statements, ...(index.boundaryName !== undefined ? { boundaryName: index.boundaryName } : {}) });
      } else {
        const pasted = { identity, ...(boundary.trim() !== '' ? { boundary } : {}), resource: resourcePolicy };
        const answer = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: identity, ...(boundary.trim() !== '' ? { PermissionsBoundaryPolicyInputList: [boundary] } : {}), ...common }));
        const results = answer.EvaluationResults ?? [];
        setOutcome({ results, statements: await explainStatements(iam, undefined, pasted, results) });
      }
    });
  };

  const setRow = (i: number, change: Partial<ContextRow>) => setContext(context.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <>
      <PageHeading>Policy simulator</PageHeading>
      <form class="panel form" onSubmit={run} aria-labelledby="simulate-title">
        <h2 id="simulate-title">What to simulate</h2>
        <fieldset class="choice stacked">
          <legend>Policies</legend>
          <label>
            <input type="radio" name="sim-mode" checked={mode === 'principal'} onChange={() => setMode('principal')} /> Those of a user, group or role (SimulatePrincipalPolicy)
          </label>
          <label>
            <input type="radio" name="sim-mode" checked={mode === 'custom'} onChange={() => setMode('custom')} /> Policies I paste (SimulateCustomPolicy)
          </label>
        </fieldset>
        {mode === 'principal' && principals.data?.length === 0 ? <p class="muted">No {kind}s in this account.</p> : null}
        {mode === 'principal' ? <ErrorMessage text={principals.error} /> : null}
        {mode === 'principal' ? (
          <div class="sim-grid">
            <label for="sim-kind">Principal type</label>
            <select id="sim-kind" value={kind} onChange={(e) => { setKind(e.currentTarget.value as PrincipalKind); setChosen(''); }}>
              <option value="user">User</option>
              <option value="group">Group</option>
              <option value="role">Role</option>
            </select>
            <label for="sim-principal">Name</label>
            <select id="sim-principal" value={principal?.name ?? ''} onChange={(e) => setChosen(e.currentTarget.value)} disabled={principals.data === undefined || principals.data.length === 0}>
              {(principals.data ?? []).map((p) => (
                <option key={p.arn} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <>
            {identity.map((text, i) => (
              <div key={i}>
                <PolicyEditor id={`sim-identity-${i + 1}`} label={`Identity policy ${i + 1}`} value={text} onInput={(t) => setIdentity(identity.map((x, j) => (j === i ? t : x)))} serverError={undefined} />
                {identity.length > 1 ? (
                  <button type="button" onClick={() => setIdentity(identity.filter((_, j) => j !== i))}>
                    Remove identity policy {i + 1}
                  </button>
                ) : null}
              </div>
            ))}
            <div class="actions">
              <button type="button" onClick={() => setIdentity([...identity, EMPTY_POLICY])}>
                Add identity policy
              </button>
            </div>
            <label for="sim-boundary">Permissions boundary (optional)</label>
            <textarea id="sim-boundary" class="code document-editor" rows={5} spellcheck={false} value={boundary} onInput={(e) => setBoundary(e.currentTarget.value)} />
          </>
        )}
        <details class="sim-optional" open={resourcePolicy !== '' || callerArn !== ''}>
          <summary>Resource-based policy and caller (optional)</summary>
          <div class="form">
            <label for="sim-resource-policy">Resource-based policy</label>
            <textarea id="sim-resource-policy" class="code document-editor" rows={4} spellcheck={false} value={resourcePolicy} onInput={(e) => setResourcePolicy(e.currentTarget.value)} />
            <label for="sim-caller">Caller ARN (required with a resource policy unless the principal is a user)</label>
            <input id="sim-caller" autocapitalize="none" spellcheck={false} value={callerArn} onInput={(e) => setCallerArn(e.currentTarget.value)} />
          </div>
        </details>
        <div class="sim-grid">
          <label for="sim-actions">Actions (one a line, such as s3:GetObject)</label>
          <textarea id="sim-actions" class="code" rows={3} required spellcheck={false} autocapitalize="none" value={actions} onInput={(e) => setActions(e.currentTarget.value)} />
          <label for="sim-resources">Resource ARNs (one a line; none for *)</label>
          <textarea id="sim-resources" class="code" rows={3} spellcheck={false} autocapitalize="none" value={resources} onInput={(e) => setResources(e.currentTarget.value)} />
        </div>
        <fieldset class="choice stacked">
          <legend>Context entries</legend>
          {context.length === 0 ? <p class="muted">None: condition keys without a value are reported as missing.</p> : null}
          {context.map((row, i) => (
            <div class="context-row" key={i}>
              <label for={`ctx-key-${i}`}>Key</label>
              <input id={`ctx-key-${i}`} placeholder="aws:SourceIp" autocapitalize="none" spellcheck={false} value={row.key} onInput={(e) => setRow(i, { key: e.currentTarget.value })} />
              <label for={`ctx-type-${i}`}>Type</label>
              <select id={`ctx-type-${i}`} value={row.type} onChange={(e) => setRow(i, { type: e.currentTarget.value })}>
                {CONTEXT_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
              <label for={`ctx-values-${i}`}>Values</label>
              <input id={`ctx-values-${i}`} autocapitalize="none" spellcheck={false} value={row.values} onInput={(e) => setRow(i, { values: e.currentTarget.value })} />
              <button type="button" onClick={() => setContext(context.filter((_, j) => j !== i))} aria-label={`Remove context entry ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <div class="actions">
            <button type="button" onClick={() => setContext([...context, { key: '', type: 'string', values: '' }])}>
              Add context entry
            </button>
          </div>
        </fieldset>
        <ErrorMessage text={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Run simulation
          </button>
        </div>
      </form>
      {outcome === undefined ? null : <Results outcome={outcome} />}
    </>
  );
}

function Results({ outcome }: { outcome: Outcome }) {
  // The results are announced and brought into view when they come.
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus({ preventScroll: true });
    title.current?.scrollIntoView({ block: 'start' });
  }, [outcome]);
  return (
    <section class="panel" aria-labelledby="sim-results-title">
      <h2 id="sim-results-title" ref={title} tabIndex={-1}>
        Results
      </h2>
      <ol class="plain sim-results">
        {outcome.results.map((r, i) => {
          const decision = decisionOf(r.EvalDecision);
          const label = `${r.EvalActionName ?? ''} on ${r.EvalResourceName ?? '*'}`;
          return (
            <li key={i} class="sim-result">
              <h3>
                <span class="code">{r.EvalActionName}</span> on <span class="code">{r.EvalResourceName}</span>{' '}
                <span class={`decision decision-${decision}`} aria-label={`Decision for ${label}: ${DECISION_TEXT[decision]}`}>
                  {DECISION_TEXT[decision]}
                </span>
              </h3>
              {explainDecision(r, outcome.boundaryName).map((line) => (
                <p key={line}>{line}</p>
              ))}
              {(outcome.statements[i] ?? []).length === 0 ? null : (
                <ul class="plain matched">
                  {(outcome.statements[i] ?? []).map((s, j) => (
                    <li key={j}>
                      {s.number === undefined ? 'A statement' : `Statement ${s.number}`} of the {s.kind} <strong>{s.policy}</strong>
                      {s.href !== undefined ? (
                        <>
                          {' — '}
                          <a href={s.href}>
                            Open {s.policy} at statement {s.number}
                          </a>
                        </>
                      ) : null}
                      {s.text !== undefined ? (
                        <pre class="code document" tabIndex={0} aria-label={`Statement ${s.number ?? ''} of ${s.policy}`}>
                          {s.text}
                        </pre>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
