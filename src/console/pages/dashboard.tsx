import { GenerateCredentialReportCommand, GetAccountSummaryCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { PageHeading, Section, useLoad } from '../components.js';
import { parseCredentialReport, recommend, STALE_DAYS, type Finding, type Recommendations } from '../recommendations.js';

const REPORT_WAIT_MS = 10_000;

/** GenerateCredentialReport until it is complete (IAM builds it in the background), then GetCredentialReport. */
async function loadRecommendations(clients: Clients, summaryMap: Promise<Record<string, number>>): Promise<Recommendations> {
  const { iam } = clients;
  const started = Date.now();
  for (;;) {
    const state = await iam.send(new GenerateCredentialReportCommand({}));
    if (state.State === 'COMPLETE') break;
    if (Date.now() - started > REPORT_WAIT_MS) throw new Error('The credential report is still being generated. Reload the dashboard in a moment.');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const report = await iam.send(new GetCredentialReportCommand({}));
  const text = new TextDecoder().decode(report.Content ?? new Uint8Array());
  return recommend(await summaryMap, parseCredentialReport(text), report.GeneratedTime ?? new Date());
}

function Check({ ok, title, children }: { ok: boolean; title: string; children: preact.ComponentChildren }) {
  return (
    <li class={ok ? 'check-ok' : 'check-warn'}>
      <strong>
        <span class="check-mark">{ok ? 'Done' : 'Action needed'}</span> {title}
      </strong>
      <div>{children}</div>
    </li>
  );
}

function Findings({ findings, none, fix }: { findings: readonly Finding[]; none: string; fix: string }) {
  if (findings.length === 0) return <p class="muted">{none}</p>;
  return (
    <ul class="plain findings">
      {findings.map((f) => (
        <li key={f.text}>
          {f.text}{' '}
          {f.user === undefined ? null : (
            <a href={`#/users/${encodeURIComponent(f.user)}`} aria-label={`${fix}: ${f.user}`}>
              {fix}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The IAM dashboard: the account's counts and the best practices' security recommendations, each with where to fix it. */
export function DashboardPage({ clients }: { clients: Clients }) {
  // One GetAccountSummary for both sections: its counts, and the root user's MFA and access keys.
  const [summaryMap] = useState(() => clients.iam.send(new GetAccountSummaryCommand({})).then((answer) => (answer.SummaryMap ?? {}) as Record<string, number>));
  const found = useLoad(() => loadRecommendations(clients, summaryMap), 'recommendations');
  const summary = useLoad(() => summaryMap, 'summary');
  return (
    <>
      <PageHeading>IAM dashboard</PageHeading>
      <Section title="Security recommendations" id="recommendations" loaded={found}>
        {(r) => (
          <ul class="plain checks">
            <Check ok={!r.rootMfa} title="Add MFA for the root user">
              {r.rootMfa ? (
                <p>
                  The root user has no MFA device. Signed in as the root user, assign one on <a href="#/security-credentials">My security credentials</a>.
                </p>
              ) : (
                <p>The root user has MFA.</p>
              )}
            </Check>
            <Check ok={!r.rootKeys} title="Remove the root user's access keys">
              {r.rootKeys ? <p>The root user has an active access key. Create an administrator user or role, move your tools to it, then delete the root key (it comes from GATEHOUSE_ROOT_ACCESS_KEY_ID at start).</p> : <p>The root user has no access key.</p>}
            </Check>
            <Check ok={r.usersWithoutMfa.length === 0} title="Require MFA for users with a console password">
              <Findings findings={r.usersWithoutMfa} none="Every user with a console password has MFA." fix="Assign MFA" />
            </Check>
            <Check ok={r.oldKeys.length === 0} title={`Rotate access keys older than ${STALE_DAYS} days`}>
              <Findings findings={r.oldKeys} none={`No active access key is older than ${STALE_DAYS} days.`} fix="Rotate the key" />
            </Check>
            <Check ok={r.unused.length === 0} title={`Remove credentials unused for ${STALE_DAYS} days`}>
              <Findings findings={r.unused} none={`Every credential was used in the last ${STALE_DAYS} days.`} fix="Review credentials" />
            </Check>
          </ul>
        )}
      </Section>
      <Section title="IAM resources" id="resources" loaded={summary}>
        {(map) => {
          return (
            <dl class="summary">
              {(
                [
                  ['Users', 'Users', '#/users'],
                  ['Groups', 'Groups', '#/groups'],
                  ['Roles', 'Roles', '#/roles'],
                  ['Customer managed policies', 'Policies', '#/policies'],
                ] as const
              ).map(([label, key, href]) => [
                <dt key={`${key}-t`}>
                  <a href={href}>{label}</a>
                </dt>,
                <dd key={`${key}-d`}>{map[key] ?? '—'}</dd>,
              ])}
            </dl>
          );
        }}
      </Section>
    </>
  );
}
