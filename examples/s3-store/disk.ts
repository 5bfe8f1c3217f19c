// The example store's data on disk: one directory per bucket (bucket.json, objects/ with one JSON record per key,
// data/ with the bytes), and uploads/ for multipart uploads in progress. Records are written to a temporary file and
// renamed into place, so a reader sees the old record or the new one; the in-memory index is loaded from disk at
// start and is what requests read.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Acl, S3ObjectOwnership } from 'gatehouse-iam';

export interface Checksum {
  /** crc32, crc32c, sha1 or sha256 (S3's x-amz-checksum-ALGORITHM). */
  readonly algorithm: string;
  /** Base64, as the x-amz-checksum-* header carries it. */
  readonly value: string;
}

export interface BucketRecord {
  readonly name: string;
  /** The owning account's ID. */
  readonly account: string;
  readonly created: string;
  ownership: S3ObjectOwnership;
  acl: S3Acl;
}

export interface ObjectRecord {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  /** The object's owner (a canonical user ID); its ACL decides reads while the bucket's ownership keeps ACLs in force. */
  readonly owner: string;
  acl: S3Acl;
  readonly checksum?: Checksum;
  /** The data file's name under the bucket's data/ directory. */
  readonly file: string;
}

export interface UploadRecord {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly created: string;
  readonly initiator: string;
  /** The object's ACL and owner once completed, fixed when the upload starts (as S3 takes them from CreateMultipartUpload). */
  readonly owner: string;
  readonly acl: S3Acl;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly parts: Map<number, PartRecord>;
}

export interface PartRecord {
  readonly number: number;
  readonly size: number;
  readonly etag: string;
  readonly checksum?: Checksum;
}

const keyFile = (key: string): string => `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`;

async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

export class Disk {
  private readonly buckets = new Map<string, BucketRecord>();
  private readonly objects = new Map<string, Map<string, ObjectRecord>>();
  private readonly uploads = new Map<string, UploadRecord>();
  // Writes of one key (or one bucket's record) run one after the other, so the index and the disk agree on the last.
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<Disk> {
    const disk = new Disk(root);
    await mkdir(join(root, 'buckets'), { recursive: true });
    await mkdir(join(root, 'uploads'), { recursive: true });
    for (const name of await listDir(join(root, 'buckets'))) {
      const dir = join(root, 'buckets', name);
      const bucket = JSON.parse(await readFile(join(dir, 'bucket.json'), 'utf8')) as BucketRecord;
      disk.buckets.set(name, bucket);
      const index = new Map<string, ObjectRecord>();
      for (const file of await listDir(join(dir, 'objects'))) {
        if (!file.endsWith('.json')) continue;
        const record = JSON.parse(await readFile(join(dir, 'objects', file), 'utf8')) as ObjectRecord;
        index.set(record.key, record);
      }
      disk.objects.set(name, index);
    }
    for (const id of await listDir(join(root, 'uploads'))) {
      const dir = join(root, 'uploads', id);
      const upload = JSON.parse(await readFile(join(dir, 'upload.json'), 'utf8')) as Omit<UploadRecord, 'parts'>;
      const parts = new Map<number, PartRecord>();
      for (const file of await listDir(dir)) {
        if (!/^part-\d+\.json$/.test(file)) continue;
        const part = JSON.parse(await readFile(join(dir, file), 'utf8')) as PartRecord;
        parts.set(part.number, part);
      }
      disk.uploads.set(id, { ...upload, parts });
    }
    return disk;
  }

  private serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }

  private bucketDir(name: string): string {
    return join(this.root, 'buckets', name);
  }

  bucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name);
  }

  bucketsOf(account: string): BucketRecord[] {
    return [...this.buckets.values()].filter((b) => b.account === account).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** False when the name is taken (the caller tells BucketAlreadyExists from BucketAlreadyOwnedByYou). */
  createBucket(record: BucketRecord): Promise<boolean> {
    return this.serialized(`bucket:${record.name}`, async () => {
      if (this.buckets.has(record.name)) return false;
      const dir = this.bucketDir(record.name);
      await mkdir(join(dir, 'objects'), { recursive: true });
      await mkdir(join(dir, 'data'), { recursive: true });
      await writeAtomically(join(dir, 'bucket.json'), JSON.stringify(record));
      this.buckets.set(record.name, record);
      this.objects.set(record.name, new Map());
      return true;
    });
  }

  saveBucket(record: BucketRecord): Promise<void> {
    return this.serialized(`bucket:${record.name}`, () => writeAtomically(join(this.bucketDir(record.name), 'bucket.json'), JSON.stringify(record)));
  }

  /** False when the bucket still holds objects (S3's BucketNotEmpty). Uploads in progress are aborted with it. */
  deleteBucket(name: string): Promise<boolean> {
    return this.serialized(`bucket:${name}`, async () => {
      if ((this.objects.get(name)?.size ?? 0) > 0) return false;
      for (const upload of [...this.uploads.values()]) if (upload.bucket === name) await this.abortUpload(upload.id);
      this.buckets.delete(name);
      this.objects.delete(name);
      await rm(this.bucketDir(name), { recursive: true, force: true });
      return true;
    });
  }

  object(bucket: string, key: string): ObjectRecord | undefined {
    return this.objects.get(bucket)?.get(key);
  }

  /** The bucket's keys in UTF-8 binary order, as S3 lists them. */
  sortedKeys(bucket: string): string[] {
    const keys = [...(this.objects.get(bucket)?.keys() ?? [])];
    return keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  }

  /** A new data file for `bucket`, filled from `source` (a buffer or files to concatenate); returns its name. */
  private async writeData(bucket: string, source: Buffer | readonly string[]): Promise<string> {
    const file = `${randomUUID()}.bin`;
    const path = join(this.bucketDir(bucket), 'data', file);
    if (Buffer.isBuffer(source)) {
      await writeFile(path, source);
      return file;
    }
    const out = createWriteStream(path);
    for (const part of source) await pipeline(createReadStream(part), out, { end: false });
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return file;
  }

  putObject(bucket: string, record: Omit<ObjectRecord, 'file'>, source: Buffer | readonly string[]): Promise<ObjectRecord> {
    return this.serialized(`object:${bucket}/${record.key}`, async () => {
      const file = await this.writeData(bucket, source);
      const stored: ObjectRecord = { ...record, file };
      await writeAtomically(join(this.bucketDir(bucket), 'objects', keyFile(record.key)), JSON.stringify(stored));
      const index = this.objects.get(bucket);
      const previous = index?.get(record.key);
      index?.set(record.key, stored);
      if (previous !== undefined) await rm(join(this.bucketDir(bucket), 'data', previous.file), { force: true });
      return stored;
    });
  }

  saveObjectAcl(bucket: string, record: ObjectRecord): Promise<void> {
    return this.serialized(`object:${bucket}/${record.key}`, () => writeAtomically(join(this.bucketDir(bucket), 'objects', keyFile(record.key)), JSON.stringify(record)));
  }

  deleteObject(bucket: string, key: string): Promise<void> {
    return this.serialized(`object:${bucket}/${key}`, async () => {
      const index = this.objects.get(bucket);
      const previous = index?.get(key);
      if (previous === undefined) return;
      index?.delete(key);
      await rm(join(this.bucketDir(bucket), 'objects', keyFile(key)), { force: true });
      await rm(join(this.bucketDir(bucket), 'data', previous.file), { force: true });
    });
  }

  /** The object's bytes, or the inclusive range of them. */
  read(bucket: string, record: ObjectRecord, range?: { start: number; end: number }): ReadStream {
    return createReadStream(join(this.bucketDir(bucket), 'data', record.file), range);
  }

  upload(id: string): UploadRecord | undefined {
    return this.uploads.get(id);
  }

  async createUpload(upload: Omit<UploadRecord, 'parts' | 'id'>): Promise<UploadRecord> {
    const id = randomUUID().replace(/-/g, '');
    const dir = join(this.root, 'uploads', id);
    await mkdir(dir, { recursive: true });
    const record: UploadRecord = { ...upload, id, parts: new Map() };
    await writeAtomically(join(dir, 'upload.json'), JSON.stringify({ ...upload, id }));
    this.uploads.set(id, record);
    return record;
  }

  putPart(id: string, part: PartRecord, data: Buffer): Promise<void> {
    return this.serialized(`upload:${id}:${part.number}`, async () => {
      const dir = join(this.root, 'uploads', id);
      await writeAtomically(join(dir, `part-${part.number}.bin`), data);
      await writeAtomically(join(dir, `part-${part.number}.json`), JSON.stringify(part));
      this.uploads.get(id)?.parts.set(part.number, part);
    });
  }

  partFile(id: string, number: number): string {
    return join(this.root, 'uploads', id, `part-${number}.bin`);
  }

  /** Concatenates the parts into the object and forgets the upload. */
  async completeUpload(upload: UploadRecord, record: Omit<ObjectRecord, 'file'>, parts: readonly number[]): Promise<ObjectRecord> {
    const stored = await this.putObject(
      upload.bucket,
      record,
      parts.map((n) => this.partFile(upload.id, n)),
    );
    await this.abortUpload(upload.id);
    return stored;
  }

  async abortUpload(id: string): Promise<void> {
    this.uploads.delete(id);
    await rm(join(this.root, 'uploads', id), { recursive: true, force: true });
  }
}
