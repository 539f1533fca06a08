import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/entra-privileged-application-permission.js';
import { runRule } from './builders.js';
import { appNode, application, entraGraph, graphPermission, servicePrincipal } from './entra-builders.js';

const dirRole = (principalId: string, name: string, scope = '/') => ({ id: `dra-${name}`, principalId, directoryScopeId: scope, roleDefinition: { id: `rd-${name}`, displayName: name, isBuiltIn: true } });

describe('entra-privileged-application-permission', () => {
  it.each([
    ['a read permission (User.Read.All)', { perms: ['User.Read.All'] }, []],
    ['RoleManagement.ReadWrite.Directory, resolved through the Microsoft Graph appRoles', { perms: ['RoleManagement.ReadWrite.Directory'] }, [['critical', 'holds the application permission RoleManagement.ReadWrite.Directory on Microsoft Graph']]],
    ['Application.ReadWrite.All on a disabled service principal', { perms: ['Application.ReadWrite.All'], disabled: true }, [['high', '(disabled) holds the application permission Application.ReadWrite.All']]],
    ['an app role id the resource does not list (not resolved)', { perms: ['0f0f0f0f-0000-0000-0000-000000000000'] }, []],
    ['the directory role Privileged Role Administrator', { roles: [['Privileged Role Administrator', '/']] }, [['high', 'holds the directory role Privileged Role Administrator']]],
    ['Application Administrator scoped to one application', { roles: [['Application Administrator', '/a9']] }, [['high', 'Application Administrator (scope /a9)']]],
    ['a harmless directory role (Reports Reader)', { roles: [['Reports Reader', '/']] }, []],
  ] as const)('%s', (_l, c: { perms?: readonly string[]; roles?: ReadonlyArray<readonly [string, string]>; disabled?: boolean }, expected) => {
    const g = entraGraph({
      applications: [application(1)],
      servicePrincipals: [servicePrincipal(1, { accountEnabled: !c.disabled })],
      appRoleAssignments: { s1: (c.perms ?? []).map((p) => graphPermission('s1', p)) },
      directoryRoleAssignments: (c.roles ?? []).map(([n, s]) => dirRole('s1', n, s)),
    });
    const f = runRule(rule, g);
    expect(f.map((x) => x.severity)).toEqual(expected.map((e) => e[0]));
    f.forEach((x, i) => {
      expect(x.nodeId).toBe(appNode(1));
      expect(x.message).toContain(expected[i][1]);
    });
  });

  it('options: a shorter permission list; Microsoft first-party apps are not judged', () => {
    const g = entraGraph({ applications: [application(1)], servicePrincipals: [servicePrincipal(1)], appRoleAssignments: { s1: [graphPermission('s1', 'Application.ReadWrite.All')] } });
    expect(runRule(rule, g, { permissions: ['RoleManagement.ReadWrite.Directory'] })).toEqual([]);
    const ms = entraGraph({ servicePrincipals: [servicePrincipal(2, { appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' })], appRoleAssignments: { s2: [graphPermission('s2', 'Application.ReadWrite.All')] } });
    expect(runRule(rule, ms)).toEqual([]);
  });
});
