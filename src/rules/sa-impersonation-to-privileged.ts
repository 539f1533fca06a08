import { z } from 'zod';
import type { IdentityGraph } from '../graph/graph.js';
import type { PrincipalNode } from '../model/types.js';
import { globMatch, nodeEvidence } from './helpers.js';
import { actAsPermissions, bindingsOf, isPrivileged, serviceAccounts, type BindingRef } from './gcp-helpers.js';
import type { DraftFinding, Rule } from './types.js';
import { compileUserRegex, regexOption } from '../util/regex.js';

const options = z.object({
  /** predefined roles counted as admin besides owner / editor (a regular expression), as in sa-primitive-role */
  adminRolePattern: regexOption('^roles/.*[aA]dmin$'),
  /** longest chain of impersonations followed */
  maxHops: z.number().int().min(1).max(6).default(3),
  /** caller service-account emails (globs) to skip */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

/** Roles that let a member become a service account: mint its tokens, attach it to workloads, or make it a key. */
const ACT_AS = new Set(['roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser', 'roles/iam.serviceAccountKeyAdmin']);

interface Hop {
  to: string;
  role: string;
  /** the binding that grants it: on the target account, or on its project / folder / organization */
  binding: string;
  resource: string;
  condition?: string;
}

/** The resources a service account sits in: its project and the folders / organization above it, as ids. */
function containers(graph: IdentityGraph, sa: PrincipalNode): Set<string> {
  const out = new Set<string>();
  let cur = `gcp:project:${String(sa.attributes?.projectId ?? sa.scope ?? '')}`;
  while (cur && !out.has(cur) && graph.node(cur)) {
    out.add(cur);
    cur = graph.out(cur, 'IN_SCOPE')[0]?.to ?? '';
  }
  return out;
}

const resourceNodeId = (resource: string) => {
  const m = /^(projects|folders|organizations)\/(.+)$/.exec(resource);
  return m ? `gcp:${m[1] === 'projects' ? 'project' : m[1] === 'folders' ? 'folder' : 'organization'}:${m[2]}` : undefined;
};

export const rule: Rule<Options> = {
  meta: {
    id: 'sa-impersonation-to-privileged',
    title: 'Service account can act as a privileged service account',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['gcp'],
    description: 'A service account without a privileged role can impersonate (token creator), act as (service account user) or make keys for (key admin) another service account that holds Owner, Editor or an *Admin role, directly or through a chain of such grants. Custom roles count by their permissions.',
    risk: 'The least-privileged account is only as narrow as the most privileged account it can become: whoever holds its key or runs its workload gets Owner or Editor one token exchange away.',
    remediation: {
      text: "Remove the impersonation grant (on the privileged account, or on the project that holds it), or narrow the privileged account's roles so that becoming it gains nothing.",
      cli: 'gcloud iam service-accounts remove-iam-policy-binding <privileged account> --member serviceAccount:<caller> --role roles/iam.serviceAccountTokenCreator',
    },
    options,
  },
  check(graph, { options: o }) {
    const admin = compileUserRegex(o.adminRolePattern);
    const accounts = [...serviceAccounts(graph)].filter((s) => !s.disabled);
    const byId = new Map(accounts.map((s) => [s.id, s]));
    const privileged = new Map<string, BindingRef>();
    for (const s of accounts) {
      const strong = bindingsOf(graph, s.id)
        .filter((b) => isPrivileged(b.role, admin, graph) && !b.resource.startsWith('serviceAccounts/')) // grants on an account are hops, not power
        .sort((a, b) => Number(b.role === 'roles/owner') - Number(a.role === 'roles/owner') || Number(Boolean(a.condition)) - Number(Boolean(b.condition)));
      if (strong.length) privileged.set(s.id, strong[0]);
    }
    if (privileged.size === 0) return [];
    const inside = new Map(accounts.map((s) => [s.id, containers(graph, s)]));

    /** Every account `from` can become in one step, with the grant that allows it. */
    const hops = (from: string): Hop[] => {
      const out: Hop[] = [];
      for (const b of bindingsOf(graph, from)) {
        if (!ACT_AS.has(b.role) && actAsPermissions(graph, b.role).length === 0) continue;
        if (b.resource.startsWith('serviceAccounts/')) {
          const to = `gcp:service-account:${b.resource.slice('serviceAccounts/'.length)}`;
          if (byId.has(to) && to !== from) out.push({ to, role: b.role, binding: b.binding.id, resource: b.resource, condition: b.condition });
          continue;
        }
        const res = resourceNodeId(b.resource);
        if (!res) continue;
        for (const [to, where] of inside) if (to !== from && where.has(res)) out.push({ to, role: b.role, binding: b.binding.id, resource: b.resource, condition: b.condition });
      }
      return out;
    };

    const out: DraftFinding[] = [];
    for (const caller of accounts) {
      if (privileged.has(caller.id) || o.ignore.some((g) => globMatch(g, caller.name))) continue;
      // breadth-first: the shortest chain to each privileged account reached
      const prev = new Map<string, Hop & { from: string }>();
      let frontier = [caller.id];
      const reached: string[] = [];
      for (let depth = 0; depth < o.maxHops && frontier.length; depth++) {
        const next: string[] = [];
        for (const from of frontier) {
          for (const h of hops(from)) {
            if (h.to === caller.id || prev.has(h.to)) continue;
            prev.set(h.to, { ...h, from });
            next.push(h.to);
            if (privileged.has(h.to)) reached.push(h.to);
          }
        }
        frontier = next;
      }
      for (const target of reached) {
        const chain: Array<Hop & { from: string }> = [];
        for (let cur = target; cur !== caller.id; cur = prev.get(cur)!.from) chain.unshift(prev.get(cur)!);
        const strong = privileged.get(target)!;
        const t = byId.get(target)!;
        const conditional = chain.some((h) => h.condition) || Boolean(strong.condition);
        out.push({
          nodeId: caller.id,
          discriminator: target,
          severity: strong.role === 'roles/owner' ? 'critical' : undefined,
          confidence: conditional ? 'medium' : undefined,
          message: `Service account ${caller.name} can act as ${t.name}${chain.length > 1 ? ` (through ${chain.length - 1} other account${chain.length > 2 ? 's' : ''})` : ''}, which holds ${strong.role} on ${strong.resource}${conditional ? ' (conditional)' : ''}`,
          path: [caller.id, ...chain.map((h) => h.to), strong.binding.id],
          evidence: [
            ...chain.map((h) => nodeEvidence(graph.node(h.binding)!, `${h.role} on ${h.resource} lets ${byId.get(h.from)?.name ?? h.from} act as ${byId.get(h.to)?.name ?? h.to}${h.condition ? ` when ${h.condition}` : ''}.`, { role: h.role, resource: h.resource })),
            nodeEvidence(strong.binding, `${t.name} holds ${strong.role} on ${strong.resource}${strong.condition ? ` when ${strong.condition}` : ''}.`, { role: strong.role, resource: strong.resource }),
          ],
        });
      }
    }
    return out;
  },
};
