import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../errors.js';
import { validateBucketPolicy } from './s3-bucket-policy.js';

const statement = (extra: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...extra }] });

const CASES: Array<[string, string, string | undefined]> = [
  ['a valid public-read policy', statement({}), undefined],
  ['text that is not an object', '["x"]', "Policies must be valid JSON and the first byte must be '{'"],
  ['broken JSON', '{"Statement": [', 'This policy contains invalid Json'],
  ['no Principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] }), 'Missing required field Principal'],
  ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
  ['an unknown field', statement({ Foo: 1 }), 'Unknown field Foo'],
  ['an invalid effect', statement({ Effect: 'Maybe' }), 'Invalid effect: Maybe'],
  ['a principal IAM refuses', statement({ Principal: { AWS: 'not-an-arn' } }), 'Invalid principal in policy'],
  ['another bucket', statement({ Resource: 'arn:aws:s3:::other/*' }), 'Policy has invalid resource'],
  ['an action of another service', statement({ Action: 'iam:GetUser' }), 'Policy has invalid action'],
  ['an object action on the bucket', statement({ Resource: 'arn:aws:s3:::b' }), 'Action does not apply to any resource(s) in statement'],
  ['a bucket action on the bucket', statement({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' }), undefined],
  ['a wildcard action on both', statement({ Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }), undefined],
];

describe('validateBucketPolicy', () => {
  for (const [name, text, message] of CASES) {
    it(name, () => {
      if (message === undefined) {
        validateBucketPolicy(text, 'b');
        return;
      }
      assert.throws(
        () => validateBucketPolicy(text, 'b'),
        (error: unknown) => error instanceof ServiceError && error.code === 'MalformedPolicy' && error.status === 400 && error.message === message,
      );
    });
  }
});
