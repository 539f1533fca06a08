import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const demoGcp = path.join(repoRoot, 'examples', 'demo', 'gcp');
type Report = { findings: Array<{ ruleId: string; identity: { id: string }; path?: Array<{ id: string }> }>; scan: { connectors: Array<{ id: string }> } };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-gcp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nhi scan of Google Cloud exports', () => {
  it('--from-file DIR selects the gcp connector and reports the project', async () => {
    const r = await nhi(['scan', '--from-file', demoGcp, '--no-store', '-f', 'json', '--as-of', '2026-11-01T06:00:00Z']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.connectors.map((c) => c.id)).toEqual(['gcp']);
    const rules = new Set(report.findings.map((f) => f.ruleId));
    for (const id of ['sa-user-managed-key', 'sa-primitive-role', 'sa-impersonation-broad', 'default-compute-sa-editor', 'wif-provider-unconditioned', 'unused-role-grants']) expect(rules, id).toContain(id);
  });

  it('the demo joins GitHub and GCP: workflow → service account → admin role', async () => {
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const f = report.findings.find((x) => x.ruleId === 'workflow-federation-to-admin' && x.identity.id.endsWith('analytics.yml'));
    expect(f?.path?.map((p) => p.id)).toEqual([
      'github:workflow:acme/app/.github/workflows/analytics.yml',
      'gcp:service-account:deployer@acme-prod-data.iam.gserviceaccount.com',
      'gcp:binding:projects/acme-prod-data/roles/run.admin',
    ]);
  });

  it('a malformed export is exit 2 with one line naming the file', async () => {
    const bad = path.join(dir, 'bad');
    cpSync(path.join(demoGcp, 'acme-prod-data'), bad, { recursive: true });
    writeFileSync(path.join(bad, 'iam-policy.json'), '{"bindings": [');
    const r = await nhi(['scan', '--from-file', bad, '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: .*iam-policy\.json: not valid JSON/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
