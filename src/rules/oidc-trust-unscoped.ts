import { z } from 'zod';
import type { Evidence } from '../model/types.js';
import { classifySub, conditionEntries, isGitHubIssuer, isPositiveOperator, oidcIssuer, subAllowed } from '../policy/trust.js';
import { label } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** sub patterns accepted as they are (equal, or matched by these globs), e.g. `repo:acme/*` for a trusted org */
  allowedSubPatterns: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'oidc-trust-unscoped',
    title: 'GitHub OIDC trust not scoped to a repository',
    severity: 'critical',
    confidence: 'high',
    category: 'trust',
    platforms: ['aws', 'github'],
    owasp: ['NHI4', 'NHI6'],
    description: 'A role trusts GitHub Actions OIDC tokens without a `sub` condition that limits them to your repositories.',
    risk: 'Every GitHub repository can mint a token from the same issuer: without a sub condition naming your repository, anyone\'s workflow can assume the role.',
    remediation: {
      text: 'Add a StringEquals (or StringLike) condition on token.actions.githubusercontent.com:sub naming the repository and branch or environment (`repo:org/repo:ref:refs/heads/main`), and on :aud = sts.amazonaws.com.',
      cli: 'aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json',
      terraform: 'condition { test = "StringLike" variable = "token.actions.githubusercontent.com:sub" values = ["repo:org/repo:ref:refs/heads/main"] }',
    },
    options,
  },
  check(graph, { options: o }) {
    const out: DraftFinding[] = [];
    for (const e of graph.edges) {
      if (e.type !== 'CAN_ASSUME' || !e.from.startsWith('aws:oidc-provider:')) continue;
      const provider = graph.node(e.from);
      const issuer = oidcIssuer(provider, e.from);
      if (!isGitHubIssuer(issuer)) continue;
      const role = graph.node(e.to);
      if (!role) continue;
      const entries = conditionEntries(e.attributes?.conditions as Record<string, Record<string, unknown>> | undefined);
      const claim = (name: string) => (k: string) => {
        const key = k.toLowerCase();
        return key === `${issuer}:${name}` || (isGitHubIssuer(key.slice(0, key.lastIndexOf(':'))) && key.endsWith(`:${name}`));
      };
      const subs = entries.filter((c) => claim('sub')(c.key) && isPositiveOperator(c.operator)).flatMap((c) => c.values);
      const hasAud = entries.some((c) => claim('aud')(c.key) && isPositiveOperator(c.operator));
      const judged = subs.filter((v) => !subAllowed(v, o.allowedSubPatterns));
      const anyRepo = judged.filter((v) => classifySub(v) === 'any');
      const orgWide = judged.filter((v) => classifySub(v) === 'org');
      const idx = e.attributes?.statementIndex;
      const data = { issuer, statementIndex: idx ?? null, sub: subs, audConditioned: hasAud, conditions: e.attributes?.conditions ?? null };
      const audNote: Evidence[] = hasAud
        ? []
        : [{ description: `No condition on ${issuer}:aud: tokens minted for any audience are accepted (expected sts.amazonaws.com).`, source: e.provenance[0], data: { claim: 'aud' } }];
      const base = { nodeId: role.id, discriminator: issuer, path: [e.from, role.id] };
      if (subs.length === 0) {
        out.push({
          ...base,
          message: `${label(role)} trusts GitHub Actions OIDC with no sub condition: any repository on GitHub can assume it`,
          evidence: [{ description: `Trust policy statement ${idx ?? '?'} federates ${issuer} without a condition on ${issuer}:sub.`, source: e.provenance[0], data }, ...audNote],
        });
      } else if (anyRepo.length > 0) {
        out.push({
          ...base,
          message: `${label(role)} trusts GitHub Actions OIDC for sub ${anyRepo.join(', ')}, which matches any repository`,
          evidence: [{ description: `Trust policy statement ${idx ?? '?'} accepts sub ${anyRepo.join(', ')}: the owner part is a wildcard, so any GitHub owner's workflow matches.`, source: e.provenance[0], data }, ...audNote],
        });
      } else if (orgWide.length > 0) {
        out.push({
          ...base,
          severity: 'medium',
          message: `${label(role)} trusts GitHub Actions OIDC for every repository of ${orgWide.map((v) => v.replace(/^repo:/i, '').split('/')[0]).join(', ')} (sub ${orgWide.join(', ')})`,
          evidence: [{ description: `Trust policy statement ${idx ?? '?'} accepts sub ${orgWide.join(', ')}: any repository, branch and pull request of that owner can assume the role.`, source: e.provenance[0], data }, ...audNote],
        });
      }
    }
    return out;
  },
};
