/**
 * Pure mapping of Microsoft Entra ID (Microsoft Graph) and Azure RBAC data, as `az rest` and `az role assignment list`
 * print it, to graph records (docs/connectors/entra.md, docs/model.md "Microsoft Entra ID").
 *
 * One principal per workload identity: an application registration together with its service principal in this
 * tenant is ONE node (`entra:application:<tenant>/<application object id>`): the application object holds the
 * credentials, federated credentials and owners, the service principal holds the permissions, roles and sign-ins.
 * A service principal without a local application (managed identities, other tenants' and Microsoft's apps) is
 * `entra:<managed-identity|app-service-principal>:<tenant>/<service principal object id>`.
 *
 * Secret material never enters a record: of password credentials only keyId, displayName and dates are kept (not
 * `secretText`, not `hint`, which is the first characters of the secret); of key credentials not `key` nor
 * `customKeyIdentifier`.
 */
import type { CredentialNode, EntitlementNode, GraphRecord, IdentityEdge, PrincipalNode, Provenance, ScanTarget } from '../../src/model/types.js';
import { toIso } from '../../src/util/dates.js';
import { compact } from '../../src/util/object.js';

export const CONNECTOR_ID = 'entra';
/** The tenant that owns Microsoft's first-party applications (Microsoft Graph, Azure CLI, ...). */
export const MICROSOFT_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** Application permissions that give control of the whole tenant (grant any role or permission, take over any app). */
export const TENANT_TAKEOVER_PERMISSIONS: readonly string[] = [
  'RoleManagement.ReadWrite.Directory',
  'AppRoleAssignment.ReadWrite.All',
  'Application.ReadWrite.All',
  'Directory.ReadWrite.All',
  'ServicePrincipalEndpoint.ReadWrite.All',
];

export interface EntraPasswordCredential {
  keyId?: string;
  displayName?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
  // hint and secretText exist in the JSON and are never read
}
export interface EntraKeyCredential extends EntraPasswordCredential {
  type?: string;
  usage?: string;
}
export interface EntraApplication {
  id: string;
  appId?: string;
  displayName?: string;
  createdDateTime?: string;
  signInAudience?: string;
  publisherDomain?: string;
  passwordCredentials?: EntraPasswordCredential[];
  keyCredentials?: EntraKeyCredential[];
}
export interface EntraAppRole {
  id: string;
  value?: string | null;
  displayName?: string;
  allowedMemberTypes?: string[];
}
export interface EntraServicePrincipal {
  id: string;
  appId?: string;
  displayName?: string;
  appDisplayName?: string;
  servicePrincipalType?: string;
  appOwnerOrganizationId?: string | null;
  accountEnabled?: boolean;
  alternativeNames?: string[];
  appRoles?: EntraAppRole[];
  passwordCredentials?: EntraPasswordCredential[];
  keyCredentials?: EntraKeyCredential[];
}
export interface EntraFederatedCredential {
  id?: string;
  name?: string;
  issuer?: string;
  subject?: string | null;
  audiences?: string[];
  description?: string | null;
  claimsMatchingExpression?: { value?: string; languageVersion?: number } | null;
}
export interface EntraOwner {
  '@odata.type'?: string;
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  accountEnabled?: boolean;
  appId?: string;
}
export interface EntraAppRoleAssignment {
  id?: string;
  appRoleId: string;
  principalId?: string;
  resourceId: string;
  resourceDisplayName?: string;
  createdDateTime?: string;
}
export interface EntraDirectoryRoleAssignment {
  id?: string;
  principalId: string;
  directoryScopeId?: string;
  roleDefinitionId?: string;
  roleDefinition?: { id?: string; displayName?: string; templateId?: string; isBuiltIn?: boolean; description?: string };
}
export interface EntraSignInActivity {
  appId?: string;
  lastSignInActivity?: { lastSignInDateTime?: string | null } | null;
  applicationAuthenticationClientSignInActivity?: { lastSignInDateTime?: string | null } | null;
}
export interface AzureRoleAssignment {
  id?: string;
  name?: string;
  principalId: string;
  principalType?: string;
  principalName?: string;
  roleDefinitionId?: string;
  roleDefinitionName?: string;
  scope?: string;
  condition?: string | null;
}

export interface EntraTenantData {
  tenantId: string;
  applications: EntraApplication[];
  servicePrincipals: EntraServicePrincipal[];
  /** by application object id; absent key = not exported */
  federatedCredentials: Record<string, EntraFederatedCredential[]>;
  owners: Record<string, EntraOwner[]>;
  /** by service principal id */
  appRoleAssignments: Record<string, EntraAppRoleAssignment[]>;
  directoryRoleAssignments?: EntraDirectoryRoleAssignment[];
  signIns?: EntraSignInActivity[];
  /** the sign-in report's period (days), when known */
  signInWindowDays?: number;
  roleAssignments?: AzureRoleAssignment[];
}

export type EntraSource = 'applications' | 'servicePrincipals' | 'federatedIdentityCredentials' | 'owners' | 'appRoleAssignments' | 'directoryRoleAssignments' | 'signIns' | 'roleAssignments';

export interface EntraMapOptions {
  now: Date;
  source(what: EntraSource, key?: string): string;
}

export function tenantScanTarget(tenantId: string): ScanTarget {
  return { id: `entra:tenant:${tenantId.toLowerCase()}`, platform: 'entra', kind: 'tenant', name: tenantId.toLowerCase() };
}

const lc = (s: string) => s.toLowerCase();
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** The objects of a list field (the export is untrusted input: a field may be missing or of another type). */
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as T[]) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function applicationNodeId(tenant: string, objectId: string): string {
  return `entra:application:${lc(tenant)}/${lc(objectId)}`;
}

/**
 * The tenant the export belongs to, when not given: the owner organisation of the service principals of the
 * exported applications (an application's own service principal is owned by its tenant).
 */
export function inferTenant(applications: EntraApplication[], servicePrincipals: EntraServicePrincipal[]): string | undefined {
  const appIds = new Set(applications.map((a) => a.appId).filter(Boolean));
  const counts = new Map<string, number>();
  for (const sp of servicePrincipals) {
    const owner = str(sp.appOwnerOrganizationId);
    if (owner && sp.appId && appIds.has(sp.appId) && lc(owner) !== MICROSOFT_TENANT) counts.set(lc(owner), (counts.get(lc(owner)) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** A glob-ish summary of what a federated credential admits, for rules and docs: the subject, or the matching expression. */
export function federatedMatch(f: EntraFederatedCredential): { kind: 'subject' | 'expression'; value: string } | undefined {
  const subject = str(f.subject);
  if (subject) return { kind: 'subject', value: subject };
  const expr = str(f.claimsMatchingExpression?.value ?? undefined);
  return expr ? { kind: 'expression', value: expr } : undefined;
}

export function mapEntraTenant(d: EntraTenantData, opts: EntraMapOptions): GraphRecord[] {
  const tenant = lc(d.tenantId);
  const observedAt = opts.now.toISOString();
  const prov = (what: EntraSource, key?: string): Provenance[] => [{ connector: CONNECTOR_ID, source: opts.source(what, key), observedAt }];
  const out: GraphRecord[] = [];
  const node = (n: PrincipalNode | CredentialNode | EntitlementNode) => out.push({ type: 'node', node: n });
  const edge = (e: IdentityEdge) => out.push({ type: 'edge', edge: e });
  const tenantNodeId = `entra:tenant:${tenant}`;
  out.push({ type: 'node', node: { id: tenantNodeId, kind: 'resource', platform: 'entra', type: 'tenant', name: tenant, scope: tenant, attributes: { inScan: true }, provenance: prov('servicePrincipals') } });

  const spByAppId = new Map<string, EntraServicePrincipal>();
  const spById = new Map<string, EntraServicePrincipal>();
  for (const sp of arr<EntraServicePrincipal>(d.servicePrincipals)) {
    if (typeof sp.id !== 'string') continue;
    spById.set(lc(sp.id), sp);
    if (typeof sp.appId === 'string') spByAppId.set(lc(sp.appId), sp);
  }
  /** service principal id -> the principal node that stands for it */
  const principalOfSp = new Map<string, string>();
  const principalOfAppId = new Map<string, string>();

  // ---- applications (with their local service principal) -------------------------------------------------------
  for (const app of arr<EntraApplication>(d.applications)) {
    if (typeof app.id !== 'string') continue;
    const id = applicationNodeId(tenant, app.id);
    const appId = str(app.appId);
    const sp = appId ? spByAppId.get(lc(appId)) : undefined;
    if (sp) principalOfSp.set(lc(sp.id), id);
    if (appId) principalOfAppId.set(lc(appId), id);
    const ownersKnown = Object.prototype.hasOwnProperty.call(d.owners, app.id);
    const owners = arr<EntraOwner>(d.owners[app.id]).filter((o) => typeof o.id === 'string');
    const disabledOwners = owners.filter((o) => o.accountEnabled === false);
    node({
      id,
      kind: 'principal',
      platform: 'entra',
      type: 'application',
      name: str(app.displayName) ?? appId ?? app.id,
      externalId: appId,
      scope: tenant,
      accountType: 'service',
      createdAt: toIso(app.createdDateTime),
      disabled: sp ? sp.accountEnabled === false : undefined,
      attributes: compact({
        objectId: app.id,
        appId,
        signInAudience: str(app.signInAudience),
        servicePrincipalId: sp?.id,
        servicePrincipalType: str(sp?.servicePrincipalType),
        ownerTenant: sp ? (str(sp.appOwnerOrganizationId) ?? tenant) : tenant,
        enabled: sp ? sp.accountEnabled !== false : undefined,
        ownersKnown,
        ownerCount: ownersKnown ? owners.length : undefined,
        disabledOwners: disabledOwners.length ? disabledOwners.map((o) => str(o.userPrincipalName) ?? str(o.displayName) ?? o.id) : undefined,
        federatedCredentialsKnown: Object.prototype.hasOwnProperty.call(d.federatedCredentials, app.id),
      }),
      provenance: prov('applications'),
    });
    edge({ type: 'IN_SCOPE', from: id, to: tenantNodeId, provenance: prov('applications') });
    credentials(id, app.passwordCredentials, app.keyCredentials, 'applications');
    if (sp) credentials(id, sp.passwordCredentials, sp.keyCredentials, 'servicePrincipals');
    // owners: only enabled ones own; disabled owners are kept on the attributes
    for (const o of owners) {
      if (o.accountEnabled === false) continue;
      const isUser = !o['@odata.type'] || o['@odata.type'] === '#microsoft.graph.user';
      const ownerId = isUser ? `entra:user:${tenant}/${lc(o.id)}` : `entra:service-principal-ref:${tenant}/${lc(o.id)}`;
      if (isUser) {
        node({ id: ownerId, kind: 'principal', platform: 'entra', type: 'user', name: str(o.userPrincipalName) ?? str(o.displayName) ?? o.id, scope: tenant, accountType: 'human', disabled: false, provenance: prov('owners', app.id) });
      }
      edge({ type: 'OWNED_BY', from: id, to: isUser ? ownerId : (principalOfSp.get(lc(o.id)) ?? ownerId), attributes: { via: 'application-owner' }, provenance: prov('owners', app.id) });
    }
    // federated identity credentials: issuer -> application
    for (const f of arr<EntraFederatedCredential>(d.federatedCredentials[app.id])) {
      if (typeof f.issuer !== 'string') continue;
      const issuerId = `entra:oidc-issuer:${tenant}/${f.issuer}`;
      node({ id: issuerId, kind: 'principal', platform: 'entra', type: 'oidc-provider', name: f.issuer, externalId: f.issuer, scope: tenant, accountType: 'system', attributes: { issuer: f.issuer, github: f.issuer === GITHUB_ISSUER }, provenance: prov('federatedIdentityCredentials', app.id) });
      const match = federatedMatch(f);
      edge({
        type: 'FEDERATES_TO',
        from: issuerId,
        to: id,
        attributes: compact({
          federatedCredentialId: f.id,
          name: str(f.name),
          issuer: f.issuer,
          subject: str(f.subject ?? undefined),
          claimsMatchingExpression: str(f.claimsMatchingExpression?.value ?? undefined),
          audiences: Array.isArray(f.audiences) ? strings(f.audiences) : undefined,
          match: match?.kind,
        }),
        provenance: prov('federatedIdentityCredentials', app.id),
      });
    }
  }

  // ---- service principals without a local application ----------------------------------------------------------
  for (const sp of spById.values()) {
    if (principalOfSp.has(lc(sp.id))) continue;
    const owner = str(sp.appOwnerOrganizationId) ? lc(sp.appOwnerOrganizationId as string) : undefined;
    const managed = sp.servicePrincipalType === 'ManagedIdentity';
    const type = managed ? 'managed-identity' : 'app-service-principal';
    const id = `entra:${type}:${tenant}/${lc(sp.id)}`;
    principalOfSp.set(lc(sp.id), id);
    if (typeof sp.appId === 'string') principalOfAppId.set(lc(sp.appId), id);
    const microsoft = owner === MICROSOFT_TENANT;
    const alternativeNames = strings(sp.alternativeNames);
    const resourceId = managed ? alternativeNames.find((n) => n.startsWith('/subscriptions/')) : undefined;
    node({
      id,
      kind: 'principal',
      platform: 'entra',
      type,
      name: str(sp.displayName) ?? str(sp.appDisplayName) ?? str(sp.appId) ?? sp.id,
      externalId: str(sp.appId),
      scope: tenant,
      accountType: microsoft ? 'system' : 'service',
      disabled: sp.accountEnabled === false,
      attributes: compact({
        objectId: sp.id,
        appId: str(sp.appId),
        servicePrincipalType: str(sp.servicePrincipalType),
        ownerTenant: owner,
        enabled: sp.accountEnabled !== false,
        // another tenant's application: its owners and credentials live there
        external: !managed && owner !== undefined && owner !== tenant && !microsoft ? true : undefined,
        microsoftFirstParty: microsoft || undefined,
        managedIdentityResource: resourceId,
        managedIdentityKind: managed ? (alternativeNames.includes('isExplicit=True') ? 'user-assigned' : 'system-assigned') : undefined,
        // the platform creates and rotates a managed identity's credentials; its lifecycle follows the resource
        platformManaged: managed || undefined,
      }),
      provenance: prov('servicePrincipals'),
    });
    edge({ type: 'IN_SCOPE', from: id, to: tenantNodeId, provenance: prov('servicePrincipals') });
    if (!managed) credentials(id, sp.passwordCredentials, sp.keyCredentials, 'servicePrincipals');
  }

  // ---- application permissions (app role assignments), resolved through the resource's appRoles -------------------
  for (const [spId, list] of Object.entries(d.appRoleAssignments)) {
    const holder = principalOfSp.get(lc(spId));
    if (!holder) continue;
    for (const a of arr<EntraAppRoleAssignment>(list)) {
      if (typeof a.resourceId !== 'string' || typeof a.appRoleId !== 'string') continue;
      const resource = spById.get(lc(a.resourceId));
      const role = arr<EntraAppRole>(resource?.appRoles).find((r) => typeof r.id === 'string' && lc(r.id) === lc(a.appRoleId));
      const permission = str(role?.value ?? undefined) ?? (a.appRoleId === '00000000-0000-0000-0000-000000000000' ? 'default access' : a.appRoleId);
      const resourceName = str(resource?.displayName) ?? str(a.resourceDisplayName) ?? a.resourceId;
      const entId = `entra:app-permission:${tenant}/${lc(a.resourceId)}/${lc(a.appRoleId)}`;
      node({
        id: entId,
        kind: 'entitlement',
        platform: 'entra',
        type: 'app-permission',
        entitlementType: 'app-permissions',
        name: `${resourceName}: ${permission}`,
        scope: tenant,
        managedBy: 'platform',
        attributes: compact({ permission, resolved: role !== undefined, appRoleId: a.appRoleId, resourceId: a.resourceId, resourceAppId: str(resource?.appId), resourceName, tenantTakeover: TENANT_TAKEOVER_PERMISSIONS.includes(permission) || undefined }),
        provenance: prov('appRoleAssignments', spId),
      });
      edge({ type: 'GRANTED', from: holder, to: entId, attributes: compact({ via: 'app-role-assignment', assignmentId: str(a.id), createdAt: toIso(a.createdDateTime) }), provenance: prov('appRoleAssignments', spId) });
    }
  }

  // ---- directory roles ----------------------------------------------------------------------------------------------
  for (const r of arr<EntraDirectoryRoleAssignment>(d.directoryRoleAssignments)) {
    if (typeof r.principalId !== 'string') continue;
    const holder = principalOfSp.get(lc(r.principalId));
    if (!holder) continue; // users and groups are not this connector's subject
    const def = r.roleDefinition !== null && typeof r.roleDefinition === 'object' ? r.roleDefinition : undefined;
    const defId = str(def?.id) ?? str(r.roleDefinitionId);
    if (!defId) continue;
    const entId = `entra:directory-role:${tenant}/${lc(defId)}`;
    node({
      id: entId,
      kind: 'entitlement',
      platform: 'entra',
      type: 'directory-role',
      entitlementType: 'directory-role',
      name: str(def?.displayName) ?? defId,
      scope: tenant,
      managedBy: def?.isBuiltIn === false ? 'customer' : 'platform',
      attributes: compact({ roleDefinitionId: defId, templateId: str(def?.templateId), isBuiltIn: typeof def?.isBuiltIn === 'boolean' ? def.isBuiltIn : undefined }),
      provenance: prov('directoryRoleAssignments'),
    });
    edge({ type: 'GRANTED', from: holder, to: entId, attributes: compact({ via: 'directory-role-assignment', assignmentId: str(r.id), directoryScopeId: str(r.directoryScopeId) }), provenance: prov('directoryRoleAssignments') });
  }

  // ---- Azure RBAC ---------------------------------------------------------------------------------------------------
  for (const r of arr<AzureRoleAssignment>(d.roleAssignments)) {
    if (typeof r.principalId !== 'string') continue;
    const holder = principalOfSp.get(lc(r.principalId));
    if (!holder) continue;
    const roleName = str(r.roleDefinitionName);
    const defGuid = (str(r.roleDefinitionId) ?? '').split('/').pop() || roleName || 'unknown';
    const entId = `azure:role-definition:${lc(defGuid)}`;
    node({
      id: entId,
      kind: 'entitlement',
      platform: 'azure',
      type: 'azure-role',
      entitlementType: 'azure-role',
      name: roleName ?? defGuid,
      attributes: compact({ roleDefinitionId: str(r.roleDefinitionId), roleName }),
      provenance: prov('roleAssignments'),
    });
    edge({ type: 'GRANTED', from: holder, to: entId, attributes: compact({ via: 'azure-role-assignment', assignmentId: str(r.id), scope: str(r.scope), roleName, condition: str(r.condition ?? undefined) }), provenance: prov('roleAssignments') });
  }

  // ---- last sign-in per service principal -----------------------------------------------------------------------------
  if (d.signIns) {
    const seen = new Set<string>();
    for (const s of arr<EntraSignInActivity>(d.signIns)) {
      if (typeof s.appId !== 'string') continue;
      const holder = principalOfAppId.get(lc(s.appId));
      if (!holder || seen.has(holder)) continue;
      seen.add(holder);
      const at = (x: unknown) => (x !== null && typeof x === 'object' ? (x as { lastSignInDateTime?: unknown }).lastSignInDateTime : undefined);
      const dates = [at(s.lastSignInActivity), at(s.applicationAuthenticationClientSignInActivity)].map((x) => toIso(x)).filter((x): x is string => Boolean(x));
      const last = dates.sort().pop() ?? null;
      out.push({ type: 'usage', usage: { nodeId: holder, scope: { kind: 'any' }, lastUsedAt: last, window: compact({ end: observedAt, days: d.signInWindowDays }), attributes: { via: 'servicePrincipalSignInActivities' }, provenance: prov('signIns')[0] } });
    }
  }
  return out;

  function credentials(holder: string, pw: EntraPasswordCredential[] | undefined, keys: EntraKeyCredential[] | undefined, from: EntraSource) {
    const now = opts.now.getTime();
    const one = (c: EntraPasswordCredential, kind: 'client-secret' | 'certificate', extra: Record<string, unknown>) => {
      if (typeof c.keyId !== 'string') return;
      const expiresAt = toIso(c.endDateTime) ?? null;
      const id = `entra:${kind}:${tenant}/${lc(c.keyId)}`;
      node({
        id,
        kind: 'credential',
        platform: 'entra',
        type: kind,
        credentialType: kind,
        name: str(c.displayName) ?? c.keyId,
        scope: tenant,
        createdAt: toIso(c.startDateTime),
        expiresAt,
        active: expiresAt === null || Date.parse(expiresAt) > now,
        attributes: compact({ keyId: c.keyId, on: from === 'applications' ? 'application' : 'service-principal', expired: expiresAt !== null && Date.parse(expiresAt) <= now ? true : undefined, ...extra }),
        provenance: prov(from),
      });
      edge({ type: 'HAS_CREDENTIAL', from: holder, to: id, provenance: prov(from) });
    };
    for (const c of arr<EntraPasswordCredential>(pw)) one(c, 'client-secret', {});
    for (const c of arr<EntraKeyCredential>(keys)) one(c, 'certificate', compact({ keyType: str(c.type), usage: str(c.usage) }));
  }
}
