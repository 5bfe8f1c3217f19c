import { loadCatalogFor } from '../catalog/iam-data-catalog.js';
import { createStaticCatalog, type ServiceCatalog } from '../policy/catalog.js';
import type { Finding, FindingType } from '../policy/findings.js';
import { parsePolicy } from '../policy/parse.js';
import type { PolicyDocument } from '../policy/types.js';
import { parseCommandArgs, stringOption, UsageError } from './args.js';
import { isValidatePolicyType, validatePolicy, type ValidatePolicyType, type ValidationResult } from '../policy/validate.js';

export const VALIDATE_USAGE = `usage: gatehouse validate FILE|- [--type identity|resource|trust|scp|rcp] [--managed] [--json]
  Checks a policy document as the storing service (IAM, or Organizations for SCPs and RCPs) and IAM Access Analyzer
  would. FILE "-" reads standard input. --type defaults to identity; --managed checks an identity policy as a
  customer managed policy (which must use Version 2012-10-17). --json prints {"iamError": ..., "findings": [...]}.
  Exit status: 0 no errors, 1 error findings, 2 the service would refuse the document, 64 bad usage,
  66 the file could not be read.
`;

export const EXIT_OK = 0;
export const EXIT_ERROR_FINDINGS = 1;
export const EXIT_REJECTED = 2;
export const EXIT_USAGE = 64;
export const EXIT_NO_INPUT = 66;

export interface ValidateIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  readStdin?(): Promise<string>;
}

export interface ValidateDependencies {
  /** Replaces the iam-data catalog (tests, embedders with their own service data). */
  readonly loadCatalog?: (documents: readonly PolicyDocument[]) => Promise<ServiceCatalog>;
}

interface Arguments {
  readonly file: string;
  readonly type: ValidatePolicyType;
  readonly json: boolean;
  readonly managed: boolean;
}

function parseArguments(args: readonly string[]): Arguments | 'help' {
  const parsed = parseCommandArgs(args, {
    type: { type: 'string' },
    managed: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const { values, positionals } = parsed;
  if (values['help'] === true) return 'help';
  const type = stringOption(parsed, 'type') ?? 'identity';
  if (!isValidatePolicyType(type)) throw new UsageError(`--type must be one of identity, resource, trust, scp, rcp`);
  if (positionals.length > 1) throw new UsageError('only one FILE may be given');
  const file = positionals[0];
  if (file === undefined) throw new UsageError('a FILE (or - for standard input) is required');
  const managed = values['managed'] === true;
  if (managed && type !== 'identity') throw new UsageError('--managed applies to --type identity only');
  return { file, type, json: values['json'] === true, managed };
}

async function readInput(file: string, io: ValidateIo): Promise<string> {
  if (file !== '-') return io.readFile(file);
  if (io.readStdin === undefined) throw new Error('standard input is not available');
  return io.readStdin();
}

/** The parsed document when there is one; the validator reports the parse failure itself. */
function tryParse(text: string): PolicyDocument | undefined {
  try {
    return parsePolicy(text);
  } catch {
    return undefined;
  }
}

const LABELS: Record<FindingType, string> = {
  ERROR: 'error',
  SECURITY_WARNING: 'security warning',
  WARNING: 'warning',
  SUGGESTION: 'suggestion',
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function formatText(name: string, result: ValidationResult): string {
  const lines: string[] = [];
  if (result.iamError !== undefined) {
    lines.push(`${name}: MalformedPolicyDocument: ${result.iamError.message}`, `  at ${result.iamError.path}`);
  }
  for (const finding of result.findings) {
    lines.push(`${name}: ${finding.findingType} ${finding.issueCode} at ${finding.path}`, `  ${finding.findingDetails}`);
    if (finding.learnMoreLink !== undefined) lines.push(`  ${finding.learnMoreLink}`);
  }
  const counts = (Object.keys(LABELS) as FindingType[])
    .map((type) => [type, result.findings.filter((f: Finding) => f.findingType === type).length] as const)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => plural(count, LABELS[type]));
  lines.push(counts.length === 0 ? `${name}: no findings` : `${name}: ${counts.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `gatehouse validate`. Exit status: 0 when the document would be stored and has no ERROR findings, 1 when it would
 * be stored but has ERROR findings, 2 when the storing service would refuse it, 64 for bad usage, 66 when the file
 * cannot be read.
 */
export async function runValidate(args: string[], io: ValidateIo, deps: ValidateDependencies = {}): Promise<number> {
  let parsed: Arguments | 'help';
  try {
    parsed = parseArguments(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`gatehouse validate: ${error.message}\n${VALIDATE_USAGE}`);
    return EXIT_USAGE;
  }
  if (parsed === 'help') {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  let text: string;
  try {
    text = await readInput(parsed.file, io);
  } catch (error) {
    io.stderr(`gatehouse validate: cannot read ${parsed.file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_NO_INPUT;
  }
  const document = tryParse(text);
  const load = deps.loadCatalog ?? loadCatalogFor;
  // A document that does not parse needs no service data: its only result is the parse error.
  const catalog = document === undefined ? createStaticCatalog({ services: {} }) : await load([document]);
  const result = validatePolicy(text, parsed.type, catalog, { managedPolicy: parsed.managed });

  const name = parsed.file === '-' ? '<stdin>' : parsed.file;
  if (parsed.json) io.stdout(`${JSON.stringify({ iamError: result.iamError ?? null, findings: result.findings }, null, 2)}\n`);
  else io.stdout(formatText(name, result));

  if (result.iamError !== undefined) return EXIT_REJECTED;
  return result.findings.some((f) => f.findingType === 'ERROR') ? EXIT_ERROR_FINDINGS : EXIT_OK;
}
