// A botocore data folder holding the repository's IAM model (iam/2010-05-08/service-2.json), and its STS model when
// asked (sts/2011-06-15/service-2.json), for Debian's boto3 and AWS CLI v2 through AWS_DATA_PATH: their bundled
// models predate the newest IAM and STS operations.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IAM_MODEL = fileURLToPath(new URL('../../src/protocol/models/iam.json', import.meta.url));
const STS_MODEL = fileURLToPath(new URL('../../src/protocol/models/sts.json', import.meta.url));

export interface ModelDataPath {
  /** The folder to name in AWS_DATA_PATH. */
  readonly path: string;
  remove(): void;
}

export function repositoryModelDataPath(options: { sts?: boolean } = {}): ModelDataPath {
  const path = mkdtempSync(join(tmpdir(), 'gatehouse-models-'));
  mkdirSync(join(path, 'iam', '2010-05-08'), { recursive: true });
  copyFileSync(IAM_MODEL, join(path, 'iam', '2010-05-08', 'service-2.json'));
  if (options.sts === true) {
    mkdirSync(join(path, 'sts', '2011-06-15'), { recursive: true });
    copyFileSync(STS_MODEL, join(path, 'sts', '2011-06-15', 'service-2.json'));
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
