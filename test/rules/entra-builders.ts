/**
 * Tiny Entra ID estates for rule tests, mapped by the entra connector's own mapping (connectors/entra/map.ts), so
 * rules are tested against the shape the connector emits.
 */
import { mapEntraTenant, type EntraTenantData } from '../../connectors/entra/map.js';
import { deriveOwnership } from '../../src/graph/derive.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { daysAgo, NOW } from './builders.js';

export const T = '11111111-2222-3333-4444-555555555555';
export const GRAPH_SP = '5000000f-0000-4000-8000-00000000000f';
export const GRAPH_ROLES: Record<string, string> = {
  'RoleManagement.ReadWrite.Directory': '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8',
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
};
const graphSp = { id: GRAPH_SP, appId: '00000003-0000-0000-c000-000000000000', displayName: 'Microsoft Graph', servicePrincipalType: 'Application', appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', appRoles: Object.entries(GRAPH_ROLES).map(([value, id]) => ({ id, value })) };

/** `app(n)`: application object id, appId, service principal id of test app n. */
export const ids = (n: number) => ({ obj: `a${n}`, appId: `c${n}`, sp: `s${n}` });
export const appNode = (n: number) => `entra:application:${T}/a${n}`;
export const miNode = (n: number) => `entra:managed-identity:${T}/m${n}`;

export function application(n: number, extra: Record<string, unknown> = {}) {
  return { id: `a${n}`, appId: `c${n}`, displayName: `app${n}`, createdDateTime: daysAgo(400), ...extra };
}
export function servicePrincipal(n: number, extra: Record<string, unknown> = {}) {
  return { id: `s${n}`, appId: `c${n}`, displayName: `app${n}`, servicePrincipalType: 'Application', appOwnerOrganizationId: T, accountEnabled: true, ...extra };
}
export function managedIdentity(n: number) {
  return { id: `m${n}`, appId: `mi${n}`, displayName: `mi${n}`, servicePrincipalType: 'ManagedIdentity', accountEnabled: true };
}
export const secret = (keyId: string, createdDaysAgo: number, expiresInDays: number) => ({ keyId, displayName: keyId, startDateTime: daysAgo(createdDaysAgo), endDateTime: daysAgo(-expiresInDays) });
export const fic = (name: string, subject?: string, expression?: string, issuer = 'https://token.actions.githubusercontent.com') => ({ id: `fic-${name}`, name, issuer, subject: subject ?? null, audiences: ['api://AzureADTokenExchange'], ...(expression ? { claimsMatchingExpression: { value: expression, languageVersion: 1 } } : {}) });
export const graphPermission = (spId: string, permission: string) => ({ id: `ara-${spId}-${permission}`, appRoleId: GRAPH_ROLES[permission] ?? permission, principalId: spId, resourceId: GRAPH_SP, resourceDisplayName: 'Microsoft Graph' });
export const azureRole = (principalId: string, role: string, scope: string, extra: Record<string, unknown> = {}) => ({ id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${principalId}-${role}`, principalId, principalType: 'ServicePrincipal', roleDefinitionName: role, roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${role}`, scope, ...extra });

export function entraGraph(d: Partial<EntraTenantData>): IdentityGraph {
  const data: EntraTenantData = { tenantId: T, applications: [], federatedCredentials: {}, owners: {}, appRoleAssignments: {}, ...d, servicePrincipals: [graphSp, ...(d.servicePrincipals ?? [])] } as EntraTenantData;
  const g = IdentityGraph.from(mapEntraTenant(data, { now: NOW, source: (w) => `test:${w}` }));
  deriveOwnership(g, ['owner']);
  return g;
}
