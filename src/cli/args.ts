import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad usage of a command: printed as one line with the command's usage, exit status 64. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments with node:util's parseArgs (so `--port=4570` and `--port 4570` are the same, and
 * `--` ends the options), turning its errors into one-line UsageErrors.
 */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommandArgs(args: readonly string[], options: Options): ParsedArgs {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs explains how to pass a value that starts with a dash; the usage printed after it says the rest.
    throw new UsageError(message.split('. To specify')[0]?.replace(/\.$/, '') ?? message);
  }
}

/** A string option's value (parseArgs guarantees the type for options declared as strings). */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}
