import {
  CreateOpenIDConnectProviderCommand,
  CreateSAMLProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteSAMLProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  type SAMLProviderListEntry,
} from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, formatDate, PageHeading, Section, Table, useAction, useLoad } from '../components.js';

const nameOf = (arn: string | undefined): string => (arn ?? '').slice((arn ?? '').indexOf('/') + 1);
const splitList = (text: string): string[] => text.split(/[\s,]+/).filter((x) => x !== '');

/** The account's identity providers: OpenID Connect and SAML, each listed, added and deleted. */
export function IdentityProvidersPage({ clients }: { clients: Clients }) {
  return (
    <>
      <PageHeading>Identity providers</PageHeading>
      <OidcProviders clients={clients} />
      <SamlProviders clients={clients} />
    </>
  );
}

function OidcProviders({ clients }: { clients: Clients }) {
  const { iam } = clients;
  const providers = useLoad(() => iam.send(new ListOpenIDConnectProvidersCommand({})), 'oidc');
  const action = useAction(providers.reload);
  const [url, setUrl] = useState('');
  const [audiences, setAudiences] = useState('');
  const [thumbprints, setThumbprints] = useState('');
  const add = (event: Event) => {
    event.preventDefault();
    void action.act(async () => {
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: url.trim(), ClientIDList: splitList(audiences), ThumbprintList: splitList(thumbprints) }));
      setUrl('');
      setAudiences('');
      setThumbprints('');
    });
  };
  const columns = [
    { label: 'Provider', cell: (p: { Arn?: string | undefined }) => <span class="code">{nameOf(p.Arn)}</span> },
    {
      label: 'Actions',
      cell: (p: { Arn?: string | undefined }) => (
        <button type="button" class="danger" disabled={action.busy} aria-label={`Delete ${nameOf(p.Arn)}`} onClick={() => action.act(() => iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn })))}>
          Delete
        </button>
      ),
    },
  ];
  return (
    <Section title="OpenID Connect" id="oidc" loaded={providers}>
      {(data) => (
        <>
          {(data.OpenIDConnectProviderList ?? []).length === 0 ? (
            <p class="muted">No OpenID Connect provider.</p>
          ) : (
            <Table caption="OpenID Connect providers" columns={columns} rows={data.OpenIDConnectProviderList ?? []} rowKey={(p) => p.Arn ?? ''} />
          )}
          <form class="form inline-form" onSubmit={add}>
            <h3 class="subhead">Add an OpenID Connect provider</h3>
            <label for="oidc-url">Provider URL</label>
            <input id="oidc-url" required type="url" placeholder="https://token.actions.githubusercontent.com" autocapitalize="none" spellcheck={false} value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
            <label for="oidc-audiences">Audiences (client IDs, separated by commas)</label>
            <input id="oidc-audiences" autocapitalize="none" spellcheck={false} value={audiences} onInput={(e) => setAudiences(e.currentTarget.value)} />
            <label for="oidc-thumbprints">Thumbprints (optional, separated by commas)</label>
            <input id="oidc-thumbprints" autocapitalize="none" spellcheck={false} value={thumbprints} onInput={(e) => setThumbprints(e.currentTarget.value)} />
            <div class="actions">
              <button type="submit" disabled={action.busy}>
                Add OpenID Connect provider
              </button>
            </div>
          </form>
          <ErrorMessage text={action.error} />
        </>
      )}
    </Section>
  );
}

function SamlProviders({ clients }: { clients: Clients }) {
  const { iam } = clients;
  const providers = useLoad(() => iam.send(new ListSAMLProvidersCommand({})), 'saml');
  const action = useAction(providers.reload);
  const [name, setName] = useState('');
  const [metadata, setMetadata] = useState('');
  const add = (event: Event) => {
    event.preventDefault();
    void action.act(async () => {
      await iam.send(new CreateSAMLProviderCommand({ Name: name.trim(), SAMLMetadataDocument: metadata }));
      setName('');
      setMetadata('');
    });
  };
  const columns = [
    { label: 'Name', cell: (p: SAMLProviderListEntry) => nameOf(p.Arn) },
    { label: 'Created', cell: (p: SAMLProviderListEntry) => formatDate(p.CreateDate) },
    { label: 'Valid until', cell: (p: SAMLProviderListEntry) => formatDate(p.ValidUntil) },
    {
      label: 'Actions',
      cell: (p: SAMLProviderListEntry) => (
        <button type="button" class="danger" disabled={action.busy} aria-label={`Delete ${nameOf(p.Arn)}`} onClick={() => action.act(() => iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: p.Arn })))}>
          Delete
        </button>
      ),
    },
  ];
  return (
    <Section title="SAML" id="saml" loaded={providers}>
      {(data) => (
        <>
          {(data.SAMLProviderList ?? []).length === 0 ? (
            <p class="muted">No SAML provider.</p>
          ) : (
            <Table caption="SAML providers" columns={columns} rows={data.SAMLProviderList ?? []} rowKey={(p) => p.Arn ?? ''} />
          )}
          <form class="form inline-form" onSubmit={add}>
            <h3 class="subhead">Add a SAML provider</h3>
            <label for="saml-name">Provider name</label>
            <input id="saml-name" required autocapitalize="none" spellcheck={false} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <label for="saml-metadata-file">Metadata document (file)</label>
            <input
              id="saml-metadata-file"
              type="file"
              accept=".xml,application/xml,text/xml"
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                if (file !== undefined) setMetadata(await file.text());
              }}
            />
            <label for="saml-metadata">Metadata document (XML)</label>
            <textarea id="saml-metadata" class="code document-editor" rows={6} required spellcheck={false} value={metadata} onInput={(e) => setMetadata(e.currentTarget.value)} />
            <div class="actions">
              <button type="submit" disabled={action.busy}>
                Add SAML provider
              </button>
            </div>
          </form>
          <ErrorMessage text={action.error} />
        </>
      )}
    </Section>
  );
}
