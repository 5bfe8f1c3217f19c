/**
 * A document IAM itself would refuse. `message` is IAM's own MalformedPolicyDocument text, so the IAM API can pass it
 * through unchanged; `path` points at the offending element for tools that show findings.
 */
export class MalformedPolicyError extends Error {
  override readonly name = 'MalformedPolicyError';
  constructor(
    message: string,
    readonly path: string = '$',
  ) {
    super(message);
  }
}

// IAM's texts, kept in one place because the API layer, the validator and the tests all compare against them.
export const IAM_MESSAGES = {
  // A document that is not JSON at all: IAM's answer for a trust policy (CreateRole, UpdateAssumeRolePolicy) ...
  invalidJson: 'This policy contains invalid Json',
  // ... and for an identity policy (CreatePolicy, Put*Policy), its generic grammar text.
  syntax: 'Syntax errors in policy.',
  versionTooOld: 'Policy document must be version 2012-10-17 or greater.',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  missingActions: 'Policy statement must contain actions.',
  missingResources: 'Policy statement must contain resources.',
  principalNotAllowed: 'Policy document should not specify a principal.',
  missingPrincipal: 'Missing required field Principal',
  legacyParsing: 'The policy failed legacy parsing',
  // An ARN whose service part is missing or holds a wildcard (`arn:aws`, `arn:aws:*:...`).
  vendorNotQualified: 'Resource vendor must be fully qualified and cannot contain regexes.',
  vendorPrefix: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  wildcardVendor: 'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards',
  iamResourceType:
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.',
  sidNotAlphanumeric:
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  trustNoPrincipal:
    'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  // A trust policy's `"Principal": "*"` (`{"AWS": "*"}` is stored): IAM's CreateRole answer, quoted in
  // aws/aws-cdk#5732 and in aws-cdk's own role tests, which avoid the short form in trust policies for this reason.
  trustStarPrincipal: 'AssumeRolepolicy contained an invalid principal: "STAR":"*".',
  // AWS Organizations answers every SCP/RCP content problem with this one text.
  organizationsPolicyType: 'The provided policy document does not meet the requirements of the specified policy type.',
} as const;

// IAM's texts that quote part of the document.
export const IAM_MESSAGE_TEMPLATES = {
  resourceNotArn: (resource: string): string => `Resource ${resource} must be in ARN format or "*".`,
  invalidPartition: (partition: string, resource: string): string =>
    `Partition "${partition}" is not valid for resource "${resource}".`,
  iamResourceWithRegion: (resource: string): string => `IAM resource ${resource} cannot contain region information.`,
  // Sic: IAM spells it "can not" here and "cannot" for its own ARNs.
  s3ResourceWithRegion: (resource: string): string => `Resource ${resource} can not contain region information.`,
  invalidVendor: (vendor: string): string => `Vendor ${vendor} is not valid`,
  prohibitedField: (field: string): string => `Has prohibited field ${field}`,
  invalidPrincipal: (key: string, value: string): string => `Invalid principal in policy: "${key}":"${value}"`,
} as const;
