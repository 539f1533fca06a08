import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** App permissions whose write/admin access on every repository counts as over-privileged */
  sensitivePermissions: z
    .array(z.string())
    .default(['administration', 'contents', 'workflows', 'secrets', 'actions', 'environments', 'members', 'organization_administration', 'organization_secrets', 'organization_self_hosted_runners']),
  /** App slugs installed that way on purpose */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'app-installation-overprivileged',
    title: 'GitHub App with write access to every repository',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['github'],
    owasp: ['NHI3', 'NHI5'],
    description: 'A GitHub App is installed on all repositories of the org with write or admin on a sensitive permission (code, workflows, secrets, administration); medium when limited to selected repositories but still admin over administration or secrets.',
    risk: "The App's private key (held by its vendor or by a server of yours) can push code, change workflows or read secrets everywhere; a compromised App vendor becomes a compromise of the whole org.",
    remediation: {
      text: 'Install the App on the repositories it serves only, and ask for (or configure) read instead of write where it only reads. Remove installations nobody uses.',
      cli: 'gh api /orgs/<org>/installations   # then adjust in Settings → GitHub Apps → Configure → Repository access',
    },
    options,
  },
  check(graph, { options: o }) {
    const sensitive = new Set(o.sensitivePermissions);
    const ignore = new Set(o.ignore.map((x) => x.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.type !== 'app-installation' || p.disabled) continue;
      if (ignore.has(String(p.attributes?.appSlug ?? p.name).toLowerCase())) continue;
      const perms = (p.attributes?.permissions ?? {}) as Record<string, string>;
      const strong = Object.entries(perms).filter(([k, v]) => sensitive.has(k) && (v === 'write' || v === 'admin'));
      if (strong.length === 0) continue;
      const all = p.attributes?.repositorySelection === 'all';
      const adminOnSelected = !all && strong.some(([k, v]) => (k === 'administration' || k === 'secrets' || k === 'organization_administration') && (v === 'write' || v === 'admin'));
      if (!all && !adminOnSelected) continue;
      const list = strong.map(([k, v]) => `${k}: ${v}`).join(', ');
      out.push({
        nodeId: p.id,
        severity: all ? undefined : 'medium',
        message: `GitHub App ${p.name} is installed on ${all ? 'every repository' : 'selected repositories'} of ${p.scope} with ${list}`,
        evidence: [nodeEvidence(p, `Installation ${p.attributes?.installationId ?? p.externalId}: repository selection ${p.attributes?.repositorySelection}, permissions ${list}.`, { permissions: perms, repositorySelection: p.attributes?.repositorySelection })],
      });
    }
    return out;
  },
};
