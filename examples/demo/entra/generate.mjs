#!/usr/bin/env node
// Writes the demo Microsoft Entra ID tenant used by `nhi scan --demo`: a folder of Microsoft Graph JSON as `az rest`
// prints it, and `az role assignment list --all` (docs/connectors/entra.md). Deterministic. The story:
// - gh-app-deploy: signs in from the acme/app workflow (federated credential, production environment); Owner of the
//   production subscription;
// - gh-release-any-repo: a federated credential any acme repository passes (claims-matching expression), and
//   Application.ReadWrite.All: it can add a secret to any application;
// - legacy-directory-sync: a two-year-old client secret that never rotated, RoleManagement.ReadWrite.Directory (it can
//   make itself Global Administrator), and an owner who has left (disabled);
// - reports-exporter: a client secret, User.Read.All, and no sign-in in a year.
// So any acme repository can reach admin of the tenant: its workflow signs in as gh-release-any-repo, adds a secret to
// legacy-directory-sync, and grants itself a directory role. Secret values are never in these files (Graph does not
// return them); hints are left null.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'acme-tenant');
const TENANT = 'e5a1c7d2-4b3f-4e6a-9c8d-0a1b2c3d4e5f';
const SUBSCRIPTION = '6b2f0c1e-8d4a-4f3b-9e7c-5a6b7c8d9e0f';
const MICROSOFT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const GRAPH_SP = '5e000000-0000-4000-8000-0000000000ff';
const PERM = { roleMgmt: '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', appRw: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', userRead: 'df021288-bdef-4463-88db-98f22de89214' };
const G = 'https://graph.microsoft.com/v1.0/$metadata#';
const n = (i) => String(i).padStart(12, '0');
const appObj = (i) => `a1000000-0000-4000-8000-${n(i)}`;
const appId = (i) => `c1000000-0000-4000-8000-${n(i)}`;
const spId = (i) => `51000000-0000-4000-8000-${n(i)}`;
const secret = (i, name, start, end) => ({ customKeyIdentifier: null, displayName: name, endDateTime: end, hint: null, keyId: `e1000000-0000-4000-8000-${n(i)}`, secretText: null, startDateTime: start });

const apps = [
  { i: 1, name: 'gh-app-deploy', created: '2025-09-01T09:00:00Z', secrets: [] },
  { i: 2, name: 'gh-release-any-repo', created: '2025-11-12T09:00:00Z', secrets: [] },
  { i: 3, name: 'legacy-directory-sync', created: '2022-03-01T09:00:00Z', secrets: [secret(3, 'sync', '2024-10-20T09:00:00Z', '2299-12-31T00:00:00Z')] },
  { i: 4, name: 'reports-exporter', created: '2024-05-01T09:00:00Z', secrets: [secret(4, 'exporter', '2026-05-01T09:00:00Z', '2026-11-20T09:00:00Z')] },
];
const users = {
  ada: { '@odata.type': '#microsoft.graph.user', id: 'b1000000-0000-4000-8000-000000000001', displayName: 'Ada Lovelace', userPrincipalName: 'ada@acme.example', accountEnabled: true },
  gone: { '@odata.type': '#microsoft.graph.user', id: 'b1000000-0000-4000-8000-000000000002', displayName: 'Former Admin', userPrincipalName: 'former.admin@acme.example', accountEnabled: false },
  grace: { '@odata.type': '#microsoft.graph.user', id: 'b1000000-0000-4000-8000-000000000003', displayName: 'Grace Hopper', userPrincipalName: 'grace@acme.example', accountEnabled: true },
};
const owners = { 1: [users.ada], 2: [users.grace], 3: [users.gone], 4: [users.grace] };
const federated = {
  1: [{ id: 'f1000000-0000-4000-8000-000000000001', name: 'acme-app-production', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/app:environment:production', description: 'deploy workflow, production environment', audiences: ['api://AzureADTokenExchange'] }],
  2: [{ id: 'f1000000-0000-4000-8000-000000000002', name: 'any-acme-repo', issuer: 'https://token.actions.githubusercontent.com', subject: null, description: 'release tooling', audiences: ['api://AzureADTokenExchange'], claimsMatchingExpression: { value: "claims['sub'] matches 'repo:acme/*'", languageVersion: 1 } }],
  3: [],
  4: [],
};
const grants = { 2: [PERM.appRw], 3: [PERM.roleMgmt], 4: [PERM.userRead] };
const signIns = { 1: '2026-10-31T22:10:00Z', 2: '2026-10-28T14:00:00Z', 3: '2026-10-30T03:00:00Z', 4: '2025-10-02T08:00:00Z' };

const page = (context, value) => ({ '@odata.context': `${G}${context}`, value });
const write = (rel, v) => {
  mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
  writeFileSync(path.join(out, rel), `${JSON.stringify(v, null, 2)}\n`);
};

write('applications.json', page('applications', apps.map((a) => ({ id: appObj(a.i), deletedDateTime: null, appId: appId(a.i), displayName: a.name, createdDateTime: a.created, publisherDomain: 'acme.example', signInAudience: 'AzureADMyOrg', tags: [], passwordCredentials: a.secrets, keyCredentials: [], requiredResourceAccess: [] }))));
const appRole = (id, value) => ({ allowedMemberTypes: ['Application'], description: value, displayName: value, id, isEnabled: true, origin: 'Application', value });
write('servicePrincipals.json', page('servicePrincipals', [
  ...apps.map((a) => ({ id: spId(a.i), deletedDateTime: null, accountEnabled: true, alternativeNames: [], appDisplayName: a.name, appId: appId(a.i), appOwnerOrganizationId: TENANT, displayName: a.name, servicePrincipalNames: [appId(a.i)], servicePrincipalType: 'Application', signInAudience: 'AzureADMyOrg', tags: [], appRoles: [], keyCredentials: [], passwordCredentials: [] })),
  { id: '51000000-0000-4000-8000-0000000000a1', deletedDateTime: null, accountEnabled: true, alternativeNames: [`/subscriptions/${SUBSCRIPTION}/resourcegroups/payments/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-payments-batch`], appDisplayName: null, appId: 'c1000000-0000-4000-8000-0000000000a1', appOwnerOrganizationId: null, displayName: 'id-payments-batch', servicePrincipalNames: ['c1000000-0000-4000-8000-0000000000a1'], servicePrincipalType: 'ManagedIdentity', signInAudience: null, tags: [], appRoles: [], keyCredentials: [], passwordCredentials: [] },
  { id: GRAPH_SP, deletedDateTime: null, accountEnabled: true, alternativeNames: [], appDisplayName: 'Microsoft Graph', appId: '00000003-0000-0000-c000-000000000000', appOwnerOrganizationId: MICROSOFT, displayName: 'Microsoft Graph', servicePrincipalNames: ['00000003-0000-0000-c000-000000000000', 'https://graph.microsoft.com'], servicePrincipalType: 'Application', signInAudience: 'AzureADMultipleOrgs', tags: [], appRoles: [appRole(PERM.roleMgmt, 'RoleManagement.ReadWrite.Directory'), appRole(PERM.appRw, 'Application.ReadWrite.All'), appRole(PERM.userRead, 'User.Read.All')], keyCredentials: [], passwordCredentials: [] },
]));
for (const a of apps) {
  write(`federatedIdentityCredentials/${appObj(a.i)}.json`, page(`applications('${appObj(a.i)}')/federatedIdentityCredentials`, federated[a.i]));
  write(`owners/${appObj(a.i)}.json`, page('directoryObjects', owners[a.i]));
  write(`appRoleAssignments/${spId(a.i)}.json`, page(`servicePrincipals('${spId(a.i)}')/appRoleAssignments`, (grants[a.i] ?? []).map((role, k) => ({ id: `ara-${a.i}-${k}`, deletedDateTime: null, appRoleId: role, createdDateTime: a.created, principalDisplayName: a.name, principalId: spId(a.i), principalType: 'ServicePrincipal', resourceDisplayName: 'Microsoft Graph', resourceId: GRAPH_SP }))));
}
write('directoryRoleAssignments.json', page('roleManagement/directory/roleAssignments(roleDefinition())', []));
write('servicePrincipalSignInActivities.json', { '@odata.context': 'https://graph.microsoft.com/beta/$metadata#reports/servicePrincipalSignInActivities', value: apps.map((a) => ({ id: `sia-${a.i}`, appId: appId(a.i), lastSignInActivity: { lastSignInDateTime: signIns[a.i], lastSignInRequestId: `r${a.i}` } })) });
const assignment = (k, principalId, principalType, roleName, roleGuid, scope) => ({ condition: null, conditionVersion: null, id: `${scope}/providers/Microsoft.Authorization/roleAssignments/d1000000-0000-4000-8000-${n(k)}`, name: `d1000000-0000-4000-8000-${n(k)}`, principalId, principalName: principalId, principalType, roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`, roleDefinitionName: roleName, scope, type: 'Microsoft.Authorization/roleAssignments' });
writeFileSync(
  path.join(out, 'roleAssignments.json'),
  `${JSON.stringify([
    assignment(1, spId(1), 'ServicePrincipal', 'Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', `/subscriptions/${SUBSCRIPTION}`),
    assignment(2, '51000000-0000-4000-8000-0000000000a1', 'ServicePrincipal', 'Contributor', 'b24988ac-6180-42a0-ab88-20f7382dd24c', `/subscriptions/${SUBSCRIPTION}/resourceGroups/payments`),
  ], null, 2)}\n`,
);
console.log(`wrote demo tenant: ${apps.length} applications, 1 managed identity`);
