import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStaticCatalog } from './catalog.js';
import { IAM_MESSAGES } from './errors.js';
import { validatePolicy, type ValidatePolicyType } from './validate.js';

const catalog = createStaticCatalog({
  services: {
    s3: {
      actions: ['GetObject', 'GetObjectAcl', 'PutObject', 'ListBucket', 'DeleteObject'],
      conditionKeys: { 's3:prefix': 'String', 's3:max-keys': 'Numeric', 's3:ExistingObjectTag/${TagKey}': 'String' },
    },
    iam: { actions: ['PassRole', 'GetRole', 'CreateRole'], conditionKeys: { 'iam:PassedToService': 'String' } },
    sts: { actions: ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'TagSession'], conditionKeys: { 'saml:aud': 'String' } },
  },
  globalConditionKeys: {
    'aws:CurrentTime': 'Date',
    'aws:EpochTime': 'Date',
    'aws:SourceIp': 'IPAddress',
    'aws:SecureTransport': 'Bool',
    'aws:MultiFactorAuthAge': 'Numeric',
    'aws:PrincipalArn': 'ARN',
    'aws:SourceArn': 'ARN',
    'aws:TagKeys': 'ArrayOfString',
    'aws:username': 'String',
    'aws:PrincipalTag/${TagKey}': 'String',
  },
});

type Json = Record<string, unknown>;

function identity(statement: Json, extra: Json = {}): Json {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*', ...statement }], ...extra };
}

function validate(doc: unknown, type: ValidatePolicyType = 'identity', managedPolicy = false) {
  return validatePolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), type, catalog, { managedPolicy });
}

describe('documents the storing service refuses', () => {
  const cases: Array<{ name: string; doc: unknown; type?: ValidatePolicyType; managed?: boolean; message: string; path: string }> = [
    { name: 'invalid JSON', doc: '{"Version": ', message: IAM_MESSAGES.syntax, path: '$' },
    { name: 'invalid JSON in a trust policy', doc: '{"Version": ', type: 'trust', message: IAM_MESSAGES.invalidJson, path: '$' },
    { name: 'grammar error from the parser', doc: { Version: '2012-10-17', Statement: [] }, message: IAM_MESSAGES.syntax, path: '$.Statement' },
    {
      name: 'principal in an identity policy',
      doc: identity({ Action: 's3:GetObject', Principal: { AWS: '111122223333' } }),
      message: IAM_MESSAGES.principalNotAllowed,
      path: '$.Statement[0].Principal',
    },
    {
      name: 'identity statement without resources',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject' } },
      message: IAM_MESSAGES.missingResources,
      path: '$.Statement',
    },
    {
      name: 'duplicate Sids',
      doc: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'A', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          { Sid: 'A', Effect: 'Deny', Action: 's3:PutObject', Resource: '*' },
        ],
      },
      message: IAM_MESSAGES.duplicateSid,
      path: '$.Statement[1].Sid',
    },
    {
      name: 'Sid with punctuation',
      doc: identity({ Sid: 'my-sid', Action: 's3:GetObject' }),
      message: IAM_MESSAGES.sidNotAlphanumeric,
      path: '$.Statement[0].Sid',
    },
    { name: 'action without vendor', doc: identity({ Action: ['s3:GetObject', 'GetObject'] }), message: IAM_MESSAGES.vendorPrefix, path: '$.Statement[0].Action[1]' },
    { name: 'action with two colons', doc: identity({ Action: 's3:Get:Object' }), message: IAM_MESSAGES.oneColon, path: '$.Statement[0].Action' },
    {
      name: 'resource that is not an ARN',
      doc: identity({ Action: 's3:GetObject', Resource: 'my-bucket' }),
      message: 'Resource my-bucket must be in ARN format or "*".',
      path: '$.Statement[0].Resource',
    },
    {
      name: 'unknown partition',
      doc: identity({ Action: 's3:GetObject', Resource: ['arn:aws:s3:::a', 'arn:nope:s3:::b'] }),
      message: 'Partition "nope" is not valid for resource "arn:nope:s3:::b".',
      path: '$.Statement[0].Resource[1]',
    },
    {
      name: 'IAM ARN with a region',
      doc: identity({ Action: 'iam:GetRole', Resource: 'arn:aws:iam:us-east-1:111122223333:role/x' }),
      message: 'IAM resource arn:aws:iam:us-east-1:111122223333:role/x cannot contain region information.',
      path: '$.Statement[0].Resource',
    },
    {
      name: 'unknown condition operator',
      doc: identity({ Action: 's3:GetObject', Condition: { StringEqualz: { 's3:prefix': 'a' } } }),
      message: IAM_MESSAGES.syntax,
      path: '$.Statement[0].Condition.StringEqualz',
    },
    {
      name: 'managed policy without Version',
      doc: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
      managed: true,
      message: IAM_MESSAGES.versionTooOld,
      path: '$',
    },
    {
      name: 'trust policy without principal',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole' } },
      type: 'trust',
      message: IAM_MESSAGES.trustNoPrincipal,
      path: '$.Statement',
    },
    {
      name: 'trust policy with a resource',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' } },
      type: 'trust',
      message: 'Has prohibited field Resource',
      path: '$.Statement.Resource',
    },
    {
      name: 'trust policy with a non-STS action',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: ['sts:AssumeRole', 's3:GetObject'] } },
      type: 'trust',
      message: IAM_MESSAGES.trustActions,
      path: '$.Statement.Action[1]',
    },
    {
      name: 'trust policy with a wildcard principal ARN',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/*' }, Action: 'sts:AssumeRole' } },
      type: 'trust',
      message: 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/*"',
      path: '$.Statement.Principal.AWS',
    },
    {
      name: 'resource policy without principal',
      doc: identity({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
      type: 'resource',
      message: IAM_MESSAGES.missingPrincipal,
      path: '$.Statement[0]',
    },
    {
      name: 'SCP with a principal',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' } },
      type: 'scp',
      message: IAM_MESSAGES.organizationsPolicyType,
      path: '$.Statement.Principal',
    },
    {
      name: 'RCP with a named principal',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 's3:*', Resource: '*' } },
      type: 'rcp',
      message: IAM_MESSAGES.organizationsPolicyType,
      path: '$.Statement.Principal',
    },
    {
      name: 'RCP Allow other than full access',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' } },
      type: 'rcp',
      message: IAM_MESSAGES.organizationsPolicyType,
      path: '$.Statement.Effect',
    },
    {
      name: 'RCP with NotAction',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', NotAction: 's3:GetObject', Resource: '*' } },
      type: 'rcp',
      message: IAM_MESSAGES.organizationsPolicyType,
      path: '$.Statement.NotAction',
    },
    {
      name: 'RCP without Version',
      doc: { Statement: { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' } },
      type: 'rcp',
      message: IAM_MESSAGES.organizationsPolicyType,
      path: '$',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = validate(c.doc, c.type, c.managed);
      assert.deepEqual(result.iamError, { message: c.message, path: c.path });
    });
  }
});

describe('documents the storing service accepts', () => {
  const cases: Array<{ name: string; doc: unknown; type?: ValidatePolicyType }> = [
    { name: 'plain identity policy', doc: identity({ Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' }) },
    { name: 'inline policy without Version', doc: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } } },
    { name: 'star action and partition wildcard', doc: identity({ Action: '*', Resource: 'arn:*:s3:::b' }) },
    {
      name: 'trust policy with OIDC keys',
      type: 'trust',
      doc: {
        Version: '2012-10-17',
        Statement: {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.example.com' },
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
          Condition: { StringEquals: { 'oidc.example.com:aud': 'sts.amazonaws.com' } },
        },
      },
    },
    {
      name: 'RCPFullAWSAccess',
      type: 'rcp',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' } },
    },
    {
      name: 'resource policy with spaces in Sid',
      type: 'resource',
      doc: { Version: '2012-10-17', Statement: { Sid: 'Allow read', Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = validate(c.doc, c.type);
      assert.equal(result.iamError, undefined);
      assert.deepEqual(
        result.findings.filter((f) => f.findingType === 'ERROR'),
        [],
      );
    });
  }
});

describe('findings', () => {
  const cases: Array<{ name: string; doc: unknown; type?: ValidatePolicyType; expect: Array<[string, string, string]> }> = [
    {
      name: 'unknown service and action, case-insensitive match',
      doc: identity({ Action: ['S3:getobject', 's3:GetObjecct', 'nosuch:Thing', 's3:Frob*'] }),
      expect: [
        ['ERROR', 'INVALID_ACTION', '$.Statement[0].Action[1]'],
        ['ERROR', 'INVALID_SERVICE_IN_ACTION', '$.Statement[0].Action[2]'],
        ['ERROR', 'INVALID_ACTION', '$.Statement[0].Action[3]'],
      ],
    },
    {
      name: 'unknown condition keys',
      doc: identity({
        Action: 's3:GetObject',
        Condition: { StringEquals: { 's3:nope': 'a', 'aws:Nope': 'a', 'nosvc:key': 'a', 'aws:PrincipalTag/team': 'a', 'S3:Prefix': 'a' } },
      }),
      expect: [
        ['ERROR', 'INVALID_SERVICE_CONDITION_KEY', '$.Statement[0].Condition.StringEquals.s3:nope'],
        ['ERROR', 'INVALID_GLOBAL_CONDITION_KEY', '$.Statement[0].Condition.StringEquals.aws:Nope'],
        ['ERROR', 'INVALID_SERVICE', '$.Statement[0].Condition.StringEquals.nosvc:key'],
      ],
    },
    {
      name: 'operator does not suit the key type',
      doc: identity({
        Action: 's3:GetObject',
        Condition: {
          NumericLessThan: { 'aws:CurrentTime': '5', 'aws:EpochTime': '1700000000' },
          DateGreaterThan: { 's3:prefix': '2020-01-01' },
          ArnLike: { 'aws:username': 'arn:aws:iam::1:user/x', 'aws:SourceArn': 'arn:aws:sns:*:*:t' },
          Bool: { 's3:max-keys': 'true' },
          StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' },
        },
      }),
      expect: [
        ['WARNING', 'TYPE_MISMATCH', '$.Statement[0].Condition.NumericLessThan.aws:CurrentTime'],
        ['WARNING', 'TYPE_MISMATCH', '$.Statement[0].Condition.DateGreaterThan.s3:prefix'],
        ['WARNING', 'TYPE_MISMATCH', '$.Statement[0].Condition.ArnLike.aws:username'],
        ['WARNING', 'TYPE_MISMATCH', '$.Statement[0].Condition.Bool.s3:max-keys'],
      ],
    },
    {
      name: 'values the operator cannot read',
      doc: identity({
        Action: 's3:GetObject',
        Condition: {
          NumericLessThan: { 'aws:MultiFactorAuthAge': '1h' },
          IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '300.1.1.1'] },
          Bool: { 'aws:SecureTransport': 'yes' },
          BinaryEquals: { 's3:prefix': 'not base64!' },
          Null: { 's3:prefix': 'maybe' },
        },
      }),
      expect: [
        ['WARNING', 'TYPE_MISMATCH_NUMBER', '$.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge'],
        ['WARNING', 'TYPE_MISMATCH_IP_RANGE', '$.Statement[0].Condition.IpAddress.aws:SourceIp[1]'],
        ['WARNING', 'TYPE_MISMATCH_BOOLEAN', '$.Statement[0].Condition.Bool.aws:SecureTransport'],
        ['WARNING', 'TYPE_MISMATCH', '$.Statement[0].Condition.BinaryEquals.s3:prefix'],
        ['WARNING', 'TYPE_MISMATCH_STRING', '$.Statement[0].Condition.BinaryEquals.s3:prefix'],
        ['WARNING', 'TYPE_MISMATCH_BOOLEAN', '$.Statement[0].Condition.Null.s3:prefix'],
      ],
    },
    {
      name: 'variables',
      doc: identity({
        Action: 's3:GetObject',
        Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '${aws:username}' }, StringEquals: { 's3:prefix': '${aws:username}/' } },
      }),
      expect: [['ERROR', 'INVALID_VARIABLE_FOR_OPERATOR', '$.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge']],
    },
    {
      name: 'variables before 2012-10-17',
      doc: { Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}/*' } },
      expect: [['ERROR', 'VARIABLE_UNSUPPORTED_IN_VERSION', '$.Statement.Resource']],
    },
    {
      name: 'missing version',
      doc: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
      expect: [['WARNING', 'MISSING_VERSION', '$']],
    },
    {
      name: 'PassRole on every role',
      doc: identity({ Action: ['iam:PassRole', 's3:GetObject'] }),
      expect: [['SECURITY_WARNING', 'PASS_ROLE_WITH_STAR_IN_RESOURCE', '$.Statement[0].Resource']],
    },
    {
      name: 'PassRole through a wildcard',
      doc: identity({ Action: 'iam:*' }),
      expect: [['SECURITY_WARNING', 'PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE', '$.Statement[0].Action']],
    },
    {
      name: 'PassRole limited to a service is fine',
      doc: identity({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
      expect: [],
    },
    {
      name: 'Allow with NotAction and NotResource',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' } },
      expect: [
        ['WARNING', 'ALLOW_WITH_NOT_ACTION', '$.Statement.NotAction'],
        ['WARNING', 'ALLOW_WITH_NOT_RESOURCE', '$.Statement.NotResource'],
      ],
    },
    {
      name: 'Allow with NotPrincipal',
      type: 'resource',
      doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } },
      expect: [['SECURITY_WARNING', 'ALLOW_WITH_NOT_PRINCIPAL', '$.Statement.NotPrincipal']],
    },
    {
      name: 'redundant actions',
      doc: identity({ Action: ['s3:Get*', 's3:GetObject', 's3:GetObject*', 's3:PutObject', 's3:putobject'] }),
      expect: [
        ['SUGGESTION', 'REDUNDANT_ACTION', '$.Statement[0].Action[1]'],
        ['SUGGESTION', 'REDUNDANT_ACTION', '$.Statement[0].Action[2]'],
        ['SUGGESTION', 'REDUNDANT_ACTION', '$.Statement[0].Action[4]'],
      ],
    },
    {
      name: 'redundant statements',
      doc: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'One', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' },
          { Sid: 'Two', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: '*' },
        ],
      },
      expect: [['SUGGESTION', 'REDUNDANT_STATEMENT', '$.Statement[1]']],
    },
    {
      name: 'empty condition values and blocks',
      doc: identity({
        Action: 's3:GetObject',
        Condition: { StringEquals: { 's3:prefix': [] }, 'ForAnyValue:StringEquals': { 'aws:TagKeys': [] }, StringLike: {} },
      }),
      expect: [
        ['SUGGESTION', 'EMPTY_OBJECT_CONDITION', '$.Statement[0].Condition.StringLike'],
        ['SUGGESTION', 'EMPTY_ARRAY_CONDITION', '$.Statement[0].Condition.StringEquals.s3:prefix'],
        ['SUGGESTION', 'EMPTY_ARRAY_CONDITION_FORANYVALUE', '$.Statement[0].Condition.ForAnyValue:StringEquals.aws:TagKeys'],
      ],
    },
    {
      name: 'ForAllValues on a single-valued key, wildcard in StringEquals',
      doc: identity({
        Action: 's3:GetObject',
        Condition: { 'ForAllValues:StringEquals': { 's3:prefix': ['a', 'b'], 'aws:TagKeys': ['x'] }, StringEquals: { 'aws:PrincipalTag/team': 'dev*' } },
      }),
      expect: [
        ['SECURITY_WARNING', 'FORALLVALUES_WITH_SINGLE_VALUED_KEY', '$.Statement[0].Condition.ForAllValues:StringEquals.s3:prefix'],
        ['WARNING', 'WILDCARD_WITHOUT_LIKE_OPERATOR', '$.Statement[0].Condition.StringEquals.aws:PrincipalTag/team'],
      ],
    },
    {
      name: 'Null with IfExists and with a qualifier',
      doc: identity({ Action: 's3:GetObject', Condition: { NullIfExists: { 's3:prefix': 'true' }, 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } }),
      expect: [
        ['ERROR', 'NULL_WITH_IF_EXISTS', '$.Statement[0].Condition.NullIfExists'],
        ['SUGGESTION', 'NULL_WITH_QUALIFIER', '$.Statement[0].Condition.ForAnyValue:Null'],
      ],
    },
    {
      name: 'SCP restrictions on Allow',
      type: 'scp',
      doc: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:*Object', Resource: 'arn:aws:s3:::b', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
          { Effect: 'Deny', Action: 's3:DeleteObject', NotResource: 'arn:aws:s3:::b/*' },
        ],
      },
      expect: [
        ['ERROR', 'SCP_SYNTAX_ERROR_ACTION_WILDCARD', '$.Statement[0].Action'],
        ['ERROR', 'SCP_SYNTAX_ERROR_ALLOW_CONDITION', '$.Statement[0].Condition'],
        ['ERROR', 'SCP_SYNTAX_ERROR_ALLOW_RESOURCE', '$.Statement[0].Resource'],
        ['ERROR', 'SCP_SYNTAX_ERROR_NOTRESOURCE', '$.Statement[1].NotResource'],
      ],
    },
    {
      name: 'duplicate Sids in a resource policy',
      type: 'resource',
      doc: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'A', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
          { Sid: 'A', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' },
        ],
      },
      expect: [['WARNING', 'UNIQUE_SIDS_RECOMMENDED', '$.Statement[1].Sid']],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = validate(c.doc, c.type);
      assert.equal(result.iamError, undefined, JSON.stringify(result.iamError));
      const got = result.findings.map((f) => [f.findingType, f.issueCode, f.path]);
      assert.deepEqual(new Set(got.map((g) => JSON.stringify(g))), new Set(c.expect.map((e) => JSON.stringify(e))));
    });
  }

  test('findings carry Access Analyzer details and links', () => {
    const result = validate(identity({ Action: 's3:GetObjecct' }));
    assert.deepEqual(result.findings, [
      {
        findingType: 'ERROR',
        issueCode: 'INVALID_ACTION',
        findingDetails: 'The action s3:GetObjecct does not exist. Did you mean s3:GetObject?',
        learnMoreLink:
          'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action',
        path: '$.Statement[0].Action',
      },
    ]);
  });

  test('accepts an already-decoded document', () => {
    const result = validatePolicy(identity({ Action: 's3:GetObject' }), 'identity', catalog);
    assert.deepEqual(result, { findings: [] });
  });

  // IAM's legacy parser refuses a Date value it cannot read (validate-legacy.ts); Access Analyzer still names it.
  test('a date IAM cannot read: refused, with TYPE_MISMATCH_DATE among the findings', () => {
    const result = validate(identity({ Action: 's3:GetObject', Condition: { DateLessThan: { 'aws:CurrentTime': ['2026-01-01T00:00:00Z', 'tomorrow'] } } }));
    assert.equal(result.iamError?.message, IAM_MESSAGES.legacyParsing);
    assert.deepEqual(
      result.findings.map((f) => [f.issueCode, f.path]),
      [['TYPE_MISMATCH_DATE', '$.Statement[0].Condition.DateLessThan.aws:CurrentTime[1]']],
    );
  });

  test('findings are still reported alongside a refusal', () => {
    const result = validate(identity({ Action: 's3:GetObjecct', Principal: '*' }));
    assert.equal(result.iamError?.message, IAM_MESSAGES.principalNotAllowed);
    assert.deepEqual(
      result.findings.map((f) => f.issueCode),
      ['INVALID_ACTION'],
    );
  });
});
