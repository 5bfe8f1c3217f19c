// What Access Advisor knows of AWS's services: their names and actions (from the service catalogue the composition
// root provides), and which services report action-level last accessed information.

/**
 * Services whose action last accessed information IAM reports (TrackedActionsLastAccessed): the ones the IAM User
 * Guide first documented it for. AWS has since added many more; Gatehouse can only observe requests it serves or
 * decides, and of these it tracks IAM's, so the set stays the documented core.
 */
const TRACKED_ACTION_SERVICES: ReadonlySet<string> = new Set(['iam', 'ec2', 'lambda', 's3']);

export function tracksActions(namespace: string): boolean {
  return TRACKED_ACTION_SERVICES.has(namespace);
}

/** The Service Authorization Reference's services, as Access Advisor lists them. */
export interface ServiceCatalogue {
  /** Every service namespace (lower case) with the service's name. */
  services(): Promise<ReadonlyMap<string, string>>;
  /** The service's action names, without its prefix; empty for an unknown service. */
  actions(namespace: string): Promise<readonly string[]>;
}

/** A catalogue from literal data, for tests and embedders. */
export function staticServiceCatalogue(services: Readonly<Record<string, { readonly name: string; readonly actions: readonly string[] }>>): ServiceCatalogue {
  const names = new Map(Object.entries(services).map(([ns, s]) => [ns, s.name]));
  return {
    services: async () => names,
    actions: async (ns) => (Object.hasOwn(services, ns) ? (services[ns]?.actions ?? []) : []),
  };
}
