import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStaticCatalog } from './catalog.js';
import { IAM_MESSAGES } from './errors.js';
import { validatePolicy, type ValidatePolicyType } from './validate.js';

// What IAM itself stores or refuses (MalformedPolicyDocument), row by row, each with where the behaviour or the exact
// text is documented. IAM does not consult the service catalogue for these, so an empty one is used.

const catalog = createStaticCatalog({ services: {}, globalConditionKeys: {} });

const GRAMMAR = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html';
const VERSION = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html';
const CONDITION = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html';
const RESOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html';
const S3_ARNS = 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html';
const IAM_ARNS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns';
// The issue "Exactly AWS" (IAM's policy validator) quotes these texts from IAM's answers.
const ISSUE = 'issue "Exactly AWS", section "IAM\'s policy validator"';
// IAM's answer quoted in a CloudFormation failure: "Resource arn:aws:s3:us-west-2:...:test/athena can not contain region information."
const CDK_22445 = 'https://github.com/aws/aws-cdk/issues/22445';
// IAM's CreatePolicy answer to a Python dict's repr (single quotes, not JSON): "Syntax errors in policy."
const BOTO3_180 = 'https://github.com/boto/boto3/issues/180';
// IAM's CreateRole answer to a trust policy that is not JSON: "This policy contains invalid Json".
const ROLE_JSON = 'https://github.com/AWSCookbook/Security/issues/2';
// IAM's answer to `*:Untag*` quoted from a CreatePolicy failure.
const WILDCARD_VENDOR = 'https://github.com/boogy/iam-policy-validator/pull/172';
// IAM's answers to kinds of malformed documents, as a public record of IAM's behaviour notes them (getmoto/moto's IAM
// policy tests): a second-hand source of the texts, used where no first-hand quote was found. The documents here are
// our own.
// IAM's PutRolePolicy answer to an S3 object ARN with `*` for region and account: "... can not contain region information."
const KOTLESS_2 = 'https://github.com/JetBrains/kotless/issues/2';
const MOTO = 'https://github.com/getmoto/moto/blob/master/tests/test_iam/test_iam_policies.py';
// IAM's PutRolePolicy/CreatePolicy answer to an empty Resource list from Terraform: "Policy statement must contain resources."
const EMPTY_RESOURCES = 'https://github.com/trussworks/terraform-aws-s3-anti-virus/issues/22; https://github.com/terraform-aws-modules/terraform-aws-iam/issues/603';
// IAM's answer to a partition IAM does not know, quoted from a CreatePolicy failure.
const PARTITION = 'https://github.com/cloudera-labs/cloudera.exe/issues/112';
// IAM's CreateRole answers to a service principal that is AWS's domain alone, quoted from a CloudFormation failure.
const BARE_SERVICE = 'https://github.com/aws-samples/aws-cdk-examples/issues/801';
const DATE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date';

type Json = Record<string, unknown>;

function identity(statement: Json): Json {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...statement }] };
}

const trust = (statement: Json = {}): Json => ({
  Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', ...statement },
});

interface Row {
  readonly name: string;
  readonly source: string;
  readonly doc: unknown;
  readonly type?: ValidatePolicyType;
  readonly managed?: boolean;
  /** IAM's MalformedPolicyDocument text, or undefined when IAM stores the document. */
  readonly message: string | undefined;
}

const ROWS: Row[] = [
  { name: 'a document that is not JSON', source: `${GRAMMAR}; ${BOTO3_180}; ${ISSUE}`, doc: 'not json', message: IAM_MESSAGES.syntax },
  {
    name: 'truncated JSON, managed policy',
    source: `${GRAMMAR}; ${BOTO3_180}; ${ISSUE}`,
    doc: "{'Version': '2012-10-17'}",
    managed: true,
    message: IAM_MESSAGES.syntax,
  },
  // CreateRole keeps its own text for a trust policy that is not JSON.
  { name: 'not JSON, trust policy', source: `${GRAMMAR}; ${ROLE_JSON}`, doc: '{', type: 'trust', message: IAM_MESSAGES.invalidJson },
  {
    name: 'condition key without a service prefix',
    source: `${CONDITION}; ${ISSUE}`,
    doc: identity({ Condition: { StringEquals: { a: 'b' } } }),
    message: undefined,
  },
  {
    name: 'condition key without a service prefix, trust policy',
    source: `${CONDITION}; ${ISSUE}`,
    doc: trust({ Condition: { StringEquals: { a: 'b' } } }),
    type: 'trust',
    message: undefined,
  },
  {
    name: 'S3 bucket ARN with a region',
    source: `${S3_ARNS}; ${CDK_22445}; ${ISSUE}`,
    doc: identity({ Resource: 'arn:aws:s3:us-east-1::example_bucket' }),
    message: 'Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.',
  },
  {
    name: 'S3 object ARN with a region and an account',
    source: `${S3_ARNS}; ${CDK_22445}`,
    doc: identity({ Resource: ['arn:aws:s3:::b', 'arn:aws:s3:us-west-2:111122223333:test/athena'] }),
    message: 'Resource arn:aws:s3:us-west-2:111122223333:test/athena can not contain region information.',
  },
  {
    name: 'S3 access point ARN is regional',
    source: S3_ARNS,
    doc: identity({ Resource: 'arn:aws:s3:us-west-2:111122223333:accesspoint/my-ap/object/*' }),
    message: undefined,
  },
  {
    name: 'S3 batch job ARN is regional',
    source: S3_ARNS,
    doc: identity({ Resource: 'arn:aws:s3:us-west-2:111122223333:job/*' }),
    message: undefined,
  },
  {
    name: 'S3 bucket ARN with a wildcard region',
    source: KOTLESS_2,
    doc: identity({ Resource: 'arn:aws:s3:*:*:kotless.try/*' }),
    message: 'Resource arn:aws:s3:*:*:kotless.try/* can not contain region information.',
  },
  {
    name: 'S3 ARN with a wildcard region',
    source: RESOURCE,
    doc: identity({ Resource: 'arn:aws:s3:*:111122223333:accesspoint/*' }),
    message: undefined,
  },
  {
    name: 'IAM ARN whose resource is not an IAM resource type',
    source: `${IAM_ARNS}; ${ISSUE}`,
    doc: identity({ Action: 'iam:GetRole', Resource: 'arn:aws:iam::111122223333:bucket/x' }),
    message: IAM_MESSAGES.iamResourceType,
  },
  {
    name: 'IAM ARN with an empty resource',
    source: `${IAM_ARNS}; ${ISSUE}`,
    doc: identity({ Action: 'iam:GetRole', Resource: 'arn:aws:iam::111122223333:' }),
    message: IAM_MESSAGES.iamResourceType,
  },
  {
    name: 'IAM ARN whose resource type is capitalised',
    source: `${IAM_ARNS}; ${ISSUE}`,
    doc: identity({ Action: 'iam:GetRole', Resource: 'arn:aws:iam::111122223333:Role/x' }),
    message: IAM_MESSAGES.iamResourceType,
  },
  {
    name: 'IAM ARN with a wildcard that names no resource type',
    source: `${IAM_ARNS}; ${ISSUE}`,
    doc: identity({ Action: 'iam:GetRole', Resource: 'arn:aws:iam::111122223333:x*' }),
    message: IAM_MESSAGES.iamResourceType,
  },
  {
    name: 'IAM ARNs IAM stores: root, *, every resource type, wildcards within a type',
    source: IAM_ARNS,
    doc: identity({
      Action: 'iam:*',
      Resource: [
        'arn:aws:iam::111122223333:root',
        'arn:aws:iam::111122223333:*',
        'arn:aws:iam::*:role*',
        'arn:aws:iam::111122223333:user/${aws:username}',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws:iam::111122223333:federated-user/bob',
        'arn:aws:iam::111122223333:group/g',
        'arn:aws:iam::111122223333:instance-profile/p',
        'arn:aws:iam::111122223333:mfa/bob',
        'arn:aws:iam::111122223333:server-certificate/c',
        'arn:aws:iam::111122223333:sms-mfa/x',
        'arn:aws:iam::111122223333:saml-provider/idp',
        'arn:aws:iam::111122223333:oidc-provider/example.com',
        'arn:aws:iam::111122223333:report/x',
        'arn:aws:iam::111122223333:access-report/x',
        'arn:aws:iam::aws:role-template/lambda.amazonaws.com/ExampleRoleTemplate:1',
        'arn:aws:iam::111122223333:delegation-request/dr-1',
      ],
    }),
    message: undefined,
  },
  {
    name: 'action vendor with a space',
    source: `${GRAMMAR}; ${ISSUE}`,
    doc: identity({ Action: 'a a:GetObject' }),
    message: 'Vendor a a is not valid',
  },
  {
    name: 'action vendor with a space in NotAction',
    source: `${GRAMMAR}; ${ISSUE}`,
    doc: identity({ Action: undefined, NotAction: ['s3:GetObject', 's 3:PutObject'] }),
    message: 'Vendor s 3 is not valid',
  },
  {
    name: 'action vendor with a wildcard',
    source: `${GRAMMAR}; ${WILDCARD_VENDOR}`,
    doc: identity({ Action: ['*:Untag*', 's3:GetObject'] }),
    message: IAM_MESSAGES.wildcardVendor,
  },
  {
    name: 'action vendors IAM stores: hyphens, digits, services it does not know',
    source: GRAMMAR,
    doc: identity({ Action: ['execute-api:Invoke', 'ec2-instance-connect:SendSSHPublicKey', 'a4b:*', 'madeup:Thing'] }),
    message: undefined,
  },
  {
    name: 'managed policy without Version',
    source: `${VERSION}; ${ISSUE}`,
    doc: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
    managed: true,
    message: IAM_MESSAGES.versionTooOld,
  },
  {
    name: 'managed policy with Version 2008-10-17',
    source: VERSION,
    doc: { Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
    managed: true,
    message: IAM_MESSAGES.versionTooOld,
  },
  {
    name: 'inline policy without Version (the 2008-10-17 grammar applies)',
    source: VERSION,
    doc: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
    message: undefined,
  },
  { name: 'trust policy without Version', source: VERSION, doc: trust(), type: 'trust', message: undefined },
  {
    name: 'an empty Resource list',
    source: `${EMPTY_RESOURCES}; ${MOTO}`,
    doc: identity({ Resource: [] }),
    message: IAM_MESSAGES.missingResources,
  },
  {
    name: 'an empty NotResource list',
    source: `${EMPTY_RESOURCES}; ${MOTO}`,
    doc: identity({ Resource: undefined, NotResource: [] }),
    message: IAM_MESSAGES.missingResources,
  },
  {
    name: 'an empty Action list',
    source: MOTO,
    doc: identity({ Action: [] }),
    message: IAM_MESSAGES.missingActions,
  },
  {
    name: 'an empty list beside its counterpart (Resource and NotResource both present)',
    source: `${GRAMMAR}; ${MOTO}`,
    doc: identity({ NotResource: [] }),
    message: IAM_MESSAGES.syntax,
  },
  {
    name: 'a statement without resources is reported before a bad action vendor',
    source: MOTO,
    doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'invalid' } },
    message: IAM_MESSAGES.missingResources,
  },
  {
    name: 'a resource that is not an ARN is reported before an action with two colons',
    source: MOTO,
    doc: identity({ Action: 's:3:ListBucket', Resource: 'sdfsadf' }),
    message: 'Resource sdfsadf must be in ARN format or "*".',
  },
  {
    name: 'duplicate SIDs are reported before a statement without actions',
    source: MOTO,
    doc: { Version: '2012-10-17', Statement: [{ Sid: 'sdf', Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }, { Sid: 'sdf', Effect: 'Allow' }] },
    message: IAM_MESSAGES.duplicateSid,
  },
  {
    name: 'Effect in the wrong case',
    source: MOTO,
    doc: identity({ Effect: 'denY' }),
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'Effect in the wrong case, managed policy without Version (the version is checked first)',
    source: MOTO,
    doc: { Statement: { Effect: 'denY', Action: 's3:ListBucket', Resource: '*' } },
    managed: true,
    message: IAM_MESSAGES.versionTooOld,
  },
  {
    name: 'a partition IAM does not know',
    source: `${PARTITION}; ${MOTO}`,
    doc: identity({ Resource: 'arn:${ARN_PARTITION}:s3:::bucket' }),
    message: 'Partition "${ARN_PARTITION}" is not valid for resource "arn:${ARN_PARTITION}:s3:::bucket".',
  },
  {
    name: 'a resource not starting with arn: is read as an ARN with its missing parts as *',
    source: MOTO,
    doc: identity({ Resource: 'x:notapartition' }),
    message: 'Partition "notapartition" is not valid for resource "arn:notapartition:*:*:*:*".',
  },
  {
    name: 'a resource whose second part is a service, not a partition',
    source: MOTO,
    doc: identity({ Resource: 'aws:s3:::reports' }),
    message: 'Partition "s3" is not valid for resource "arn:s3:::reports:*".',
  },
  {
    name: 'an ARN with nothing after the partition',
    source: MOTO,
    doc: identity({ Resource: 'arn:aws' }),
    message: IAM_MESSAGES.vendorNotQualified,
  },
  {
    name: 'an ARN whose service is a wildcard',
    // The Resource page: a wildcard cannot name the service. The text is the one moto records for `arn:aws`, and the one
    // public deployment notes quote from PutRolePolicy for `arn:aws:*:*:*:*fss-prod*`.
    source: `${RESOURCE}; ${MOTO}`,
    doc: identity({ Resource: 'arn:aws:*:*:111122223333:*fss-prod*' }),
    message: IAM_MESSAGES.vendorNotQualified,
  },
  {
    name: 'an ARN with five parts and an empty one',
    source: MOTO,
    doc: identity({ Resource: 'arn:aws:s3::reports' }),
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'an ARN with an empty service',
    source: MOTO,
    doc: identity({ Resource: 'arn:aws::::reports' }),
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'legacy parsing is reported before duplicate SIDs',
    source: MOTO,
    doc: { Version: '2012-10-17', Statement: [{ Sid: 'a', Effect: 'Allow', Action: 's3:ListBucket', NotResource: 'arn:aws:s3::b' }, { Sid: 'a', Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] },
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'ARNs IAM stores: services it does not know, regional ones, a wildcard partition',
    source: `${RESOURCE}; ${MOTO}`,
    doc: identity({
      Resource: [
        'arn:aws:nosuchservice:::thing',
        'arn:aws:madeup-service:eu-west-1::reports',
        'arn:aws:s4:::reports',
        'arn:*:s3:::reports',
      ],
    }),
    message: undefined,
  },
  {
    name: 'null inside a Resource list',
    source: `${GRAMMAR}; ${MOTO} (a list holding a non-string is a syntax error)`,
    doc: identity({ Resource: ['arn:aws:s3:::b', null] }),
    message: IAM_MESSAGES.syntax,
  },
  {
    name: 'null alone in a Resource list',
    source: `${GRAMMAR}; ${MOTO}`,
    doc: identity({ Resource: [null] }),
    message: IAM_MESSAGES.syntax,
  },
  // IAM reads the whole grammar before it looks for actions, and runs its legacy parser before that too.
  {
    name: 'a grammar error in a statement without actions is a syntax error',
    source: `${GRAMMAR}; ${MOTO}`,
    doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Resource: '*', Condition: { DateGreaterThan: { a: {} } } } },
    message: IAM_MESSAGES.syntax,
  },
  {
    name: 'a grammar error in a later statement is reported before an earlier statement without actions',
    source: `${GRAMMAR}; ${MOTO}`,
    doc: { Version: '2012-10-17', Statement: [{ Effect: 'Deny' }, { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: 'a' }] },
    message: IAM_MESSAGES.syntax,
  },
  {
    name: 'a legacy-parsing ARN in a statement without actions',
    source: MOTO,
    doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Resource: 'arn:aws:s3::example_bucket' } },
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'a statement without actions beside a valid one',
    source: MOTO,
    doc: { Version: '2012-10-17', Statement: [{ Effect: 'Deny' }, { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] },
    message: IAM_MESSAGES.missingActions,
  },
  // An empty block holds no condition, whatever its name; a block with keys needs an operator.
  { name: 'an empty condition block under a name that is no operator', source: MOTO, doc: identity({ Condition: { a: {} } }), message: undefined },
  { name: 'two empty blocks under names that are no operators', source: MOTO, doc: identity({ Condition: { x: {}, y: {} } }), message: undefined },
  { name: 'a block with keys under a name that is no operator', source: `${CONDITION}; ${MOTO}`, doc: identity({ Condition: { x: { a: '1' } } }), message: IAM_MESSAGES.syntax },
  {
    name: 'an ARN of fewer than six parts whose partition and service pass',
    source: MOTO,
    doc: identity({ Resource: 'arn:aws:fdsasf' }),
    message: undefined,
  },
  {
    name: 'ARN parts percent-encoded',
    source: `${RESOURCE}; ${ISSUE}`,
    doc: identity({ Resource: ['arn:aws:s3:::my%20bucket/a%2Fb', 'arn:aws:iam::111122223333:user/a%40b'] }),
    message: undefined,
  },
  // Date values go through IAM's legacy parser (validate-legacy.ts) before any other check of the statement.
  ...(
    [
      ['not a date', 'sdfdsf'],
      ['month 13', '234-13'],
      ['a zone hour of one digit', '2016-12-13t2:00:00.593194+1'],
      ['a fraction of ten digits', '2016-12-13t2:00:00.1999999999+10:59'],
      ['an epoch past a 64-bit integer', '9223372036854775808'],
    ] as const
  ).map(([what, value]) => ({
    name: `a Date condition value IAM cannot read: ${what}`,
    source: `${DATE}; ${MOTO}`,
    doc: identity({ Condition: { DateLessThanEquals: { 'aws:CurrentTime': value } } }),
    message: IAM_MESSAGES.legacyParsing,
  })),
  ...(
    [
      ['W3C date-time', '2019-07-01T13:20:15Z'],
      ['fraction and zone', '2016-12-13T21:20:37.593194+00:00'],
      ['one-digit hour, lower-case t, zone of hours', '2016-12-13t2:00:00.593194+23'],
      ['a bare year with T', '01T'],
      ['a negative epoch', '-292275054'],
      ['a policy variable', '${aws:TokenIssueTime}'],
    ] as const
  ).map(([what, value]) => ({
    name: `a Date condition value IAM stores: ${what}`,
    source: `${DATE}; ${MOTO}`,
    doc: identity({ Condition: { DateLessThan: { 'aws:CurrentTime': value } } }),
    message: undefined,
  })),
  {
    name: 'a bad date is legacy parsing even in a statement without actions',
    source: MOTO,
    doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Condition: { DateGreaterThan: { a: 'sdfdsf' } } } },
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'a bad date is reported before a partition IAM does not know',
    source: MOTO,
    doc: identity({ Resource: 'arn:error:s3:::example_bucket', Condition: { DateGreaterThan: { a: 'sdfdsf' } } }),
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'a bad date in a trust policy',
    source: `${DATE}; ${MOTO}`,
    doc: trust({ Condition: { DateGreaterThan: { 'aws:CurrentTime': 'soon' } } }),
    type: 'trust',
    message: IAM_MESSAGES.legacyParsing,
  },
  {
    name: 'a trust policy with "Principal": "*"',
    source: 'https://github.com/aws/aws-cdk/issues/5732',
    doc: trust({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } } }),
    type: 'trust',
    message: IAM_MESSAGES.trustStarPrincipal,
  },
  {
    name: 'a trust policy Deny with "Principal": "*"',
    source: 'https://github.com/aws/aws-cdk/issues/10994; https://github.com/aws/aws-cdk/issues/5732',
    doc: { Version: '2012-10-17', Statement: [trust().Statement, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-123' } } }] },
    type: 'trust',
    message: IAM_MESSAGES.trustStarPrincipal,
  },
  {
    name: 'a trust policy with {"AWS": "*"} is stored',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html; https://github.com/aws/aws-cdk/issues/5732',
    doc: trust({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } } }),
    type: 'trust',
    message: undefined,
  },
  {
    name: 'a service principal that is AWS\'s domain alone, trust policy',
    source: BARE_SERVICE,
    doc: trust({ Principal: { Service: ['ec2.amazonaws.com', 'amazonaws.com'] } }),
    type: 'trust',
    message: 'Invalid principal in policy: "SERVICE":"amazonaws.com"',
  },
  {
    name: 'service principals IAM stores: global, regional, multi-label, China',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services',
    doc: trust({ Principal: { Service: ['ec2.amazonaws.com', 'states.eu-west-1.amazonaws.com', 'ops.apigateway.amazonaws.com', 'ec2.amazonaws.com.cn'] } }),
    type: 'trust',
    message: undefined,
  },
];

describe('IAM stores or refuses exactly what AWS does, with its texts', () => {
  for (const row of ROWS) {
    test(`${row.name} (${row.source})`, () => {
      const doc = typeof row.doc === 'string' ? row.doc : JSON.stringify(row.doc);
      const result = validatePolicy(doc, row.type ?? 'identity', catalog, { managedPolicy: row.managed === true });
      assert.equal(result.iamError?.message, row.message);
    });
  }
});
