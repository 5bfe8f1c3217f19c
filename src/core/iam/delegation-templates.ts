// Policy templates of IAM temporary delegation (IAM User Guide, "Policy templates"): a policy whose strings hold
// parameters such as @{bucketName}, which the delegation request's Parameters fill in. AWS holds the templates
// partners register with it; Gatehouse holds those its operator registers (gatehouse serve --delegation-templates).
// Rendering works on the parsed document, never on its text: a value is always a whole string or part of one, so no
// value can add a statement, a key or a quotation mark of its own, and the result is parsed JSON by construction.

export interface PolicyParameter {
  readonly Name: string;
  readonly Values: readonly string[];
  /** `string` (exactly one value) or `stringList`. */
  readonly Type: string;
}

/** A template that cannot be rendered with the request's parameters; the message says why. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
}

const PLACEHOLDER = /@\{([^{}]*)\}/g;
/** No string of a rendered template expands to more values than this (lists of lists multiply). */
const MAX_EXPANSION = 1000;

interface Parameter {
  readonly values: readonly string[];
  readonly list: boolean;
}

function parameterMap(parameters: readonly PolicyParameter[]): Map<string, Parameter> {
  const map = new Map<string, Parameter>();
  for (const p of parameters) {
    if (map.has(p.Name)) throw new TemplateRenderError(`The parameter ${p.Name} is given more than once.`);
    const list = p.Type === 'stringList';
    if (!list && p.Values.length !== 1) throw new TemplateRenderError(`The parameter ${p.Name} is of type string and needs exactly one value, not ${p.Values.length}.`);
    if (list && p.Values.length === 0) throw new TemplateRenderError(`The parameter ${p.Name} is of type stringList and needs at least one value.`);
    map.set(p.Name, { values: [...p.Values], list });
  }
  return map;
}

/**
 * The values one template string renders to: itself without placeholders; each placeholder replaced by its
 * parameter's value; a stringList parameter making one string per value (the element, or a scalar that becomes a
 * list). `expands` tells whether a stringList took part, so that a scalar stays a scalar otherwise.
 */
function renderString(text: string, parameters: ReadonlyMap<string, Parameter>): { values: string[]; expands: boolean } {
  let values = [''];
  let expands = false;
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const literal = text.slice(last, match.index);
    const name = match[1] as string;
    const parameter = parameters.get(name);
    if (parameter === undefined) throw new TemplateRenderError(`The policy template uses the parameter ${name}, which the delegation request does not give.`);
    expands ||= parameter.list;
    values = values.flatMap((prefix) => parameter.values.map((value) => `${prefix}${literal}${value}`));
    if (values.length > MAX_EXPANSION) throw new TemplateRenderError(`A string of the policy template expands to more than ${MAX_EXPANSION} values.`);
    last = match.index + match[0].length;
  }
  const rest = text.slice(last);
  return { values: values.map((prefix) => `${prefix}${rest}`), expands };
}

function render(value: unknown, parameters: ReadonlyMap<string, Parameter>): unknown {
  if (typeof value === 'string') {
    const { values, expands } = renderString(value, parameters);
    return expands ? values : values[0];
  }
  if (Array.isArray(value)) {
    return value.flatMap((element) => (typeof element === 'string' ? renderString(element, parameters).values : [render(element, parameters)]));
  }
  if (typeof value === 'object' && value !== null) {
    // Object.fromEntries defines own properties: a key such as "__proto__" stays data.
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, render(member, parameters)]));
  }
  return value;
}

/** The policy document (JSON text) the template renders to with these parameters. */
export function renderPolicyTemplate(template: unknown, parameters: readonly PolicyParameter[]): string {
  const document = typeof template === 'string' ? parseTemplate(template) : template;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new TemplateRenderError('The policy template is not a JSON object.');
  return JSON.stringify(render(document, parameterMap(parameters)));
}

function parseTemplate(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TemplateRenderError('The policy template is not valid JSON.');
  }
}
