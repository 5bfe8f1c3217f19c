import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, type Account, type OrganizationalUnit } from '@aws-sdk/client-organizations';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { ErrorMessage, Loading, useLoad } from '../components.js';
import { allPages } from '../organization.js';

/** A parent's children: its OUs (ListOrganizationalUnitsForParent) and accounts (ListAccountsForParent), every page. */
function Children({ clients, parentId, selected, onSelect }: { clients: Clients; parentId: string; selected: string | undefined; onSelect: (account: Account) => void }) {
  const { organizations } = clients;
  const children = useLoad(async () => {
    const units = await allPages<OrganizationalUnit>(async (token) => {
      const page = await organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...(token !== undefined ? { NextToken: token } : {}) }));
      return { NextToken: page.NextToken, items: page.OrganizationalUnits };
    });
    const accounts = await allPages<Account>(async (token) => {
      const page = await organizations.send(new ListAccountsForParentCommand({ ParentId: parentId, ...(token !== undefined ? { NextToken: token } : {}) }));
      return { NextToken: page.NextToken, items: page.Accounts };
    });
    return { units, accounts };
  }, `children:${parentId}`);
  if (children.error !== undefined) return <ErrorMessage text={children.error} />;
  if (children.data === undefined) return <Loading what="children" />;
  const { units, accounts } = children.data;
  if (units.length === 0 && accounts.length === 0) return <p class="muted">No OUs or accounts.</p>;
  return (
    <ul>
      {units.map((u) => (
        <Parent key={u.Id} clients={clients} id={u.Id ?? ''} label={`OU ${u.Name ?? ''}`} detail={u.Id ?? ''} open={false} selected={selected} onSelect={onSelect} />
      ))}
      {accounts.map((a) => (
        <li key={a.Id}>
          <div class="org-node">
            <span>
              Account <strong>{a.Name}</strong> <span class="code">{a.Id}</span>
              {a.Status !== undefined && a.Status !== 'ACTIVE' ? <span class="muted"> ({a.Status})</span> : null}
            </span>
            <button type="button" aria-pressed={selected === a.Id} onClick={() => onSelect(a)} aria-label={`Choose account ${a.Name ?? ''} (${a.Id ?? ''})`}>
              {selected === a.Id ? 'Chosen' : 'Choose'}
            </button>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** A root or an OU: expanded on demand, its children read only then. */
export function Parent({ clients, id, label, detail, open, selected, onSelect }: { clients: Clients; id: string; label: string; detail: string; open: boolean; selected: string | undefined; onSelect: (account: Account) => void }) {
  const [expanded, setExpanded] = useState(open);
  return (
    <li>
      <div class="org-node">
        <button type="button" aria-expanded={expanded} onClick={() => setExpanded(!expanded)} aria-label={`${expanded ? 'Collapse' : 'Expand'} ${label}`}>
          {expanded ? '▾' : '▸'}
        </button>
        <strong>{label}</strong> <span class="code">{detail}</span>
      </div>
      {expanded ? <Children clients={clients} parentId={id} selected={selected} onSelect={onSelect} /> : null}
    </li>
  );
}
