// Action and Resource matching: actions fold case and take * and ?; resource ARNs are case sensitive and matched
// with the User Guide's segment rules. Driven through compilePolicies; a few direct matcher checks at the end.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicies } from './engine.js';
import { compileArnGlob, compileTextGlob } from './wildcard.js';

const USER = 'arn:aws:iam::111122223333:user/Alice';

interface MatchCase {
  readonly name: string;
  /** The statement's Action (or NotAction when notAction is set) and Resource (or NotResource). */
  readonly pattern: string | readonly string[];
  readonly value: string;
  readonly expected: boolean;
  readonly todo?: string;
}

function allowedBy(statement: Record<string, unknown>, action: string, resource: string): boolean {
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...statement }] };
  return compilePolicies({ identityPolicies: [policy] }).evaluate({ principal: USER, action, resource }).decision === 'Allowed';
}

function table(title: string, cases: readonly MatchCase[], check: (c: MatchCase) => boolean): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, c.todo !== undefined ? { todo: c.todo } : {}, () => assert.equal(check(c), c.expected));
    }
  });
}

// IAM JSON policy elements: Action — the service prefix and the action name are case insensitive; wildcards * and ?
// may appear in the action name (iam:*AccessKey*, ec2:Describe*, "*" for all actions of all services).
table(
  'Action matching',
  [
    { name: 'exact action', pattern: 's3:GetObject', value: 's3:GetObject', expected: true },
    { name: 'request action in another case', pattern: 's3:GetObject', value: 'S3:getobject', expected: true },
    { name: 'policy action in another case', pattern: 'IAM:listaccesskeys', value: 'iam:ListAccessKeys', expected: true },
    { name: 'other action of the same service', pattern: 's3:GetObject', value: 's3:PutObject', expected: false },
    { name: 'service wildcard', pattern: 's3:*', value: 's3:DeleteBucket', expected: true },
    { name: 'service wildcard does not cover a service whose prefix extends it', pattern: 's3:*', value: 's3control:GetJob', expected: false },
    { name: 'prefix wildcard ec2:Describe*', pattern: 'ec2:Describe*', value: 'ec2:DescribeInstances', expected: true },
    { name: 'prefix wildcard in another case', pattern: 'ec2:describe*', value: 'ec2:DescribeInstances', expected: true },
    { name: 'prefix wildcard does not match other verbs', pattern: 'ec2:Describe*', value: 'ec2:RunInstances', expected: false },
    { name: 'infix wildcard iam:*AccessKey* (CreateAccessKey)', pattern: 'iam:*AccessKey*', value: 'iam:CreateAccessKey', expected: true },
    { name: 'infix wildcard iam:*AccessKey* (ListAccessKeys)', pattern: 'iam:*AccessKey*', value: 'iam:ListAccessKeys', expected: true },
    { name: 'infix wildcard iam:*AccessKey* (GetUser)', pattern: 'iam:*AccessKey*', value: 'iam:GetUser', expected: false },
    { name: '? matches one character', pattern: 's3:Get?bject', value: 's3:GetObject', expected: true },
    { name: '? does not match zero characters', pattern: 's3:GetO?bject', value: 's3:GetObject', expected: false },
    { name: '"*" matches every action', pattern: '*', value: 'dynamodb:PutItem', expected: true },
    { name: 'list of actions is ORed', pattern: ['s3:GetObject', 'sqs:SendMessage'], value: 'sqs:SendMessage', expected: true },
  ],
  (c) => allowedBy({ Action: c.pattern, Resource: '*' }, c.value, '*'),
);

// IAM JSON policy elements: NotAction — an Allow with NotAction covers every action except those listed.
table(
  'NotAction matching',
  [
    { name: 'Allow NotAction iam:* covers s3:GetObject', pattern: 'iam:*', value: 's3:GetObject', expected: true },
    { name: 'Allow NotAction iam:* excludes iam:CreateUser', pattern: 'iam:*', value: 'iam:CreateUser', expected: false },
    { name: 'Allow NotAction iam:* excludes iam actions in any case', pattern: 'iam:*', value: 'IAM:CreateUser', expected: false },
  ],
  (c) => allowedBy({ NotAction: c.pattern, Resource: '*' }, c.value, '*'),
);

// IAM JSON policy elements: Resource — wildcards * and ? within the segments of an ARN, several per segment; a *
// that is the last character of a segment can expand beyond the colon boundaries; * expands over characters such
// as / inside a segment (the amzn-s3-demo-bucket/*/test/* example and its non-matching objects); the IAM user name
// in Resource is case sensitive; a list of resources is ORed; "*" is every resource.
const TEST_PATTERN = 'arn:aws:s3:::amzn-s3-demo-bucket/*/test/*';
const bucket = (key: string): string => `arn:aws:s3:::amzn-s3-demo-bucket/${key}`;
table(
  'Resource matching',
  [
    { name: 'specific SQS queue', pattern: 'arn:aws:sqs:us-east-2:111122223333:queue1', value: 'arn:aws:sqs:us-east-2:111122223333:queue1', expected: true },
    { name: 'specific SQS queue, other region', pattern: 'arn:aws:sqs:us-east-2:111122223333:queue1', value: 'arn:aws:sqs:us-west-2:111122223333:queue1', expected: false },
    { name: 'IAM user name is case sensitive', pattern: 'arn:aws:iam::111122223333:user/Bob', value: 'arn:aws:iam::111122223333:user/bob', expected: false },
    { name: 'IAM user exact', pattern: 'arn:aws:iam::111122223333:user/Bob', value: 'arn:aws:iam::111122223333:user/Bob', expected: true },
    { name: 'users under path /accounting', pattern: 'arn:aws:iam::111122223333:user/accounting/*', value: 'arn:aws:iam::111122223333:user/accounting/Carol', expected: true },
    { name: 'users under another path', pattern: 'arn:aws:iam::111122223333:user/accounting/*', value: 'arn:aws:iam::111122223333:user/engineering/Carol', expected: false },
    { name: 'all objects in a bucket', pattern: 'arn:aws:s3:::my_corporate_bucket/*', value: 'arn:aws:s3:::my_corporate_bucket/a/b.txt', expected: true },
    { name: 'bucket/* does not cover the bucket itself', pattern: 'arn:aws:s3:::my_corporate_bucket/*', value: 'arn:aws:s3:::my_corporate_bucket', expected: false },
    { name: 'bucket name is case sensitive', pattern: 'arn:aws:s3:::MyBucket/*', value: 'arn:aws:s3:::mybucket/x', expected: false },
    { name: 'two DynamoDB tables, second one', pattern: ['arn:aws:dynamodb:us-east-2:111122223333:table/books_table', 'arn:aws:dynamodb:us-east-2:111122223333:table/magazines_table'], value: 'arn:aws:dynamodb:us-east-2:111122223333:table/magazines_table', expected: true },
    { name: 'two DynamoDB tables, a third one', pattern: ['arn:aws:dynamodb:us-east-2:111122223333:table/books_table', 'arn:aws:dynamodb:us-east-2:111122223333:table/magazines_table'], value: 'arn:aws:dynamodb:us-east-2:111122223333:table/papers_table', expected: false },
    { name: 'wildcard region and account segments', pattern: 'arn:aws:ec2:*:*:instance/i-1234567890abcdef0', value: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-1234567890abcdef0', expected: true },
    { name: 'wildcard region and account segments, other instance', pattern: 'arn:aws:ec2:*:*:instance/i-1234567890abcdef0', value: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0000000000000000', expected: false },
    { name: '? in the region segment', pattern: 'arn:aws:sqs:us-east-?:111122223333:queue1', value: 'arn:aws:sqs:us-east-1:111122223333:queue1', expected: true },
    { name: '? and * in the resource segment (example?bucket/*)', pattern: 'arn:aws:s3:::example?bucket/*', value: 'arn:aws:s3:::example2bucket/k', expected: true },
    { name: '? needs exactly one character', pattern: 'arn:aws:s3:::example?bucket/*', value: 'arn:aws:s3:::example10bucket/k', expected: false },
    { name: 'several * in one segment (*log*)', pattern: 'arn:aws:s3:::*log*', value: 'arn:aws:s3:::carlossalazar-logs', expected: true },
    { name: 'segment-final * may expand beyond the colon', pattern: 'arn:aws:sqs:*:111122223333:queue1', value: 'arn:aws:sqs:us-east-2:111122223333:queue1', expected: true },
    { name: 'a * that is not segment-final stays inside its segment', pattern: 'arn:aws:sqs:us-*-2:111122223333:queue1', value: 'arn:aws:sqs:us-east:111122223333:x-2:111122223333:queue1', expected: false },
    { name: 'a * that is not segment-final matches within its segment', pattern: 'arn:aws:sqs:us-*-2:111122223333:queue1', value: 'arn:aws:sqs:us-east-2:111122223333:queue1', expected: true },
    { name: '"*" is every resource', pattern: '*', value: 'arn:aws:kinesis:us-east-1:111122223333:stream/s', expected: true },
    { name: '*/test/* covers 1/test/object.jpg', pattern: TEST_PATTERN, value: bucket('1/test/object.jpg'), expected: true },
    { name: '*/test/* covers 1/2/test/object.jpg', pattern: TEST_PATTERN, value: bucket('1/2/test/object.jpg'), expected: true },
    { name: '*/test/* covers 1/2/test/3/object.jpg', pattern: TEST_PATTERN, value: bucket('1/2/test/3/object.jpg'), expected: true },
    { name: '*/test/* covers 1/2/3/test/4/object.jpg', pattern: TEST_PATTERN, value: bucket('1/2/3/test/4/object.jpg'), expected: true },
    { name: '*/test/* covers 1///test///object.jpg', pattern: TEST_PATTERN, value: bucket('1///test///object.jpg'), expected: true },
    { name: '*/test/* covers 1/test/.jpg', pattern: TEST_PATTERN, value: bucket('1/test/.jpg'), expected: true },
    { name: '*/test/* covers //test/object.jpg', pattern: TEST_PATTERN, value: bucket('/test/object.jpg'), expected: true },
    { name: '*/test/* covers 1/test/', pattern: TEST_PATTERN, value: bucket('1/test/'), expected: true },
    { name: '*/test/* does not cover 1-test/object.jpg', pattern: TEST_PATTERN, value: bucket('1-test/object.jpg'), expected: false },
    { name: '*/test/* does not cover test/object.jpg', pattern: TEST_PATTERN, value: bucket('test/object.jpg'), expected: false },
    { name: '*/test/* does not cover 1/2/test.jpg', pattern: TEST_PATTERN, value: bucket('1/2/test.jpg'), expected: false },
  ],
  (c) => allowedBy({ Action: 's3:GetObject', Resource: c.pattern }, 's3:GetObject', c.value),
);

// IAM identifiers (ARN format arn:partition:service:region:account:resource) with IAM JSON policy elements:
// Resource — the partition is a segment like any other: a literal partition matches only itself, a wildcard in it
// matches any partition.
table(
  'Partitions',
  [
    { name: 'aws pattern does not match aws-cn', pattern: 'arn:aws:s3:::bucket/*', value: 'arn:aws-cn:s3:::bucket/x', expected: false },
    { name: 'aws pattern does not match aws-us-gov', pattern: 'arn:aws:s3:::bucket/*', value: 'arn:aws-us-gov:s3:::bucket/x', expected: false },
    { name: 'aws-cn pattern matches aws-cn', pattern: 'arn:aws-cn:s3:::bucket/*', value: 'arn:aws-cn:s3:::bucket/x', expected: true },
    { name: 'wildcard partition matches aws-us-gov', pattern: 'arn:*:s3:::bucket/*', value: 'arn:aws-us-gov:s3:::bucket/x', expected: true },
    { name: 'partial partition wildcard aws-*', pattern: 'arn:aws-*:s3:::bucket/*', value: 'arn:aws-cn:s3:::bucket/x', expected: true },
    { name: 'partial partition wildcard aws-* does not match plain aws', pattern: 'arn:aws-*:s3:::bucket/*', value: 'arn:aws:s3:::bucket/x', expected: false },
  ],
  (c) => allowedBy({ Action: 's3:GetObject', Resource: c.pattern }, 's3:GetObject', c.value),
);

// IAM JSON policy elements: NotResource — the statement covers every resource except those listed.
table(
  'NotResource matching',
  [
    { name: 'Allow NotResource covers other buckets', pattern: 'arn:aws:s3:::secret/*', value: 'arn:aws:s3:::public/x', expected: true },
    { name: 'Allow NotResource excludes listed objects', pattern: 'arn:aws:s3:::secret/*', value: 'arn:aws:s3:::secret/x', expected: false },
    { name: 'NotResource comparison is case sensitive', pattern: 'arn:aws:s3:::secret/*', value: 'arn:aws:s3:::SECRET/x', expected: true },
  ],
  (c) => allowedBy({ Action: 's3:GetObject', NotResource: c.pattern }, 's3:GetObject', c.value),
);

// A policy variable's value is literal text, and the `*` before it is not the last character of its segment, so it
// may not run past a colon (IAM JSON policy elements: Resource, the segment rules).
table(
  'Resource patterns with variables',
  [
    { name: '* before ${aws:username} matches inside the region segment', pattern: 'arn:aws:sqs:us-*${aws:username}:111122223333:q', value: 'arn:aws:sqs:us-east-Alice:111122223333:q', expected: true },
    { name: '* before ${aws:username} does not cross a colon', pattern: 'arn:aws:sqs:us-*${aws:username}:111122223333:q', value: 'arn:aws:sqs:us-east-1:111122223333:Alice:111122223333:q', expected: false },
  ],
  (c) => allowedBy({ Action: 'sqs:SendMessage', Resource: c.pattern }, 'sqs:SendMessage', c.value),
);

// Policy evaluation logic — "The difference between explicit and implicit denies": AllowGetList (iam:Get*,
// iam:List*) with DenyReports (iam:*Report): reports are explicitly denied, other Get/List allowed, the rest
// implicitly denied.
describe('Explicit and implicit denies example (iam:Get*, iam:List*, deny iam:*Report)', () => {
  const set = compilePolicies({
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
          { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
        ],
      },
    ],
  });
  const cases = [
    { name: 'iam:GetUser is allowed', action: 'iam:GetUser', expected: 'Allowed' },
    { name: 'iam:ListRoles is allowed', action: 'iam:ListRoles', expected: 'Allowed' },
    { name: 'iam:CreatePolicy is implicitly denied', action: 'iam:CreatePolicy', expected: 'ImplicitlyDenied' },
    { name: 'iam:GetOrganizationsAccessReport is explicitly denied', action: 'iam:GetOrganizationsAccessReport', expected: 'ExplicitlyDenied' },
    { name: 'iam:GenerateCredentialReport is explicitly denied', action: 'iam:GenerateCredentialReport', expected: 'ExplicitlyDenied' },
  ] as const;
  for (const c of cases) {
    test(c.name, () => assert.equal(set.evaluate({ principal: USER, action: c.action, resource: '*' }).decision, c.expected));
  }
});

// The compiled matchers directly (same rules as above, without the engine around them).
describe('compiled matchers', () => {
  const cases = [
    { name: 'text glob, case sensitive by default', match: compileTextGlob('s3:Get*'), value: 's3:getobject', expected: false },
    { name: 'text glob, ignoreCase', match: compileTextGlob('s3:Get*', { ignoreCase: true }), value: 's3:getobject', expected: true },
    { name: 'text glob, regex characters are literal', match: compileTextGlob('a.b+c'), value: 'axb+c', expected: false },
    { name: 'text glob, regex characters match themselves', match: compileTextGlob('a.b+c(d)'), value: 'a.b+c(d)', expected: true },
    { name: 'ARN glob, literal parts never act as wildcards', match: compileArnGlob([{ value: 'arn:aws:s3:::b/', wild: true }, { value: '*', wild: false }]), value: 'arn:aws:s3:::b/x', expected: false },
    { name: 'ARN glob, literal * matches a literal *', match: compileArnGlob([{ value: 'arn:aws:s3:::b/', wild: true }, { value: '*', wild: false }]), value: 'arn:aws:s3:::b/*', expected: true },
    // A `*` at the end of the author's text but followed by a variable's value is not the segment's last character.
    { name: 'ARN glob, * before a substituted value stays in its segment', match: compileArnGlob([{ value: 'arn:aws:sqs:us-*', wild: true }, { value: 'east-2', wild: false }, { value: ':111122223333:q', wild: true }]), value: 'arn:aws:sqs:us-x:y:east-2:111122223333:q', expected: false },
    { name: 'ARN glob, * before a substituted value matches within its segment', match: compileArnGlob([{ value: 'arn:aws:sqs:us-*', wild: true }, { value: 'east-2', wild: false }, { value: ':111122223333:q', wild: true }]), value: 'arn:aws:sqs:us-west-east-2:111122223333:q', expected: true },
    { name: 'ARN glob, * before a substituted colon is segment-final', match: compileArnGlob([{ value: 'arn:aws:sqs:*', wild: true }, { value: ':', wild: false }, { value: '111122223333:q', wild: true }]), value: 'arn:aws:sqs:us-east-2:111122223333:q', expected: true },
    { name: 'ARN glob, ? never matches a colon before the resource part', match: compileArnGlob([{ value: 'arn:aws:sqs:us-east-1?111122223333:q', wild: true }]), value: 'arn:aws:sqs:us-east-1:111122223333:q', expected: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(c.match(c.value), c.expected));
});
