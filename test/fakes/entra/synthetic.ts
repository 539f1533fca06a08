/**
 * A synthetic Entra ID tenant for the fake Microsoft Graph / ARM server: N applications, each with its service
 * principal; some with client secrets (whose fake `secretText` and `hint` must never reach a record), certificates,
 * GitHub federated credentials, owners (some disabled); Microsoft Graph app role assignments of privileged
 * permissions; a managed identity; directory roles; sign-ins; RBAC Owner / Reader assignments on two subscriptions.
 * Deterministic: the same N gives the same tenant.
 */
import { GITHUB_ISSUER, MICROSOFT_TENANT, type EntraTenantData } from '../../../connectors/entra/map.js';

export const TENANT = '7f3c1a52-9d4e-4b8a-a1c2-0e9f8d7c6b5a';
export const SUB_A = 'aaaaaaaa-1111-4222-8333-000000000001';
export const SUB_B = 'bbbbbbbb-1111-4222-8333-000000000002';
export const GRAPH_SP = '5a1f0000-0000-4000-8000-0000000000aa';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Every fake secret value begins with this: grep for it in stores and reports. */
export const SECRET_MARK = 'FAKE-SECRET-VALUE-';
export const HINT_MARK = 'Zq9';

export const OWNER_ROLE = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const READER_ROLE = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

const PERMS: Array<[string, string]> = [
  ['9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', 'Application.Read.All'],
  ['1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', 'Application.ReadWrite.All'],
  ['19dbc75e-c2e2-444c-a770-ec69d8559fc7', 'Directory.ReadWrite.All'],
  ['9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', 'RoleManagement.ReadWrite.Directory'],
  ['df021288-bdef-4463-88db-98f22de89214', 'User.Read.All'],
];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${hex(n, 12)}`;
const day = (base: string, plusDays: number) => new Date(Date.parse(base) + plusDays * 86_400_000).toISOString().replace('.000Z', 'Z');

/** The tenant as Graph holds it (with the secret material Graph could send), plus ARM data by subscription. */
export interface SyntheticEntra {
  tenant: EntraTenantData;
  /** ARM role assignments by subscription id, in ARM's JSON shape */
  armAssignments: Record<string, ArmRoleAssignment[]>;
  roleDefinitions: ArmRoleDefinition[];
  subscriptions: Array<{ subscriptionId: string; tenantId: string; displayName: string; state: string }>;
}
export interface ArmRoleAssignment {
  id: string;
  name: string;
  type: 'Microsoft.Authorization/roleAssignments';
  properties: { roleDefinitionId: string; principalId: string; principalType: string; scope: string; condition?: string | null };
}
export interface ArmRoleDefinition {
  id: string;
  name: string;
  type: 'Microsoft.Authorization/roleDefinitions';
  properties: { roleName: string; type: 'BuiltInRole' | 'CustomRole'; description?: string };
}

export function syntheticEntraTenant(apps: number): SyntheticEntra {
  const applications: EntraTenantData['applications'] = [];
  const servicePrincipals: EntraTenantData['servicePrincipals'] = [];
  const federatedCredentials: EntraTenantData['federatedCredentials'] = {};
  const owners: EntraTenantData['owners'] = {};
  const appRoleAssignments: EntraTenantData['appRoleAssignments'] = {};
  const directoryRoleAssignments: NonNullable<EntraTenantData['directoryRoleAssignments']> = [];
  const signIns: NonNullable<EntraTenantData['signIns']> = [];
  const armAssignments: Record<string, ArmRoleAssignment[]> = { [SUB_A]: [], [SUB_B]: [] };

  servicePrincipals.push({
    id: GRAPH_SP,
    appId: GRAPH_APP_ID,
    displayName: 'Microsoft Graph',
    servicePrincipalType: 'Application',
    appOwnerOrganizationId: MICROSOFT_TENANT,
    accountEnabled: true,
    appRoles: PERMS.map(([id, value]) => ({ id, value, displayName: value, allowedMemberTypes: ['Application'] })),
  });

  for (let i = 1; i <= apps; i++) {
    const objectId = guid('a0000000', i);
    const appId = guid('c0000000', i);
    const spId = guid('50000000', i);
    const created = day('2024-01-01T00:00:00Z', i % 300);
    const secret = i % 3 !== 0;
    const app = {
      id: objectId,
      appId,
      displayName: `app-${String(i).padStart(5, '0')}`,
      createdDateTime: created,
      signInAudience: 'AzureADMyOrg',
      publisherDomain: 'acme.example',
      passwordCredentials: secret
        ? [{ keyId: guid('d0000000', i), displayName: 'ci', startDateTime: day(created, 1), endDateTime: day(created, i % 2 ? 730 : 200), hint: HINT_MARK, secretText: `${SECRET_MARK}${i}` }]
        : [],
      keyCredentials: i % 7 === 0 ? [{ keyId: guid('e0000000', i), displayName: 'CN=cert', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: created, endDateTime: day(created, 365), customKeyIdentifier: 'QUJDREVGMTIz', key: 'TUlJQ0FLRVktRkFLRQ==' }] : [],
    };
    applications.push(app as EntraTenantData['applications'][number]);
    servicePrincipals.push({ id: spId, appId, displayName: app.displayName, appDisplayName: app.displayName, servicePrincipalType: 'Application', appOwnerOrganizationId: TENANT, accountEnabled: i % 11 !== 0, appRoles: [], passwordCredentials: [], keyCredentials: [] });
    federatedCredentials[objectId] =
      i % 4 === 0
        ? [{ id: guid('f0000000', i), name: 'github-main', issuer: GITHUB_ISSUER, subject: i % 8 === 0 ? `repo:acme/app-${i}:ref:refs/heads/main` : `repo:acme/app-${i}:pull_request`, audiences: ['api://AzureADTokenExchange'], description: null }]
        : [];
    owners[objectId] =
      i % 5 === 0
        ? []
        : [
            { '@odata.type': '#microsoft.graph.user', id: guid('0a000000', i), displayName: `Owner ${i}`, userPrincipalName: `owner${i}@acme.example`, accountEnabled: i % 6 !== 0 },
            ...(i % 10 === 1 ? [{ '@odata.type': '#microsoft.graph.user', id: guid('0b000000', i), displayName: `Second ${i}`, userPrincipalName: `second${i}@acme.example`, accountEnabled: true }] : []),
          ];
    appRoleAssignments[spId] =
      i % 3 === 1
        ? [{ id: `ara-${i}`, appRoleId: PERMS[i % PERMS.length][0], principalId: spId, resourceId: GRAPH_SP, resourceDisplayName: 'Microsoft Graph', createdDateTime: created }]
        : [];
    if (i % 50 === 1) directoryRoleAssignments.push({ id: `dra-${i}`, principalId: spId, directoryScopeId: '/', roleDefinitionId: GLOBAL_ADMIN, roleDefinition: { id: GLOBAL_ADMIN, displayName: 'Global Administrator', templateId: GLOBAL_ADMIN, isBuiltIn: true } });
    if (i % 2 === 0) signIns.push({ appId, lastSignInActivity: { lastSignInDateTime: day('2026-09-01T00:00:00Z', i % 60) }, applicationAuthenticationClientSignInActivity: { lastSignInDateTime: null } });
    const sub = i % 2 ? SUB_A : SUB_B;
    if (i % 9 === 0 || i === 1) {
      const role = i % 18 === 0 ? READER_ROLE : OWNER_ROLE;
      const name = guid('99000000', i);
      armAssignments[sub].push({
        id: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        type: 'Microsoft.Authorization/roleAssignments',
        properties: { roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId: spId, principalType: 'ServicePrincipal', scope: `/subscriptions/${sub}`, condition: null },
      });
    }
  }
  // a user-assigned managed identity with a Graph permission and Owner on a resource group
  const mi = '5a1f0000-0000-4000-8000-00000000a11d';
  servicePrincipals.push({ id: mi, appId: '5a1f0000-0000-4000-8000-00000000a11e', displayName: 'id-build', servicePrincipalType: 'ManagedIdentity', appOwnerOrganizationId: MICROSOFT_TENANT, accountEnabled: true, alternativeNames: ['isExplicit=True', `/subscriptions/${SUB_A}/resourcegroups/ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-build`] });
  appRoleAssignments[mi] = [{ id: 'ara-mi', appRoleId: PERMS[1][0], principalId: mi, resourceId: GRAPH_SP, resourceDisplayName: 'Microsoft Graph', createdDateTime: '2025-03-01T00:00:00Z' }];
  armAssignments[SUB_A].push({
    id: `/subscriptions/${SUB_A}/resourceGroups/ci/providers/Microsoft.Authorization/roleAssignments/99000000-0000-4000-8000-00000000a11d`,
    name: '99000000-0000-4000-8000-00000000a11d',
    type: 'Microsoft.Authorization/roleAssignments',
    properties: { roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ROLE}`, principalId: mi, principalType: 'ServicePrincipal', scope: `/subscriptions/${SUB_A}/resourceGroups/ci`, condition: null },
  });
  // a user's assignment (not this connector's subject, still listed by ARM)
  armAssignments[SUB_B].push({
    id: `/subscriptions/${SUB_B}/providers/Microsoft.Authorization/roleAssignments/99000000-0000-4000-8000-0000000000f0`,
    name: '99000000-0000-4000-8000-0000000000f0',
    type: 'Microsoft.Authorization/roleAssignments',
    properties: { roleDefinitionId: `/subscriptions/${SUB_B}/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE}`, principalId: '0c000000-0000-4000-8000-000000000001', principalType: 'User', scope: `/subscriptions/${SUB_B}` },
  });
  return {
    tenant: { tenantId: TENANT, applications, servicePrincipals, federatedCredentials, owners, appRoleAssignments, directoryRoleAssignments, signIns },
    armAssignments,
    roleDefinitions: [
      { id: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ROLE}`, name: OWNER_ROLE, type: 'Microsoft.Authorization/roleDefinitions', properties: { roleName: 'Owner', type: 'BuiltInRole' } },
      { id: `/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE}`, name: READER_ROLE, type: 'Microsoft.Authorization/roleDefinitions', properties: { roleName: 'Reader', type: 'BuiltInRole' } },
    ],
    subscriptions: [
      { subscriptionId: SUB_A, tenantId: TENANT, displayName: 'prod', state: 'Enabled' },
      { subscriptionId: SUB_B, tenantId: TENANT, displayName: 'dev', state: 'Enabled' },
      { subscriptionId: 'cccccccc-1111-4222-8333-000000000003', tenantId: '0d000000-0000-4000-8000-000000000000', displayName: 'another tenant', state: 'Enabled' },
    ],
  };
}

/** Role assignments as `az role assignment list --all` prints them (roleDefinitionName resolved), for an export folder. */
export function azRoleAssignments(s: SyntheticEntra, subs: string[]): NonNullable<EntraTenantData['roleAssignments']> {
  const names = new Map(s.roleDefinitions.map((d) => [d.name, d.properties.roleName]));
  return subs
    .flatMap((sub) => s.armAssignments[sub] ?? [])
    .map((a) => ({
      id: a.id,
      name: a.name,
      principalId: a.properties.principalId,
      principalType: a.properties.principalType,
      roleDefinitionId: a.properties.roleDefinitionId,
      roleDefinitionName: names.get(a.properties.roleDefinitionId.split('/').pop()!),
      scope: a.properties.scope,
      condition: a.properties.condition ?? null,
    }));
}
