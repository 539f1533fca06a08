import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';
import { workflows } from './ci-helpers.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'default-workflow-token-write',
    title: 'Workflow token defaults to write',
    severity: 'medium',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    needsApi: true,
    owasp: ['NHI5'],
    description: "An organisation or repository gives the GITHUB_TOKEN of every workflow read-write access by default; high when workflows without a `permissions:` block run under it.",
    risk: 'Every workflow that does not declare permissions — and every action it runs — can push code, tags and packages with the token; a compromised dependency or a script injection turns into a write to the repository.',
    remediation: {
      text: 'Set the default to read (Settings → Actions → General → Workflow permissions → Read repository contents and packages permissions), then add `permissions:` blocks to the workflows that need more. Also turn off "Allow GitHub Actions to create and approve pull requests" unless needed.',
      cli: 'gh api -X PUT /orgs/<org>/actions/permissions/workflow -f default_workflow_permissions=read -F can_approve_pull_request_reviews=false',
    },
    options,
  },
  check(graph) {
    // workflows without any permissions block, by repository
    const open = new Map<string, string[]>();
    for (const w of workflows(graph)) {
      const declared = w.permissions !== undefined || (w.jobs.length > 0 && w.jobs.every((j) => j.permissions !== undefined));
      if (!declared) open.set(w.repo, [...(open.get(w.repo) ?? []), w.path]);
    }
    const out: DraftFinding[] = [];
    for (const n of graph.nodes.values()) {
      if (n.platform !== 'github' || (n.type !== 'org' && n.type !== 'repo')) continue;
      if (n.attributes?.defaultWorkflowPermissions !== 'write') continue;
      const affected = n.type === 'repo' ? (open.get(n.name) ?? []).map((p) => `${n.name} ${p}`) : [...open.entries()].filter(([repo]) => repo.split('/')[0] === n.name && graph.node(`github:repo:${repo}`)?.attributes?.defaultWorkflowPermissions !== 'read').flatMap(([repo, ps]) => ps.map((p) => `${repo} ${p}`));
      const approve = n.attributes?.canApprovePullRequestReviews === true;
      out.push({
        nodeId: n.id,
        severity: affected.length > 0 ? 'high' : undefined,
        message: `${n.type === 'org' ? 'Organisation' : 'Repository'} ${n.name} gives every workflow a read-write GITHUB_TOKEN by default${affected.length ? `; ${affected.length} workflow(s) declare no permissions` : ''}${approve ? ', and workflows may approve pull requests' : ''}`,
        evidence: [
          nodeEvidence(n, `default_workflow_permissions is write${approve ? ' and can_approve_pull_request_reviews is true' : ''}.`, { defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: approve }),
          ...(affected.length ? [nodeEvidence(n, `Workflows without a permissions block: ${affected.slice(0, 10).join(', ')}${affected.length > 10 ? ` (+${affected.length - 10} more)` : ''}.`, { workflows: affected })] : []),
        ],
      });
    }
    return out;
  },
};
