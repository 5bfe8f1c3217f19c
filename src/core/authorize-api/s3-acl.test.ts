import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../errors.js';
import { aclFromGrantHeaders, cannedAcl, CANNED_ACLS, checkAclShape, S3_GROUPS, type S3Acl } from './s3-acl.js';
import { formatAccessControlPolicy, parseAccessControlPolicy, S3_NAMESPACE } from './s3-acl-xml.js';
import { aclIsPublic, checkAclAllowed, checkOwnershipChange, isBucketOwnerFullControl } from './s3-ownership.js';

const OWNER = 'a'.repeat(64);
const BUCKET_OWNER = 'b'.repeat(64);
const OTHER = 'c'.repeat(64);
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function throwsS3(fn: () => unknown, code: string, status: number, message?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

const user = (id: string, permission: S3Acl['grants'][number]['permission']) => ({ grantee: { type: 'CanonicalUser' as const, id }, permission });
const grp = (uri: string, permission: S3Acl['grants'][number]['permission']) => ({ grantee: { type: 'Group' as const, uri }, permission });

describe('cannedAcl', () => {
  const cases: Array<[string, S3Acl['grants']]> = [
    ['private', [user(OWNER, 'FULL_CONTROL')]],
    ['public-read', [user(OWNER, 'FULL_CONTROL'), grp(S3_GROUPS.allUsers, 'READ')]],
    ['public-read-write', [user(OWNER, 'FULL_CONTROL'), grp(S3_GROUPS.allUsers, 'READ'), grp(S3_GROUPS.allUsers, 'WRITE')]],
    ['authenticated-read', [user(OWNER, 'FULL_CONTROL'), grp(S3_GROUPS.authenticatedUsers, 'READ')]],
    ['aws-exec-read', [user(OWNER, 'FULL_CONTROL')]],
    ['bucket-owner-read', [user(OWNER, 'FULL_CONTROL'), user(BUCKET_OWNER, 'READ')]],
    ['bucket-owner-full-control', [user(OWNER, 'FULL_CONTROL'), user(BUCKET_OWNER, 'FULL_CONTROL')]],
    ['log-delivery-write', [user(OWNER, 'FULL_CONTROL'), grp(S3_GROUPS.logDelivery, 'WRITE'), grp(S3_GROUPS.logDelivery, 'READ_ACP')]],
  ];
  for (const [name, grants] of cases) {
    it(`expands ${name}`, () => assert.deepEqual(cannedAcl(name, OWNER, BUCKET_OWNER), { owner: { id: OWNER }, grants }));
  }
  it('covers every canned ACL S3 names', () => assert.deepEqual([...CANNED_ACLS].sort(), cases.map(([n]) => n).sort()));
  it('gives the bucket owner nothing more when it is the owner (or on a bucket)', () => {
    assert.deepEqual(cannedAcl('bucket-owner-full-control', OWNER, OWNER).grants, [user(OWNER, 'FULL_CONTROL')]);
    assert.deepEqual(cannedAcl('bucket-owner-read', OWNER).grants, [user(OWNER, 'FULL_CONTROL')]);
  });
  for (const name of ['Private', 'public', '', 'public-read ', 'bucket-owner-write']) {
    it(`refuses ${JSON.stringify(name)} with InvalidArgument, an empty message and the argument named`, () => {
      throwsS3(() => cannedAcl(name, OWNER), 'InvalidArgument', 400, '');
      assert.throws(() => cannedAcl(name, OWNER), (e: unknown) => e instanceof ServiceError && e.fields?.['ArgumentName'] === 'x-amz-acl' && e.fields['ArgumentValue'] === name);
    });
  }
});

describe('aclFromGrantHeaders', () => {
  it('is undefined without grant headers', () => assert.equal(aclFromGrantHeaders({ 'x-amz-acl': 'private', 'content-type': 'text/plain' }, OWNER), undefined));
  it('reads every header, several grantees each, names in any case', () => {
    const acl = aclFromGrantHeaders(
      {
        'X-Amz-Grant-Read': `id="${OTHER.toUpperCase()}", uri="${S3_GROUPS.allUsers}"`,
        'x-amz-grant-write': `uri="${S3_GROUPS.logDelivery}"`,
        'x-amz-grant-read-acp': `id="${OTHER}"`,
        'x-amz-grant-write-acp': `id="${OTHER}"`,
        'x-amz-grant-full-control': `id="${OWNER}"`,
        'x-amz-grant-unknown': 'ignored',
      },
      OWNER,
    );
    assert.deepEqual(acl, {
      owner: { id: OWNER },
      grants: [user(OWNER, 'FULL_CONTROL'), grp(S3_GROUPS.logDelivery, 'WRITE'), user(OTHER, 'WRITE_ACP'), user(OTHER, 'READ'), grp(S3_GROUPS.allUsers, 'READ'), user(OTHER, 'READ_ACP')],
    });
  });
  it('takes bare values and any case of the type, as the AWS CLI sends them (--grant-read uri=…,id=…)', () => {
    const acl = aclFromGrantHeaders({ 'x-amz-grant-read': `uri=${S3_GROUPS.allUsers},ID=${OTHER.toUpperCase()}`, 'x-amz-grant-full-control': `id=${OWNER}, id="${OTHER}"` }, OWNER);
    assert.deepEqual(acl?.grants, [user(OWNER, 'FULL_CONTROL'), user(OTHER, 'FULL_CONTROL'), grp(S3_GROUPS.allUsers, 'READ'), user(OTHER, 'READ')]);
  });
  const bad: Array<[string, Record<string, string>, string, number]> = [
    ['with x-amz-acl', { 'x-amz-acl': 'public-read', 'x-amz-grant-read': `id="${OTHER}"` }, 'InvalidRequest', 400],
    ['an unquoted id that is no canonical ID', { 'x-amz-grant-read': 'id=111122223333' }, 'InvalidArgument', 400],
    ['an unbalanced quote', { 'x-amz-grant-read': `id="${OTHER}` }, 'InvalidArgument', 400],
    ['a value with a space', { 'x-amz-grant-read': 'uri=http://acs.amazonaws.com/groups/global/All Users' }, 'InvalidArgument', 400],
    ['an unquoted email grantee, as the CLI spells it', { 'x-amz-grant-read': 'emailaddress=someone@example.com' }, 'MethodNotAllowed', 405],
    ['an unknown type', { 'x-amz-grant-read': `arn="arn:aws:iam::111122223333:root"` }, 'InvalidArgument', 400],
    ['an empty item', { 'x-amz-grant-read': `id="${OTHER}",` }, 'InvalidArgument', 400],
    ['an id that is no canonical ID', { 'x-amz-grant-read': 'id="111122223333"' }, 'InvalidArgument', 400],
    ['an unknown group', { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/Everyone"' }, 'InvalidArgument', 400],
    ['an email grantee', { 'x-amz-grant-read': 'emailAddress="someone@example.com"' }, 'MethodNotAllowed', 405],
  ];
  for (const [what, headers, code, status] of bad) it(`refuses ${what}`, () => throwsS3(() => aclFromGrantHeaders(headers, OWNER), code, status));
});

const policyXml = (grants: string, owner = `<Owner><ID>${OWNER}</ID><DisplayName>owner</DisplayName></Owner>`, ns = ` xmlns="${S3_NAMESPACE}"`) =>
  `<?xml version="1.0" encoding="UTF-8"?><AccessControlPolicy${ns}>${owner}<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
const grantXml = (grantee: string, permission: string, type = 'CanonicalUser') => `<Grant><Grantee ${XSI} xsi:type="${type}">${grantee}</Grantee><Permission>${permission}</Permission></Grant>`;

describe('parseAccessControlPolicy and formatAccessControlPolicy', () => {
  const acls: Array<[string, S3Acl]> = [
    ['an owner-only ACL', cannedAcl('private', OWNER)],
    ['no grants at all', { owner: { id: OWNER }, grants: [] }],
    ['groups and accounts with a display name', { owner: { id: OWNER, displayName: 'a & <b>' }, grants: [user(OWNER, 'FULL_CONTROL'), grp(S3_GROUPS.allUsers, 'READ'), grp(S3_GROUPS.authenticatedUsers, 'READ_ACP'), user(OTHER, 'WRITE_ACP'), grp(S3_GROUPS.logDelivery, 'WRITE')] }],
  ];
  for (const [what, acl] of acls) {
    it(`round-trips ${what}`, () => {
      const xml = formatAccessControlPolicy(acl);
      assert.match(xml, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<AccessControlPolicy xmlns="${S3_NAMESPACE}">`));
      assert.deepEqual(parseAccessControlPolicy(xml), acl);
    });
  }

  it('reads what the SDKs send: the namespace, xsi:type under another prefix, whitespace, DisplayName in grantees', () => {
    const xml = `<AccessControlPolicy xmlns="${S3_NAMESPACE}">
      <Owner> <ID>${OWNER}</ID> </Owner>
      <AccessControlList>
        <Grant><Grantee xmlns:x="http://www.w3.org/2001/XMLSchema-instance" x:type="CanonicalUser"><ID>${OTHER}</ID><DisplayName>o</DisplayName></Grantee><Permission>READ</Permission></Grant>
        <!-- a comment -->
        ${grantXml(`<URI>${S3_GROUPS.allUsers}</URI>`, 'READ', 'Group')}
      </AccessControlList>
    </AccessControlPolicy>`;
    assert.deepEqual(parseAccessControlPolicy(xml), { owner: { id: OWNER }, grants: [user(OTHER, 'READ'), grp(S3_GROUPS.allUsers, 'READ')] });
  });

  it('reads a document without a namespace', () => {
    assert.deepEqual(parseAccessControlPolicy(policyXml(grantXml(`<ID>${OTHER}</ID>`, 'READ'), `<Owner><ID>${OWNER}</ID></Owner>`, '')).grants, [user(OTHER, 'READ')]);
  });

  const malformed: Array<[string, string]> = [
    ['not XML', 'not xml'],
    ['an empty body', ''],
    ['unclosed elements', `<AccessControlPolicy xmlns="${S3_NAMESPACE}"><Owner><ID>${OWNER}</ID></Owner>`],
    ['another root', `<AccessControlList xmlns="${S3_NAMESPACE}"></AccessControlList>`],
    ['another namespace', policyXml('', undefined, ' xmlns="http://example.com/"')],
    ['no Owner', `<AccessControlPolicy xmlns="${S3_NAMESPACE}"><AccessControlList></AccessControlList></AccessControlPolicy>`],
    ['an empty owner ID', policyXml('', '<Owner><ID></ID></Owner>')],
    ['two owners', policyXml('', `<Owner><ID>${OWNER}</ID></Owner><Owner><ID>${OWNER}</ID></Owner>`)],
    ['an unknown element', policyXml(`<Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${OTHER}</ID></Grantee><Permission>READ</Permission><Extra/></Grant>`)],
    ['an unknown permission', policyXml(grantXml(`<ID>${OTHER}</ID>`, 'DELETE'))],
    ['a lower-case permission', policyXml(grantXml(`<ID>${OTHER}</ID>`, 'read'))],
    ['no permission', policyXml(`<Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID>${OTHER}</ID></Grantee></Grant>`)],
    ['no xsi:type', policyXml(`<Grant><Grantee><ID>${OTHER}</ID></Grantee><Permission>READ</Permission></Grant>`)],
    ['an unknown xsi:type', policyXml(grantXml(`<ID>${OTHER}</ID>`, 'READ', 'Account'))],
    ['a CanonicalUser without ID', policyXml(grantXml(`<URI>${S3_GROUPS.allUsers}</URI>`, 'READ'))],
    ['a Group without URI', policyXml(grantXml(`<ID>${OTHER}</ID>`, 'READ', 'Group'))],
    ['text between elements', policyXml(`x${grantXml(`<ID>${OTHER}</ID>`, 'READ')}`)],
    ['a DTD', `<!DOCTYPE x [<!ENTITY e "${OWNER}">]>${policyXml('', '<Owner><ID>&e;</ID></Owner>')}`],
    ['more than 100 grants', policyXml(grantXml(`<ID>${OTHER}</ID>`, 'READ').repeat(101))],
  ];
  for (const [what, xml] of malformed) {
    it(`answers MalformedACLError for ${what}`, () => throwsS3(() => parseAccessControlPolicy(xml), 'MalformedACLError', 400, 'The XML you provided was not well-formed or did not validate against our published schema'));
  }
  it('answers InvalidArgument for an unknown group or a bad canonical ID, 405 for an email grantee', () => {
    throwsS3(() => parseAccessControlPolicy(policyXml(grantXml('<URI>http://acs.amazonaws.com/groups/global/Anyone</URI>', 'READ', 'Group'))), 'InvalidArgument', 400, 'Invalid group uri');
    throwsS3(() => parseAccessControlPolicy(policyXml(grantXml('<ID>111122223333</ID>', 'READ'))), 'InvalidArgument', 400, 'Invalid id');
    throwsS3(() => parseAccessControlPolicy(policyXml(grantXml('<EmailAddress>a@example.com</EmailAddress>', 'READ', 'AmazonCustomerByEmail'))), 'MethodNotAllowed', 405);
  });
});

describe('Object Ownership', () => {
  const allowed: Array<[string, S3Acl | string | undefined, string | undefined]> = [
    ['no ACL', undefined, undefined],
    ['bucket-owner-full-control', 'bucket-owner-full-control', undefined],
    ['private', 'private', undefined],
    ['the XML form of owner-only FULL_CONTROL', cannedAcl('private', BUCKET_OWNER), BUCKET_OWNER],
    ["a writer's bucket-owner-full-control, expanded", cannedAcl('bucket-owner-full-control', OTHER, BUCKET_OWNER), BUCKET_OWNER],
  ];
  const refused: Array<[string, S3Acl | string, string | undefined]> = [
    ['public-read', 'public-read', undefined],
    ['authenticated-read', 'authenticated-read', undefined],
    ['bucket-owner-read', 'bucket-owner-read', undefined],
    ['a grant to another account', { owner: { id: BUCKET_OWNER }, grants: [user(BUCKET_OWNER, 'FULL_CONTROL'), user(OTHER, 'READ')] }, BUCKET_OWNER],
    ['READ alone to the owner', { owner: { id: BUCKET_OWNER }, grants: [user(BUCKET_OWNER, 'READ')] }, BUCKET_OWNER],
    ["a writer's private ACL, without the bucket owner", cannedAcl('private', OTHER), BUCKET_OWNER],
    ['an empty ACL', { owner: { id: BUCKET_OWNER }, grants: [] }, BUCKET_OWNER],
  ];
  for (const [what, acl, bucketOwner] of allowed) {
    it(`BucketOwnerEnforced accepts ${what}`, () => checkAclAllowed('BucketOwnerEnforced', acl, bucketOwner));
  }
  for (const [what, acl, bucketOwner] of refused) {
    it(`BucketOwnerEnforced (and the default) refuse ${what}`, () => {
      throwsS3(() => checkAclAllowed('BucketOwnerEnforced', acl, bucketOwner), 'AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
      throwsS3(() => checkAclAllowed(undefined, acl, bucketOwner), 'AccessControlListNotSupported', 400);
      checkAclAllowed('ObjectWriter', acl, bucketOwner);
      checkAclAllowed('BucketOwnerPreferred', acl, bucketOwner);
    });
  }
  it('isBucketOwnerFullControl without the bucket owner takes the ACL owner', () => {
    assert.equal(isBucketOwnerFullControl(cannedAcl('private', OWNER)), true);
    assert.equal(isBucketOwnerFullControl(cannedAcl('public-read', OWNER)), false);
  });
  it('refuses BucketOwnerEnforced on a bucket whose ACL grants others', () => {
    throwsS3(() => checkOwnershipChange('BucketOwnerEnforced', cannedAcl('public-read', BUCKET_OWNER)), 'InvalidBucketAclWithObjectOwnership', 400);
    checkOwnershipChange('BucketOwnerEnforced', cannedAcl('private', BUCKET_OWNER));
    checkOwnershipChange('ObjectWriter', cannedAcl('public-read', BUCKET_OWNER));
  });
  it('aclIsPublic sees AllUsers and AuthenticatedUsers', () => {
    assert.equal(aclIsPublic(cannedAcl('public-read', OWNER)), true);
    assert.equal(aclIsPublic(cannedAcl('authenticated-read', OWNER)), true);
    assert.equal(aclIsPublic(cannedAcl('log-delivery-write', OWNER)), false);
  });
});

describe('checkAclShape', () => {
  it('copies a well-formed ACL', () => assert.deepEqual(checkAclShape(cannedAcl('public-read', OWNER), 'Acl'), cannedAcl('public-read', OWNER)));
  const bad: Array<[string, unknown]> = [
    ['a string', 'public-read'],
    ['no owner', { grants: [] }],
    ['no grants', { owner: { id: OWNER } }],
    ['a bad permission', { owner: { id: OWNER }, grants: [{ grantee: { type: 'Group', uri: S3_GROUPS.allUsers }, permission: 'ALL' }] }],
    ['a grantee without its member', { owner: { id: OWNER }, grants: [{ grantee: { type: 'CanonicalUser', uri: S3_GROUPS.allUsers }, permission: 'READ' }] }],
    ['101 grants', { owner: { id: OWNER }, grants: Array.from({ length: 101 }, () => user(OTHER, 'READ')) }],
  ];
  for (const [what, value] of bad) it(`refuses ${what}`, () => throwsS3(() => checkAclShape(value, 'Acl'), 'ValidationError', 400));
});
