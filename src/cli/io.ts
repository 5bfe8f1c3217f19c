import { readFile } from 'node:fs/promises';

/** What a command touches of the outside world, so tests can run commands in-process. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  /** Lines of standard input (or of a file), read lazily so a large batch streams. */
  readLines(path: string | undefined): AsyncIterable<string>;
  now(): Date;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: () => readAll(process.stdin),
    async *readLines(path) {
      const { createInterface } = await import('node:readline');
      const { createReadStream } = await import('node:fs');
      const input = path === undefined || path === '-' ? process.stdin : createReadStream(path, 'utf8');
      yield* createInterface({ input, crlfDelay: Infinity });
    },
    now: () => new Date(),
  };
}
