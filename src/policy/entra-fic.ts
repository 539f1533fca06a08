/**
 * Entra federated identity credentials: what a credential's subject or claims-matching expression (flexible federated
 * identity credentials, `claims['sub'] matches 'repo:acme/*' and claims['job_workflow_ref'] eq '…'`) requires of a
 * token. Shared by the rules and the paths engine so both read an expression the same way.
 */

export interface FicClaimTest {
  claim: string;
  /** `eq`: the claim equals the value; `matches`: `*` in the value is any run of characters */
  op: 'eq' | 'matches';
  value: string;
}

export interface FicRequirement {
  /** tests that must all hold (the expression's `and`s) */
  tests: FicClaimTest[];
  /** a part of the expression that was not read (`or`, a function, another operator): the credential may admit more */
  unparsed: boolean;
}

const TEST = /^claims\[\s*['"]([^'"]+)['"]\s*\]\s+(matches|eq)\s+'((?:[^'\\]|\\.)*)'$/i;

/** The requirement of a credential: its exact `subject`, or its claims-matching expression. */
export function ficRequirement(subject: string | undefined, expression: string | undefined): FicRequirement | undefined {
  if (subject) return { tests: [{ claim: 'sub', op: 'eq', value: subject }], unparsed: false };
  if (!expression) return undefined;
  const tests: FicClaimTest[] = [];
  let unparsed = false;
  for (const part of expression.trim().split(/\s+and\s+/i)) {
    const m = TEST.exec(part.trim().replace(/^\((.*)\)$/s, '$1').trim());
    if (!m) {
      unparsed = true;
      continue;
    }
    tests.push({ claim: m[1], op: m[2].toLowerCase() as 'eq' | 'matches', value: m[3].replace(/\\(.)/g, '$1') });
  }
  return { tests, unparsed };
}

/** The subject patterns (`*` a wildcard, a literal `*` escaped) of a claims-matching expression. */
export function expressionSubjects(expr: string): string[] {
  return (ficRequirement(undefined, expr)?.tests ?? []).filter((t) => t.claim.toLowerCase() === 'sub').map((t) => (t.op === 'eq' ? t.value.replace(/\*/g, '\\*') : t.value));
}
