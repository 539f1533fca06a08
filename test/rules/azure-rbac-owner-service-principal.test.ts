import { describe, expect, it } from 'vitest';
import { rule, scopeLevel } from '../../src/rules/azure-rbac-owner-service-principal.js';
import { runRule } from './builders.js';
import { appNode, application, azureRole, entraGraph, managedIdentity, miNode, servicePrincipal } from './entra-builders.js';

const SUB = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111';

describe('azure-rbac-owner-service-principal', () => {
  it.each([
    ['Contributor on the subscription', 's1', 'Contributor', SUB, {}, []],
    ['Owner on the subscription', 's1', 'Owner', SUB, {}, ['critical']],
    ['Owner on a management group', 's1', 'Owner', '/providers/Microsoft.Management/managementGroups/acme', {}, ['critical']],
    ['User Access Administrator on a resource group', 's1', 'User Access Administrator', `${SUB}/resourceGroups/build`, {}, ['high']],
    ['Owner on one storage account', 's1', 'Owner', `${SUB}/resourceGroups/build/providers/Microsoft.Storage/storageAccounts/st1`, {}, ['high']],
    ['Role Based Access Control Administrator with a condition', 's1', 'Role Based Access Control Administrator', SUB, { condition: "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7}" }, ['critical']],
    ['a managed identity with Owner on a resource group', 'm1', 'Owner', `${SUB}/resourceGroups/build`, {}, ['high']],
    ['a user with Owner (not a service principal)', 'u1', 'Owner', SUB, {}, []],
  ] as const)('%s', (_l, principal, role, scope, extra, expected) => {
    const g = entraGraph({ applications: [application(1)], servicePrincipals: [servicePrincipal(1), managedIdentity(1)], roleAssignments: [azureRole(principal, role, scope, extra)] });
    const f = runRule(rule, g);
    expect(f.map((x) => x.severity)).toEqual(expected);
    for (const x of f) expect(x.nodeId).toBe(principal === 'm1' ? miNode(1) : appNode(1));
    if (Object.keys(extra).length) expect(f[0].confidence).toBe('medium');
  });

  it('scope levels', () => {
    expect(scopeLevel('/')).toBe('root');
    expect(scopeLevel(SUB)).toBe('subscription');
    expect(scopeLevel(`${SUB}/resourcegroups/x`)).toBe('resource-group');
    expect(scopeLevel('/providers/Microsoft.Management/managementGroups/m')).toBe('management-group');
  });

  it('options: the roles list', () => {
    const g = entraGraph({ applications: [application(1)], servicePrincipals: [servicePrincipal(1)], roleAssignments: [azureRole('s1', 'Contributor', SUB)] });
    expect(runRule(rule, g, { roles: ['Contributor'] }).map((f) => f.severity)).toEqual(['critical']);
  });
});
