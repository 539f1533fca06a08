import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gcpConnector, readProjectDir } from '../../connectors/gcp/index.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { estateFromExports, syntheticGcpProject } from '../fakes/gcp/estate.js';
import { startFakeGcp, type FakeGcp, type FakeGcpEstate } from '../fakes/gcp/server.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const DEMO = path.resolve(__dirname, '../../examples/demo/gcp/acme-prod-data');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const TOKEN_ENV = 'GOOGLE_OAUTH_ACCESS_TOKEN';

let fake: FakeGcp | undefined;
const saved = process.env[TOKEN_ENV];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (saved === undefined) delete process.env[TOKEN_ENV];
  else process.env[TOKEN_ENV] = saved;
});

async function start(estate: FakeGcpEstate, opts?: Parameters<typeof startFakeGcp>[1]): Promise<FakeGcp> {
  fake = await startFakeGcp(estate, opts);
  process.env[TOKEN_ENV] = 'ya29.test-token';
  return fake;
}

async function collect(options: Record<string, unknown>, concurrency = 4): Promise<{ records: GraphRecord[]; calls: Counter }> {
  const calls = new Counter();
  const ctx: ScanContext = { options: { retryDelayMs: 1, ...options }, now: NOW, log: silent, calls, progress: () => {}, concurrency };
  await gcpConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of gcpConnector.scan(ctx)) records.push(r);
  return { records, calls };
}

const nodeIds = (rs: GraphRecord[]) => [...new Set(rs.flatMap((r) => (r.type === 'node' ? [r.node.id] : [])))].sort();
const edgeKeys = (rs: GraphRecord[]) => [...new Set(rs.flatMap((r) => (r.type === 'edge' ? [`${r.edge.type} ${r.edge.from} -> ${r.edge.to}`] : [])))].sort();
const notes = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));

describe('gcp live scan through the real Google clients', () => {
  it('gives the same graph as the offline export of the same project', async () => {
    const exported = readProjectDir(DEMO);
    const f = await start(estateFromExports([exported]), { maxPageSize: 3 });
    const live = await collect({ endpoint: f.url, projects: ['acme-prod-data'] });
    const offline = await collect({ fromDir: DEMO });
    expect(notes(live.records)).toEqual([]);
    expect(nodeIds(live.records)).toEqual(nodeIds(offline.records));
    expect(edgeKeys(live.records)).toEqual(edgeKeys(offline.records));
    // usage and the recommendation (a gax Struct on the wire) arrive as plain JSON
    const usage = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'usage' ? [`${r.usage.nodeId} ${r.usage.lastUsedAt}`] : [])).sort();
    expect(usage(live.records)).toEqual(usage(offline.records));
    const rec = live.records.find((r) => r.type === 'edge' && r.edge.attributes?.recommendation);
    expect(rec?.type === 'edge' && rec.edge.attributes?.recommendation).toMatchObject({ action: 'replace', replacementRoles: ['roles/storage.objectViewer', 'roles/logging.logWriter'] });
    // every page of the service-account list was read (3 per page)
    expect(f.countByRoute()['iam.serviceAccounts.list']).toBe(Math.ceil(exported.serviceAccounts.length / 3));
  });
});
