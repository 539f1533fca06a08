import { describe, expect, it } from 'vitest';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import { rule } from '../../src/rules/workflow-federation-to-admin.js';
import { ADMIN_DOC, arn, GraphBuilder, runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';
import { mapEntraTenant, type EntraTenantData } from '../../connectors/entra/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';

const ROLE = arn.role('deploy');
const DEPLOY = `on:\n  push:\n    branches: [main]\npermissions:\n  id-token: write\njobs:\n  d:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${ROLE}\n`;
const READ_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

function setup(opts: { admin: boolean; sub?: string; roleInGraph?: boolean; text?: string }) {
  const b = new GraphBuilder();
  b.account();
  for (const r of workflow(opts.text ?? DEPLOY)) b.graph.add(r);
  if (opts.roleInGraph !== false) {
    const role = b.role('deploy');
    b.attach(role, opts.admin ? b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }) : b.managedPolicy('read', READ_ONLY));
    b.canAssume(b.oidcProvider('token.actions.githubusercontent.com'), role, { principalType: 'Federated', conditions: opts.sub ? { StringLike: { 'token.actions.githubusercontent.com:sub': opts.sub } } : undefined });
  }
  deriveCiLinks(b.graph);
  return b.graph;
}

describe('workflow-federation-to-admin', () => {
  it.each([
    ['the role is not admin', { admin: false }],
    ['the role is not in the scan', { admin: true, roleInGraph: false }],
    ["the role's trust would refuse this workflow", { admin: true, sub: 'repo:acme/other:ref:refs/heads/main' }],
  ])('valid: %s', (_l, opts) => {
    expect(runRule(rule, setup(opts))).toEqual([]);
  });

  it.each([
    ['scoped trust', 'repo:acme/app:ref:refs/heads/main', 'high'],
    ['trust without sub', undefined, 'critical'],
    ['trust for any repository', 'repo:*', 'critical'],
  ])('invalid: %s', (_l, sub, severity) => {
    const [f] = runRule(rule, setup({ admin: true, sub }));
    expect(f).toMatchObject({ nodeId: WF_ID, severity, location: { uri: '.github/workflows/w.yml', startLine: 10 } });
    expect(f.path).toEqual([WF_ID, `aws:iam-role:${ROLE}`, 'aws:managed-policy:arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(f.message).toContain('→ role deploy → AdministratorAccess');
  });

  describe('joined from the cloud side: the workflow takes the role from a secret', () => {
    const FROM_SECRET = DEPLOY.replace(ROLE, '${{ secrets.DEPLOY_ROLE }}');
    it.each([
      ['a trust scoped to the repository and the pushed branch', 'repo:acme/app:ref:refs/heads/main', 1],
      ['a trust for another branch', 'repo:acme/app:ref:refs/heads/release', 0],
      ['a trust for another repository', 'repo:acme/other:*', 0],
      ['a trust any repository passes (oidc-trust-unscoped reports it)', 'repo:*', 0],
    ])('%s', (_l, sub, count) => {
      const found = runRule(rule, setup({ admin: true, sub, text: FROM_SECRET }));
      expect(found).toHaveLength(count);
      if (count === 0) return;
      expect(found[0]).toMatchObject({ nodeId: WF_ID, severity: 'high', discriminator: `aws:iam-role:${ROLE}`, location: { startLine: 7 } });
      expect(found[0].path).toEqual([WF_ID, 'github:job:acme/app/.github/workflows/w.yml#d', `aws:iam-role:${ROLE}`, 'aws:managed-policy:arn:aws:iam::aws:policy/AdministratorAccess']);
      expect(found[0].evidence[0].description).toContain('sub repo:acme/app:ref:refs/heads/main; the job takes its role from ${{ secrets.DEPLOY_ROLE }}');
    });
    it('a role that is not admin gives no finding', () => {
      expect(runRule(rule, setup({ admin: false, sub: 'repo:acme/app:ref:refs/heads/main', text: FROM_SECRET }))).toEqual([]);
    });
  });

  describe('Entra applications (federated credentials)', () => {
    const T = '11111111-2222-3333-4444-555555555555';
    const APP = 'c1000000-0000-4000-8000-000000000001';
    const text = (env: string) => `on:\n  push:\n    branches: [main]\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: x\n    environment: ${env}\n    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: \${{ secrets.AZURE_CLIENT_ID }}\n          tenant-id: ${T}\n`;
    const graph = (env: string, role: string) => {
      const tenant: EntraTenantData = {
        tenantId: T,
        applications: [{ id: 'a1', appId: APP, displayName: 'deployer' }],
        servicePrincipals: [{ id: 's1', appId: APP, appOwnerOrganizationId: T, servicePrincipalType: 'Application', accountEnabled: true }],
        federatedCredentials: { a1: [{ id: 'f1', name: 'prod', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/app:environment:production', audiences: ['api://AzureADTokenExchange'] }] },
        owners: {},
        appRoleAssignments: {},
        roleAssignments: [{ principalId: 's1', principalType: 'ServicePrincipal', roleDefinitionName: role, roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/x', scope: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111' }] as EntraTenantData['roleAssignments'],
      };
      return IdentityGraph.from([...workflow(text(env)), ...mapEntraTenant(tenant, { now: new Date('2026-06-01T00:00:00Z'), source: (w) => w })]);
    };

    it('a job whose token the credential of an Owner application accepts is high, with the job in the path (client id from a secret)', () => {
      const [f, ...rest] = runRule(rule, graph('production', 'Owner'));
      expect(rest).toEqual([]);
      expect(f).toMatchObject({ severity: 'high', path: [WF_ID, `github:job:acme/app/.github/workflows/w.yml#deploy`, `entra:application:${T}/a1`] });
      expect(f.message).toContain('holds Owner on /subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111');
    });

    it('another environment, or an application that is not admin, is not reported', () => {
      expect(runRule(rule, graph('staging', 'Owner'))).toEqual([]);
      expect(runRule(rule, graph('production', 'Reader'))).toEqual([]);
    });
  });
});
