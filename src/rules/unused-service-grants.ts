import { z } from 'zod';
import { serviceDisplayName } from '../policy/actions.js';
import { effectiveForServices } from '../policy/effective.js';
import { daysSince } from '../util/dates.js';
import { day, isOwnedIdentity, label, listWithMore } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** report only when at least this many granted services are unused */
  minUnusedServices: z.number().int().positive().default(1),
  /** service prefixes never reported (e.g. `sts`, `logs`) */
  ignoreServices: z.array(z.string()).default([]),
  /** a service last used longer ago than this also counts as unused */
  windowDays: z.number().int().positive().default(90),
});
export type Options = z.infer<typeof options>;

interface UnusedService {
  service: string;
  name: string;
  lastUsedAt: string | null;
  levels: string[];
  conditional: boolean;
  policies: string[];
}

export const rule: Rule<Options> = {
  meta: {
    id: 'unused-service-grants',
    title: 'Granted services not used',
    severity: 'low',
    confidence: 'medium',
    category: 'privilege',
    platforms: ['aws'],
    owasp: ['NHI5'],
    description: 'An identity\'s policies grant services that its service-last-accessed data shows it has not used within the window.',
    risk: 'Permissions nobody uses are the ones an attacker gets for free; removing them shrinks what a leaked credential can do.',
    remediation: {
      text: 'Remove the unused services from the identity\'s policies (IAM Access Analyzer can generate a policy from CloudTrail activity). iam:PassRole is never tracked by last-accessed data: keep it if needed.',
      cli: 'aws iam generate-service-last-accessed-details --arn <principal arn> && aws iam get-service-last-accessed-details --job-id <job id>',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const ignore = new Set(o.ignoreServices.map((s) => s.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (!isOwnedIdentity(graph, p)) continue;
      // only principals with service-level facts: without them usage is unknown
      const facts = graph.usageFor(p.id).filter((u) => u.scope.kind === 'service' && u.scope.name);
      if (facts.length === 0) continue;
      const lastUse = new Map<string, { lastUsedAt: string | null; fact: (typeof facts)[number] }>();
      for (const f of facts) {
        const svc = f.scope.name!.toLowerCase();
        const cur = lastUse.get(svc);
        if (!cur || (f.lastUsedAt && (!cur.lastUsedAt || f.lastUsedAt > cur.lastUsedAt))) lastUse.set(svc, { lastUsedAt: f.lastUsedAt, fact: f });
      }
      const granted = effectiveForServices(graph, p.id, lastUse.keys());
      const unused: UnusedService[] = [];
      let used = 0;
      for (const [svc, es] of granted) {
        if (ignore.has(svc)) continue;
        const u = lastUse.get(svc);
        if (!u) continue; // not reported by the platform: unknown
        const idle = daysSince(u.lastUsedAt, now);
        if (u.lastUsedAt !== null && idle !== undefined && idle <= o.windowDays) {
          used++;
          continue;
        }
        unused.push({
          service: svc,
          name: serviceDisplayName(svc),
          lastUsedAt: u.lastUsedAt,
          levels: es.levels,
          conditional: es.conditional,
          policies: [...new Set(es.sources.map((s) => s.policyName))],
        });
      }
      if (unused.length < o.minUnusedServices || unused.length === 0) continue;
      unused.sort((a, b) => a.service.localeCompare(b.service));
      // lead with the most powerful unused grants
      const rank = (u: UnusedService) => (u.levels.includes('Permissions management') ? 0 : u.levels.includes('Write') ? 1 : 2);
      const top = [...unused].sort((a, b) => rank(a) - rank(b) || a.service.localeCompare(b.service)).map((u) => u.service);
      const windowDays = facts[0].window?.days;
      out.push({
        nodeId: p.id,
        message: `${label(p)} has ${unused.length} granted service${unused.length === 1 ? '' : 's'} unused in ${o.windowDays} days: ${listWithMore(top)}`,
        evidence: [
          {
            description: `Service last-accessed data (${facts.length} services reported${windowDays ? `, tracked for ${windowDays} days` : ''}) shows ${unused.length} granted service(s) not used within ${o.windowDays} days and ${used} used.`,
            source: facts[0].provenance,
            data: { windowDays: o.windowDays, unusedCount: unused.length, usedCount: used, services: unused },
          },
          ...unused.slice(0, 20).map((u) => ({
            description: `${u.service} (${u.name}): ${u.lastUsedAt ? `last used ${day(u.lastUsedAt)}` : 'never used in the tracking window'}; granted ${u.levels.join('/') || 'actions'} by ${u.policies.join(', ')}${u.conditional ? ' (conditionally)' : ''}.`,
            data: { service: u.service, lastUsedAt: u.lastUsedAt, levels: u.levels, policies: u.policies, conditional: u.conditional },
          })),
        ],
      });
    }
    return out;
  },
};
