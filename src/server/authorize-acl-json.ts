import { S3_PERMISSIONS, type S3Acl, type S3Grant } from '../core/authorize-api/s3-acl.js';
import { checkObjectOwnership, type S3ObjectOwnership } from '../core/authorize-api/s3-ownership.js';
import { validationError } from '../core/errors.js';

type Json = Record<string, unknown>;

/** An own member only: a client's `__proto__` or `constructor` key is data, never the prototype's. */
function own(object: Json, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

function optionalString(object: Json, name: string, where: string): string | undefined {
  const value = own(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${where} must be a string`);
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An ACL in S3's JSON shape (as the SDKs show GetObjectAcl's answer): `{Owner: {ID, DisplayName?}, Grants: [{Grantee:
 * {Type, ID | URI | EmailAddress}, Permission}]}`. The decision checks the values; this reads the members.
 */
export function aclOf(value: unknown, where: string): S3Acl | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw validationError(`${where} must be an ACL object {Owner, Grants}`);
  const owner = own(value, 'Owner');
  if (!isObject(owner)) throw validationError(`${where}.Owner is required`);
  const id = optionalString(owner, 'ID', `${where}.Owner.ID`);
  if (id === undefined) throw validationError(`${where}.Owner.ID is required`);
  const displayName = optionalString(owner, 'DisplayName', `${where}.Owner.DisplayName`);
  const grants = own(value, 'Grants') ?? [];
  if (!Array.isArray(grants)) throw validationError(`${where}.Grants must be a list`);
  return {
    owner: { id, ...(displayName !== undefined ? { displayName } : {}) },
    grants: grants.map((grant: unknown, i): S3Grant => {
      const at = `${where}.Grants[${i}]`;
      if (!isObject(grant) || !isObject(own(grant, 'Grantee'))) throw validationError(`${at}.Grantee is required`);
      const grantee = own(grant, 'Grantee') as Json;
      const type = optionalString(grantee, 'Type', `${at}.Grantee.Type`);
      const member = type === 'CanonicalUser' ? 'ID' : type === 'Group' ? 'URI' : type === 'AmazonCustomerByEmail' ? 'EmailAddress' : undefined;
      if (member === undefined) throw validationError(`${at}.Grantee.Type must be CanonicalUser, Group or AmazonCustomerByEmail`);
      const named = optionalString(grantee, member, `${at}.Grantee.${member}`);
      if (named === undefined) throw validationError(`${at}.Grantee.${member} is required`);
      const permission = optionalString(grant, 'Permission', `${at}.Permission`);
      if (permission === undefined || !(S3_PERMISSIONS as readonly string[]).includes(permission)) throw validationError(`${at}.Permission must be one of ${S3_PERMISSIONS.join(', ')}`);
      return {
        grantee: type === 'CanonicalUser' ? { type, id: named } : type === 'Group' ? { type, uri: named } : { type: 'AmazonCustomerByEmail', emailAddress: named },
        permission: permission as S3Grant['permission'],
      };
    }),
  };
}

export function ownershipOf(object: Json, where: string): S3ObjectOwnership | undefined {
  const value = own(object, 'ObjectOwnership');
  return value === undefined || value === null ? undefined : checkObjectOwnership(value, where);
}
