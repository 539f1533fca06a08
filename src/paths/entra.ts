/**
 * Microsoft Entra ID and Azure RBAC: who can become which application, and who controls the tenant or a subscription,
 * from what the entra connector mapped (connectors/entra/map.ts): application permissions (app role assignments),
 * directory roles, Azure role assignments and application owners.
 *
 * Admins (the paths end there, as at a cluster-admin service account): holders of RoleManagement.ReadWrite.Directory
 * or AppRoleAssignment.ReadWrite.All (they make themselves Global Administrator), of the directory roles Global
 * Administrator or Privileged Role Administrator at tenant scope, and of Owner, User Access Administrator or Role Based
 * Access Control Administrator on a subscription, a management group or `/` without a condition. The rules
 * entra-privileged-application-permission and azure-rbac-owner-service-principal report those grants; paths report
 * who else can reach them.
 *
 * Hops:
 * - Application.ReadWrite.All, or Application Administrator / Cloud Application Administrator at tenant scope: add a
 *   secret to any application or service principal of the tenant → that identity (`entra-add-app-credential`), through
 *   one hub per tenant (`meta:hub:entra-app:<tenant>`): one edge per holder and one per target, never pairs;
 * - an owner of an application (a user, or another workload) adds a secret to it → the application
 *   (`entra-owner-add-credential`).
 *
 * A disabled application or service principal signs in to nothing: no hop leaves it, none enters it.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityEdge, IdentityNode } from '../model/types.js';
import type { BecomeEdge, EdgeProducer, MethodInfo } from './types.js';

export type EntraMethod = MethodInfo;

const ROLES_REF = 'https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference';
const GRAPH_REF = 'https://learn.microsoft.com/en-us/graph/permissions-reference';

export const ENTRA_METHODS: readonly EntraMethod[] = [
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

];

/**
 * Grants that are admin: they assign any directory role (RoleManagement.ReadWrite.Directory, Privileged Role
 * Administrator), grant any app role and so the former (AppRoleAssignment.ReadWrite.All), or are Global
 * Administrator. Names as the connector resolves them (app role values; role display names, lower-case).
 */
const ADMIN_PERMISSIONS = new Set(['RoleManagement.ReadWrite.Directory', 'AppRoleAssignment.ReadWrite.All']);
const ADMIN_ROLES = new Set(['global administrator', 'privileged role administrator']);
const ADD_CREDENTIAL_PERMISSIONS = new Set(['Application.ReadWrite.All']);
/** directory roles (lower-case) that add credentials to any application */
const ADD_CREDENTIAL_ROLES = new Set(['application administrator', 'cloud application administrator']);
/** Azure roles that write role assignments */
const AZURE_ADMIN_ROLES = new Set(['owner', 'user access administrator', 'role based access control administrator']);

/** Workload types a secret can be added to (a managed identity takes none). */
const CREDENTIAL_TARGETS = new Set(['application', 'app-service-principal']);

const appHub = (tenant: string) => `meta:hub:entra-app:${tenant}`;

function edge(from: string, to: string, method: string, extra: Partial<BecomeEdge> = {}): BecomeEdge {
  return { from, to, method, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high', ...extra };
}

/** `/subscriptions/<id>`, `/providers/Microsoft.Management/managementGroups/<id>` or `/`: an estate; narrower scopes are not admin of one. */
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

/** Why a grant makes its holder admin (of the tenant, or of an Azure scope), or undefined. */
function adminGrant(graph: IdentityGraph, e: IdentityEdge): string | undefined {
  const ent = graph.node(e.to);
  if (!ent || ent.kind !== 'entitlement') return undefined;
  if (ent.type === 'app-permission') {
    const permission = String(ent.attributes?.permission ?? '');
    return ADMIN_PERMISSIONS.has(permission) ? `holds the application permission ${permission} (it can make itself Global Administrator)` : undefined;
  }
  if (ent.type === 'directory-role') {
    const scope = typeof e.attributes?.directoryScopeId === 'string' ? e.attributes.directoryScopeId : '/';
    return scope === '/' && ADMIN_ROLES.has(ent.name.toLowerCase()) ? `holds the directory role ${ent.name}` : undefined;
  }
  if (ent.type === 'azure-role') {
    const roleName = String(e.attributes?.roleName ?? ent.name);
    const scope = typeof e.attributes?.scope === 'string' ? azureAdminScope(e.attributes.scope) : undefined;
    // an assignment with a condition (which roles it may assign) is not judged admin: azure-rbac-owner-service-principal reports it
    if (!scope || !AZURE_ADMIN_ROLES.has(roleName.toLowerCase()) || typeof e.attributes?.condition === 'string') return undefined;
    return `holds ${roleName} on ${scope === '/' ? 'the root management group' : scope}`;
  }
  return undefined;
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
    if (!holder || !ent || ent.kind !== 'entitlement' || holder.platform !== 'entra' || isDisabled(holder) || !holder.scope) continue;
    const addsCredentials =
      (ent.type === 'app-permission' && ADD_CREDENTIAL_PERMISSIONS.has(String(ent.attributes?.permission ?? ''))) ||
      (ent.type === 'directory-role' && (e.attributes?.directoryScopeId ?? '/') === '/' && ADD_CREDENTIAL_ROLES.has(ent.name.toLowerCase()));
    if (!addsCredentials) continue;
    hubs.add(holder.scope);
    out.push(edge(holder.id, appHub(holder.scope), 'entra-add-app-credential'));
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
    const seen = new Set<string>();
    for (const e of graph.edges) {
      if (e.type !== 'GRANTED' || seen.has(e.from)) continue;
      const holder = graph.node(e.from);
      if (holder?.platform !== 'entra' || holder.kind !== 'principal' || isDisabled(holder)) continue;
      const why = adminGrant(graph, e);
      if (!why) continue;
      seen.add(e.from);
      yield { id: holder.id, why: `${holder.name} ${why}` };
    }
  },
};
