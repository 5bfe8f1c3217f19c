import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { clientsFor, signIn, type Clients } from './api.js';
import { PageHeading } from './components.js';
import { AccountSettingsPage } from './pages/account-settings.js';
import { ChangePasswordPage } from './pages/change-password.js';
import { CreateRolePage } from './pages/create-role.js';
import { CredentialReportPage } from './pages/credential-report.js';
import { DashboardPage } from './pages/dashboard.js';
import { EventHistoryPage } from './pages/event-history.js';
import { IdentityProvidersPage } from './pages/identity-providers.js';
import { InlinePolicyPage, type InlineOwner } from './pages/inline-policy.js';
import { OrganizationPage } from './pages/organization.js';
import { SimulatorPage } from './pages/simulator.js';
import { PoliciesPage } from './pages/policies.js';
import { PolicyDetailPage } from './pages/policy-detail.js';
import { RootCredentialsPage } from './pages/root-credentials.js';
import { GroupDetailPage, GroupsPage } from './pages/groups.js';
import { RoleDetailPage, RolesPage } from './pages/roles.js';
import { SwitchRolePage } from './pages/switch-role.js';
import { SignInPage, type SignInDefaults } from './pages/sign-in.js';
import { UserDetailPage } from './pages/user-detail.js';
import { UsersPage } from './pages/users.js';
import { clearSession, expiresInMs, loadSession, saveSession, type ConsoleSession } from './session.js';

type Route =
  | { readonly page: 'dashboard' }
  | { readonly page: 'credential-report' } | { readonly page: 'event-history' }
  | { readonly page: 'policies' }
  | { readonly page: 'identity-providers' }
  | { readonly page: 'create-role' }
  | { readonly page: 'policy'; readonly arn: string; readonly statement?: number }
  | { readonly page: 'inline-policy'; readonly owner: InlineOwner; readonly ownerName: string; readonly policyName: string; readonly statement?: number }
  | { readonly page: 'simulator' } | { readonly page: 'organization' }
  | { readonly page: 'users' }
  | { readonly page: 'account' }
  | { readonly page: 'groups' }
  | { readonly page: 'switch-role' }
  | { readonly page: 'security-credentials' }
  | { readonly page: 'roles' }
  | { readonly page: 'role'; readonly name: string }
  | { readonly page: 'group'; readonly name: string }
  | { readonly page: 'user'; readonly name: string } | { readonly page: 'change-password' } | { readonly page: 'not-found' };

function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  // A statement to mark (from 1), as the simulator's explanations link to it.
  const marked = /^statement=([1-9]\d{0,3})$/.exec(query)?.[1];
  const statement = marked === undefined ? {} : { statement: Number(marked) };
  if (path === '/simulator') return { page: 'simulator' };
  if (path === '/organization') return { page: 'organization' };
  const inline = /^\/inline-policies\/(user|group|role)\/([^/]+)\/([^/]+)$/.exec(path);
  if (inline !== null) {
    try {
      return { page: 'inline-policy', owner: inline[1] as InlineOwner, ownerName: decodeURIComponent(inline[2] as string), policyName: decodeURIComponent(inline[3] as string), ...statement };
    } catch {
      return { page: 'not-found' };
    }
  }
  if (path === '' || path === '/' || path === '/users') return { page: 'users' };
  if (path === '/change-password') return { page: 'change-password' };
  if (path === '/account') return { page: 'account' };
  if (path === '/dashboard') return { page: 'dashboard' };
  if (path === '/credential-report' || path === '/event-history') return { page: path.slice(1) as 'credential-report' | 'event-history' };
  if (path === '/policies') return { page: 'policies' };
  if (path === '/identity-providers') return { page: 'identity-providers' };
  if (path === '/create-role') return { page: 'create-role' };
  const policy = /^\/policies\/([^/]+)$/.exec(path);
  if (policy !== null) {
    try {
      return { page: 'policy', arn: decodeURIComponent(policy[1] as string), ...statement };
    } catch {
      return { page: 'not-found' };
    }
  }
  if (path === '/groups') return { page: 'groups' };
  if (path === '/switch-role') return { page: 'switch-role' };
  if (path === '/security-credentials') return { page: 'security-credentials' };
  if (path === '/roles') return { page: 'roles' };
  const named = /^\/(users|groups|roles)\/([^/]+)$/.exec(path);
  if (named !== null) {
    const page = named[1] === 'users' ? 'user' : named[1] === 'groups' ? 'group' : 'role';
    try {
      return { page, name: decodeURIComponent(named[2] as string) };
    } catch {
      return { page: 'not-found' };
    }
  }
  return { page: 'not-found' };
}

function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}

export function App() {
  const [session, setSession] = useState<ConsoleSession | undefined>(() => loadSession());
  const [notice, setNotice] = useState<string>();
  const [defaults, setDefaults] = useState<SignInDefaults>({});
  const route = useRoute();
  const clients = useMemo(() => (session === undefined ? undefined : clientsFor(session)), [session]);

  const signOut = (message?: string) => {
    clearSession();
    if (session !== undefined) setDefaults(session.root ? { account: session.accountAsTyped, root: true } : { account: session.accountAsTyped, userName: session.userName });
    setSession(undefined);
    setNotice(message);
  };

  // The credentials stop working at their expiration: the console drops them then rather than failing call after call.
  useEffect(() => {
    if (session === undefined) return undefined;
    const expired = () => {
      // A role session ends before the user's own: the console goes back to the user, as long as that one lasts.
      if (session.base !== undefined && expiresInMs(session.base) > 0) {
        signedIn(session.base);
        setNotice(undefined);
        return;
      }
      signOut('Your session has expired. Sign in again.');
    };
    const timer = setTimeout(expired, Math.max(0, Math.min(expiresInMs(session), 2 ** 31 - 1)));
    return () => clearTimeout(timer);
  }, [session]);

  function signedIn(next: ConsoleSession) {
    saveSession(next);
    setNotice(undefined);
    setSession(next);
    if (!next.passwordResetRequired && parseRoute(window.location.hash).page === 'change-password') window.location.hash = '#/users';
  }

  if (session === undefined || clients === undefined) {
    return <SignInPage onSignedIn={signedIn} notice={notice} defaults={defaults} />;
  }

  // After a forced change the reset-only session is useless: sign in again with the new password.
  const passwordChanged = async (newPassword: string) => {
    if (!session.passwordResetRequired) return;
    const again = session.mfaAuthenticated ? undefined : await signIn({ account: session.accountAsTyped, userName: session.userName, password: newPassword });
    if (again?.ok === true) {
      signedIn(again.session);
      window.location.hash = '#/users';
      return;
    }
    signOut('Your password was changed. Sign in with your new password.');
  };

  return (
    <Shell
      session={session}
      clients={clients}
      onSignOut={() => signOut('You signed out.')}
      onSwitchBack={() => {
        if (session.base !== undefined) signedIn(session.base);
        window.location.hash = '#/users';
      }}
      route={route}
    >
      {session.passwordResetRequired ? (
        <ChangePasswordPage clients={clients} forced userName={session.userName} onChanged={passwordChanged} />
      ) : (
        <Page
          // Another identity (a role switched to or from) sees everything afresh: nothing read as the other is kept.
          key={session.credentials.accessKeyId}
          route={route}
          clients={clients}
          session={session}
          onChanged={passwordChanged}
          onSwitched={(next) => {
            signedIn(next);
            window.location.hash = '#/users';
          }}
        />
      )}
    </Shell>
  );
}

function Page({ route, clients, session, onChanged, onSwitched }: { route: Route; clients: Clients; session: ConsoleSession; onChanged: (p: string) => void; onSwitched: (next: ConsoleSession) => void }) {
  switch (route.page) {
    case 'switch-role':
      // From the user's own session: a role session switching again would chain roles, which the console does not do.
      return <SwitchRolePage clients={session.base !== undefined ? clientsFor(session.base) : clients} session={session.base ?? session} onSwitched={onSwitched} />;
    case 'dashboard':
      return <DashboardPage clients={clients} />;
    case 'credential-report':
      return <CredentialReportPage clients={clients} />;
    case 'event-history':
      return <EventHistoryPage clients={clients} />;
    case 'create-role':
      return <CreateRolePage clients={clients} account={session.account} />;
    case 'identity-providers':
      return <IdentityProvidersPage clients={clients} />;
    case 'policies':
      return <PoliciesPage clients={clients} />;
    case 'policy':
      return <PolicyDetailPage key={route.arn} clients={clients} arn={route.arn} statement={route.statement} />;
    case 'inline-policy':
      return <InlinePolicyPage key={`${route.owner}/${route.ownerName}/${route.policyName}`} clients={clients} owner={route.owner} ownerName={route.ownerName} policyName={route.policyName} statement={route.statement} />;
    case 'simulator':
      return <SimulatorPage clients={clients} />;
    case 'organization':
      return <OrganizationPage clients={clients} />;
    case 'users':
      return <UsersPage clients={clients} />;
    case 'user':
      return <UserDetailPage key={route.name} clients={clients} userName={route.name} />;
    case 'groups':
      return <GroupsPage clients={clients} />;
    case 'group':
      return <GroupDetailPage key={route.name} clients={clients} groupName={route.name} />;
    case 'roles':
      return <RolesPage clients={clients} />;
    case 'role':
      return <RoleDetailPage key={route.name} clients={clients} roleName={route.name} />;
    case 'security-credentials':
      // The root user's own password and MFA: another identity has none of these to manage here.
      return session.root && session.role === undefined ? <RootCredentialsPage clients={clients} account={session.account} /> : <ChangePasswordPage clients={clients} forced={false} userName={session.userName} onChanged={onChanged} />;
    case 'account':
      return <AccountSettingsPage clients={clients} account={session.account} />;
    case 'change-password':
      return <ChangePasswordPage clients={clients} forced={false} userName={session.userName} onChanged={onChanged} />;
    case 'not-found':
      return (
        <>
          <PageHeading>Page not found</PageHeading>
          <p>
            <a href="#/users">Go to the users</a>
          </p>
        </>
      );
  }
}

function Shell({
  session,
  clients,
  onSignOut,
  onSwitchBack,
  route,
  children,
}: {
  session: ConsoleSession;
  clients: Clients;
  onSignOut: () => void;
  onSwitchBack: () => void;
  route: Route;
  children: preact.ComponentChildren;
}) {
  // Who the signed calls are made as, as STS sees them (the session may not ask while its password must be reset).
  const [identity, setIdentity] = useState(session.arn);
  useEffect(() => {
    if (session.passwordResetRequired) return;
    clients.sts.send(new GetCallerIdentityCommand({})).then(
      (answer) => setIdentity(answer.Arn ?? session.arn),
      () => undefined,
    );
  }, [clients]);
  const current = (page: Route['page']) => (route.page === page || (page === 'users' && route.page === 'user') || (page === 'groups' && route.page === 'group') || (page === 'roles' && (route.page === 'role' || route.page === 'create-role')) || (page === 'policies' && route.page === 'policy') ? 'page' : undefined);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/users">
          Gatehouse
        </a>
        {session.passwordResetRequired ? null : (
          <nav aria-label="Console">
            <a href="#/dashboard" aria-current={current('dashboard')}>
              Dashboard
            </a>
            <a href="#/users" aria-current={current('users')}>
              Users
            </a>
            <a href="#/groups" aria-current={current('groups')}>
              Groups
            </a>
            <a href="#/roles" aria-current={current('roles')}>
              Roles
            </a>
            <a href="#/policies" aria-current={current('policies')}>
              Policies
            </a>
            <a href="#/simulator" aria-current={current('simulator')}>Policy simulator</a>
            <a href="#/organization" aria-current={current('organization')}>Organizations</a>
            <a href="#/identity-providers" aria-current={current('identity-providers')}>
              Identity providers
            </a>
            <a href="#/credential-report" aria-current={current('credential-report')}>Credential report</a>
            <a href="#/event-history" aria-current={current('event-history')}>Event history</a>
            <a href="#/account" aria-current={current('account')}>
              Account settings
            </a>
            {session.root ? null : (
              <a href="#/switch-role" aria-current={current('switch-role')}>
                Switch role
              </a>
            )}
            {/* The root password is not an IAM user's: ChangePassword does not change it; root has its own page. */}
            {session.role !== undefined ? null : session.root ? (
              <a href="#/security-credentials" aria-current={current('security-credentials')}>
                My security credentials
              </a>
            ) : (
              <a href="#/change-password" aria-current={current('change-password')}>
                Change password
              </a>
            )}
          </nav>
        )}
        <div class="who">
          {session.role !== undefined ? (
            <>
              <span class={`role-chip role-${session.role.color}`} title={identity}>
                {session.role.displayName}
              </span>
              <button type="button" onClick={onSwitchBack}>
                Switch back
              </button>
            </>
          ) : (
            <span class="identity" title={identity}>
              {session.userName} @ {session.account}
            </span>
          )}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
