import type { CommandIo } from './io.js';
import { runSimulate } from './simulate-command.js';
import { runValidate } from './validate-command.js';

const USAGE = `usage: gatehouse <command> [options]

commands:
  serve [--port N] [--data-dir DIR]            run the IAM/STS server (AWS Query protocol, SigV4)
  simulate [FILE|-] [--explain] [--batch]     decide one request (or JSON Lines with --batch) offline
  validate FILE [--type T] [--json]           check a policy document as IAM and Access Analyzer would
`;

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'simulate':
      return runSimulate(rest, io);
    case 'validate':
      return runValidate(rest, io);
    case 'serve': {
      // Loaded on demand: the offline commands need neither the database driver nor the HTTP stack.
      const { runServe } = await import('./serve-command.js');
      return runServe(rest, io);
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout(USAGE);
      return command === undefined ? 64 : 0;
    default:
      io.stderr(`gatehouse: unknown command ${command}\n${USAGE}`);
      return 64;
  }
}
