import { z } from 'zod';
import type { DraftFinding, Rule } from './types.js';
import { locate, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';

const options = z.object({
  /** owners whose reusable workflows you trust like your own (besides the repository's owner) */
  trustedOwners: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

/** The owner of a reusable workflow reference, or undefined for a local `./.github/workflows/x.yml`. */
export function reusableOwner(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined;
  return uses.split('/')[0]?.toLowerCase();
}

export const rule: Rule<Options> = {
  meta: {
    id: 'secrets-inherit',
    title: 'Reusable workflow receives every secret',
    severity: 'medium',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI2', 'NHI3'],
    description: 'A job calls a reusable workflow with `secrets: inherit`, handing it every secret the caller can see; high when the reusable workflow belongs to another owner.',
    risk: 'The called workflow (and whoever can change it at that ref) gets all repository, environment and organisation secrets, not just the ones it needs.',
    remediation: {
      text: 'Pass the secrets the reusable workflow needs by name (`secrets: { NPM_TOKEN: ${{ secrets.NPM_TOKEN }} }`), and pin third-party reusable workflows to a commit SHA.',
    },
    options,
  },
  check(graph, { options: o }) {
    const trusted = new Set(o.trustedOwners.map((x) => x.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      const self = w.repo.split('/')[0].toLowerCase();
      for (const j of w.jobs) {
        if (!j.secretsInherit || !j.uses) continue;
        const owner = reusableOwner(j.uses);
        const thirdParty = owner !== undefined && owner !== self && !trusted.has(owner);
        out.push({
          nodeId: w.node.id,
          discriminator: `job:${j.id}`,
          severity: thirdParty ? 'high' : 'medium',
          message: `${workflowLabel(w)}: job ${j.id} passes every secret to ${thirdParty ? `${owner}'s ` : ''}reusable workflow ${j.uses}`,
          location: locate(w, j.line),
          evidence: [workflowEvidence(w, `Job ${j.id} (line ${j.line}) calls ${j.uses} with secrets: inherit.`, { job: j.id, uses: j.uses, thirdParty })],
        });
      }
    }
    return out;
  },
};
