import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsConnector } from '../../connectors/aws/index.js';
import { INPUT_LIMITS, readOffline } from '../../connectors/aws/offline.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { EntitlementNode, PrincipalNode } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';
import { estateToAuthzJson, estateToCredentialReportCsv, estateToLastAccessedJson, makeSyntheticEstate, startFakeIam, type FakeEstate } from '../fakes/aws-iam/server.js';
import { ACCOUNT, smallEstate } from './aws-estate.js';
import { idsOfType, liveOptions, makeCtx, scanAll, sharedFixtures, useFakeCredentials } from './aws-helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-aws-'));
  useFakeCredentials();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function exportEstate(e: FakeEstate, prefix: string, opts: Parameters<typeof estateToAuthzJson>[1] = {}): Record<string, string> {
  return {
    fromFile: write(`${prefix}-authz.json`, estateToAuthzJson(e, opts)),
    credentialReport: write(`${prefix}-report.csv`, estateToCredentialReportCsv(e)),
    lastAccessed: write(`${prefix}-last.json`, estateToLastAccessedJson(e)),
  };
}

async function validateError(options: Record<string, unknown>): Promise<NhiError> {
  const err = await awsConnector.validate(makeCtx(options)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NhiError);
  return err as NhiError;
}

/** A comparable view of a graph: node ids with kinds, edges, usage, ignoring provenance. */
function shape(g: IdentityGraph, keyId: (id: string) => string = (id) => id) {
  return {
    nodes: [...g.nodes.values()].map((n) => `${n.kind}|${keyId(n.id)}`).sort(),
    edges: g.edges.map((e) => `${e.type}|${keyId(e.from)}|${keyId(e.to)}|${JSON.stringify(e.attributes ?? {})}`).sort(),
    usage: g.usage.map((u) => `${u.nodeId}|${u.scope.kind}:${u.scope.name ?? ''}|${u.lastUsedAt}`).sort(),
  };
}

describe('aws offline scan', () => {
  it('boto-style dates and URL-encoded documents give the same graph as ISO dates and JSON objects', async () => {
    const e = smallEstate();
    const iso = await scanAll(makeCtx(exportEstate(e, 'iso')));
    const boto = await scanAll(makeCtx(exportEstate(e, 'boto', { dateStyle: 'boto', encodeDocuments: true })));
    expect(shape(boto.graph)).toEqual(shape(iso.graph));
    const user = boto.graph.node(`aws:iam-user:arn:aws:iam::${ACCOUNT}:user/alice`) as PrincipalNode;
    expect(user.createdAt).toBe('2020-06-01T00:00:00.000Z');
    const policy = boto.graph.node(`aws:managed-policy:arn:aws:iam::${ACCOUNT}:policy/app-data`) as EntitlementNode;
    expect(policy.document).toEqual((iso.graph.node(policy.id) as EntitlementNode).document);
    expect(typeof policy.document).toBe('object');
    const role = boto.graph.node(`aws:iam-role:arn:aws:iam::${ACCOUNT}:role/gha-deploy`) as PrincipalNode;
    expect(typeof role.attributes?.trustPolicy).toBe('object');
    expect(boto.records.every((r) => r.type !== 'node' || r.node.provenance.every((p) => p.source.startsWith('file:')))).toBe(true);
  });

  it('offline and live scans of the same estate give the same ids (keys: report slot <-> key id)', async () => {
    for (const estate of [smallEstate(), makeSyntheticEstate({ identities: 80, seed: 3 })]) {
      const offline = await scanAll(makeCtx(exportEstate(estate, `cmp-${estate.accountId}`)));
      const fake = await startFakeIam(estate, { pageSize: 13, reportPolls: 1, lastAccessedPolls: 0 });
      try {
        const live = await scanAll(makeCtx(liveOptions(fake.url)));
        // a live key id maps to the slot id the offline scan had to use
        const slotIdOf = new Map<string, string>();
        for (const n of live.graph.credentials()) {
          if (n.type === 'access-key' && n.attributes?.accessKeyId) slotIdOf.set(n.id, `aws:access-key:${String(n.attributes.userArn)}#${String(n.attributes.slot)}`);
        }
        expect(slotIdOf.size).toBe(estate.users.reduce((s, u) => s + u.keys.length, 0));
        expect(shape(live.graph, (id) => slotIdOf.get(id) ?? id)).toEqual(shape(offline.graph));
        expect(live.graph.coverage.filter((c) => c.incomplete)).toEqual([]);
      } finally {
        await fake.close();
      }
    }
  });

  it('malformed JSON is a one-line USAGE error naming the file', async () => {
    const file = write('broken.json', '{"UserDetailList": [');
    const err = await validateError({ fromFile: file });
    expect(err.code).toBe('INPUT');
    expect(err.exitCode).toBe(2);
    expect(err.message.startsWith(`${file}: not valid JSON (`)).toBe(true);
    expect(err.message).not.toContain('\n');
    expect(err.suggestion).toMatch(/get-account-authorization-details/);
  });

  it('wrong shapes and missing files are USAGE errors saying what was expected', async () => {
    expect((await validateError({ fromFile: write('list.json', []) })).message).toMatch(/expected a JSON object with UserDetailList and RoleDetailList/);
    expect((await validateError({ fromFile: write('other.json', { Users: [] }) })).message).toMatch(/no UserDetailList or RoleDetailList array/);
    expect((await validateError({ fromFile: write('notarray.json', { UserDetailList: {}, RoleDetailList: [] }) })).message).toMatch(/UserDetailList should be an array/);
    expect((await validateError({ fromFile: path.join(dir, 'missing.json') })).message).toMatch(/missing\.json: cannot read \(file not found\)/);
    expect((await validateError({ credentialReport: write('report.csv', 'name,age\nbob,3\n') })).message).toMatch(/expected the IAM credential report CSV/);
    expect((await validateError({ fromFile: write('ok.json', { UserDetailList: [], RoleDetailList: [] }), lastAccessed: write('la.json', { arn: [] }) })).message).toMatch(/expected \{ "generatedAt"/);
    for (const e of [await validateError({ fromFile: write('list2.json', []) })]) expect(e.code).toBe('INPUT');
  });

  it('a credential report alone is enough: users, keys, root; informational notes for what is missing', async () => {
    const e = smallEstate();
    const { graph } = await scanAll(makeCtx({ credentialReport: write('only-report.csv', estateToCredentialReportCsv(e)) }));
    expect([...graph.principals()].filter((p) => p.type === 'iam-user').map((p) => p.name).sort()).toEqual(['alice', 'deployer']);
    expect(graph.node(`aws:root:${ACCOUNT}`)).toBeDefined();
    expect(graph.coverage.map((c) => c.source).sort()).toEqual(['file:authorization-details', 'file:last-accessed']);
    expect(graph.coverage.every((c) => !c.incomplete)).toBe(true);
  });

  it('the credential report may also be given as the base64 Content or the get-credential-report JSON', async () => {
    const csv = estateToCredentialReportCsv(smallEstate());
    const b64 = Buffer.from(csv).toString('base64');
    for (const content of [b64, JSON.stringify({ Content: b64, ReportFormat: 'text/csv', GeneratedTime: '2026-05-31T12:00:00Z' })]) {
      const { graph } = await scanAll(makeCtx({ credentialReport: write('encoded-report.txt', content) }));
      expect(graph.node(`aws:password:arn:aws:iam::${ACCOUNT}:user/alice`)).toBeDefined();
    }
  });
});

describe('aws describe()', () => {
  it('lists permissions and ships a least-privilege policy document', () => {
    const d = awsConnector.describe();
    expect(d.title).toBe('AWS IAM');
    const doc = d.permissionsDocument as { Version: string; Statement: Array<{ Effect: string; Action: string[]; Resource: string }> };
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement[0].Resource).toBe('*');
    expect([...doc.Statement[0].Action].sort()).toEqual(
      [
        'iam:GenerateCredentialReport',
        'iam:GenerateServiceLastAccessedDetails',
        'iam:GetAccessKeyLastUsed',
        'iam:GetAccountAuthorizationDetails',
        'iam:GetCredentialReport',
        'iam:GetServiceLastAccessedDetails',
        'iam:ListAccessKeys',
      ].sort(),
    );
    for (const p of d.requiredPermissions) expect(doc.Statement[0].Action).toContain(p);
    expect(d.optionalPermissions?.map((o) => o.permission)).toContain('iam:GenerateServiceLastAccessedDetails');
  });

  it('options: defaults filled in, unknown keys and out-of-range values rejected', () => {
    const schema = awsConnector.describe().options;
    expect(schema.parse({})).toMatchObject({ serviceLastAccessed: true, lastAccessedConcurrency: 5, pollIntervalMs: 2000, pollTimeoutMs: 120000, maxAttempts: 6 });
    expect(schema.safeParse({ lastAccessedConcurrency: 65 }).success).toBe(false);
    expect(schema.safeParse({ bogus: 1 }).success).toBe(false);
  });
});

const haveFixtures = existsSync(sharedFixtures);
describe.skipIf(!haveFixtures)('aws offline: shared real-shaped exports', () => {
  const files = haveFixtures ? readdirSync(sharedFixtures).filter((f) => f.endsWith('.json')) : [];
  it.each(files)('%s maps to principals with decoded policies and ISO dates', async (name) => {
    const { graph } = await scanAll(makeCtx({ fromFile: path.join(sharedFixtures, name) }));
    const principals = [...graph.principals()];
    expect(principals.filter((p) => p.type === 'iam-user' || p.type === 'iam-role').length).toBeGreaterThan(0);
    const policies = [...graph.entitlements()];
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) {
      if (p.document === undefined) continue;
      expect(typeof p.document).toBe('object');
      expect(Array.isArray((p.document as { Statement?: unknown }).Statement) || typeof (p.document as { Statement?: unknown }).Statement === 'object').toBe(true);
    }
    expect(policies.filter((p) => p.document !== undefined).length).toBeGreaterThan(0);
    for (const p of principals) if (p.createdAt) expect(p.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(principals.filter((p) => p.createdAt).length).toBeGreaterThan(0);
    // group names in GroupList resolve to the exported groups
    for (const e of graph.edges.filter((x) => x.type === 'MEMBER_OF')) expect(graph.node(e.to)?.type).toBe('iam-group');
    expect(graph.coverage.every((c) => !c.incomplete)).toBe(true);
  });
});

describe('aws offline: damaged exports are read as far as they go', () => {
  const incompleteNotes = (g: IdentityGraph) => g.coverage.filter((c) => c.incomplete);

  it('a scan with one bad record keeps the rest and ends incomplete with a note (it used to stop the whole connector)', async () => {
    const e = smallEstate();
    const authz = estateToAuthzJson(e) as unknown as Record<string, unknown[]>;
    authz.UserDetailList.splice(1, 0, null);
    const { records, graph } = await scanAll(makeCtx({ fromFile: write('null-user.json', authz) }));
    expect(incompleteNotes(graph).map((c) => c.message)).toEqual(['null-user.json: UserDetailList[1]: the entry is not an object (got null); this user is skipped']);
    const clean = await scanAll(makeCtx({ fromFile: write('clean-user.json', estateToAuthzJson(e)) }));
    expect(idsOfType(graph, 'iam-role')).toEqual(idsOfType(clean.graph, 'iam-role'));
    expect(idsOfType(graph, 'iam-user')).toEqual(idsOfType(clean.graph, 'iam-user'));
    expect(records.filter((r) => r.type === 'target').map((r) => (r.type === 'target' ? r.target.id : ''))).toEqual([`aws:account:${ACCOUNT}`]);
  });

  it.each([
    ['empty', '', /^empty-report\.csv is empty: it holds no credential report$/],
    ['whitespace', '\n\n  \n', /^whitespace-report\.csv is empty/],
    ['header only', 'user,arn,user_creation_time,password_enabled\n', /^header-only-report\.csv has the header but no rows: the report is empty or was cut short/],
  ])('an %s credential report is not a clean pass: an incomplete note', async (name, content, message) => {
    const file = write(`${name.replace(' ', '-')}-report.csv`, content);
    await awsConnector.validate(makeCtx({ credentialReport: file }));
    const { graph } = await scanAll(makeCtx({ credentialReport: file }));
    expect(incompleteNotes(graph).map((c) => c.message)).toEqual([expect.stringMatching(message)]);
    expect(incompleteNotes(graph)[0]).toMatchObject({ source: `file:${path.basename(file)}`, reason: 'invalid-input' });
  });

  it('a credential report cut mid-line: the whole rows are kept, the cut row is a note', async () => {
    const csv = estateToCredentialReportCsv(smallEstate());
    const cut = csv.slice(0, csv.lastIndexOf('\n', csv.length - 2) + 25);
    const { graph } = await scanAll(makeCtx({ credentialReport: write('cut-report.csv', cut) }));
    const notes = incompleteNotes(graph);
    expect(notes).toHaveLength(1);
    expect(notes[0].message).toMatch(/^cut-report\.csv: line \d+ \(row '[^']+'\): has \d+ of the 22 columns \(the file looks cut short\); this row is skipped$/);
    expect(graph.node(`aws:root:${ACCOUNT}`)).toBeDefined();
    expect([...graph.principals()].filter((p) => p.type === 'iam-user')).toHaveLength(1);
  });

  it('a report with an unclosed quote: the parsable rows are kept', async () => {
    const csv = estateToCredentialReportCsv(smallEstate()).trimEnd();
    const { graph } = await scanAll(makeCtx({ credentialReport: write('quote-report.csv', `${csv}\n"broken,arn:aws:iam::${ACCOUNT}:user/broken`) }));
    expect(incompleteNotes(graph).map((c) => c.message)).toEqual([expect.stringMatching(/^quote-report\.csv: 1 record is not valid CSV and were skipped \(first at line \d+: /)]);
    expect(graph.node(`aws:iam-user:arn:aws:iam::${ACCOUNT}:user/alice`)).toBeDefined();
  });

  it('a file that is not authorization details at all is still a usage error (exit 2)', async () => {
    const err = await validateError({ fromFile: write('workflow.json', { name: 'ci', on: 'push' }) });
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/not get-account-authorization-details output/);
  });
});

describe('aws offline: input files are bounded and never block', () => {
  it('a FIFO as --from-file is refused at once, without opening it for reading', async () => {
    const fifo = path.join(dir, 'authz.fifo');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this system
    }
    const started = Date.now();
    const err = await validateError({ fromFile: fifo });
    expect(err.message).toBe(`${fifo}: cannot read (is a FIFO (named pipe), not a regular file)`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it.skipIf(!existsSync('/dev/zero'))('/dev/zero (directly or through a link) is refused without reading a byte', async () => {
    const link = path.join(dir, 'zero.json');
    symlinkSync('/dev/zero', link);
    for (const f of ['/dev/zero', link]) {
      const err = await validateError({ fromFile: f });
      expect(err.message).toBe(`${f}: cannot read (is a character device, not a regular file)`);
    }
    expect((await validateError({ credentialReport: link })).message).toMatch(/is a character device/);
  });

  it('a file over the size cap is refused from its size alone: memory stays bounded', async () => {
    // a sparse 300 MiB file: reading it would allocate hundreds of MiB; the cap (256 MiB) refuses it before that
    const big = path.join(dir, 'huge-authz.json');
    writeFileSync(big, '{"UserDetailList": [');
    truncateSync(big, 300 * 1024 * 1024);
    const before = process.memoryUsage();
    const err = await validateError({ fromFile: big });
    const after = process.memoryUsage();
    expect(err.message).toBe(`${big}: cannot read (is 300 MiB, more than the 256 MiB limit)`);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(32 * 1024 * 1024);
    // the caps are internal; a smaller one applies the same way
    expect(() => readOffline({ credentialReport: write('small-cap.csv', estateToCredentialReportCsv(smallEstate())) }, { ...INPUT_LIMITS, credentialReportBytes: 100 })).toThrow(/more than the 100 bytes limit/);
  });
});

describe('aws scan targets', () => {
  it('offline and live scans of one account name the same target', async () => {
    const e = smallEstate();
    const offline = await scanAll(makeCtx(exportEstate(e, 'targets')));
    const fake = await startFakeIam(e, { reportPolls: 0, lastAccessedPolls: 0 });
    try {
      const live = await scanAll(makeCtx(liveOptions(fake.url)));
      for (const run of [offline, live]) {
        expect(run.records.flatMap((r) => (r.type === 'target' ? [r.target] : []))).toEqual([{ id: `aws:account:${ACCOUNT}`, platform: 'aws', kind: 'account', name: ACCOUNT }]);
      }
    } finally {
      await fake.close();
    }
  });
});
