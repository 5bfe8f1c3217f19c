import { packageVersion } from '../server/version.js';
import { isInstanceCommand, runInstanceCommand } from './instance-commands.js';
import type { CommandIo } from './io.js';
import { runSimulate } from './simulate-command.js';
import { runValidate } from './validate-command.js';

const USAGE = `usage: gatehouse <command> [options]    (gatehouse <command> --help for a command's options and environment)

commands:
  serve [--port N] [--host ADDR] [--data-dir DIR] [--database-url URL] [--encode-authorization-messages]
        run the IAM/STS server (AWS Query protocol, SigV4)
  simulate [FILE|-] [--explain] [--batch]
        decide one request (or JSON Lines with --batch) offline
  validate FILE|- [--type identity|resource|trust|scp|rcp] [--managed] [--json]
        check a policy document as IAM and Access Analyzer would
  register-instance --instance-profile NAME [--http-tokens required|optional]
        give an "instance" its own IMDS serving the profile's role (prints AWS_EC2_METADATA_SERVICE_ENDPOINT)
  register-container --role-arn ARN
        give a container the role through the container credentials endpoint (prints AWS_CONTAINER_*)
  deregister-instance INSTANCE_ID | deregister-container TASK_ID
        stop serving their credentials
  export-events --out DIR [--data-dir DIR | --database-url URL] [--start-time TIME] [--end-time TIME]
        write the audit trail as CloudTrail log files (gzipped JSON, CloudTrail's names and folders)

options:
  --version    print the version
  --help, -h   print this help
`;


export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (isInstanceCommand(command)) return runInstanceCommand(command, rest, io);
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
    case 'export-events': {
      const { runExportEvents } = await import('./export-events-command.js');
      return runExportEvents(rest, io);
    }
    case '--version':
    case '-v':
      io.stdout(`gatehouse ${packageVersion()}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      if (command === undefined) {
        io.stderr(USAGE);
        return 64;
      }
      io.stdout(USAGE);
      return 0;
    default:
      io.stderr(`gatehouse: unknown command ${command}\n${USAGE}`);
      return 64;
  }
}
