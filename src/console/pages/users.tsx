import { ListUsersCommand } from '@aws-sdk/client-iam';
import { useState } from 'preact/hooks';
import type { Clients } from '../api.js';
import { formatDate, PageHeading, Section, useLoad } from '../components.js';
import { CreateUserForm } from './create-user.js';

const PAGE_SIZE = 50;

/** ListUsers, a page at a time (Marker), each user linking to its page. */
export function UsersPage({ clients }: { clients: Clients }) {
  // The markers of the pages before this one, to go back; undefined is the first page.
  const [markers, setMarkers] = useState<Array<string | undefined>>([undefined]);
  const marker = markers[markers.length - 1];
  const users = useLoad(() => clients.iam.send(new ListUsersCommand({ MaxItems: PAGE_SIZE, ...(marker !== undefined ? { Marker: marker } : {}) })), `users:${marker ?? ''}`);
  const page = markers.length;
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
        loaded={users}
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
              <table class="cards">
                <caption class="visually-hidden">IAM users, page {page}</caption>
                <thead>
                  <tr>
                    <th scope="col">User name</th>
                    <th scope="col">Path</th>
                    <th scope="col">Created</th>
                    <th scope="col">Password last used</th>
                  </tr>
                </thead>
                <tbody>
                  {(data.Users ?? []).map((user) => (
                    <tr key={user.UserId}>
                      <td data-label="User name">
                        <a href={`#/users/${encodeURIComponent(user.UserName ?? '')}`}>{user.UserName}</a>
                      </td>
                      <td data-label="Path">{user.Path}</td>
                      <td data-label="Created">{formatDate(user.CreateDate)}</td>
                      <td data-label="Password last used">{user.PasswordLastUsed === undefined ? 'Never' : formatDate(user.PasswordLastUsed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <nav class="pager" aria-label="Pages of users">
              <button type="button" disabled={page === 1} onClick={() => setMarkers(markers.slice(0, -1))}>
                Previous page
              </button>
              <span>Page {page}</span>
              <button type="button" disabled={data.IsTruncated !== true || data.Marker === undefined} onClick={() => setMarkers([...markers, data.Marker])}>
                Next page
              </button>
            </nav>
          </>
        )}
      </Section>
    </>
  );
}
