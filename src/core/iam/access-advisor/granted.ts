import { parsePolicy } from '../../../policy/parse.js';
import type { Statement } from '../../../policy/types.js';
import { compileTextGlob, type Matcher } from '../../../policy/wildcard.js';

// Which services (and actions) a set of permissions policies grants, as Access Advisor lists them: only the
// permissions policies' Allow statements count ("it only applies permissions policy logic"); resources and conditions
// do not narrow a grant, since a request with some resource and context could be allowed.

/** One Action or NotAction pattern, split at its first colon: `*` stands for every service and action. */
interface ActionPattern {
  readonly service: Matcher;
  readonly action: Matcher;
  /** True for `service:*` (or `*`): the whole of every matching service. */
  readonly wholeService: boolean;
}

function compilePattern(pattern: string): ActionPattern | undefined {
  if (pattern === '*') return { service: () => true, action: () => true, wholeService: true };
  const colon = pattern.indexOf(':');
  // IAM refuses other shapes when a policy is stored; an AWS managed policy's text is trusted the same way.
  if (colon <= 0) return undefined;
  const actionPart = pattern.slice(colon + 1);
  return {
    service: compileTextGlob(pattern.slice(0, colon), { ignoreCase: true }),
    action: compileTextGlob(actionPart, { ignoreCase: true }),
    wholeService: actionPart === '*',
  };
}

interface CompiledAllow {
  readonly patterns: readonly ActionPattern[];
  /** NotAction: the statement allows what none of the patterns names. */
  readonly negated: boolean;
}

/** The Allow statements of a set of policy documents, ready to ask which services and actions they grant. */
export class Grants {
  private readonly allows: CompiledAllow[] = [];
  /** Unconditional Deny statements' Action patterns (an SCP's deny list). */
  private readonly denies: ActionPattern[] = [];

  constructor(documents: readonly string[]) {
    for (const document of documents) {
      let statements: readonly Statement[];
      try {
        statements = parsePolicy(document).statements;
      } catch {
        // A document IAM stored parses; one that does not grants nothing rather than failing the report.
        continue;
      }
      for (const statement of statements) {
        if (statement.effect !== 'Allow') {
          if (statement.conditions.length === 0 && statement.action !== undefined) {
            for (const pattern of statement.action) {
              const compiled = compilePattern(pattern);
              if (compiled !== undefined) this.denies.push(compiled);
            }
          }
          continue;
        }
        const negated = statement.action === undefined;
        const patterns = (statement.action ?? statement.notAction ?? []).map(compilePattern).filter((p): p is ActionPattern => p !== undefined);
        this.allows.push({ patterns, negated });
      }
    }
  }

  /** True when some statement allows at least part of the service. */
  grantsService(namespace: string): boolean {
    return this.allows.some(({ patterns, negated }) =>
      negated
        ? !patterns.some((p) => p.wholeService && p.service(namespace))
        : patterns.some((p) => p.service(namespace)),
    );
  }

  /** True when an unconditional Deny refuses the whole service (`s3:*`, `*`): nothing of it can be allowed. */
  deniesService(namespace: string): boolean {
    return this.denies.some((p) => p.wholeService && p.service(namespace));
  }

  /** True when some statement allows the action (`name` without its prefix). */
  grantsAction(namespace: string, name: string): boolean {
    return this.allows.some(({ patterns, negated }) => {
      const named = patterns.some((p) => p.service(namespace) && p.action(name));
      return negated ? !named : named;
    });
  }
}
