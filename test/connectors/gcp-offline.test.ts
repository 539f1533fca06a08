import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcpConnector, projectDirs, readProject, readProjectDir } from '../../connectors/gcp/index.js';
import { mapGcpProject, memberId, projectScanTarget, tagsFromDescription } from '../../connectors/gcp/map.js';
import { Counter } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CredentialNode, GraphRecord } from '../../src/model/types.js';

const demo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'demo', 'gcp');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const ctx = (options: Record<string, unknown>): ScanContext => ({ options, now: new Date('2026-11-01T06:00:00Z'), log: silent, calls: new Counter(), progress: () => {}, concurrency: 1 });
async function scan(dir: string): Promise<IdentityGraph> {
  await gcpConnector.validate(ctx({ fromDir: dir }));
  const records: GraphRecord[] = [];
  for await (const r of gcpConnector.scan(ctx({ fromDir: dir }))) records.push(r);
  return IdentityGraph.from(records);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nhi-gcp-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gcp connector: offline gcloud exports', () => {
  it('maps the demo project: accounts, keys, bindings, impersonation, federation, usage, recommendations', async () => {
    const g = await scan(demo);
    const t = g.stats().byType;
    expect(t['gcp:service-account']).toBe(8);
    expect(t['gcp:sa-key']).toBe(4);
    expect(g.node('gcp:project:acme-prod-data')?.attributes).toMatchObject({ inScan: true, projectNumber: '412345678901', parent: 'organizations/998877665544' });
    const deployer = 'gcp:service-account:deployer@acme-prod-data.iam.gserviceaccount.com';
    expect(g.node(deployer)?.tags).toEqual({ owner: 'platform-team' });
    // workloadIdentityUser on the account: the federated principal may act as it, and the pool's providers reach the principal
    const principal = g.in(deployer, 'CAN_ASSUME').map((e) => e.from);
    expect(principal).toEqual(['gcp:wif-principal:principalSet://iam.googleapis.com/projects/412345678901/locations/global/workloadIdentityPools/github/attribute.repository/acme/app']);
    expect(g.node(principal[0])?.attributes).toMatchObject({ pool: 'github', attribute: 'repository', value: 'acme/app' });
    expect(g.in(principal[0], 'CAN_ASSUME').map((e) => e.from).sort()).toEqual([
      'gcp:wif-provider:projects/412345678901/locations/global/workloadIdentityPools/github/providers/github-acme',
      'gcp:wif-provider:projects/412345678901/locations/global/workloadIdentityPools/github/providers/github-any',
    ]);
    // keys: user-managed with no expiry (year 9999) and Policy Analyzer last use; system-managed marked platform-managed
    const legacyKey = g.node('gcp:sa-key:ci-legacy@acme-prod-data.iam.gserviceaccount.com/3f1c9a0d2b7e4c5a8d6f0e1b2c3d4e5f6a7b8c9d') as CredentialNode;
    expect(legacyKey).toMatchObject({ credentialType: 'service-account-key', expiresAt: null, active: true, attributes: { keyType: 'USER_MANAGED' } });
    expect(legacyKey.lastUsedAt).toMatch(/^2026-10-31/);
    expect(g.node('gcp:sa-key:monitoring@acme-prod-data.iam.gserviceaccount.com/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c')?.attributes?.platformManaged).toBe(true);
    // usage facts with their observation window; never-authenticated accounts are `null`
    const usage = g.usageFor('gcp:service-account:etl-runner@acme-prod-data.iam.gserviceaccount.com')[0];
    expect(usage).toMatchObject({ scope: { kind: 'any' }, window: { start: expect.stringMatching(/^2026-08/) } });
    // Recommender attaches to the member → binding edge
    const edge = g.out('gcp:service-account:etl-runner@acme-prod-data.iam.gserviceaccount.com', 'GRANTED')[0];
    expect(edge.attributes?.recommendation).toMatchObject({ action: 'remove' });
    expect(g.node('gcp:service-account:service-412345678901@gcp-sa-pubsub.iam.gserviceaccount.com')).toMatchObject({ accountType: 'system' });
  });

  it('a multi-project folder: one sub-folder per project', async () => {
    const multi = path.join(tmp, 'org');
    cpSync(path.join(demo, 'acme-prod-data'), path.join(multi, 'acme-prod-data'), { recursive: true });
    cpSync(path.join(demo, 'acme-prod-data'), path.join(multi, 'second'), { recursive: true });
    writeFileSync(path.join(multi, 'second', 'project.json'), JSON.stringify({ projectId: 'second', projectNumber: '1' }));
    expect(projectDirs(multi).map((d) => path.basename(d))).toEqual(['acme-prod-data', 'second']);
    const g = await scan(multi);
    expect(g.stats().byType['gcp:project']).toBe(2);
  });

  it.each([
    ['service-accounts.json', '[{"email": "a@b", }', /not valid JSON/],
    ['service-accounts.json', '{"accounts": []}', /expected a JSON array/],
    ['iam-policy.json', '{"bindings": {}}', /expected \{ "bindings": \[\.\.\.\] \}/],
  ])('a malformed %s is an INPUT error naming the file', async (file, content, message) => {
    const dir = path.join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
    cpSync(path.join(demo, 'acme-prod-data'), dir, { recursive: true });
    writeFileSync(path.join(dir, file), content);
    await expect(gcpConnector.validate(ctx({ fromDir: dir }))).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(message) });
  });

  it.each([
    ['user:Alice@Acme.example', 'gcp:user:alice@acme.example'],
    ['serviceAccount:x@p.iam.gserviceaccount.com', 'gcp:service-account:x@p.iam.gserviceaccount.com'],
    ['deleted:serviceAccount:old@p.iam.gserviceaccount.com?uid=123', 'gcp:service-account:old@p.iam.gserviceaccount.com'],
    ['allUsers', 'gcp:all-users'],
    ['domain:acme.example', 'gcp:domain:acme.example'],
    ['serviceAccount:acme-prod.svc.id.goog[payments/api]', 'gcp:gke-workload:acme-prod.svc.id.goog[payments/api]'],
  ])('member %s → %s', (member, id) => {
    expect(memberId(member)).toBe(id);
  });

  it('owner tags from descriptions', () => {
    expect(tagsFromDescription('owner: platform-team; federated', ['owner', 'team'])).toEqual({ owner: 'platform-team' });
    expect(tagsFromDescription('runs nightly (team=data)', ['owner', 'team'])).toEqual({ team: 'data' });
    expect(tagsFromDescription('no tags here', ['owner'])).toBeUndefined();
  });
});

describe('gcp: GKE workload identity members', () => {
  it('a Kubernetes service account allowed to act as a service account is a workload, not a missing service account', () => {
    const sa = 'api@acme-prod.iam.gserviceaccount.com';
    const records = mapGcpProject(
      { projectId: 'acme-prod', serviceAccounts: [{ email: sa }], keys: {}, saPolicies: { [sa]: { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: ['serviceAccount:acme-prod.svc.id.goog[payments/api]'] }] } }, roles: [], pools: [], providers: [] },
      { now: new Date('2026-11-01T00:00:00Z'), source: (w) => w },
    );
    const node = records.find((r) => r.type === 'node' && r.node.id === 'gcp:gke-workload:acme-prod.svc.id.goog[payments/api]');
    expect(node?.type === 'node' && node.node).toMatchObject({ type: 'gke-workload', accountType: 'service', attributes: { namespace: 'payments', kubernetesServiceAccount: 'api', workloadPool: 'acme-prod.svc.id.goog' } });
    expect(records.some((r) => r.type === 'edge' && r.edge.type === 'CAN_ASSUME' && r.edge.from === 'gcp:gke-workload:acme-prod.svc.id.goog[payments/api]' && r.edge.to === `gcp:service-account:${sa}`)).toBe(true);
    expect(records.some((r) => r.type === 'node' && r.node.id.startsWith('gcp:service-account:acme-prod.svc.id.goog'))).toBe(false);
  });
});

describe('gcp: custom roles that let a member act as a service account', () => {
  it('a custom role with iam.serviceAccounts.getAccessToken granted on an account is a CAN_ASSUME edge; a read-only one is not', () => {
    const sa = 'deployer@acme-prod.iam.gserviceaccount.com';
    const records = mapGcpProject(
      {
        projectId: 'acme-prod',
        serviceAccounts: [{ email: sa }],
        keys: {},
        roles: [
          { name: 'projects/acme-prod/roles/tokenMinter', includedPermissions: ['iam.serviceAccounts.getAccessToken'] },
          { name: 'projects/acme-prod/roles/saViewer', includedPermissions: ['iam.serviceAccounts.get'] },
        ],
        saPolicies: { [sa]: { bindings: [{ role: 'projects/acme-prod/roles/tokenMinter', members: ['user:dev@acme.example'] }, { role: 'projects/acme-prod/roles/saViewer', members: ['user:ro@acme.example'] }] } },
        pools: [],
        providers: [],
      },
      { now: new Date('2026-11-01T00:00:00Z'), source: (w) => w },
    );
    const assume = records.flatMap((r) => (r.type === 'edge' && r.edge.type === 'CAN_ASSUME' ? [r.edge.from] : []));
    expect(assume).toEqual(['gcp:user:dev@acme.example']);
  });
});

describe('gcp offline: the optional hierarchy, deny and insight files', () => {
  it('reads ancestors.json, deny-policies.json and insights.json into the same shapes as the live scan', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-gcp-offline-'));
    try {
      cpSync(path.join(demo, 'acme-prod-data'), dir, { recursive: true });
      rmSync(path.join(dir, 'activity.json'));
      const sa = 'etl-runner@acme-prod-data.iam.gserviceaccount.com';
      writeFileSync(path.join(dir, 'ancestors.json'), JSON.stringify([{ resource: 'folders/77', policy: { bindings: [{ role: 'roles/owner', members: [`serviceAccount:${sa}`] }] } }, { resource: 'organizations/998877665544', policy: { bindings: [] } }]));
      writeFileSync(path.join(dir, 'deny-policies.json'), JSON.stringify([{ name: 'policies/cloudresourcemanager.googleapis.com%2Fprojects%2Facme-prod-data/denypolicies/d1', rules: [{ denyRule: { deniedPrincipals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${sa}`], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] } }] }]));
      writeFileSync(path.join(dir, 'insights.json'), JSON.stringify([{ name: 'i', insightSubtype: 'SERVICE_ACCOUNT_USAGE', content: { email: sa }, stateInfo: { state: 'ACTIVE' }, observationPeriod: '7776000s', lastRefreshTime: '2026-10-30T00:00:00Z' }]));
      const records = mapGcpProject(readProjectDir(dir), { now: new Date('2026-11-01T00:00:00Z'), source: (w) => w });
      const edges = records.flatMap((r) => (r.type === 'edge' ? [`${r.edge.type} ${r.edge.from} -> ${r.edge.to}`] : []));
      expect(edges).toContain(`GRANTED gcp:service-account:${sa} -> gcp:binding:folders/77/roles/owner`);
      expect(edges).toContain('IN_SCOPE gcp:project:acme-prod-data -> gcp:folder:77');
      expect(edges).toContain('IN_SCOPE gcp:folder:77 -> gcp:organization:998877665544');
      expect(edges).toContain(`DENIES gcp:deny-policy:policies/cloudresourcemanager.googleapis.com%2Fprojects%2Facme-prod-data/denypolicies/d1 -> gcp:service-account:${sa}`);
      const usage = records.flatMap((r) => (r.type === 'usage' ? [r.usage] : []));
      expect(usage).toEqual([expect.objectContaining({ nodeId: `gcp:service-account:${sa}`, lastUsedAt: null, window: { start: '2026-08-01T00:00:00.000Z', end: '2026-10-30T00:00:00.000Z' }, provenance: expect.objectContaining({ source: 'insights' }) })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gcp offline: a bad record or a broken file is a note; the rest of the export is read', () => {
  const copy = () => {
    const dir = path.join(tmp, `damaged-${Math.random().toString(36).slice(2)}`, 'acme-prod-data');
    cpSync(path.join(demo, 'acme-prod-data'), dir, { recursive: true });
    return dir;
  };
  const scanRecords = async (dir: string) => {
    await gcpConnector.validate(ctx({ fromDir: dir }));
    const records: GraphRecord[] = [];
    for await (const r of gcpConnector.scan(ctx({ fromDir: dir }))) records.push(r);
    return { records, graph: IdentityGraph.from(records) };
  };
  const incomplete = (g: IdentityGraph) => g.coverage.filter((c) => c.incomplete).map((c) => c.message).sort();

  it('a binding without a role, a null account, a numeric email, a key with a numeric name: four notes, everything else mapped', async () => {
    const dir = copy();
    const sas = JSON.parse(readFileSync(path.join(dir, 'service-accounts.json'), 'utf8')) as unknown[];
    sas.push(null, { email: 7, displayName: 'seven' });
    writeFileSync(path.join(dir, 'service-accounts.json'), JSON.stringify(sas));
    const policy = JSON.parse(readFileSync(path.join(dir, 'iam-policy.json'), 'utf8')) as { bindings: unknown[] };
    policy.bindings.push({ members: ['user:x@acme.example'] });
    writeFileSync(path.join(dir, 'iam-policy.json'), JSON.stringify(policy));
    const keyFile = path.join(dir, 'keys', 'backup@acme-prod-data.iam.gserviceaccount.com.json');
    const keys = JSON.parse(readFileSync(keyFile, 'utf8')) as unknown[];
    keys.push({ name: 12345 });
    writeFileSync(keyFile, JSON.stringify(keys));
    const { graph } = await scanRecords(dir);
    expect(incomplete(graph)).toEqual(
      [
        `acme-prod-data/iam-policy.json: bindings[${policy.bindings.length - 1}]: role is not a string (got nothing); this binding is skipped`,
        `acme-prod-data/keys/backup@acme-prod-data.iam.gserviceaccount.com.json[${keys.length - 1}]: name is not a string (got a number); this key is skipped`,
        `acme-prod-data/service-accounts.json[${sas.length - 2}]: the entry is not an object (got null); this service account is skipped`,
        `acme-prod-data/service-accounts.json[${sas.length - 1}] (service account 'seven'): email is not a string (got a number); this service account is skipped`,
      ].sort(),
    );
    expect(graph.stats().byType['gcp:service-account']).toBe(8);
    expect(graph.stats().byType['gcp:sa-key']).toBe(4);
    expect(graph.coverage.every((c) => !/Cannot read|TypeError/.test(c.message))).toBe(true);
  });

  it('a file where a folder belongs, a folder where a file belongs, a dangling link, a FIFO: notes, never a crash or a hang', async () => {
    const dir = copy();
    rmSync(path.join(dir, 'keys'), { recursive: true });
    writeFileSync(path.join(dir, 'keys'), 'not a folder');
    rmSync(path.join(dir, 'iam-policy.json'));
    mkdirSync(path.join(dir, 'iam-policy.json'));
    rmSync(path.join(dir, 'roles.json'));
    symlinkSync(path.join(dir, 'gone.json'), path.join(dir, 'roles.json'));
    let fifo = false;
    try {
      execFileSync('mkfifo', [path.join(dir, 'recommendations.json.tmp')]);
      rmSync(path.join(dir, 'recommendations.json'));
      renameSync(path.join(dir, 'recommendations.json.tmp'), path.join(dir, 'recommendations.json'));
      fifo = true;
    } catch {
      // no mkfifo here: the other cases still run
    }
    const { graph } = await scanRecords(dir);
    const expected = [
      'acme-prod-data/iam-policy.json is a folder, not a file',
      'acme-prod-data/keys is a file where a folder belongs',
      'acme-prod-data/roles.json is a symbolic link to nothing (dangling)',
      ...(fifo ? ['acme-prod-data/recommendations.json is a FIFO (named pipe), not a regular file'] : []),
    ].sort();
    expect(incomplete(graph)).toEqual(expected);
    expect(graph.coverage.filter((c) => c.incomplete).every((c) => c.scope === 'acme-prod-data' && c.reason === 'invalid-input')).toBe(true);
    expect(graph.stats().byType['gcp:service-account']).toBe(8);
    expect(graph.stats().byType['gcp:sa-key'] ?? 0).toBe(0);
  });

  it('a dangling link where a project folder may have been, in a multi-project folder: a note; the other projects are scanned', async () => {
    const multi = path.join(tmp, `multi-${Math.random().toString(36).slice(2)}`);
    cpSync(path.join(demo, 'acme-prod-data'), path.join(multi, 'acme-prod-data'), { recursive: true });
    symlinkSync(path.join(multi, 'nowhere'), path.join(multi, 'acme-staging'));
    const { graph, records } = await scanRecords(multi);
    expect(incomplete(graph)).toEqual([`${path.basename(multi)}/acme-staging is a symbolic link to nothing (dangling)`]);
    expect(records.filter((r) => r.type === 'target').map((r) => (r.type === 'target' ? r.target.id : ''))).toEqual(['gcp:project:acme-prod-data']);
  });

  it('an over-size file is refused from its size alone', () => {
    const dir = copy();
    writeFileSync(path.join(dir, 'insights.json'), '[');
    truncateSync(path.join(dir, 'insights.json'), 80 * 1024 * 1024);
    const { notes } = readProject(dir);
    expect(notes.map((n) => n.message)).toEqual(['acme-prod-data/insights.json is 80 MiB, more than the 64 MiB limit']);
    expect(readProject(dir, { fileBytes: 1024 }).notes.map((n) => n.message)).toContain('acme-prod-data/service-accounts.json is 3 KiB, more than the 1 KiB limit');
  });
});

describe('gcp scan targets', () => {
  it('every project of an export folder is a target gcp:project:<id>', async () => {
    const multi = path.join(tmp, 'targets');
    cpSync(path.join(demo, 'acme-prod-data'), path.join(multi, 'acme-prod-data'), { recursive: true });
    cpSync(path.join(demo, 'acme-prod-data'), path.join(multi, 'second'), { recursive: true });
    writeFileSync(path.join(multi, 'second', 'project.json'), JSON.stringify({ projectId: 'acme-second', projectNumber: '1' }));
    const records: GraphRecord[] = [];
    for await (const r of gcpConnector.scan(ctx({ fromDir: multi }))) records.push(r);
    expect(records.flatMap((r) => (r.type === 'target' ? [r.target] : []))).toEqual([
      { id: 'gcp:project:acme-prod-data', platform: 'gcp', kind: 'project', name: 'acme-prod-data' },
      { id: 'gcp:project:acme-second', platform: 'gcp', kind: 'project', name: 'acme-second' },
    ]);
    expect(projectScanTarget('acme-live')).toEqual({ id: 'gcp:project:acme-live', platform: 'gcp', kind: 'project', name: 'acme-live' });
  });

  it('API answers go through the same record checks (notes name the API method)', () => {
    const records = mapGcpProject(
      { projectId: 'acme-live', serviceAccounts: [{ email: 'a@acme-live.iam.gserviceaccount.com' }], keys: {}, saPolicies: {}, roles: [], pools: [], providers: [], policy: { bindings: [{ role: 'roles/owner', members: 'user:x@acme.example' } as never] } },
      { now: new Date('2026-11-01T00:00:00Z'), source: (w) => `api:${w}` },
    );
    expect(records.flatMap((r) => (r.type === 'coverage' ? [[r.coverage.source, r.coverage.message]] : []))).toEqual([
      ['api:policy', "api:policy: bindings[0] (binding 'roles/owner'): members is not a list (got a string); this binding is skipped"],
    ]);
  });
});
