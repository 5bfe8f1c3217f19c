// ListObjectsV2 and ListObjects (v1): keys in UTF-8 binary order, prefixes, delimiters rolled up into
// CommonPrefixes, pages of max-keys, and encoding-type=url (which botocore asks for and decodes).
import type { BucketRecord, Disk } from './disk.js';
import { el, errors, S3_XMLNS } from './xml.js';

function maxKeysOf(query: URLSearchParams): number {
  const text = query.get('max-keys');
  if (text === null) return 1000;
  if (!/^\d+$/.test(text)) throw errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', text);
  return Math.min(Number(text), 1000);
}

/** The token is the last key or common prefix returned, opaque to the client. */
const encodeToken = (marker: string): string => Buffer.from(marker, 'utf8').toString('base64');

function decodeToken(token: string): string {
  const marker = Buffer.from(token, 'base64').toString('utf8');
  if (token === '' || encodeToken(marker) !== token) throw errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  return marker;
}

export function listObjects(disk: Disk, bucket: BucketRecord, query: URLSearchParams, v2: boolean): string {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(query);
  const encoding = query.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  const encode = (value: string): string => (encoding === 'url' ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
  const token = v2 ? query.get('continuation-token') : null;
  const startAfter = v2 ? (query.get('start-after') ?? '') : (query.get('marker') ?? '');
  const after = token !== null ? decodeToken(token) : startAfter;
  const fetchOwner = !v2 || query.get('fetch-owner') === 'true';

  const contents: string[] = [];
  const prefixes: string[] = [];
  let last = '';
  let truncated = false;
  let count = 0;
  for (const key of disk.sortedKeys(bucket.name)) {
    if (!key.startsWith(prefix) || (after !== '' && Buffer.compare(Buffer.from(key), Buffer.from(after)) <= 0)) continue;
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
    // Keys under a common prefix already returned (on this page or, by the token, on the last one) add nothing.
    if (common !== undefined && (common === last || common === after)) continue;
    if (count === maxKeys) {
      truncated = true;
      break;
    }
    count++;
    if (common !== undefined) {
      prefixes.push(`<CommonPrefixes>${el('Prefix', encode(common))}</CommonPrefixes>`);
      last = common;
      continue;
    }
    const record = disk.object(bucket.name, key);
    if (record === undefined) continue;
    last = key;
    const owner = fetchOwner ? `<Owner>${el('ID', record.owner)}</Owner>` : '';
    const checksum = record.checksum !== undefined ? el('ChecksumAlgorithm', record.checksum.algorithm.toUpperCase()) : '';
    contents.push(`<Contents>${el('Key', encode(key))}${el('LastModified', record.lastModified)}${el('ETag', record.etag)}${checksum}${el('Size', record.size)}${owner}${el('StorageClass', 'STANDARD')}</Contents>`);
  }
  const head = `${el('Name', bucket.name)}${el('Prefix', encode(prefix))}${delimiter !== '' ? el('Delimiter', encode(delimiter)) : ''}${el('MaxKeys', maxKeys)}${encoding !== null ? el('EncodingType', encoding) : ''}${el('IsTruncated', truncated)}`;
  const paging = v2
    ? `${el('KeyCount', count)}${token !== null ? el('ContinuationToken', token) : ''}${truncated ? el('NextContinuationToken', encodeToken(last)) : ''}${startAfter !== '' ? el('StartAfter', encode(startAfter)) : ''}`
    : `${el('Marker', encode(startAfter))}${truncated && delimiter !== '' ? el('NextMarker', encode(last)) : ''}`;
  return `<ListBucketResult xmlns="${S3_XMLNS}">${head}${paging}${contents.join('')}${prefixes.join('')}</ListBucketResult>`;
}
