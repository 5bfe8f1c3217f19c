// Builds the web console (src/console) into dist/console: one bundled script (Preact and the AWS SDK v3 for the
// browser, so nothing is fetched from the network at run time), the page and its stylesheet.
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeAccessLevels } from './access-levels.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_SOURCE = join(ROOT, 'src', 'console');
export const CONSOLE_OUTPUT = join(ROOT, 'dist', 'console');

/** The files the server serves, besides the bundle: copied as they are. */
const STATIC_FILES = ['index.html', 'styles.css'];

/**
 * Builds into a fresh folder beside the output and then swaps it in, so that a server (or a parallel build) never
 * reads half a console.
 */
export async function buildConsole(outdir: string = CONSOLE_OUTPUT): Promise<void> {
  const staging = `${outdir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build({
    entryPoints: [join(CONSOLE_SOURCE, 'main.tsx')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(CONSOLE_SOURCE, 'tsconfig.json'),
    outfile: join(staging, 'app.js'),
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) copyFileSync(join(CONSOLE_SOURCE, file), join(staging, file));
  writeAccessLevels(join(staging, 'access-levels.json'));
  rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildConsole(process.argv[2] ?? CONSOLE_OUTPUT);
}
