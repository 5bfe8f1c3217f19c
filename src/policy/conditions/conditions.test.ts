// Condition operators, exercised through the public API: a one-statement Allow identity policy whose Condition is the
// case under test, and a request whose context supplies (or omits) the key. Allowed means the condition held;
// ImplicitlyDenied means it did not. Every table cites the IAM User Guide page its cases come from.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicies } from '../engine.js';
import type { ContextInputValue } from '../types.js';

const USER = 'arn:aws:iam::111122223333:user/David';
const ACTION = 's3:ListBucket';
const RESOURCE = 'arn:aws:s3:::example_bucket';

interface ConditionCase {
  readonly name: string;
  readonly condition: Record<string, Record<string, unknown>>;
  readonly context?: Readonly<Record<string, ContextInputValue>>;
  readonly principal?: string;
  readonly time?: string;
  /** true: the condition holds (the Allow applies); false: it does not. */
  readonly expected: boolean;
  readonly todo?: string;
}

function holds(c: ConditionCase): boolean {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ACTION, Resource: '*', Condition: c.condition }],
  };
  const result = compilePolicies({ identityPolicies: [policy] }).evaluate({
    principal: c.principal ?? USER,
    action: ACTION,
    resource: RESOURCE,
    ...(c.context !== undefined ? { context: c.context } : {}),
    ...(c.time !== undefined ? { time: c.time } : {}),
  });
  assert.notEqual(result.decision, 'ExplicitlyDenied');
  return result.decision === 'Allowed';
}

function run(title: string, cases: readonly ConditionCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.name, c.todo !== undefined ? { todo: c.todo } : {}, () => {
        assert.equal(holds(c), c.expected);
      });
    }
  });
}

// IAM JSON policy elements: Condition operators — "String condition operators" (StringEquals is case sensitive,
// IgnoreCase ignores case, StringLike takes * and ? anywhere and needs wildcards for partial matches) and the
// Important note: a missing key does not match, but a negated operator (StringNotEquals…) on a missing key is true.
run('String condition operators', [
  { name: 'StringEquals: exact value matches', condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }, context: { 'aws:PrincipalTag/job-category': 'iamuser-admin' }, expected: true },
  { name: 'StringEquals: is case sensitive', condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }, context: { 'aws:PrincipalTag/job-category': 'IAMUser-Admin' }, expected: false },
  { name: 'StringEquals: different value does not match', condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }, context: { 'aws:PrincipalTag/job-category': 'developer' }, expected: false },
  { name: 'StringEquals: user without the tag (missing key) does not match', condition: { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }, expected: false },
  { name: 'StringEquals: no wildcard meaning for *', condition: { StringEquals: { 'aws:PrincipalTag/team': 'a*' } }, context: { 'aws:PrincipalTag/team': 'abc' }, expected: false },
  { name: 'StringNotEquals: different value is true', condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'red' } }, context: { 'aws:PrincipalTag/team': 'blue' }, expected: true },
  { name: 'StringNotEquals: equal value is false', condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'red' } }, context: { 'aws:PrincipalTag/team': 'red' }, expected: false },
  { name: 'StringNotEquals: missing key is true (negated operator)', condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'red' } }, expected: true },
  { name: 'StringNotEquals: several policy values, request equals one of them is false', condition: { StringNotEquals: { 'aws:PrincipalTag/team': ['red', 'green'] } }, context: { 'aws:PrincipalTag/team': 'green' }, expected: false },
  { name: 'StringNotEquals: several policy values, request equals none is true', condition: { StringNotEquals: { 'aws:PrincipalTag/team': ['red', 'green'] } }, context: { 'aws:PrincipalTag/team': 'blue' }, expected: true },
  { name: 'StringEqualsIgnoreCase: matches ignoring case', condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/department': 'Human Resources' } }, context: { 'aws:PrincipalTag/department': 'HUMAN resources' }, expected: true },
  { name: 'StringEqualsIgnoreCase: different text still fails', condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/department': 'Human Resources' } }, context: { 'aws:PrincipalTag/department': 'Finance' }, expected: false },
  { name: 'StringEqualsIgnoreCase: missing key is false', condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/department': 'hr' } }, expected: false },
  { name: 'StringNotEqualsIgnoreCase: same text in other case is false', condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/department': 'hr' } }, context: { 'aws:PrincipalTag/department': 'HR' }, expected: false },
  { name: 'StringNotEqualsIgnoreCase: different text is true', condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/department': 'hr' } }, context: { 'aws:PrincipalTag/department': 'it' }, expected: true },
  { name: 'StringNotEqualsIgnoreCase: missing key is true', condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/department': 'hr' } }, expected: true },
  { name: 'StringLike: * matches any run of characters', condition: { StringLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'home/David/photos/' }, expected: true },
  { name: 'StringLike: * matches the empty run', condition: { StringLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'home/' }, expected: true },
  { name: 'StringLike: ? matches exactly one character', condition: { StringLike: { 'ec2:InstanceType': 't?.micro' } }, context: { 'ec2:InstanceType': 't2.micro' }, expected: true },
  { name: 'StringLike: ? does not match two characters', condition: { StringLike: { 'ec2:InstanceType': 't?.micro' } }, context: { 'ec2:InstanceType': 't22.micro' }, expected: false },
  { name: 'StringLike: ? does not match zero characters', condition: { StringLike: { 'ec2:InstanceType': 't?.micro' } }, context: { 'ec2:InstanceType': 't.micro' }, expected: false },
  { name: 'StringLike: wildcards anywhere in the value', condition: { StringLike: { 'ec2:InstanceType': '*.*large' } }, context: { 'ec2:InstanceType': 'm5.2xlarge' }, expected: true },
  { name: 'StringLike: is case sensitive', condition: { StringLike: { 's3:prefix': 'Home/*' } }, context: { 's3:prefix': 'home/x' }, expected: false },
  { name: 'StringLike: without wildcards only the whole value matches', condition: { StringLike: { 's3:prefix': 'home' } }, context: { 's3:prefix': 'home/x' }, expected: false },
  { name: 'StringLike: the empty policy value matches the empty prefix', condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } }, context: { 's3:prefix': '' }, expected: true },
  { name: 'StringLike: policy variable resolves to the user name (match)', condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } }, context: { 's3:prefix': 'home/David/' }, expected: true },
  { name: 'StringLike: policy variable resolves to the user name (other user)', condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } }, context: { 's3:prefix': 'home/Maria/' }, expected: false },
  { name: 'StringLike: missing key is false', condition: { StringLike: { 's3:prefix': '*' } }, expected: false },
  { name: 'StringNotLike: value outside the pattern is true', condition: { StringNotLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'work/x' }, expected: true },
  { name: 'StringNotLike: value inside the pattern is false', condition: { StringNotLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'home/x' }, expected: false },
  { name: 'StringNotLike: missing key is true', condition: { StringNotLike: { 's3:prefix': 'home/*' } }, expected: true },
]);

// IAM JSON policy elements: Condition operators — "Numeric condition operators" (integer or decimal values; the
// s3:max-keys NumericLessThanEquals 10 example) and the missing-key rule.
run('Numeric condition operators', [
  { name: 'NumericLessThanEquals: 10 <= 10', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10' }, expected: true },
  { name: 'NumericLessThanEquals: 9 <= 10', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '9' }, expected: true },
  { name: 'NumericLessThanEquals: 11 is not <= 10', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '11' }, expected: false },
  { name: 'NumericLessThanEquals: number-typed context value', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': 7 }, expected: true },
  { name: 'NumericLessThanEquals: missing key is false', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, expected: false },
  { name: 'NumericEquals: integer equals decimal of same value', condition: { NumericEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10.0' }, expected: true },
  { name: 'NumericEquals: different value', condition: { NumericEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '12' }, expected: false },
  { name: 'NumericEquals: non-numeric request value never matches', condition: { NumericEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': 'ten' }, expected: false },
  { name: 'NumericEquals: policy value given as a JSON number', condition: { NumericEquals: { 's3:max-keys': 10 } }, context: { 's3:max-keys': '10' }, expected: true },
  { name: 'NumericNotEquals: different value is true', condition: { NumericNotEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '5' }, expected: true },
  { name: 'NumericNotEquals: equal value is false', condition: { NumericNotEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10' }, expected: false },
  { name: 'NumericNotEquals: missing key is true', condition: { NumericNotEquals: { 's3:max-keys': '10' } }, expected: true },
  { name: 'NumericLessThan: 9.5 < 10', condition: { NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '9.5' }, expected: true },
  { name: 'NumericLessThan: 10 is not < 10', condition: { NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10' }, expected: false },
  { name: 'NumericGreaterThan: 2.5 > 2', condition: { NumericGreaterThan: { 's3:max-keys': '2' } }, context: { 's3:max-keys': '2.5' }, expected: true },
  { name: 'NumericGreaterThan: -1 is not > 0', condition: { NumericGreaterThan: { 's3:max-keys': '0' } }, context: { 's3:max-keys': '-1' }, expected: false },
  { name: 'NumericGreaterThanEquals: 2 >= 2', condition: { NumericGreaterThanEquals: { 's3:max-keys': '2' } }, context: { 's3:max-keys': '2' }, expected: true },
  { name: 'NumericGreaterThanEquals: 1 is not >= 2', condition: { NumericGreaterThanEquals: { 's3:max-keys': '2' } }, context: { 's3:max-keys': '1' }, expected: false },
]);

// IAM JSON policy elements: Condition operators — "Date condition operators": W3C ISO 8601 formats or epoch time;
// the aws:TokenIssueTime example (key present only for temporary credentials, so an IAM user's request fails).
run('Date condition operators', [
  { name: 'DateGreaterThan: credentials issued after the date', condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, context: { 'aws:TokenIssueTime': '2020-06-01T12:00:00Z' }, expected: true },
  { name: 'DateGreaterThan: credentials issued before the date', condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, context: { 'aws:TokenIssueTime': '2019-12-31T23:59:59Z' }, expected: false },
  { name: 'DateGreaterThan: equal instant is not greater', condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, context: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' }, expected: false },
  { name: 'DateGreaterThan: IAM user access keys (no aws:TokenIssueTime) fail', condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, expected: false },
  { name: 'DateGreaterThanEquals: equal instant', condition: { DateGreaterThanEquals: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, context: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' }, expected: true },
  { name: 'DateLessThan: aws:CurrentTime from the request time', condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, time: '2025-03-01T10:00:00Z', expected: true },
  { name: 'DateLessThan: request after the date', condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, time: '2025-03-01T10:00:00Z', expected: false },
  { name: 'DateLessThanEquals: equal instant', condition: { DateLessThanEquals: { 'aws:CurrentTime': '2025-03-01T10:00:00Z' } }, time: '2025-03-01T10:00:00Z', expected: true },
  { name: 'DateLessThan: epoch policy value against aws:EpochTime', condition: { DateLessThan: { 'aws:EpochTime': '1893456000' } }, time: '2025-03-01T10:00:00Z', expected: true },
  { name: 'DateGreaterThan: epoch policy value against an ISO request value', condition: { DateGreaterThan: { 'aws:CurrentTime': '1577836800' } }, time: '2025-03-01T10:00:00Z', expected: true },
  { name: 'DateEquals: ISO policy value equals the same instant in epoch', condition: { DateEquals: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } }, context: { 'aws:TokenIssueTime': '1577836800' }, expected: true },
  { name: 'DateEquals: W3C time zone offset denotes the same instant', condition: { DateEquals: { 'aws:TokenIssueTime': '2020-01-01T01:00:00+01:00' } }, context: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, expected: true },
  { name: 'DateGreaterThanEquals: W3C date-only form (YYYY-MM-DD)', condition: { DateGreaterThanEquals: { 'aws:TokenIssueTime': '2020-01-01' } }, context: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, expected: true },
  { name: 'DateNotEquals: different instant is true', condition: { DateNotEquals: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } }, context: { 'aws:TokenIssueTime': '2021-01-01T00:00:00Z' }, expected: true },
  { name: 'DateNotEquals: same instant is false', condition: { DateNotEquals: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } }, context: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, expected: false },
  { name: 'DateNotEquals: missing key is true', condition: { DateNotEquals: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } }, expected: true },
  { name: 'Date operators take no wildcards', condition: { DateEquals: { 'aws:TokenIssueTime': '2020-*' } }, context: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, expected: false },
]);

// IAM JSON policy elements: Condition operators — "Boolean condition operators" (aws:SecureTransport example),
// "Binary condition operators" (BinaryEquals compares against a base-64 value) and the missing-key rule.
run('Bool and BinaryEquals', [
  { name: 'Bool: "false" matches a request without SSL', condition: { Bool: { 'aws:SecureTransport': 'false' } }, context: { 'aws:SecureTransport': 'false' }, expected: true },
  { name: 'Bool: "false" does not match a request over SSL', condition: { Bool: { 'aws:SecureTransport': 'false' } }, context: { 'aws:SecureTransport': 'true' }, expected: false },
  { name: 'Bool: boolean-typed context value', condition: { Bool: { 'aws:SecureTransport': 'true' } }, context: { 'aws:SecureTransport': true }, expected: true },
  { name: 'Bool: policy value given as a JSON boolean', condition: { Bool: { 'aws:SecureTransport': true } }, context: { 'aws:SecureTransport': 'true' }, expected: true },
  { name: 'Bool: missing key is false', condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, expected: false },
  { name: 'BinaryEquals: same base-64 value', condition: { BinaryEquals: { 'test:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, context: { 'test:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }, expected: true },
  { name: 'BinaryEquals: different bytes', condition: { BinaryEquals: { 'test:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, context: { 'test:binary': 'T3RoZXJWYWx1ZQ==' }, expected: false },
  { name: 'BinaryEquals: missing key is false', condition: { BinaryEquals: { 'test:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, expected: false },
]);

// IAM JSON policy elements: Condition operators — "IP address condition operators": standard CIDR (203.0.113.0/24,
// 2001:DB8:1234:5678::/64), a bare address means /32, IPv4 and IPv6 may be mixed; aws:SourceIp is missing for
// requests through a VPC endpoint, and then the condition is false.
run('IP address condition operators', [
  { name: 'IpAddress: address inside the IPv4 range', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.113.5' }, expected: true },
  { name: 'IpAddress: last address of the IPv4 range', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.113.255' }, expected: true },
  { name: 'IpAddress: address outside the IPv4 range', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.114.5' }, expected: false },
  { name: 'IpAddress: bare address is a /32 (same address)', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.5' } }, context: { 'aws:SourceIp': '203.0.113.5' }, expected: true },
  { name: 'IpAddress: bare address is a /32 (neighbour)', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.5' } }, context: { 'aws:SourceIp': '203.0.113.6' }, expected: false },
  { name: 'IpAddress: IPv6 address inside the /64 (hex case ignored)', condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, context: { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }, expected: true },
  { name: 'IpAddress: IPv6 address outside the /64', condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, context: { 'aws:SourceIp': '2001:db8:1234:5679::1' }, expected: false },
  { name: 'IpAddress: mixed IPv4 and IPv6 list, IPv6 request', condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } }, context: { 'aws:SourceIp': '2001:db8:1234:5678::10' }, expected: true },
  { name: 'IpAddress: mixed IPv4 and IPv6 list, IPv4 request', condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } }, context: { 'aws:SourceIp': '203.0.113.77' }, expected: true },
  { name: 'IpAddress: IPv4 request never matches an IPv6 range', condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, context: { 'aws:SourceIp': '203.0.113.77' }, expected: false },
  { name: 'IpAddress: missing aws:SourceIp (VPC endpoint) is false', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, expected: false },
  { name: 'NotIpAddress: address outside the range is true', condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '198.51.100.1' }, expected: true },
  { name: 'NotIpAddress: address inside the range is false', condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.113.1' }, expected: false },
  { name: 'NotIpAddress: missing key is true (negated operator)', condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, expected: true },
]);

// IAM JSON policy elements: Condition operators — "Amazon Resource Name (ARN) condition operators": case-sensitive,
// each of the six colon-delimited components checked separately, * and ? in each; ArnEquals and ArnLike behave
// identically; the someservice example where StringLike matches but ArnLike does not; policy variables allowed.
// IAM JSON policy elements: Principal — the ArnNotEquals aws:PrincipalArn example.
const SOMESERVICE_PATTERN = 'arn:aws:someservice:*:111122223333:finance/*';
const SOMESERVICE_VALUE = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
run('ARN condition operators', [
  { name: 'ArnEquals: exact SNS topic ARN', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:my-topic' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:my-topic' }, expected: true },
  { name: 'ArnEquals: other topic', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:my-topic' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:other-topic' }, expected: false },
  { name: 'ArnEquals: missing aws:SourceArn (direct call) is false', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:my-topic' } }, expected: false },
  { name: 'ArnEquals: takes wildcards like ArnLike', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:*' } }, context: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123456789012:t' }, expected: true },
  { name: 'ArnLike: wildcard region and resource', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:*' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-west-2:123456789012:alerts' }, expected: true },
  { name: 'ArnLike: ? matches one character of a segment', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-?:123456789012:alerts' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:alerts' }, expected: true },
  { name: 'ArnLike: account segment differs', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:*' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-west-2:999999999999:alerts' }, expected: false },
  { name: 'ArnLike: case sensitive', condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/david' } }, expected: false },
  { name: 'StringLike: the documented someservice value matches across colons', condition: { StringLike: { 'aws:SourceArn': SOMESERVICE_PATTERN } }, context: { 'aws:SourceArn': SOMESERVICE_VALUE }, expected: true },
  {
    name: 'ArnLike: the documented someservice value does not match (components checked separately)',
    condition: { ArnLike: { 'aws:SourceArn': SOMESERVICE_PATTERN } },
    context: { 'aws:SourceArn': SOMESERVICE_VALUE },
    expected: false,

  },
  { name: 'ArnLike: policy variable in the value', condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/${aws:username}' } }, expected: true },
  { name: 'ArnLike: a non-ARN request value never matches', condition: { ArnLike: { 'test:arn': 'arn:aws:s3:::*' } }, context: { 'test:arn': 'not-an-arn' }, expected: false },
  { name: 'ArnNotEquals aws:PrincipalArn: the named user is excluded', condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/David' } }, expected: false },
  { name: 'ArnNotEquals aws:PrincipalArn: another user is included', condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/user-name' } }, expected: true },
  { name: 'ArnNotLike: missing key is true (negated operator)', condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, expected: true },
  { name: 'ArnNotLike: matching value is false', condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:t' }, expected: false },
]);

// IAM JSON policy elements: Condition operators — "...IfExists condition operators" (missing key: the condition is
// true; the ec2:InstanceType StringLikeIfExists example) and "Condition operator to check existence of condition
// keys" (Null true = the key is absent, false = present; the aws:TokenIssueTime example).
run('IfExists and Null', [
  { name: 'StringLikeIfExists: missing key is true', condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, expected: true },
  { name: 'StringLikeIfExists: present and matching', condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, context: { 'ec2:InstanceType': 't2.micro' }, expected: true },
  { name: 'StringLikeIfExists: present and not matching', condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, context: { 'ec2:InstanceType': 'c5.large' }, expected: false },
  { name: 'StringLike (no IfExists): missing key fails, so the intended policy does not work', condition: { StringLike: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, expected: false },
  { name: 'StringNotEqualsIfExists: missing key is true', condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } }, expected: true },
  { name: 'StringNotEqualsIfExists: present and equal is false', condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } }, context: { 'aws:PrincipalTag/team': 'red' }, expected: false },
  { name: 'NumericLessThanIfExists: missing key is true', condition: { NumericLessThanIfExists: { 's3:max-keys': '10' } }, expected: true },
  { name: 'NumericLessThanIfExists: present and too large', condition: { NumericLessThanIfExists: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '50' }, expected: false },
  { name: 'DateGreaterThanIfExists: missing key is true', condition: { DateGreaterThanIfExists: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } }, expected: true },
  { name: 'BoolIfExists: missing key is true', condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }, expected: true },
  { name: 'BoolIfExists: present and false', condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }, context: { 'aws:MultiFactorAuthPresent': 'false' }, expected: false },
  { name: 'IpAddressIfExists: missing key is true', condition: { IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } }, expected: true },
  { name: 'ArnLikeIfExists: missing key is true', condition: { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, expected: true },
  { name: 'Null true: key absent (long-term credentials)', condition: { Null: { 'aws:TokenIssueTime': 'true' } }, expected: true },
  { name: 'Null true: key present (temporary credentials)', condition: { Null: { 'aws:TokenIssueTime': 'true' } }, context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, expected: false },
  { name: 'Null false: key present', condition: { Null: { 'aws:TokenIssueTime': 'false' } }, context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, expected: true },
  { name: 'Null false: key absent', condition: { Null: { 'aws:TokenIssueTime': 'false' } }, expected: false },
  { name: 'Null: policy value as a JSON boolean', condition: { Null: { 'aws:TokenIssueTime': true } }, expected: true },
]);

// Creating a condition that tests multiple key values (set operations) / Single-valued vs. multivalued context keys:
// ForAllValues is true when every request value matches at least one policy value, and also when the key is
// missing or resolves to an empty data set ("for example, an empty string"); ForAnyValue needs at least one
// matching request value and is false on a missing or empty key. Tables: the DynamoDB Thread attributes example.
const ALLOWED_ATTRIBUTES = { 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] } };
const FORBIDDEN_ATTRIBUTES = { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } };
run('ForAllValues and ForAnyValue', [
  { name: 'ForAllValues: PostDateTime and Message are all allowed', condition: ALLOWED_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message'] }, expected: true },
  { name: 'ForAllValues: PostDateTime and UserName (UserName has no match)', condition: ALLOWED_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': ['PostDateTime', 'UserName'] }, expected: false },
  { name: 'ForAllValues: request including ID fails', condition: ALLOWED_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': ['ID'] }, expected: false },
  { name: 'ForAllValues: single request value that is allowed', condition: ALLOWED_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': 'Tags' }, expected: true },
  { name: 'ForAllValues: missing key is true', condition: ALLOWED_ATTRIBUTES, expected: true },
  { name: 'ForAllValues: empty set of values is true', condition: ALLOWED_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': [] }, expected: true },
  {
    name: 'ForAllValues: key resolving to an empty string is true',
    condition: ALLOWED_ATTRIBUTES,
    context: { 'dynamodb:requestedAttributes': '' },
    expected: true,

  },
  { name: 'ForAnyValue: PostDateTime and Message (PostDateTime matches)', condition: FORBIDDEN_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': ['UserName', 'Message', 'PostDateTime'] }, expected: true },
  { name: 'ForAnyValue: UserName only matches nothing', condition: FORBIDDEN_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': ['UserName'] }, expected: false },
  { name: 'ForAnyValue: missing key is false', condition: FORBIDDEN_ATTRIBUTES, expected: false },
  { name: 'ForAnyValue: empty set of values is false', condition: FORBIDDEN_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': [] }, expected: false },
  { name: 'ForAnyValue: key resolving to an empty string is false', condition: FORBIDDEN_ATTRIBUTES, context: { 'dynamodb:requestedAttributes': '' }, expected: false },
  { name: 'ForAllValues:StringEquals aws:TagKeys subset is true', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['environment'] }, expected: true },
  { name: 'ForAllValues:StringEquals aws:TagKeys same set is true', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['cost-center', 'environment'] }, expected: true },
  { name: 'ForAllValues:StringEquals aws:TagKeys extra key is false', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['environment', 'dept'] }, expected: false },
  { name: 'ForAllValues:StringEquals is case sensitive', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment'] } }, context: { 'aws:TagKeys': ['Environment'] }, expected: false },
  { name: 'ForAllValues:StringEqualsIgnoreCase folds case', condition: { 'ForAllValues:StringEqualsIgnoreCase': { 'aws:TagKeys': ['environment'] } }, context: { 'aws:TagKeys': ['Environment', 'ENVIRONMENT'] }, expected: true },
  { name: 'ForAnyValue:StringEquals aws:TagKeys one key matches', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['webserver', 'app'] } }, context: { 'aws:TagKeys': ['webserver', 'dept'] }, expected: true },
  { name: 'ForAnyValue:StringEquals aws:TagKeys no key matches', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['webserver', 'app'] } }, context: { 'aws:TagKeys': ['dept', 'owner'] }, expected: false },
  { name: 'ForAllValues:StringNotEquals: no request value is forbidden', condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret', 'owner'] } }, context: { 'aws:TagKeys': ['environment', 'dept'] }, expected: true },
  { name: 'ForAllValues:StringNotEquals: one request value is forbidden', condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret', 'owner'] } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expected: false },
  { name: 'ForAllValues:StringNotEquals: missing key is true', condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, expected: true },
  { name: 'ForAnyValue:StringNotEquals: some request value differs', condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, context: { 'aws:TagKeys': ['secret', 'dept'] }, expected: true },
  { name: 'ForAnyValue:StringNotEquals: every request value is excluded', condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, context: { 'aws:TagKeys': ['secret'] }, expected: false },
  { name: 'ForAnyValue:StringNotEquals: missing key is false', condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, expected: false },
]);

// IAM JSON policy elements: Condition — several operators, or several keys under one operator, are ANDed; several
// values for one key are ORed. IAM policy elements: Variables and tags — "Key names are case-insensitive" (the
// sns:endpoint / sns:Protocol example combines a StringLike with a variable and a StringEquals).
run('Combining conditions and key case', [
  { name: 'several values for one key are ORed', condition: { StringEquals: { 'iam:ResourceTag/costCenter': ['12345', '67890'] } }, context: { 'iam:ResourceTag/costCenter': '67890' }, expected: true },
  { name: 'several values for one key: none matches', condition: { StringEquals: { 'iam:ResourceTag/costCenter': ['12345', '67890'] } }, context: { 'iam:ResourceTag/costCenter': '11111' }, expected: false },
  { name: 'several keys under one operator are ANDed (both match)', condition: { StringEquals: { 'aws:PrincipalTag/team': 'red', 'aws:PrincipalTag/project': 'apollo' } }, context: { 'aws:PrincipalTag/team': 'red', 'aws:PrincipalTag/project': 'apollo' }, expected: true },
  { name: 'several keys under one operator are ANDed (one fails)', condition: { StringEquals: { 'aws:PrincipalTag/team': 'red', 'aws:PrincipalTag/project': 'apollo' } }, context: { 'aws:PrincipalTag/team': 'red', 'aws:PrincipalTag/project': 'gemini' }, expected: false },
  { name: 'several keys under one operator are ANDed (one missing)', condition: { StringEquals: { 'aws:PrincipalTag/team': 'red', 'aws:PrincipalTag/project': 'apollo' } }, context: { 'aws:PrincipalTag/team': 'red' }, expected: false },
  { name: 'several operators are ANDed (both hold)', condition: { StringLike: { 'sns:endpoint': 'https://example.com/${aws:username}/' }, StringEquals: { 'sns:Protocol': 'https' } }, context: { 'sns:endpoint': 'https://example.com/David/', 'sns:Protocol': 'https' }, expected: true },
  { name: 'several operators are ANDed (second fails)', condition: { StringLike: { 'sns:endpoint': 'https://example.com/${aws:username}/' }, StringEquals: { 'sns:Protocol': 'https' } }, context: { 'sns:endpoint': 'https://example.com/David/', 'sns:Protocol': 'http' }, expected: false },
  { name: 'several operators are ANDed (variable resolves to another user)', condition: { StringLike: { 'sns:endpoint': 'https://example.com/${aws:username}/' }, StringEquals: { 'sns:Protocol': 'https' } }, context: { 'sns:endpoint': 'https://example.com/Maria/', 'sns:Protocol': 'https' }, expected: false },
  { name: 'same key under two operators (range)', condition: { NumericGreaterThan: { 's3:max-keys': '1' }, NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '5' }, expected: true },
  { name: 'same key under two operators (outside range)', condition: { NumericGreaterThan: { 's3:max-keys': '1' }, NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '15' }, expected: false },
  { name: 'policy key case differs from the context key', condition: { IpAddress: { 'AWS:SOURCEIP': '203.0.113.0/24' } }, context: { 'aws:sourceip': '203.0.113.9' }, expected: true },
  { name: 'context key case differs from the policy key', condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } }, context: { 'AWS:PRINCIPALTAG/TEAM': 'red' }, expected: true },
  { name: 'derived global key in another case (aws:CurrentTime vs AWS:currenttime)', condition: { DateLessThan: { 'AWS:currenttime': '2030-01-01T00:00:00Z' } }, time: '2025-01-01T00:00:00Z', expected: true },
]);

// IAM JSON policy elements: Condition operators — "If you are using an "Effect": "Deny" element with a negated
// condition operator like StringNotEqualsIfExists, the request is still denied even if the tag is missing."
describe('Deny with a negated …IfExists operator on a missing key', () => {
  const cases = [
    { name: 'tag missing: still denied', context: {}, expected: 'ExplicitlyDenied' },
    { name: 'tag present and different: denied', context: { 'aws:PrincipalTag/team': 'blue' }, expected: 'ExplicitlyDenied' },
    { name: 'tag present and equal: not denied', context: { 'aws:PrincipalTag/team': 'red' }, expected: 'Allowed' },
  ] as const;
  const set = compilePolicies({
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ACTION, Resource: '*' },
          { Effect: 'Deny', Action: ACTION, Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } } },
        ],
      },
    ],
  });
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(set.evaluate({ principal: USER, action: ACTION, resource: RESOURCE, context: c.context }).decision, c.expected);
    });
  }
});
