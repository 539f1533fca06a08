import { z } from 'zod';
import { label, nodeEvidence } from './helpers.js';
import { entraWorkloads, grantsOf } from './entra-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** application permissions (app role values) that give control of the tenant: critical */
  permissions: z
    .array(z.string())
    .default(['RoleManagement.ReadWrite.Directory', 'AppRoleAssignment.ReadWrite.All', 'Application.ReadWrite.All', 'Directory.ReadWrite.All', 'ServicePrincipalEndpoint.ReadWrite.All']),
  /** directory roles that reach the same power (grant roles, add credentials to any application): high */
  directoryRoles: z
    .array(z.string())
    .default(['Global Administrator', 'Privileged Role Administrator', 'Privileged Authentication Administrator', 'Application Administrator', 'Cloud Application Administrator']),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'entra-privileged-application-permission',
    title: 'Entra application with a tenant-takeover permission',
    severity: 'critical',
    confidence: 'high',
    category: 'privilege',
    platforms: ['entra'],
    owasp: ['NHI5'],
    description: 'An application or service principal holds an application permission that controls the tenant (RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, Application.ReadWrite.All, ...) or a directory role such as Privileged Role Administrator or Application Administrator.',
    risk: 'Whoever holds the application\u2019s secret, certificate or federated token can grant itself Global Administrator or add credentials to any application: one leaked workload credential is the whole tenant.',
    remediation: {
      text: 'Remove the permission or role and grant the narrowest one the workload needs (e.g. Application.ReadWrite.OwnedBy instead of Application.ReadWrite.All); if it is needed, protect the application: federated credentials only, no secrets, owners reviewed.',
      cli: 'az rest --method DELETE --url https://graph.microsoft.com/v1.0/servicePrincipals/<service principal id>/appRoleAssignments/<assignment id>',
    },
    options,
  },
  check(graph, { options: o }) {
    const perms = new Set(o.permissions);
    const roles = new Set(o.directoryRoles.map((r) => r.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const p of entraWorkloads(graph)) {
      const disabled = p.disabled ? ' (disabled)' : '';
      for (const { edge, entitlement } of grantsOf(graph, p.id, 'app-permission')) {
        const permission = String(entitlement.attributes?.permission ?? '');
        if (!perms.has(permission)) continue;
        const resource = String(entitlement.attributes?.resourceName ?? 'an API');
        out.push({
          nodeId: p.id,
          discriminator: entitlement.id,
          severity: p.disabled ? 'high' : undefined,
          message: `${label(p)}${disabled} holds the application permission ${permission} on ${resource}`,
          path: [p.id, entitlement.id],
          evidence: [nodeEvidence(entitlement, `An app role assignment${edge.attributes?.assignmentId ? ` (${String(edge.attributes.assignmentId)})` : ''} gives ${p.name} the app role ${permission} of ${resource}.`, { permission, resource, assignmentId: edge.attributes?.assignmentId ?? null })],
        });
      }
      for (const { edge, entitlement } of grantsOf(graph, p.id, 'directory-role')) {
        if (!roles.has(entitlement.name.toLowerCase())) continue;
        const scope = typeof edge.attributes?.directoryScopeId === 'string' ? edge.attributes.directoryScopeId : '/';
        out.push({
          nodeId: p.id,
          discriminator: entitlement.id,
          severity: 'high',
          confidence: scope === '/' ? undefined : 'medium',
          message: `${label(p)}${disabled} holds the directory role ${entitlement.name}${scope === '/' ? '' : ` (scope ${scope})`}`,
          path: [p.id, entitlement.id],
          evidence: [nodeEvidence(entitlement, `A directory role assignment gives ${p.name} ${entitlement.name} at scope ${scope}.`, { role: entitlement.name, directoryScopeId: scope })],
        });
      }
    }
    return out;
  },
};
