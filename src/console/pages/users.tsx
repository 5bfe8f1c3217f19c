import { ListUsersCommand, type User } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { formatDate, PageHeading, Pager, Section, Table, usePaged } from '../components.js';
import { CreateUserForm } from './create-user.js';

const PAGE_SIZE = 50;

const COLUMNS = [
  { label: 'User name', cell: (u: User) => <a href={`#/users/${encodeURIComponent(u.UserName ?? '')}`}>{u.UserName}</a> },
  { label: 'Path', cell: (u: User) => u.Path },
  { label: 'Created', cell: (u: User) => formatDate(u.CreateDate) },
  { label: 'Password last used', cell: (u: User) => (u.PasswordLastUsed === undefined ? 'Never' : formatDate(u.PasswordLastUsed)) },
];

/** ListUsers, a page at a time (Marker), each user linking to its page. */
export function UsersPage({ clients }: { clients: Clients }) {
  const paged = usePaged((marker) => clients.iam.send(new ListUsersCommand({ MaxItems: PAGE_SIZE, ...(marker !== undefined ? { Marker: marker } : {}) })), 'users');
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeading>Users</PageHeading>
      {creating ? (
        <CreateUserForm
          clients={clients}
          onCancel={() => setCreating(false)}
          onCreated={(name) => {
            window.location.hash = `#/users/${encodeURIComponent(name)}`;
          }}
        />
      ) : null}
      <Section
        title="IAM users"
        id="users"
        loaded={paged.loaded}
        actions={
          creating ? undefined : (
            <button type="button" class="primary" onClick={() => setCreating(true)}>
              Create user
            </button>
          )
        }
      >
        {(data) => (
          <>
            {(data.Users ?? []).length === 0 ? (
              <p class="muted">No users on this page.</p>
            ) : (
              <Table caption={`IAM users, page ${paged.page}`} columns={COLUMNS} rows={data.Users ?? []} rowKey={(u) => u.UserId ?? ''} />
            )}
            <Pager paged={paged} data={data} what="users" />
          </>
        )}
      </Section>
    </>
  );
}
