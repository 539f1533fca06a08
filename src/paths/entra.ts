/**
 * Microsoft Entra ID and Azure RBAC: who can become which application, and who controls the tenant or a subscription,
 * from what the entra connector mapped (connectors/entra/map.ts): application permissions (app role assignments),
 * directory roles, Azure role assignments and application owners.
 *
 * - RoleManagement.ReadWrite.Directory, or the directory role Privileged Role Administrator: assign itself any
 *   directory role → admin of the tenant (`entra-grant-directory-role`); Global Administrator holders are admins;
 * - AppRoleAssignment.ReadWrite.All: grant itself RoleManagement.ReadWrite.Directory → admin (`entra-grant-app-role`);
 * - Application.ReadWrite.All, or Application Administrator / Cloud Application Administrator at tenant scope: add a
 *   secret to any application or service principal of the tenant → that identity (`entra-add-app-credential`), through
 *   one hub per tenant (`meta:hub:entra-app:<tenant>`): one edge per holder and one per target, never pairs;
 * - an owner of an application (a user, or another workload) adds a secret to it → the application
 *   (`entra-owner-add-credential`);
 * - Owner, User Access Administrator or Role Based Access Control Administrator on a subscription, a management group
 *   or `/` → admin of that scope in Azure (`azure-rbac-admin`).
 *
 * Role assignments with an Azure condition (ABAC on role assignments, `condition`) are kept, but conditional.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityNode } from '../model/types.js';
import { adminSinkId, type BecomeEdge, type EdgeProducer, type EscalationMethod } from './types.js';

export type EntraMethod = Pick<EscalationMethod, 'id' | 'platform' | 'title' | 'shape' | 'becomes' | 'confidence' | 'references' | 'description' | 'dependsOn'>;

const ROLES_REF = 'https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference';
const GRAPH_REF = 'https://learn.microsoft.com/en-us/graph/permissions-reference';

export const ENTRA_METHODS: readonly EntraMethod[] = [
  {
    id: 'entra-grant-directory-role',
    platform: 'entra',
    title: 'Assign itself a directory role (RoleManagement.ReadWrite.Directory, Privileged Role Administrator)',
    shape: 'modify-policy',
    becomes: 'admin',
    confidence: 'high',
    references: [GRAPH_REF, ROLES_REF],
    description: 'The application permission RoleManagement.ReadWrite.Directory, or the directory role Privileged Role Administrator at tenant scope, lets the holder assign itself Global Administrator.',
  },
  {
    id: 'entra-grant-app-role',
    platform: 'entra',
    title: 'Grant itself any application permission (AppRoleAssignment.ReadWrite.All)',
    shape: 'modify-policy',
    becomes: 'admin',
    confidence: 'high',
    references: [GRAPH_REF],
    description: 'AppRoleAssignment.ReadWrite.All lets the holder grant its own service principal RoleManagement.ReadWrite.Directory (or any other app role), without consent.',
  },
  {
    id: 'entra-add-app-credential',
    platform: 'entra',
    title: 'Add a secret or certificate to any application (Application.ReadWrite.All, Application Administrator)',
    shape: 'take-credentials',
    becomes: 'target',
    confidence: 'high',
    references: [GRAPH_REF, ROLES_REF],
    description: 'Application.ReadWrite.All, or the directory role Application Administrator or Cloud Application Administrator at tenant scope, adds a client secret to any application or service principal of the tenant and signs in as it.',
  },
  {
    id: 'entra-owner-add-credential',
    platform: 'entra',
    title: 'Add a secret to an application it owns',
    shape: 'take-credentials',
    becomes: 'target',
    confidence: 'high',
    references: ['https://learn.microsoft.com/en-us/entra/identity-platform/howto-create-service-principal-portal'],
    description: 'An owner of an application registration can add client secrets and certificates to it, and sign in as it.',
  },
  {
    id: 'azure-rbac-admin',
    platform: 'azure',
    title: 'Assign itself any Azure role (Owner, User Access Administrator, Role Based Access Control Administrator)',
    shape: 'modify-policy',
    becomes: 'admin',
    confidence: 'high',
    references: ['https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/privileged'],
    description: 'Owner, User Access Administrator and Role Based Access Control Administrator write role assignments: on a subscription, a management group or the root they grant the holder any role there.',
  },
];

/** Application permissions and directory roles, as names (the connector resolves app role ids to values). */
const TO_ADMIN_PERMISSIONS: Record<string, string> = {
  'RoleManagement.ReadWrite.Directory': 'entra-grant-directory-role',
  'AppRoleAssignment.ReadWrite.All': 'entra-grant-app-role',
};
const ADD_CREDENTIAL_PERMISSIONS = new Set(['Application.ReadWrite.All']);
/** directory roles (lower-case) that are admin already, lead to admin, or add credentials to any application */
const ADMIN_ROLES = new Set(['global administrator']);
const TO_ADMIN_ROLES = new Set(['privileged role administrator']);
const ADD_CREDENTIAL_ROLES = new Set(['application administrator', 'cloud application administrator']);
/** Azure roles that write role assignments */
const AZURE_ADMIN_ROLES = new Set(['owner', 'user access administrator', 'role based access control administrator']);

/** Workload types a secret can be added to (a managed identity takes none). */
const CREDENTIAL_TARGETS = new Set(['application', 'app-service-principal']);

const appHub = (tenant: string) => `meta:hub:entra-app:${tenant}`;

function edge(from: string, to: string, method: string, extra: Partial<BecomeEdge> = {}): BecomeEdge {
  return { from, to, method, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high', ...extra };
}

/** `/subscriptions/<id>`, `/providers/Microsoft.Management/managementGroups/<id>` or `/`: the scopes that are an estate; narrower ones are not admin of anything the graph names. */
function azureAdminScope(scope: string): string | undefined {
  const s = scope.replace(/\/+$/, '') || '/';
  if (s === '/') return '/';
  if (/^\/subscriptions\/[^/]+$/i.test(s)) return s.toLowerCase();
  if (/^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/i.test(s)) return s.toLowerCase();
  return undefined;
}

const isDisabled = (n: IdentityNode) => n.kind === 'principal' && n.disabled === true;

function isCustomerWorkload(n: IdentityNode): boolean {
  return n.platform === 'entra' && n.kind === 'principal' && n.accountType !== 'system';
}

export function entraEdges(graph: IdentityGraph): BecomeEdge[] {
  const out: BecomeEdge[] = [];
  const hubs = new Set<string>();
  for (const e of graph.edges) {
    if (e.type === 'OWNED_BY') {
      const app = graph.node(e.from);
      if (app?.platform !== 'entra' || app.type !== 'application' || isDisabled(app) || !graph.node(e.to)) continue;
      out.push(edge(e.to, app.id, 'entra-owner-add-credential'));
      continue;
    }
    if (e.type !== 'GRANTED') continue;
    const holder = graph.node(e.from);
    const ent = graph.node(e.to);
    // a disabled workload cannot sign in: it acts on nothing
    if (!holder || !ent || ent.kind !== 'entitlement' || holder.platform !== 'entra' || isDisabled(holder)) continue;
    const tenant = holder.scope;
    if (!tenant) continue;
    if (ent.type === 'app-permission') {
      const permission = String(ent.attributes?.permission ?? '');
      const toAdmin = TO_ADMIN_PERMISSIONS[permission];
      if (toAdmin) out.push(edge(holder.id, adminSinkId('entra', tenant), toAdmin, { target: ent.id }));
      else if (ADD_CREDENTIAL_PERMISSIONS.has(permission)) {
        hubs.add(tenant);
        out.push(edge(holder.id, appHub(tenant), 'entra-add-app-credential'));
      }
    } else if (ent.type === 'directory-role') {
      const scope = typeof e.attributes?.directoryScopeId === 'string' ? e.attributes.directoryScopeId : '/';
      if (scope !== '/') continue; // an administrative unit or one application: not the tenant
      const role = ent.name.toLowerCase();
      if (TO_ADMIN_ROLES.has(role)) out.push(edge(holder.id, adminSinkId('entra', tenant), 'entra-grant-directory-role', { target: ent.id }));
      else if (ADD_CREDENTIAL_ROLES.has(role)) {
        hubs.add(tenant);
        out.push(edge(holder.id, appHub(tenant), 'entra-add-app-credential'));
      }
    } else if (ent.type === 'azure-role') {
      const roleName = String(e.attributes?.roleName ?? ent.name).toLowerCase();
      const scope = typeof e.attributes?.scope === 'string' ? azureAdminScope(e.attributes.scope) : undefined;
      if (!AZURE_ADMIN_ROLES.has(roleName) || !scope) continue;
      const condition = typeof e.attributes?.condition === 'string' ? e.attributes.condition : undefined;
      out.push(
        edge(holder.id, adminSinkId('azure', scope), 'azure-rbac-admin', {
          target: ent.id,
          ...(condition ? { decision: 'conditional', unknownKeys: ['role assignment condition'], confidence: 'medium', dependsOn: `the role assignment's condition allows the assignment (${condition.slice(0, 200)})` } : {}),
        }),
      );
    }
  }
  // each tenant hub's way out: the applications and service principals a secret can be added to
  if (hubs.size) {
    for (const n of graph.nodes.values()) {
      if (!isCustomerWorkload(n) || isDisabled(n) || !CREDENTIAL_TARGETS.has(n.type) || !n.scope || !hubs.has(n.scope)) continue;
      out.push(edge(appHub(n.scope), n.id, 'entra-add-app-credential'));
    }
  }
  return out;
}

export const entraProducer: EdgeProducer = {
  id: 'entra',
  edges: (ctx) => entraEdges(ctx.graph),
  *admins(ctx) {
    const graph = ctx.graph;
    for (const e of graph.edges) {
      if (e.type !== 'GRANTED') continue;
      const ent = graph.node(e.to);
      if (ent?.type !== 'directory-role' || !ADMIN_ROLES.has(ent.name.toLowerCase())) continue;
      const scope = typeof e.attributes?.directoryScopeId === 'string' ? e.attributes.directoryScopeId : '/';
      const holder = graph.node(e.from);
      if (scope === '/' && holder?.platform === 'entra') yield { id: holder.id, why: `${holder.name} holds the directory role ${ent.name}` };
    }
  },
};
