import { z } from 'zod';
import { label, nodeEvidence } from './helpers.js';
import { entraWorkloads, grantsOf } from './entra-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** Azure roles that can change access (role assignments) as well as resources */
  roles: z.array(z.string()).default(['Owner', 'User Access Administrator', 'Role Based Access Control Administrator']),
});
export type Options = z.infer<typeof options>;

/** How wide an Azure scope is: the tenant root, a management group, a subscription, a resource group or one resource. */
export function scopeLevel(scope: string): 'root' | 'management-group' | 'subscription' | 'resource-group' | 'resource' {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  if (s === '' || s === '/') return 'root';
  if (s.startsWith('/providers/microsoft.management/managementgroups/')) return 'management-group';
  const parts = s.split('/').filter(Boolean);
  if (parts[0] === 'subscriptions' && parts.length === 2) return 'subscription';
  if (parts[0] === 'subscriptions' && parts[2] === 'resourcegroups' && parts.length === 4) return 'resource-group';
  return 'resource';
}

export const rule: Rule<Options> = {
  meta: {
    id: 'azure-rbac-owner-service-principal',
    title: 'Service principal with Owner (or access administration) in Azure',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['entra', 'azure'],
    owasp: ['NHI5'],
    description: 'A service principal or managed identity holds Owner, User Access Administrator or Role Based Access Control Administrator in Azure RBAC (critical at a subscription, management group or the root).',
    risk: 'These roles change who has access: the workload can grant itself or anyone else any role at that scope, so its credential is as strong as the scope\u2019s owner.',
    remediation: {
      text: 'Replace the assignment with the role the workload needs (Contributor, or a narrower built-in role) at the narrowest scope; if it must assign roles, use Role Based Access Control Administrator with a condition limiting the roles it may assign.',
      cli: 'az role assignment delete --assignee <service principal id> --role Owner --scope <scope>',
    },
    options,
  },
  check(graph, { options: o }) {
    const roles = new Set(o.roles.map((r) => r.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const p of entraWorkloads(graph)) {
      for (const { edge, entitlement } of grantsOf(graph, p.id, 'azure-role')) {
        const role = String(edge.attributes?.roleName ?? entitlement.name);
        if (!roles.has(role.toLowerCase())) continue;
        const scope = typeof edge.attributes?.scope === 'string' ? edge.attributes.scope : '/';
        const level = scopeLevel(scope);
        const conditional = typeof edge.attributes?.condition === 'string';
        out.push({
          nodeId: p.id,
          discriminator: String(edge.attributes?.assignmentId ?? `${entitlement.id}@${scope}`),
          severity: level === 'root' || level === 'management-group' || level === 'subscription' ? 'critical' : undefined,
          confidence: conditional ? 'medium' : undefined,
          message: `${label(p)} holds ${role} at ${level.replace('-', ' ')} scope ${scope}${conditional ? ' (with a condition)' : ''}`,
          path: [p.id, entitlement.id],
          evidence: [nodeEvidence(entitlement, `An Azure role assignment gives ${p.name} the role ${role} at ${scope}${conditional ? ` with condition ${String(edge.attributes?.condition)}` : ''}.`, { role, scope, level, assignmentId: edge.attributes?.assignmentId ?? null })],
        });
      }
    }
    return out;
  },
};
