import { EC2_SERVICE, ECS_TASKS_SERVICE } from '../../core/instances/registrations.js';
import { containerState, instanceSessionContext, instanceState, issueServiceSession, type IssuedSession } from '../../core/instances/role-sessions.js';
import { SessionCache } from '../../core/instances/session-cache.js';
import type { CoreServices } from '../../core/operation.js';
import type { Store } from '../../store/store.js';

/** What an instance's IMDS shows of its IAM side. */
export type InstanceView =
  | { readonly state: 'gone' }
  | {
      readonly state: 'registered';
      readonly httpTokens: 'required' | 'optional';
      readonly profile?: { readonly arn: string; readonly id: string };
      readonly roleName?: string;
      readonly trusted: boolean;
      /** Present when asked for and the role may be assumed by EC2. */
      readonly credentials?: IssuedSession;
    };

export type ContainerView =
  | { readonly state: 'refused' }
  | { readonly state: 'unavailable'; readonly roleArn: string; readonly reason: 'no-role' | 'untrusted' }
  | { readonly state: 'ready'; readonly credentials: IssuedSession };

/**
 * Reads, for each request to an IMDS or to the container endpoint, what the store says now (so a deregistration or a
 * role change on any node applies at once), and serves credentials from a cache that renews them before expiry.
 */
export class CredentialSource {
  private readonly cache = new SessionCache();

  constructor(
    private readonly store: Store,
    private readonly services: CoreServices,
    private readonly clock: () => Date,
  ) {}

  async instance(instanceId: string, withCredentials: boolean): Promise<InstanceView> {
    const now = this.clock();
    return this.store.read(async (tx) => {
      const state = await instanceState(tx, instanceId, now);
      if (state.state === 'gone') {
        this.cache.drop(instanceId);
        return state;
      }
      const base = {
        state: 'registered' as const,
        httpTokens: state.httpTokens,
        ...(state.profile !== undefined ? { profile: state.profile } : {}),
        ...(state.role !== undefined ? { roleName: state.role.key } : {}),
        trusted: state.trusted,
      };
      const { role, profile } = state;
      if (!withCredentials || !state.trusted || role === undefined || profile === undefined) return base;
      const credentials = this.cache.get(instanceId, `${profile.id}/${role.id}`, now, () =>
        issueServiceSession({ tx, now, services: this.services, service: EC2_SERVICE }, role, instanceId, instanceSessionContext(state.instance)),
      );
      return { ...base, credentials };
    });
  }

  async container(taskId: string, token: string | undefined): Promise<ContainerView> {
    const now = this.clock();
    return this.store.read(async (tx) => {
      const state = await containerState(tx, taskId, token, now);
      if (state.state === 'refused') return state;
      const { task, role } = state;
      const roleArn = `arn:aws:iam::${task.account}:role${task.data['rolePath'] as string}${task.data['roleName'] as string}`;
      if (role === undefined) return { state: 'unavailable', roleArn, reason: 'no-role' };
      if (!state.trusted) return { state: 'unavailable', roleArn, reason: 'untrusted' };
      const credentials = this.cache.get(`task/${task.key}`, role.id, now, () => issueServiceSession({ tx, now, services: this.services, service: ECS_TASKS_SERVICE }, role, task.key));
      return { state: 'ready', credentials };
    });
  }

  /** Forgets what this node served an instance or task that was deregistered here. */
  forget(id: string, kind: 'instance' | 'task'): void {
    this.cache.drop(kind === 'instance' ? id : `task/${id}`);
  }
}
