// Runs the example store: node --import tsx examples/s3-store/main.ts (settings from the environment, below).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Store } from './server.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`${name} is required: the store's own Gatehouse access key (see README, "The example S3 store").`);
    process.exit(2);
  }
  return value;
}

const store = await startS3Store({
  gatehouse: process.env['GATEHOUSE_ENDPOINT'] ?? 'http://127.0.0.1:4566',
  credentials: { accessKeyId: required('S3_STORE_ACCESS_KEY_ID'), secretAccessKey: required('S3_STORE_SECRET_ACCESS_KEY') },
  dataDir: process.env['S3_STORE_DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 's3-store-')),
  host: process.env['S3_STORE_HOST'] ?? '127.0.0.1',
  port: Number(process.env['S3_STORE_PORT'] ?? '9000'),
  region: process.env['AWS_REGION'] ?? 'us-east-1',
  ...(process.env['S3_STORE_TLS_CERT'] !== undefined
    ? { tls: { cert: readFileSync(process.env['S3_STORE_TLS_CERT']), key: readFileSync(required('S3_STORE_TLS_KEY')) } }
    : {}),
});
console.log(`S3 store on ${store.endpoint}, data in ${store.disk.root}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void store.close().then(() => process.exit(0)));
