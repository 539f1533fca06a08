import { z } from 'zod';
import { usageRecordStart } from '../graph/graph.js';
import type { Evidence } from '../model/types.js';
import { daysSince } from '../util/dates.js';
import { day, isOwnedIdentity, label, nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** no activity for longer than this many days is reported */
  unusedDays: z.number().int().positive().default(90),
  /** an identity never used is reported only once it is older than this many days */
  neverUsedGraceDays: z.number().int().nonnegative().default(7),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'identity-unused',
    title: 'Identity not used',
    severity: 'low',
    confidence: 'medium',
    category: 'usage',
    platforms: ['*'],
    owasp: ['NHI1'],
    description: 'A user or role shows no activity (sign-in, role assumption, key use) within the window, or never since it was created.',
    risk: 'Identities nobody uses keep their permissions and trust; they are the ones whose misuse nobody notices.',
    remediation: {
      text: 'Confirm with the owner, remove its credentials and policies, then delete it. For roles, check the trust policy first: a rarely used break-glass role may be intended (suppress it with a reason).',
      cli: 'aws iam delete-role --role-name <role>   # after detaching policies; for users: aws iam delete-user --user-name <user>',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (!isOwnedIdentity(graph, p)) continue;
      const act = graph.lastActivity(p.id);
      if (!act) continue;
      const evidence: Evidence[] = act.sources.map((s) =>
        'kind' in s
          ? nodeEvidence(s, `${s.name} (${s.credentialType}) last used ${s.lastUsedAt ? day(s.lastUsedAt) : 'never'}.`, { credentialId: s.id, lastUsedAt: s.lastUsedAt ?? null })
          : { description: `${s.provenance.source} reports last activity ${s.lastUsedAt ? day(s.lastUsedAt) : 'never'}${s.window?.days ? ` (tracked for ${s.window.days} days)` : ''}.`, source: s.provenance, data: { lastUsedAt: s.lastUsedAt, window: s.window ?? null } },
      );
      if (act.lastUsedAt === null) {
        const age = daysSince(p.createdAt, now);
        // a usage record that starts after the identity was created (or whose creation is unknown) only shows that it
        // was not used since the record starts: GCP Policy Analyzer keeps a limited observation period
        const since = usageRecordStart(act.sources);
        if (since && (!p.createdAt || Date.parse(p.createdAt) < Date.parse(since))) {
          const span = daysSince(since, now);
          if (span === undefined || span < o.unusedDays) continue;
          out.push({ nodeId: p.id, message: `${label(p)} has no recorded activity since ${day(since)}, when the platform's usage record starts (${span} days)`, evidence });
          continue;
        }
        if (age !== undefined && age <= o.neverUsedGraceDays) continue;
        out.push({
          nodeId: p.id,
          message: `${label(p)} has never been used${age !== undefined ? ` since it was created ${age} days ago` : ''}`,
          confidence: age === undefined ? 'low' : undefined,
          evidence,
        });
        continue;
      }
      const idle = daysSince(act.lastUsedAt, now);
      if (idle === undefined || idle <= o.unusedDays) continue;
      out.push({
        nodeId: p.id,
        message: `${label(p)} has not been used for ${idle} days (last activity ${day(act.lastUsedAt)}; limit ${o.unusedDays} days)`,
        evidence,
      });
    }
    return out;
  },
};

