/**
 * The Entra ID connector, offline: a folder of Microsoft Graph JSON (as `az rest` prints it) and `az role assignment
 * list --all` mapped to the graph (test/fixtures/entra/tenant), coverage notes for what is absent or broken, and no
 * secret material (secretText, hint, key) anywhere: not in records, the store, or any report format.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entraConnector, readEntraFolder } from '../../connectors/entra/index.js';
import { mapEntraTenant } from '../../connectors/entra/map.js';
import type { GraphRecord } from '../../src/model/types.js';
import { nhi, repoRoot, STACK_LINE } from '../e2e/run.js';
import { storedText } from '../support/secret-leaks.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'entra', 'tenant');
const TENANT = '11111111-2222-3333-4444-555555555555';
const NOW = new Date('2026-12-01T00:00:00Z');
/** secret material present in the fixture: the secretText, the hints (the secret's first characters), a key's customKeyIdentifier */
const SECRETS = ['SHOULD-NEVER-APPEAR', 'secretvalue', 'Xq7', 'k9~', 'QUJDREVG'];
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'nhi-entra-'));
  tmp.push(d);
  return d;
};

async function scan(dir: string, options: Record<string, unknown> = {}): Promise<GraphRecord[]> {
  const ctx = { options: { fromDir: dir, ...options }, now: NOW, log: { debug() {}, info() {}, warn() {} }, calls: { count() {}, total: 0, byOperation: () => ({}) }, progress() {}, concurrency: 1 };
  await entraConnector.validate(ctx);
  const out: GraphRecord[] = [];
  for await (const r of entraConnector.scan(ctx)) out.push(r);
  return out;
}
const nodes = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'node' ? [r.node] : []));
const edges = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'edge' ? [r.edge] : []));
const app = (n: number) => `entra:application:${TENANT}/a000000${n}-0000-4000-8000-00000000000${n}`;

describe('entra offline: mapping the fixture tenant', () => {
  it('applications and their service principals are one principal; managed identities and Microsoft apps are their own', async () => {
    const rs = await scan(FIXTURE);
    expect(rs.find((r) => r.type === 'target')).toEqual({ type: 'target', target: { id: `entra:tenant:${TENANT}`, platform: 'entra', kind: 'tenant', name: TENANT } });
    const principals = nodes(rs).filter((n) => n.kind === 'principal' && n.type !== 'user' && n.type !== 'oidc-provider');
    expect(principals.map((n) => [n.type, n.name]).sort()).toEqual([
      ['app-service-principal', 'Microsoft Graph'],
      ['application', 'gh-broad'],
      ['application', 'gh-deploy'],
      ['application', 'legacy-deploy'],
      ['application', 'reports-reader'],
      ['managed-identity', 'id-build'],
    ]);
    const graph = principals.find((n) => n.name === 'Microsoft Graph')!;
    expect(graph).toMatchObject({ accountType: 'system', attributes: { microsoftFirstParty: true } });
    const reports = principals.find((n) => n.name === 'reports-reader')!;
    expect(reports).toMatchObject({ disabled: true, attributes: { enabled: false, servicePrincipalType: 'Application', ownerTenant: TENANT } });
    expect(principals.find((n) => n.name === 'id-build')).toMatchObject({ attributes: { managedIdentityKind: 'user-assigned' } });
  });

  it('credentials keep ids and dates only; permissions resolve to names through the resource appRoles; roles keep their scope', async () => {
    const rs = await scan(FIXTURE);
    const secret = nodes(rs).find((n) => n.type === 'client-secret' && n.name === 'pipeline')!;
    expect(secret).toMatchObject({ kind: 'credential', credentialType: 'client-secret', createdAt: '2024-01-10T10:00:00.000Z', expiresAt: '2028-01-10T10:00:00.000Z', active: true });
    expect(Object.keys(secret.attributes ?? {}).sort()).toEqual(['keyId', 'on']);
    const cert = nodes(rs).find((n) => n.type === 'certificate')!;
    expect(cert.attributes).toEqual({ keyId: 'e0000003-0000-4000-8000-000000000003', on: 'application', keyType: 'AsymmetricX509Cert', usage: 'Verify' });
    const perm = edges(rs).filter((e) => e.type === 'GRANTED' && e.from === app(1)).map((e) => nodes(rs).find((n) => n.id === e.to)!);
    expect(perm.map((p) => [p.name, p.attributes?.permission, p.attributes?.tenantTakeover])).toEqual([['Microsoft Graph: RoleManagement.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory', true]]);
    const owner = edges(rs).find((e) => e.type === 'GRANTED' && e.from === app(2))!;
    expect(owner.attributes).toMatchObject({ via: 'azure-role-assignment', roleName: 'Owner', scope: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111' });
    // a user's role assignment is not this connector's subject
    expect(edges(rs).filter((e) => e.attributes?.via === 'azure-role-assignment')).toHaveLength(2);
    const fic = edges(rs).filter((e) => e.type === 'FEDERATES_TO');
    expect(fic.map((e) => [e.to, e.attributes?.subject ?? e.attributes?.claimsMatchingExpression])).toEqual([
      [app(2), 'repo:acme/app:ref:refs/heads/main'],
      [app(3), "claims['sub'] matches 'repo:acme/*'"],
    ]);
    // owners: enabled ones own; disabled ones are listed
    expect(edges(rs).filter((e) => e.type === 'OWNED_BY').map((e) => e.from).sort()).toEqual([app(1), app(4)]);
    expect(nodes(rs).find((n) => n.id === app(2))?.attributes).toMatchObject({ ownersKnown: true, ownerCount: 1, disabledOwners: ['gone.person@acme.onmicrosoft.com'] });
    // last sign-in per service principal, by appId
    const usage = rs.flatMap((r) => (r.type === 'usage' ? [r.usage] : []));
    expect(usage.map((u) => [u.nodeId.split('/')[0], u.lastUsedAt]).length).toBe(4);
    expect(usage.find((u) => u.nodeId === app(3))?.lastUsedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(rs.filter((r) => r.type === 'coverage')).toEqual([]);
  });

  it('no secret value reaches a record', async () => {
    const text = JSON.stringify(await scan(FIXTURE));
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).not.toMatch(/"(hint|secretText|key|customKeyIdentifier)"/);
  });

  it('the tenant is inferred from the applications\u2019 service principals, or taken from --entra-tenant', () => {
    expect(readEntraFolder(FIXTURE).data.tenantId).toBe(TENANT);
    expect(readEntraFolder(FIXTURE, 'AAAAAAAA-2222-3333-4444-555555555555').data.tenantId).toBe('AAAAAAAA-2222-3333-4444-555555555555');
    const recs = mapEntraTenant({ ...readEntraFolder(FIXTURE).data, tenantId: 'AAAAAAAA-2222-3333-4444-555555555555' }, { now: NOW, source: (w) => w });
    expect(nodes(recs).every((n) => !n.id.startsWith('entra:') || n.id.includes('aaaaaaaa-') || n.type === 'oidc-provider' || n.id.startsWith('entra:tenant:'))).toBe(true);
  });
});

describe('entra offline: what is absent or broken', () => {
  it('fields of the wrong type are skipped, never a crash', () => {
    const junk = [null, 1, 'x', true, {}, [], { id: 5 }];
    const recs = mapEntraTenant(
      {
        tenantId: TENANT,
        applications: [...junk, { id: 'a1', appId: 7, displayName: {}, passwordCredentials: { keyId: 'k' }, keyCredentials: 'abc' }, { id: 'a2', passwordCredentials: [null, { keyId: 3 }, { keyId: 'k2', endDateTime: 'soon' }] }] as never,
        servicePrincipals: [...junk, { id: 's1', appId: 'c1', appRoles: 'no', alternativeNames: {}, servicePrincipalType: 'ManagedIdentity' }] as never,
        federatedCredentials: { a1: [null, { issuer: 5 }, { issuer: 'https://i', audiences: 'x', claimsMatchingExpression: 'y' }] } as never,
        owners: { a1: [null, { id: 1 }] } as never,
        appRoleAssignments: { s1: [null, { resourceId: 's1', appRoleId: 'r' }], nobody: [{}] } as never,
        directoryRoleAssignments: [...junk, { principalId: 's1', roleDefinition: 'x' }] as never,
        signIns: [...junk, { appId: 'c1', lastSignInActivity: 'x' }] as never,
        roleAssignments: [...junk, { principalId: 's1', roleDefinitionId: 9 }] as never,
      },
      { now: NOW, source: (w) => w },
    );
    expect(nodes(recs).find((n) => n.id === `entra:application:${TENANT}/a1`)?.name).toBe('a1');
    expect(nodes(recs).filter((n) => n.kind === 'credential').map((n) => n.name)).toEqual(['k2']);
  });

  it('a missing optional file is an informational coverage note naming it', async () => {
    const dir = tempDir();
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(path.join(dir, 'servicePrincipalSignInActivities.json'));
    rmSync(path.join(dir, 'owners'), { recursive: true });
    const notes = (await scan(dir)).flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
    expect(notes.map((n) => [n.source.split('/').slice(1).join('/'), n.reason, n.incomplete])).toEqual([
      ['owners/', 'not-found', false],
      ['servicePrincipalSignInActivities.json', 'not-found', false],
    ]);
    expect(notes[0].impact).toMatch(/identity-unowned makes no claim/);
  });

  it('a malformed file is an incomplete coverage note (exit 3), never a stack trace; the rest is still read', async () => {
    const dir = tempDir();
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(path.join(dir, 'roleAssignments.json'), '[{"principalId": ');
    writeFileSync(path.join(dir, 'owners', 'a0000002-0000-4000-8000-000000000002.json'), '{"unexpected": true}');
    const notes = (await scan(dir)).flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
    expect(notes.filter((n) => n.incomplete).map((n) => n.source.split('/').slice(1).join('/')).sort()).toEqual(['owners/a0000002-0000-4000-8000-000000000002.json', 'roleAssignments.json']);
    const r = await nhi(['scan', '--connector', 'entra', '--from-file', dir, '--no-store', '--no-config', '--format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0);
  });

  it('a folder without applications.json and servicePrincipals.json is an input error; --azure-subscriptions with it a usage error', async () => {
    const empty = tempDir();
    const a = await nhi(['scan', '--connector', 'entra', '--from-file', empty, '--no-store', '--no-config']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/neither applications.json nor servicePrincipals.json/);
    const b = await nhi(['scan', '--connector', 'entra', '--from-file', FIXTURE, '--azure-subscriptions', 'all', '--no-store', '--no-config']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--azure-subscriptions is for live scans/);
    await expect(entraConnector.validate({ options: { fromDir: empty }, now: NOW } as never)).rejects.toMatchObject({ code: 'INPUT' });
    await expect(entraConnector.validate({ options: { fromDir: FIXTURE, subscriptions: 'all' }, now: NOW } as never)).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('without --from-file the scan is live: with no Azure credential anywhere, one line saying what to run, exit 2', async () => {
    // a managed-identity endpoint that refuses connections (no cloud metadata probe), no az / pwsh / azd on PATH
    const env = { PATH: '/nonexistent', IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'x', AZURE_CLIENT_ID: undefined, AZURE_TENANT_ID: undefined, AZURE_CLIENT_SECRET: undefined, AZURE_FEDERATED_TOKEN_FILE: undefined };
    const r = await nhi(['scan', '--connector', 'entra', '--no-store', '--no-config'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: .*no Azure credentials for https:\/\/graph\.microsoft\.com/m);
    expect(r.stderr).toMatch(/az login/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('entra offline: end to end', () => {
  it('no secret value reaches the store or any report format', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'nhi.db');
    const outputs: string[] = [];
    for (const format of ['json', 'sarif', 'markdown', 'terminal']) {
      const r = await nhi(['scan', '--connector', 'entra', '--from-file', FIXTURE, '--store', store, '--no-config', '--as-of', '2026-12-01', '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    const inv = await nhi(['inventory', '--store', store, '--format', 'json']);
    outputs.push(inv.stdout);
    // the database and its journal files (WAL)
    const db = readdirSync(dir).map((f) => storedText(path.join(dir, f)));
    expect(db.join('')).toContain('legacy-deploy');
    for (const text of [...outputs, ...db]) for (const s of SECRETS) expect(text).not.toContain(s);
    // the JSON report carries the Entra findings
    const json = JSON.parse(outputs[0]) as { findings: Array<{ ruleId: string }> };
    expect([...new Set(json.findings.map((f) => f.ruleId))].sort()).toEqual([
      'azure-rbac-owner-service-principal',
      'credential-no-expiry',
      'credential-not-rotated',
      'entra-app-secret-instead-of-federation',
      'entra-federated-credential-broad',
      'entra-privileged-application-permission',
      'identity-unowned',
      'identity-unused',
      // gh-broad (Application Administrator) can add a secret to legacy-deploy, which holds RoleManagement.ReadWrite.Directory
      'privilege-escalation',
    ]);
  });

  it('nhi permissions entra prints the Graph application permissions and the Azure role', async () => {
    const r = await nhi(['permissions', 'entra']);
    expect(r.code).toBe(0);
    for (const p of ['Application.Read.All', 'Directory.Read.All', 'RoleManagement.Read.Directory', 'AuditLog.Read.All', 'Reader']) expect(r.stdout).toContain(p);
  });
});
