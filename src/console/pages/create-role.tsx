import { AttachRolePolicyCommand, CreateRoleCommand, ListOpenIDConnectProvidersCommand, ListSAMLProvidersCommand } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { PageHeading, useAction, useLoad } from '../components.js';
import { trustPolicy, type TrustedEntity } from '../trust-policy.js';
import { localFinding, PolicyEditor } from './policy-editor.js';

type Kind = TrustedEntity['kind'];

const KINDS: ReadonlyArray<readonly [Kind, string, string]> = [
  ['service', 'AWS service', 'An AWS service such as EC2 or Lambda acts with this role.'],
  ['account', 'AWS account', 'Principals of this or another account assume the role.'],
  ['web-identity', 'Web identity', 'Users signed in by an OpenID Connect provider assume the role.'],
  ['saml', 'SAML 2.0 federation', 'Users signed in by a SAML identity provider assume the role.'],
];

/** The role wizard: the trusted entity, which writes the trust policy (editable), then the name and a first policy. */
export function CreateRolePage({ clients, account }: { clients: Clients; account: string }) {
  const { iam } = clients;
  const [kind, setKind] = useState<Kind>('service');
  const [service, setService] = useState('ec2.amazonaws.com');
  const [otherAccount, setOtherAccount] = useState(account);
  const [externalId, setExternalId] = useState('');
  const [requireMfa, setRequireMfa] = useState(false);
  const [provider, setProvider] = useState('');
  const [audience, setAudience] = useState('');
  const [edited, setEdited] = useState<string>();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [policyArn, setPolicyArn] = useState('');
  const providers = useLoad(
    async () =>
      kind === 'web-identity'
        ? ((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? '')
        : kind === 'saml'
          ? ((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList ?? []).map((p) => p.Arn ?? '')
          : [],
    `providers:${kind}`,
  );
  const providerArn = provider !== '' && (providers.data ?? []).includes(provider) ? provider : (providers.data ?? [])[0] ?? '';
  const entity: TrustedEntity =
    kind === 'service'
      ? { kind, service }
      : kind === 'account'
        ? { kind, account: otherAccount, externalId, requireMfa }
        : kind === 'web-identity'
          ? { kind, providerArn, audience }
          : { kind, providerArn };
  const generated = trustPolicy(entity);
  const document = edited ?? generated;
  const action = useAction();
  const choose = (next: Kind) => {
    setKind(next);
    setEdited(undefined);
    setProvider('');
  };
  const field = (id: string, label: string, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}) => (
    <>
      <label for={id}>{label}</label>
      <input id={id} autocapitalize="none" spellcheck={false} value={value} {...extra} onInput={(e) => { set(e.currentTarget.value); setEdited(undefined); }} />
    </>
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    const finding = localFinding(document);
    if (finding !== undefined) return action.setError(finding);
    const roleName = name.trim();
    const ok = await action.act(async () => {
      await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: document, ...(description.trim() !== '' ? { Description: description.trim() } : {}) }));
      if (policyArn.trim() !== '') await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn.trim() }));
    });
    if (ok) window.location.hash = `#/roles/${encodeURIComponent(roleName)}`;
  };
  return (
    <>
      <p class="breadcrumb">
        <a href="#/roles">Roles</a> / <span aria-current="page">Create role</span>
      </p>
      <PageHeading>Create role</PageHeading>
      <form class="form" onSubmit={submit}>
        <section class="panel" aria-labelledby="step-1">
          <h2 id="step-1">1. Trusted entity</h2>
          <fieldset class="choice stacked">
            <legend>Who may assume the role</legend>
            {KINDS.map(([k, label, help]) => (
              <label key={k}>
                <input type="radio" name="trusted" value={k} checked={kind === k} onChange={() => choose(k)} />
                <span>
                  {label} <span class="muted">— {help}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {kind === 'service' ? field('trusted-service', 'Service principal', service, setService, { required: true }) : null}
          {kind === 'account' ? (
            <>
              {field('trusted-account', 'Account ID', otherAccount, setOtherAccount, { required: true, inputMode: 'numeric', pattern: '[0-9]{12}' })}
              {field('external-id', 'External ID (optional)', externalId, setExternalId)}
              <label class="check">
                <input type="checkbox" checked={requireMfa} onChange={(e) => { setRequireMfa(e.currentTarget.checked); setEdited(undefined); }} />
                Require MFA
              </label>
            </>
          ) : null}
          {kind === 'web-identity' || kind === 'saml' ? (
            providers.error !== undefined ? (
              <p class="error">{providers.error}</p>
            ) : providers.data !== undefined && providers.data.length === 0 ? (
              <p>
                No {kind === 'saml' ? 'SAML' : 'OpenID Connect'} provider in this account. <a href="#/identity-providers">Add an identity provider</a> first.
              </p>
            ) : (
              <>
                <label for="trusted-provider">Identity provider</label>
                <select id="trusted-provider" value={providerArn} onChange={(e) => { setProvider(e.currentTarget.value); setEdited(undefined); }}>
                  {(providers.data ?? []).map((arn) => (
                    <option key={arn} value={arn}>
                      {arn.slice(arn.indexOf('/') + 1)}
                    </option>
                  ))}
                </select>
                {kind === 'web-identity' ? field('trusted-audience', 'Audience (optional)', audience, setAudience) : null}
              </>
            )
          ) : null}
          <PolicyEditor id="trust-policy" label="Trust policy" value={document} onInput={setEdited} serverError={undefined} />
        </section>
        <section class="panel" aria-labelledby="step-2">
          <h2 id="step-2">2. Name and permissions</h2>
          <label for="role-name">Role name</label>
          <input id="role-name" required autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label for="role-description">Description (optional)</label>
          <input id="role-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          <label for="role-policy">Policy ARN to attach (optional)</label>
          <input id="role-policy" autocapitalize="none" spellcheck={false} placeholder="arn:aws:iam::aws:policy/ReadOnlyAccess" value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} />
          {action.error !== undefined ? (
            <p class="error" role="alert">
              {action.error}
            </p>
          ) : null}
          <div class="actions">
            <button type="submit" class="primary" disabled={action.busy}>
              Create role
            </button>
            <a href="#/roles">Cancel</a>
          </div>
        </section>
      </form>
    </>
  );
}
