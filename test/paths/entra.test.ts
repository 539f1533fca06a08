/**
 * Entra ID and Azure in the paths engine (src/paths/entra.ts), and GitHub workflows into Entra applications through
 * their federated identity credentials (src/paths/codehost.ts), on the offline fixture tenant mapped by the connector.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEntraFolder } from '../../connectors/entra/index.js';
import { applicationNodeId, mapEntraTenant, type EntraTenantData } from '../../connectors/entra/map.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { ENTRA_METHODS, entraEdges } from '../../src/paths/entra.js';
import { edge, edgesOf, Estate, NOW } from './codehost-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = path.join(root, 'test', 'fixtures', 'entra', 'tenant');
const TENANT = '11111111-2222-3333-4444-555555555555';
const app = (n: number) => applicationNodeId(TENANT, `a000000${n}-0000-4000-8000-00000000000${n}`);
const LEGACY = app(1); // RoleManagement.ReadWrite.Directory; owned by Ada
const GH_DEPLOY = app(2); // federated: repo:acme/app:ref:refs/heads/main; Owner on the subscription
const GH_BROAD = app(3); // federated: claims['sub'] matches 'repo:acme/*'; Application Administrator
const READER = app(4); // disabled

function tenant(change: (d: EntraTenantData) => void = () => {}): EntraTenantData {
  const d = structuredClone(readEntraFolder(FIXTURE).data);
  change(d);
  return d;
}

function estate(d = tenant(), build?: (e: Estate) => void): IdentityGraph {
  const e = new Estate('acme');
  e.gh.repo('acme/app', { defaultBranch: 'main' });
  e.gh.repo('acme/site', { defaultBranch: 'main' });
  build?.(e);
  const g = e.build();
  for (const r of mapEntraTenant(d, { now: NOW, source: (w) => `test:${w}` })) g.add(r);
  return g;
}

const azureLogin = (clientId: string, on = 'push:\n    branches: [main]') => `on:\n  ${on}\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: ${clientId}\n          tenant-id: ${TENANT}\n          subscription-id: 0b1f6471-1bf0-4dda-aec3-111111111111\n`;

describe('Entra ID and Azure escalation edges', () => {
  it('on the fixture: tenant-takeover permissions and Owner on a subscription are admin; Application Administrator reaches every application, an owner its application', () => {
    const g = estate();
    const { paths } = graphAnalysis(g, NOW);
    expect(paths.admins.get(LEGACY)?.why).toBe('legacy-deploy holds the application permission RoleManagement.ReadWrite.Directory (it can make itself Global Administrator)');
    expect(paths.admins.get(GH_DEPLOY)?.why).toBe('gh-deploy holds Owner on /subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111');
    expect(paths.admins.has(GH_BROAD)).toBe(false);
    const e = entraEdges(g);
    const hub = `meta:hub:entra-app:${TENANT}`;
    expect(edge(e, GH_BROAD, hub)?.method).toBe('entra-add-app-credential');
    const fromHub = e.filter((x) => x.from === hub).map((x) => x.to).sort();
    // the disabled application, the managed identity and Microsoft's own service principal take no secret from it
    expect(fromHub).toEqual([LEGACY, GH_DEPLOY, GH_BROAD].sort());
    expect(edge(e, `entra:user:${TENANT}/u0000001-0000-4000-8000-000000000001`, LEGACY)?.method).toBe('entra-owner-add-credential');
    // the disabled application holds User.Read.All only, and acts on nothing
    expect(e.filter((x) => x.from === READER)).toEqual([]);
  });

  it('Owner on a resource group, an Owner assignment with a condition, a directory role on an administrative unit and a disabled holder are not admin', () => {
    const g = estate(
      tenant((d) => {
        d.roleAssignments = [
          { principalId: '50000001-0000-4000-8000-000000000001', principalType: 'ServicePrincipal', roleDefinitionName: 'Owner', roleDefinitionId: '/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635', scope: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/build' },
          { principalId: '50000002-0000-4000-8000-000000000002', principalType: 'ServicePrincipal', roleDefinitionName: 'User Access Administrator', roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', scope: '/', condition: "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})))" },
          { principalId: '50000004-0000-4000-8000-000000000004', principalType: 'ServicePrincipal', roleDefinitionName: 'Owner', roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635', scope: '/' },
        ] as EntraTenantData['roleAssignments'];
        d.appRoleAssignments = {};
        d.directoryRoleAssignments = [{ id: 'x', principalId: '50000001-0000-4000-8000-000000000001', directoryScopeId: '/administrativeUnits/au1', roleDefinitionId: 'e8611ab8-c189-46e8-94e1-60213ab1f814', roleDefinition: { id: 'e8611ab8-c189-46e8-94e1-60213ab1f814', displayName: 'Privileged Role Administrator' } }] as EntraTenantData['directoryRoleAssignments'];
      }),
    );
    expect([...graphAnalysis(g, NOW).paths.admins.keys()]).toEqual([]);
  });

  it('a repository that may sign in as the broad application reaches an admin application in three hops (one through the application hub of the tenant)', () => {
    const g = estate();
    const { paths } = graphAnalysis(g, NOW);
    const p = paths.pathToAdmin('github:repo:acme/site');
    expect(p?.hops.map((h) => h.edge.method)).toEqual(['github-oidc-entra-app', 'entra-add-app-credential', 'entra-add-app-credential']);
    expect(paths.admins.has(p!.hops[2].to)).toBe(true);
  });

  it('every method is documented', () => {
    const doc = readFileSync(path.join(root, 'docs', 'connectors', 'entra.md'), 'utf8');
    for (const m of ENTRA_METHODS) expect(doc, m.id).toContain(`\`${m.id}\``);
  });
});

describe('GitHub workflows into Entra applications', () => {
  it('an exact subject admits the repository on its branch only; a claims-matching expression admits every repository of the owner', () => {
    const e = edgesOf(estate());
    expect(edge(e, 'github:repo:acme/app', GH_DEPLOY)).toMatchObject({ method: 'github-oidc-entra-app', decision: 'allowed' });
    expect(edge(e, 'github:repo:acme/site', GH_DEPLOY)).toBeUndefined();
    expect(edge(e, 'github:repo:acme/site', GH_BROAD)).toMatchObject({ method: 'github-oidc-entra-app', decision: 'allowed' });
    expect(edge(e, 'github:repo:acme/app', GH_DEPLOY)?.statements[0].policyName).toBe('gh-deploy federated credential acme-app-main');
  });

  it('an expression over the whole issuer is the GitHub hub; another claim makes the edge conditional; a disabled application gets no edge', () => {
    const d = tenant((t) => {
      t.federatedCredentials['a0000003-0000-4000-8000-000000000003'] = [{ id: 'f3', name: 'any', issuer: 'https://token.actions.githubusercontent.com', audiences: ['api://AzureADTokenExchange'], claimsMatchingExpression: { value: "claims['sub'] matches 'repo:*'", languageVersion: 1 } }];
      t.federatedCredentials['a0000002-0000-4000-8000-000000000002'] = [{ id: 'f2', name: 'wf', issuer: 'https://token.actions.githubusercontent.com', audiences: ['api://AzureADTokenExchange'], claimsMatchingExpression: { value: "claims['sub'] matches 'repo:acme/app:*' and claims['job_workflow_ref'] eq 'acme/app/.github/workflows/deploy.yml@refs/heads/main'", languageVersion: 1 } }];
      t.federatedCredentials['a0000004-0000-4000-8000-000000000004'] = [{ id: 'f4', name: 'x', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/app:ref:refs/heads/main', audiences: ['api://AzureADTokenExchange'] }];
    });
    const e = edgesOf(estate(d));
    expect(edge(e, 'github:anyone', GH_BROAD)).toMatchObject({ method: 'github-oidc-entra-app', decision: 'allowed' });
    expect(edge(e, 'github:repo:acme/app', GH_DEPLOY)).toMatchObject({ decision: 'conditional', unknownKeys: ['token.actions.githubusercontent.com:job_workflow_ref'] });
    expect(e.filter((x) => x.to === READER)).toEqual([]);
  });

  it("a job with azure/login and id-token: write reaches the application its token's subject passes, named by client id", () => {
    const g = estate(tenant(), (x) => x.workflow('acme/app', '.github/workflows/deploy.yml', azureLogin('c0000002-0000-4000-8000-000000000002')));
    const e = edgesOf(g);
    const job = 'github:job:acme/app/.github/workflows/deploy.yml#deploy';
    expect(edge(e, job, GH_DEPLOY)?.via).toContain('azure/login and this application\u2019s client id');
    // the workflow's FEDERATES_TO reference resolves to the application node
    expect(g.out('github:workflow:acme/app/.github/workflows/deploy.yml', 'FEDERATES_TO').map((x) => x.to)).toEqual(['entra:app-id:c0000002-0000-4000-8000-000000000002']);
  });

  it('without the tenant in the scan, azure/login with a literal client id is a low-confidence edge to the reference', () => {
    const ex = new Estate('acme');
    ex.gh.repo('acme/app', { defaultBranch: 'main' });
    ex.workflow('acme/app', '.github/workflows/deploy.yml', azureLogin('c0000009-0000-4000-8000-000000000009'));
    const e = edgesOf(ex.build());
    expect(edge(e, 'github:repo:acme/app', 'entra:app-id:c0000009-0000-4000-8000-000000000009')).toMatchObject({ method: 'github-oidc-entra-app', decision: 'conditional', confidence: 'low', unknownKeys: ['federated identity credential'] });
  });
});
