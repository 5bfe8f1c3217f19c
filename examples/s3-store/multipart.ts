// Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload.
import { createHash } from 'node:crypto';
import { readVerifiedBody } from './body.js';
import { header, userMetadata, type Ctx } from './context.js';
import type { BucketRecord, UploadRecord } from './disk.js';
import { checksumHeaders, checkKey, md5Etag, newObjectAcl } from './object-ops.js';
import { childElements, childText, el, errors, parseBody, S3_XMLNS, S3Error, sendXml } from './xml.js';

/** S3's smallest part but the last: 5 MiB. */
const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

function bucketOf(ctx: Ctx): BucketRecord {
  if (ctx.bucket === undefined) throw errors.noSuchBucket(ctx.route.bucket);
  return ctx.bucket;
}

/** The upload the query names, in this bucket and for this key. */
function uploadOf(ctx: Ctx): UploadRecord {
  const id = ctx.route.query.get('uploadId') ?? '';
  const upload = ctx.disk.upload(id);
  if (upload === undefined || upload.bucket !== ctx.route.bucket || upload.key !== ctx.route.key) throw errors.noSuchUpload(id);
  return upload;
}

export function createMultipartUpload(ctx: Ctx): Promise<void> {
  const bucket = bucketOf(ctx);
  checkKey(ctx.route.key);
  const { owner, acl } = newObjectAcl(ctx, bucket);
  return ctx.disk
    .createUpload({
      bucket: bucket.name,
      key: ctx.route.key,
      created: new Date().toISOString(),
      initiator: ctx.caller.arn,
      owner,
      acl,
      contentType: header(ctx.req, 'content-type') ?? 'binary/octet-stream',
      metadata: userMetadata(ctx.req),
    })
    .then((upload) => {
      const algorithm = header(ctx.req, 'x-amz-checksum-algorithm');
      sendXml(ctx.res, 200, `<InitiateMultipartUploadResult xmlns="${S3_XMLNS}">${el('Bucket', bucket.name)}${el('Key', upload.key)}${el('UploadId', upload.id)}</InitiateMultipartUploadResult>`, {
        'x-amz-request-id': ctx.requestId,
        ...(algorithm !== undefined ? { 'x-amz-checksum-algorithm': algorithm } : {}),
      });
    });
}

export async function uploadPart(ctx: Ctx): Promise<void> {
  bucketOf(ctx);
  const text = ctx.route.query.get('partNumber') ?? '';
  const number = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (number < 1 || number > MAX_PARTS) throw errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', text);
  const upload = uploadOf(ctx);
  const body = await readVerifiedBody(ctx.req, ctx.answer, ctx.settings.maxBodySize);
  const part = { number, size: body.data.length, etag: md5Etag(body.data), ...(body.checksum !== undefined ? { checksum: body.checksum } : {}) };
  await ctx.disk.putPart(upload.id, part, body.data);
  ctx.res.writeHead(200, { etag: part.etag, ...checksumHeaders(part), 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
}

const unquote = (etag: string): string => etag.replace(/^"|"$/g, '');

export async function completeMultipartUpload(ctx: Ctx): Promise<void> {
  const bucket = bucketOf(ctx);
  const upload = uploadOf(ctx);
  const root = parseBody((await readVerifiedBody(ctx.req, ctx.answer, 1024 * 1024)).data.toString('utf8'), 'CompleteMultipartUpload');
  const listed = childElements(root, 'Part');
  if (listed.length === 0) throw errors.malformedXml();
  const invalidPart = () =>
    new S3Error('InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.", 400);
  const numbers: number[] = [];
  const digests: Buffer[] = [];
  let size = 0;
  for (const [i, element] of listed.entries()) {
    const number = Number(childText(element, 'PartNumber'));
    if (!Number.isInteger(number)) throw errors.malformedXml();
    if (i > 0 && number <= (numbers[i - 1] as number)) throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400);
    const part = upload.parts.get(number);
    if (part === undefined || unquote(childText(element, 'ETag') ?? '') !== unquote(part.etag)) throw invalidPart();
    // A checksum the client lists for a part must be the one it sent with the part.
    for (const algorithm of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']) {
      const given = childText(element, `Checksum${algorithm}`);
      if (given !== undefined && (part.checksum?.algorithm !== algorithm.toLowerCase() || part.checksum.value !== given)) throw invalidPart();
    }
    if (i < listed.length - 1 && part.size < MIN_PART) throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400);
    numbers.push(number);
    digests.push(Buffer.from(unquote(part.etag), 'hex'));
    size += part.size;
  }
  // S3's multipart ETag: the MD5 of the parts' MD5s, then the number of parts.
  const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${numbers.length}"`;
  await ctx.disk.completeUpload(
    upload,
    { key: upload.key, size, etag, lastModified: new Date().toISOString(), contentType: upload.contentType, metadata: upload.metadata, owner: upload.owner, acl: upload.acl },
    numbers,
  );
  const location = `http://${header(ctx.req, 'host') ?? 'localhost'}/${bucket.name}/${encodeURIComponent(upload.key).replace(/%2F/g, '/')}`;
  sendXml(ctx.res, 200, `<CompleteMultipartUploadResult xmlns="${S3_XMLNS}">${el('Location', location)}${el('Bucket', bucket.name)}${el('Key', upload.key)}${el('ETag', etag)}</CompleteMultipartUploadResult>`, {
    'x-amz-request-id': ctx.requestId,
  });
}

export async function abortMultipartUpload(ctx: Ctx): Promise<void> {
  bucketOf(ctx);
  await ctx.disk.abortUpload(uploadOf(ctx).id);
  ctx.res.writeHead(204, { 'x-amz-request-id': ctx.requestId }).end();
}
