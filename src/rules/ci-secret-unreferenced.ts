import { z } from 'zod';
import { credentialEvidence, globMatch, placeOf } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** secret names (globs) that are used outside workflow files on purpose */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'ci-secret-unreferenced',
    title: 'CI secret no workflow uses',
    severity: 'low',
    confidence: 'medium',
    category: 'usage',
    platforms: ['github', 'gitlab'],
    owasp: ['NHI1'],
    description: 'A GitHub Actions secret (repository, environment, or org secret visible only to scanned repositories) or a GitLab CI/CD variable that no scanned workflow or pipeline references.',
    risk: 'A secret nobody references is a credential still valid somewhere, kept for no reason: it can be read by any new workflow (or anyone who can push one) and is rarely rotated.',
    remediation: {
      text: 'Check the secret is really unused (scripts may read secrets through env in ways a static scan cannot see), revoke the credential it holds at its issuer, then delete the secret.',
      cli: 'gh secret delete <NAME> --repo <owner>/<repo>   # org: gh secret delete <NAME> --org <org>; GitLab: glab variable delete <KEY>',
    },
    options,
  },
  check(graph, { now, options: o }) {
    const out: DraftFinding[] = [];
    const scannedRepo = (repo: string) => graph.node(`github:repo:${repo}`)?.attributes?.workflowsScanned === true;
    const reposOf = (org: string) => [...graph.nodes.values()].filter((n) => n.type === 'repo' && n.platform === 'github' && n.scope === org);
    // repositories with a workflow that may read any secret (toJSON(secrets), a computed index, inherit into a
    // workflow elsewhere): no secret they can see is called unused
    const readsAny = new Set<string>();
    for (const n of graph.nodes.values()) {
      if (n.kind !== 'workload' || n.type !== 'workflow' || typeof n.attributes?.repo !== 'string') continue;
      if (Array.isArray(n.attributes.anySecret) && n.attributes.anySecret.length > 0) readsAny.add(n.attributes.repo);
    }
    for (const c of graph.credentials()) {
      if (o.ignore.some((g) => globMatch(g, c.name))) continue;
      if (graph.in(c.id, 'USES_SECRET').length > 0) continue;
      let judged = false;
      if (c.type === 'actions-secret') {
        const level = c.attributes?.level;
        const repo = c.attributes?.repo;
        if ((level === 'repo' || level === 'environment') && typeof repo === 'string') judged = scannedRepo(repo) && !readsAny.has(repo);
        else if (level === 'org' && c.scope) {
          const vis = c.attributes?.visibility;
          const candidates = reposOf(c.scope).filter((r) =>
            vis === 'selected'
              ? ((c.attributes?.selectedRepositories as string[] | undefined) ?? []).some((s) => s === r.name || r.name.endsWith(`/${s}`))
              : vis === 'private'
                ? r.attributes?.visibility !== 'public'
                : true,
          );
          // only when every repository that can see it was scanned (and the org's repositories were listed)
          judged =
            candidates.length > 0 &&
            candidates.every((r) => r.attributes?.workflowsScanned === true && !readsAny.has(r.name)) &&
            (vis !== 'selected' || candidates.length === ((c.attributes?.selectedRepositories as string[] | undefined) ?? []).length);
        }
      } else if (c.type === 'ci-variable') {
        const project = c.attributes?.project;
        judged = typeof project === 'string' && graph.node(`gitlab:project:${project}`)?.attributes?.ciConfigScanned === true;
      }
      if (!judged) continue;
      out.push({
        nodeId: c.id,
        message: `${c.type === 'ci-variable' ? 'GitLab CI/CD variable' : 'GitHub Actions secret'} ${c.name}${placeOf(c)} is not referenced by any scanned workflow`,
        evidence: [credentialEvidence(c, now, `No workflow or pipeline of the scanned repositories references ${c.name} (\${{ secrets.${c.name} }} / $${c.name}).`)],
      });
    }
    return out;
  },
};
