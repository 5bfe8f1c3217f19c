import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketPolicyIsPublic } from './s3-policy-status.js';

const policy = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (extra: object): object => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...extra });

describe('bucketPolicyIsPublic', () => {
  const cases: Array<[string, string, boolean]> = [
    ['Principal "*"', policy(allow({ Principal: '*' })), true],
    ['Principal {"AWS": "*"}', policy(allow({ Principal: { AWS: '*' } })), true],
    ['a wildcard in a principal ARN', policy(allow({ Principal: { AWS: 'arn:aws:iam::*:root' } })), true],
    ['NotPrincipal with Allow', policy(allow({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } })), true],
    ['one fixed account', policy(allow({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } })), false],
    ['a service principal and an account id', policy(allow({ Principal: { Service: 'logging.s3.amazonaws.com', AWS: ['444455556666'] } })), false],
    ['"*" denied only', policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }), false],
    ['"*" pinned to a fixed aws:SourceVpce', policy(allow({ Principal: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })), false],
    ['"*" pinned to a fixed aws:PrincipalOrgID', policy(allow({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } })), false],
    ['"*" with a wildcard aws:SourceArn', policy(allow({ Principal: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*' } } })), true],
    ['"*" with StringNotEquals on a fixed key', policy(allow({ Principal: '*', Condition: { StringNotEquals: { 'aws:SourceAccount': '111122223333' } } })), true],
    ['"*" with an IfExists operator', policy(allow({ Principal: '*', Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '111122223333' } } })), true],
    ['"*" limited to a /24', policy(allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } })), false],
    ['"*" limited to 0.0.0.0/0', policy(allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '0.0.0.0/0'] } } })), true],
    ['"*" on a key S3 does not count', policy(allow({ Principal: '*', Condition: { StringEquals: { 's3:prefix': 'home/' } } })), true],
    ['"*" with aws:userid of every session of a role', policy(allow({ Principal: '*', Condition: { StringLike: { 'aws:userid': 'AROAEXAMPLEID:*' } } })), true],
    ['one public statement among fixed ones', policy(allow({ Principal: { AWS: '111122223333' } }), allow({ Principal: '*' })), true],
  ];
  for (const [what, text, expected] of cases) it(`${what}: ${expected ? 'public' : 'not public'}`, () => assert.equal(bucketPolicyIsPublic(text), expected));
});
