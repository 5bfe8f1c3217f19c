// Where the storing service refuses Principal and NotPrincipal, checked through validatePolicy (the rules live in
// validate-rejections.ts: no new rule was needed).
// AWS JSON policy elements: NotPrincipal — "NotPrincipal must be used with "Effect":"Deny""; "You cannot use the
// NotPrincipal element in an IAM identity-based policy nor in an IAM role trust policy"; it "is supported in
// resource-based policies for some AWS services" (an Allow with it is stored there, with Access Analyzer's
// ALLOW_WITH_NOT_PRINCIPAL warning). AWS Organizations, SCP syntax: SCPs have no Principal or NotPrincipal; RCP
// syntax: Principal must be "*", NotPrincipal is not supported. AWS JSON policy elements: Principal — "You must use
// the Principal element in resource-based policies", and a role trust policy must name its principals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStaticCatalog } from './catalog.js';
import { IAM_MESSAGE_TEMPLATES, IAM_MESSAGES } from './errors.js';
import { validatePolicy, type ValidatePolicyType } from './validate.js';

const NO_SERVICES = createStaticCatalog({ services: {} });
type Json = Record<string, unknown>;
const doc = (statement: Json): Json => ({ Version: '2012-10-17', Statement: [statement] });
const S3 = { Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const ASSUME = { Action: 'sts:AssumeRole' };
const NOT_BOB = { NotPrincipal: { AWS: ['arn:aws:iam::111122223333:user/Bob', '111122223333'] } };

const cases: Array<{ name: string; type: ValidatePolicyType; doc: Json; refused?: string }> = [
  { name: 'resource policy: Deny with NotPrincipal is stored', type: 'resource', doc: doc({ Effect: 'Deny', ...NOT_BOB, ...S3 }) },
  { name: 'resource policy: Allow with NotPrincipal is stored (a warning, as some services accept it)', type: 'resource', doc: doc({ Effect: 'Allow', ...NOT_BOB, ...S3 }) },
  { name: 'resource policy: a statement without Principal is refused', type: 'resource', doc: doc({ Effect: 'Allow', ...S3 }), refused: IAM_MESSAGES.missingPrincipal },
  { name: 'resource policy: a Deny without Principal is refused', type: 'resource', doc: doc({ Effect: 'Deny', ...S3 }), refused: IAM_MESSAGES.missingPrincipal },
  { name: 'trust policy: NotPrincipal is refused', type: 'trust', doc: doc({ Effect: 'Deny', ...NOT_BOB, ...ASSUME }), refused: IAM_MESSAGE_TEMPLATES.prohibitedField('NotPrincipal') },
  { name: 'trust policy: a statement without Principal is refused', type: 'trust', doc: doc({ Effect: 'Allow', ...ASSUME }), refused: IAM_MESSAGES.trustNoPrincipal },
  { name: 'identity policy: NotPrincipal is refused', type: 'identity', doc: doc({ Effect: 'Deny', ...NOT_BOB, ...S3 }), refused: IAM_MESSAGES.principalNotAllowed },
  { name: 'SCP: NotPrincipal is refused', type: 'scp', doc: doc({ Effect: 'Deny', ...NOT_BOB, ...S3 }), refused: IAM_MESSAGES.organizationsPolicyType },
  { name: 'RCP: NotPrincipal is refused', type: 'rcp', doc: doc({ Effect: 'Deny', ...NOT_BOB, ...S3 }), refused: IAM_MESSAGES.organizationsPolicyType },
  { name: 'RCP: a statement without Principal is refused', type: 'rcp', doc: doc({ Effect: 'Deny', ...S3 }), refused: IAM_MESSAGES.organizationsPolicyType },
];

for (const c of cases) {
  test(c.name, () => {
    const { iamError } = validatePolicy(c.doc, c.type, NO_SERVICES);
    assert.equal(iamError?.message, c.refused);
  });
}
