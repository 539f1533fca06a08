import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'self-hosted-runner-on-public-repo',
    title: 'Self-hosted runner reachable from public repositories',
    severity: 'high',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    needsApi: true,
    owasp: ['NHI6', 'NHI8'],
    description: 'A self-hosted runner is registered on a public repository, or sits in an org runner group that admits public repositories while the org has some.',
    risk: "Pull requests from forks can run arbitrary code on the runner's machine, inside your network, with whatever credentials it holds, and persist between jobs.",
    remediation: {
      text: 'Move public repositories to GitHub-hosted runners; restrict the runner group to private repositories (uncheck "Allow public repositories"); use ephemeral runners and require approval for fork pull requests.',
      cli: 'gh api -X PATCH /orgs/<org>/actions/runner-groups/<group id> -F allows_public_repositories=false',
    },
    options,
  },
  check(graph) {
    const publicRepos = new Map<string, string[]>();
    for (const n of graph.nodes.values()) {
      if (n.type === 'repo' && n.platform === 'github' && n.attributes?.visibility === 'public' && n.attributes?.archived !== true) {
        publicRepos.set(n.scope ?? '', [...(publicRepos.get(n.scope ?? '') ?? []), n.name]);
      }
    }
    const out: DraftFinding[] = [];
    for (const n of graph.nodes.values()) {
      if (n.type !== 'self-hosted-runner') continue;
      if (n.attributes?.level === 'repo') {
        const repo = graph.out(n.id, 'IN_SCOPE').map((e) => graph.node(e.to)).find((x) => x?.type === 'repo');
        if (repo?.attributes?.visibility !== 'public') continue;
        out.push({ nodeId: n.id, message: `Self-hosted runner ${n.name} serves public repository ${repo.name}`, evidence: [nodeEvidence(n, `Runner ${n.name} (${n.attributes?.os ?? '?'}, labels ${(n.attributes?.labels as string[] | undefined)?.join(', ') ?? '?'}) is registered on public repository ${repo.name}.`)] });
      } else if (n.attributes?.groupAllowsPublicRepos === true) {
        const repos = publicRepos.get(n.scope ?? '') ?? [];
        if (repos.length === 0) continue;
        out.push({
          nodeId: n.id,
          message: `Self-hosted runner ${n.name} is in group ${n.attributes?.runnerGroup ?? '?'} that admits public repositories (${repos.length} in ${n.scope})`,
          evidence: [nodeEvidence(n, `Runner group ${n.attributes?.runnerGroup ?? '?'} allows public repositories; public repositories: ${repos.slice(0, 5).join(', ')}${repos.length > 5 ? ` (+${repos.length - 5} more)` : ''}.`, { publicRepositories: repos })],
        });
      }
    }
    return out;
  },
};
