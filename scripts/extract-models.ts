// Regenerates src/protocol/models/*.json from botocore's service models (Apache-2.0), keeping what the wire layer
// needs (operations, shapes, constraints) and dropping documentation. Usage:
//   node --import tsx scripts/extract-models.ts /path/to/botocore/data [service...]
// Without services, all of them. The models are not all from the same botocore: Organizations came from 1.43.11, the
// first at hand that has every operation the installed SDK v3 client has; CloudTrail from Debian's botocore, its newer
// operations added by update-models-from-sdk.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const [dataDir, ...asked] = process.argv.slice(2);
if (dataDir === undefined) {
  console.error('usage: extract-models.ts BOTOCORE_DATA_DIR [service...]');
  process.exit(64);
}

const SERVICES: Record<string, string> = { iam: '2010-05-08', sts: '2011-06-15', organizations: '2016-11-28', cloudtrail: '2013-11-01' };

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'documentation' || k === 'documentationUrl' || k === 'examples') continue;
    out[k] = strip(v);
  }
  return out;
}

for (const [service, version] of Object.entries(SERVICES)) {
  if (asked.length > 0 && !asked.includes(service)) continue;
  const file = join(dataDir, service, version, 'service-2.json');
  // Debian ships the models uncompressed, pip's botocore gzipped.
  const raw = existsSync(file) ? readFileSync(file, 'utf8') : gunzipSync(readFileSync(`${file}.gz`)).toString('utf8');
  const model = JSON.parse(raw) as { metadata: unknown; operations: unknown; shapes: unknown };
  const out = { metadata: strip(model.metadata), operations: strip(model.operations), shapes: strip(model.shapes) };
  writeFileSync(join('src/protocol/models', `${service}.json`), `${JSON.stringify(out)}\n`);
  console.log(`${service}: ${Object.keys(model.operations as object).length} operations`);
}
