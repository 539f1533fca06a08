import { z } from 'zod';
import { daysSince } from '../util/dates.js';
import { credentialEvidence, placeOf } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** a write key not used for this many days is reported */
  unusedDays: z.number().int().positive().default(90),
  /** also report write keys whose last use the platform does not tell */
  flagUnknownUse: z.boolean().default(false),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'deploy-key-write-access-unused',
    title: 'Unused deploy key with write access',
    severity: 'medium',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['github', 'gitlab'],
    owasp: ['NHI1', 'NHI5'],
    description: 'A deploy key that can push (GitHub read_only false, GitLab can_push true) has not been used within the window, was never used, or sits on an archived repository.',
    risk: 'A write deploy key is a password to push code, kept on some server; an unused one is exposure without a purpose, and a push bypasses review unless branches are protected.',
    remediation: {
      text: 'Delete the key. If something still needs it, replace it with a read-only key or a GitHub App / GitLab deploy token scoped to what it does.',
      cli: 'gh repo deploy-key delete <key id> --repo <owner>/<repo>',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const c of graph.credentials()) {
      if (c.type !== 'deploy-key' || !c.active) continue;
      const writes = c.attributes?.readOnly === false || c.attributes?.canPush === true || graph.out(c.id, 'CAN_ACCESS').some((e) => e.attributes?.access === 'write');
      if (!writes) continue;
      const repoNode = graph.out(c.id, 'CAN_ACCESS').map((e) => graph.node(e.to)).find((n) => n?.type === 'repo' || n?.type === 'project');
      const archived = repoNode?.attributes?.archived === true;
      const isPublic = repoNode?.attributes?.visibility === 'public';
      const idle = c.lastUsedAt ? daysSince(c.lastUsedAt, now) : undefined;
      let why: string | undefined;
      if (archived) why = 'the repository is archived';
      else if (c.lastUsedAt === null) why = `it was never used (created ${c.createdAt?.slice(0, 10) ?? '?'})`;
      else if (idle !== undefined && idle > o.unusedDays) why = `it was last used ${idle} days ago`;
      else if (c.lastUsedAt === undefined && o.flagUnknownUse) why = 'its last use is unknown';
      if (!why) continue;
      out.push({
        nodeId: c.id,
        severity: isPublic ? 'high' : undefined,
        message: `Deploy key ${c.name}${placeOf(c)} can push, but ${why}${isPublic ? ' (public repository)' : ''}`,
        evidence: [credentialEvidence(c, now, `Deploy key ${c.name} has write access; ${why}.`)],
      });
    }
    return out;
  },
};
