import { it } from 'vitest';
import { mapGcpProject } from '../../connectors/gcp/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { gcpProducer } from '../../src/paths/gcp.js';
it('perf', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const recs = [];
  const roles = ['roles/viewer', 'roles/storage.objectViewer', 'roles/iam.serviceAccountTokenCreator', 'roles/run.developer', 'roles/iam.serviceAccountUser', 'roles/editor', 'roles/bigquery.dataEditor'];
  let n = 0;
  for (let p = 0; p < 50; p++) {
    const pid = `proj-${p}`;
    const sas = Array.from({ length: 2000 }, (_, i) => ({ email: `sa${i}@${pid}.iam.gserviceaccount.com`, projectId: pid }));
    n += sas.length;
    const bindings = roles.map((role, k) => ({ role, members: sas.filter((_, i) => i % (k * 37 + 3) === 0).map((s) => `serviceAccount:${s.email}`) }));
    const saPolicies: Record<string, unknown> = {};
    for (let i = 0; i < sas.length; i += 10) saPolicies[sas[i].email] = { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${sas[(i + 1) % sas.length].email}`] }] };
    recs.push(...mapGcpProject({ projectId: pid, projectNumber: String(1000 + p), serviceAccounts: sas, keys: {}, saPolicies: saPolicies as never, roles: [], pools: [], providers: [], policy: { bindings }, ancestors: [{ resource: `folders/${p % 5}`, policy: { bindings: [] } }, { resource: 'organizations/1', policy: { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: ['group:sec@acme.example'] }] } }] }, { now, source: (w) => w }));
  }
  const g = IdentityGraph.from(recs);
  const t0 = performance.now();
  const ctx = { graph: g, now, evaluator: undefined as never };
  const edges = [...gcpProducer.edges(ctx)];
  const t1 = performance.now();
  const admins = [...gcpProducer.admins(ctx)];
  const t2 = performance.now();
  console.log(n, 'accounts', edges.length, 'edges', Math.round(t1 - t0), 'ms edges', admins.length, 'admins', Math.round(t2 - t1), 'ms admins', Math.round(process.memoryUsage().rss / 1e6), 'MB');
}, 120000);
