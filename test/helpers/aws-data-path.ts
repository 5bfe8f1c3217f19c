// A botocore data folder holding the repository's IAM model (iam/2010-05-08/service-2.json), for Debian's boto3 and
// AWS CLI v2 through AWS_DATA_PATH: their bundled models predate the newest IAM operations.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IAM_MODEL = fileURLToPath(new URL('../../src/protocol/models/iam.json', import.meta.url));

export interface ModelDataPath {
  /** The folder to name in AWS_DATA_PATH. */
  readonly path: string;
  remove(): void;
}

export function repositoryModelDataPath(): ModelDataPath {
  const path = mkdtempSync(join(tmpdir(), 'gatehouse-models-'));
  mkdirSync(join(path, 'iam', '2010-05-08'), { recursive: true });
  copyFileSync(IAM_MODEL, join(path, 'iam', '2010-05-08', 'service-2.json'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
