import { z } from 'zod';
import { label, nodeEvidence } from './helpers.js';
import { ENTRA_WORKLOAD_TYPES } from './entra-helpers.js';
import type { DraftFinding, Rule } from './types.js';
import type { Severity } from '../model/types.js';
import { expressionSubjects } from '../policy/entra-fic.js';

const GITHUB = 'https://token.actions.githubusercontent.com';

const options = z.object({
  /** subjects (exact) accepted as narrow on purpose, e.g. a shared deployment environment */
  allowSubjects: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

export interface Breadth {
  severity: Severity;
  /** what the credential admits, for the message */
  admits: string;
}

/**
 * How much a GitHub subject pattern (`*` a wildcard) admits: any repository (high), any ref / pull request of one
 * repository (medium), or one branch, tag or environment (undefined: narrow).
 */
export function githubSubjectBreadth(pattern: string): Breadth | undefined {
  const m = /^repo:([^:]*)(?::(.*))?$/.exec(pattern);
  if (!m) {
    if (pattern.includes('*')) return { severity: 'high', admits: `any subject matching ${pattern}` };
    return { severity: 'medium', admits: `the custom subject ${pattern} (not repository-scoped)` };
  }
  const [, repo, rest] = m;
  if (repo.includes('*')) return { severity: 'high', admits: `many repositories (${repo})` };
  if (rest.includes('*')) {
    const what = rest === '*' ? 'any branch, tag, environment or pull request' : /^ref:refs\/heads\//.test(rest) ? 'many branches' : /^environment:/.test(rest) ? 'many environments' : 'many refs';
    return { severity: 'medium', admits: `${what} of ${repo} (${rest})` };
  }
  if (rest === 'pull_request') return { severity: 'medium', admits: `any pull request of ${repo}, whatever its branch` };
  return undefined;
}

export { expressionSubjects } from '../policy/entra-fic.js';

export const rule: Rule<Options> = {
  meta: {
    id: 'entra-federated-credential-broad',
    title: 'Entra federated credential admits many repositories or branches',
    severity: 'high',
    confidence: 'high',
    category: 'trust',
    platforms: ['entra'],
    owasp: ['NHI4', 'NHI6'],
    description: 'A federated identity credential of an Entra application trusts a GitHub (or other) issuer with a subject, or a claims-matching expression, that admits many repositories (high) or every branch or pull request of one repository (medium).',
    risk: 'Any workflow that the credential admits can sign in as the application: with a wildcard over repositories, anyone who can push a workflow to any repository of the owner (or create one) gets the application\u2019s permissions.',
    remediation: {
      text: 'Use one federated credential per repository and branch or environment, with an exact subject (repo:OWNER/REPO:environment:production); protect the environment with required reviewers.',
      cli: 'az ad app federated-credential update --id <application id> --federated-credential-id <credential name> --parameters credential.json',
    },
    options,
  },
  check(graph, { options: o }) {
    const allowed = new Set(o.allowSubjects);
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.platform !== 'entra' || !ENTRA_WORKLOAD_TYPES.has(p.type)) continue;
      for (const e of graph.in(p.id, 'FEDERATES_TO')) {
        const issuer = String(e.attributes?.issuer ?? '');
        const subject = typeof e.attributes?.subject === 'string' ? e.attributes.subject : undefined;
        const expr = typeof e.attributes?.claimsMatchingExpression === 'string' ? e.attributes.claimsMatchingExpression : undefined;
        const name = String(e.attributes?.name ?? e.attributes?.federatedCredentialId ?? issuer);
        let breadth: Breadth | undefined;
        if (subject !== undefined) {
          if (allowed.has(subject)) continue;
          breadth = issuer === GITHUB ? githubSubjectBreadth(subject) : undefined;
        } else if (expr !== undefined) {
          const subjects = expressionSubjects(expr);
          if (subjects.length === 0) breadth = { severity: 'high', admits: `any subject of ${issuer} (the expression ${expr} does not test sub)` };
          else {
            const each = subjects.map((s) => (issuer === GITHUB ? githubSubjectBreadth(s) : s.includes('*') ? { severity: 'medium' as Severity, admits: `every subject matching ${s}` } : undefined));
            // alternatives joined by `or` admit the union: the broadest decides; with `and`, the narrowest
            const ranked = each.filter((b): b is Breadth => b !== undefined).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'high' ? -1 : 1));
            const conj = /\band\b/i.test(expr) && !/\bor\b/i.test(expr);
            breadth = conj ? (each.some((b) => b === undefined) ? undefined : ranked[ranked.length - 1]) : ranked[0];
          }
        } else {
          breadth = { severity: 'high', admits: `any subject of ${issuer} (neither subject nor expression)` };
        }
        if (!breadth) continue;
        out.push({
          nodeId: p.id,
          discriminator: String(e.attributes?.federatedCredentialId ?? name),
          severity: breadth.severity,
          message: `${label(p)} has the federated credential ${name} that admits ${breadth.admits}`,
          path: [e.from, p.id],
          evidence: [nodeEvidence(p, `The federated identity credential ${name} trusts ${issuer} with ${subject !== undefined ? `subject ${subject}` : `claims-matching expression ${expr ?? '(none)'}`}.`, { issuer, subject: subject ?? null, claimsMatchingExpression: expr ?? null, audiences: e.attributes?.audiences ?? null })],
        });
      }
    }
    return out;
  },
};
