// The role a template version describes once its parameters are substituted, checked as IAM checks the members of a
// CreateRole, PutRolePolicy or TagRole request (the protocol layer checks those for requests; here the values come
// from the substitution, so the same constraints are applied to the result).
import { invalidInput } from '../../errors.js';
import type { Tag } from '../common.js';
import type { RoleTemplate, RoleTemplateVersion } from './catalogue.js';
import { renderPolicy, renderText, type ParameterValues } from './render.js';

export interface RenderedRole {
  readonly name: string;
  readonly path: string;
  readonly description?: string;
  readonly assumeRolePolicyDocument: string;
  readonly inlinePolicies: ReadonlyArray<{ readonly name: string; readonly document: string }>;
  /** As the template names them (resolved to the stored ARNs where they are compared or authorized). */
  readonly managedPolicyArns: readonly string[];
  readonly permissionsBoundary?: string;
  readonly tags: readonly Tag[];
  readonly maxSessionDuration?: number;
}

// The API model's roleNameType, pathType, roleDescriptionType, tagKeyType, tagValueType and policyDocumentType.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const DESCRIPTION = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const POLICY_TEXT = /^[\t\n\r\u0020-\u00FF]+$/;

const codePoints = (text: string): number => [...text].length;

function checkDocument(document: string, what: string): string {
  if (document.length > 131072 || !POLICY_TEXT.test(document)) {
    throw invalidInput(`The ${what} that the role template produces has characters IAM does not accept in policy documents, or is longer than 131072.`);
  }
  return document;
}

/** The role, or InvalidInput naming the first member the substituted values make invalid. */
export function renderRole(template: RoleTemplate, version: RoleTemplateVersion, parameters: ParameterValues): RenderedRole {
  const name = renderText(version.roleNamePattern, parameters);
  if (!ROLE_NAME.test(name)) {
    throw invalidInput(`The role name ${name} that the role template ${template.arn} produces is not valid: it must be 1 to 64 letters, digits or +=,.@_- characters.`);
  }
  const path = renderText(version.rolePathPattern, parameters);
  if (path.length > 512 || !PATH.test(path)) throw invalidInput(`The role path ${path} that the role template ${template.arn} produces is not valid.`);
  const description = version.roleDescriptionPattern === undefined ? undefined : renderText(version.roleDescriptionPattern, parameters);
  if (description !== undefined && (codePoints(description) > 1000 || !DESCRIPTION.test(description))) {
    throw invalidInput(`The role description that the role template ${template.arn} produces is not valid.`);
  }
  const tags = version.tags.map((tag) => {
    const rendered = { Key: renderText(tag.Key, parameters), Value: renderText(tag.Value, parameters) };
    if (!TAG_KEY.test(rendered.Key) || !TAG_VALUE.test(rendered.Value)) {
      throw invalidInput(`The tag ${rendered.Key} that the role template ${template.arn} produces is not valid.`);
    }
    return rendered;
  });
  return {
    name,
    path,
    ...(description !== undefined ? { description } : {}),
    assumeRolePolicyDocument: checkDocument(renderPolicy(version.trustPolicy.tree, parameters), 'trust policy'),
    inlinePolicies: version.inlinePolicies.map((inline) => ({
      name: inline.name,
      document: checkDocument(renderPolicy(inline.policy.tree, parameters), `inline policy ${inline.name}`),
    })),
    managedPolicyArns: version.managedPolicyArns,
    ...(version.permissionsBoundaryArn !== undefined ? { permissionsBoundary: version.permissionsBoundaryArn } : {}),
    tags,
    ...(version.maxSessionDuration !== undefined ? { maxSessionDuration: version.maxSessionDuration } : {}),
  };
}
