import type { OperationContext } from '../../operation.js';
import type { ReportPrincipal, ReportTarget } from './entities.js';
import { targetPolicies, targetPrincipals } from './entities.js';
import { Grants } from './granted.js';
import { principalAccess, type LastAccess, type PrincipalAccess } from './records.js';
import { tracksActions } from './tracked-services.js';

// Builds a service last accessed report: the services the target's permissions policies grant, each with the most
// recent attempt of any of the target's users and roles within the tracking period, or none.

export type Granularity = 'SERVICE_LEVEL' | 'ACTION_LEVEL';

/** The latest attempt and who made it. */
export interface Attempt {
  readonly date: string;
  readonly region: string;
  readonly entity: string;
}

export interface ReportedAction {
  readonly name: string;
  readonly last?: Attempt;
}

export interface ReportedService {
  readonly namespace: string;
  readonly name: string;
  readonly last?: Attempt;
  /** How many of the target's users and roles attempted the service in the tracking period. */
  readonly entities: number;
  /** ACTION_LEVEL reports of services whose actions are tracked: every granted action. */
  readonly actions?: readonly ReportedAction[];
}

/** A user or role of the report, with its last attempt at each service it used (for …WithEntities). */
export interface ReportedEntity extends ReportPrincipal {
  readonly used: ReadonlyArray<readonly [namespace: string, date: string]>;
}

export interface ServiceReport {
  readonly services: readonly ReportedService[];
  readonly entities: readonly ReportedEntity[];
}

function later(current: Attempt | undefined, access: LastAccess | undefined, entity: string): Attempt | undefined {
  if (access === undefined) return current;
  const date = access.date.toISOString();
  return current === undefined || current.date < date ? { date, region: access.region, entity } : current;
}

export async function buildServiceReport(ctx: OperationContext, target: ReportTarget, granularity: Granularity): Promise<ServiceReport> {
  const catalogue = ctx.services.serviceCatalogue?.();
  const known = (await catalogue?.services()) ?? new Map<string, string>();
  const grants = new Grants((await targetPolicies(ctx, target)).map((p) => p.document));
  const principals = await targetPrincipals(ctx, target);
  const accesses: Array<{ principal: ReportPrincipal; access: PrincipalAccess }> = [];
  for (const principal of principals) accesses.push({ principal, access: await principalAccess(ctx.tx, ctx.account, principal.id, ctx.now) });

  const granted = [...known.keys()].filter((ns) => grants.grantsService(ns)).sort();
  const services: ReportedService[] = [];
  for (const namespace of granted) {
    let last: Attempt | undefined;
    let entities = 0;
    for (const { principal, access } of accesses) {
      const used = access.services.get(namespace);
      if (used !== undefined) entities++;
      last = later(last, used, principal.arn);
    }
    let actions: ReportedAction[] | undefined;
    if (granularity === 'ACTION_LEVEL' && tracksActions(namespace) && catalogue !== undefined) {
      actions = [];
      for (const name of await catalogue.actions(namespace)) {
        if (!grants.grantsAction(namespace, name)) continue;
        let lastAction: Attempt | undefined;
        // Recorded under the name as the request spelled the operation; the catalogue's spelling is the same.
        for (const { principal, access } of accesses) lastAction = later(lastAction, access.actions.get(`${namespace}:${name}`), principal.arn);
        actions.push(lastAction === undefined ? { name } : { name, last: lastAction });
      }
    }
    services.push({
      namespace,
      name: known.get(namespace) as string,
      entities,
      ...(last !== undefined ? { last } : {}),
      ...(actions !== undefined ? { actions } : {}),
    });
  }
  const grantedSet = new Set(granted);
  const entities: ReportedEntity[] = accesses.map(({ principal, access }) => ({
    ...principal,
    used: [...access.services].filter(([ns]) => grantedSet.has(ns)).map(([ns, a]) => [ns, a.date.toISOString()] as const),
  }));
  return { services, entities };
}
