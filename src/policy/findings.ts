// Findings in the shape IAM Access Analyzer's ValidatePolicy returns, so tools written against that API can read ours.
// Issue codes and the wording of findingDetails follow the Access Analyzer policy check reference.

export type FindingType = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

export interface Finding {
  readonly findingType: FindingType;
  readonly issueCode: string;
  readonly findingDetails: string;
  readonly learnMoreLink?: string;
  /** JSON path of the element the finding is about, e.g. `$.Statement[0].Action[1]`. */
  readonly path: string;
}

interface CheckDefinition {
  readonly findingType: FindingType;
  /** The check's title in the reference; the anchor of learnMoreLink is derived from it. */
  readonly title: string;
}

// Codes that Access Analyzer does not have are marked; they carry no learnMoreLink.
const CHECKS = {
  INVALID_ACTION: { findingType: 'ERROR', title: 'Invalid action' },
  INVALID_SERVICE_IN_ACTION: { findingType: 'ERROR', title: 'Invalid service in action' },
  INVALID_SERVICE: { findingType: 'ERROR', title: 'Invalid service' },
  INVALID_GLOBAL_CONDITION_KEY: { findingType: 'ERROR', title: 'Invalid global condition key' },
  INVALID_SERVICE_CONDITION_KEY: { findingType: 'ERROR', title: 'Invalid service condition key' },
  INVALID_CONDITION_MULTIPLE_BOOLEAN: { findingType: 'ERROR', title: 'Invalid condition multiple Boolean' },
  INVALID_VARIABLE_FOR_OPERATOR: { findingType: 'ERROR', title: 'Invalid variable for operator' },
  VARIABLE_UNSUPPORTED_IN_ELEMENT: { findingType: 'ERROR', title: 'Variable unsupported in element' },
  VARIABLE_UNSUPPORTED_IN_VERSION: { findingType: 'ERROR', title: 'Variable unsupported in version' },
  NULL_WITH_IF_EXISTS: { findingType: 'ERROR', title: 'Null with if exists' },
  MISSING_RESOURCE: { findingType: 'ERROR', title: 'Missing resource' },
  UNIQUE_SIDS_REQUIRED: { findingType: 'ERROR', title: 'Unique Sids required' },
  SCP_SYNTAX_ERROR_ACTION_WILDCARD: { findingType: 'ERROR', title: 'SCP syntax error action wildcard' },
  SCP_SYNTAX_ERROR_ALLOW_CONDITION: { findingType: 'ERROR', title: 'SCP syntax error allow condition' },
  SCP_SYNTAX_ERROR_ALLOW_NOTACTION: { findingType: 'ERROR', title: 'SCP syntax error allow NotAction' },
  SCP_SYNTAX_ERROR_ALLOW_RESOURCE: { findingType: 'ERROR', title: 'SCP syntax error allow resource' },
  SCP_SYNTAX_ERROR_NOTRESOURCE: { findingType: 'ERROR', title: 'SCP syntax error NotResource' },
  MISSING_VERSION: { findingType: 'WARNING', title: 'Missing version' },
  UNIQUE_SIDS_RECOMMENDED: { findingType: 'WARNING', title: 'Unique Sids recommended' },
  WILDCARD_WITHOUT_LIKE_OPERATOR: { findingType: 'WARNING', title: 'Wildcard without like operator' },
  TYPE_MISMATCH: { findingType: 'WARNING', title: 'Type mismatch' },
  TYPE_MISMATCH_BOOLEAN: { findingType: 'WARNING', title: 'Type mismatch Boolean' },
  TYPE_MISMATCH_DATE: { findingType: 'WARNING', title: 'Type mismatch date' },
  TYPE_MISMATCH_IP_RANGE: { findingType: 'WARNING', title: 'Type mismatch IP range' },
  TYPE_MISMATCH_NUMBER: { findingType: 'WARNING', title: 'Type mismatch number' },
  TYPE_MISMATCH_STRING: { findingType: 'WARNING', title: 'Type mismatch string' },
  ALLOW_WITH_NOT_PRINCIPAL: { findingType: 'SECURITY_WARNING', title: 'Allow with NotPrincipal' },
  FORALLVALUES_WITH_SINGLE_VALUED_KEY: { findingType: 'SECURITY_WARNING', title: 'ForAllValues with single valued key' },
  PASS_ROLE_WITH_NOT_RESOURCE: { findingType: 'SECURITY_WARNING', title: 'Pass role with NotResource' },
  PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: {
    findingType: 'SECURITY_WARNING',
    title: 'Pass role with star in action and NotResource',
  },
  PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE: {
    findingType: 'SECURITY_WARNING',
    title: 'Pass role with NotAction and NotResource',
  },
  PASS_ROLE_WITH_STAR_IN_RESOURCE: { findingType: 'SECURITY_WARNING', title: 'Pass role with star in resource' },
  PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE: {
    findingType: 'SECURITY_WARNING',
    title: 'Pass role with star in action and resource',
  },
  PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: {
    findingType: 'SECURITY_WARNING',
    title: 'Pass role with star in resource and NotAction',
  },
  EMPTY_ARRAY_CONDITION: { findingType: 'SUGGESTION', title: 'Empty array condition' },
  EMPTY_ARRAY_CONDITION_FORALLVALUES: { findingType: 'SUGGESTION', title: 'Empty array condition ForAllValues' },
  EMPTY_ARRAY_CONDITION_FORANYVALUE: { findingType: 'SUGGESTION', title: 'Empty array condition ForAnyValue' },
  EMPTY_ARRAY_CONDITION_IFEXISTS: { findingType: 'SUGGESTION', title: 'Empty array condition IfExists' },
  EMPTY_OBJECT_CONDITION: { findingType: 'SUGGESTION', title: 'Empty object condition' },
  EMPTY_SID_VALUE: { findingType: 'SUGGESTION', title: 'Empty Sid value' },
  NULL_WITH_QUALIFIER: { findingType: 'SUGGESTION', title: 'Null with qualifier' },
  REDUNDANT_ACTION: { findingType: 'SUGGESTION', title: 'Redundant action' },
  REDUNDANT_STATEMENT: { findingType: 'SUGGESTION', title: 'Redundant statement' },
  // Gatehouse's own: Access Analyzer has no check for these, but they are the usual way an Allow grants too much.
  ALLOW_WITH_NOT_ACTION: { findingType: 'WARNING', title: '' },
  ALLOW_WITH_NOT_RESOURCE: { findingType: 'WARNING', title: '' },
} as const satisfies Record<string, CheckDefinition>;

export type IssueCode = keyof typeof CHECKS;

const REFERENCE_PAGE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html';

const TYPE_SLUG: Record<FindingType, string> = {
  ERROR: 'error',
  SECURITY_WARNING: 'security-warning',
  WARNING: 'general-warning',
  SUGGESTION: 'suggestion',
};

function learnMoreLink(check: CheckDefinition): string | undefined {
  if (check.title === '') return undefined;
  // The reference's anchors are the section titles, lower-cased and hyphenated; outside the SCP checks NotX is not-x.
  const title = check.title.startsWith('SCP') ? check.title : check.title.replace(/Not(?=[A-Z])/g, 'not-');
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${REFERENCE_PAGE}#access-analyzer-reference-policy-checks-${TYPE_SLUG[check.findingType]}-${slug}`;
}

export function makeFinding(issueCode: IssueCode, findingDetails: string, path: string): Finding {
  const check: CheckDefinition = CHECKS[issueCode];
  const link = learnMoreLink(check);
  return {
    findingType: check.findingType,
    issueCode,
    findingDetails,
    ...(link !== undefined ? { learnMoreLink: link } : {}),
    path,
  };
}

/** Stable order for output: by JSON path position, then severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank: Record<FindingType, number> = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 };
  return findings
    .map((finding, order) => ({ finding, order }))
    .sort((a, b) => rank[a.finding.findingType] - rank[b.finding.findingType] || a.order - b.order)
    .map((entry) => entry.finding);
}
