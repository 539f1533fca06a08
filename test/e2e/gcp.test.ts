import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { readProjectDir } from '../../connectors/gcp/index.js';
import { estateFromExports, PREDEFINED_ROLES, syntheticGcpProject } from '../fakes/gcp/estate.js';
import { startFakeGcp } from '../fakes/gcp/server.js';
import { nhi, repoRoot, STACK_LINE } from './run.js';
import { storedText } from '../support/secret-leaks.js';

const demoGcp = path.join(repoRoot, 'examples', 'demo', 'gcp');
const validateSarif = new AjvDraft04.default({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object);
const validateJson = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(path.join(repoRoot, 'reports', 'json', 'report-v1.schema.json'), 'utf8')) as object);
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

  it("owner tags in descriptions follow identity-unowned's configured ownerTagKeys", async () => {
    const cfg = path.join(dir, 'team-only.yaml');
    writeFileSync(cfg, 'rules:\n  identity-unowned:\n    ownerTagKeys: [team]\n');
    const unownedOf = (out: string) => (JSON.parse(out) as Report).findings.filter((f) => f.ruleId === 'identity-unowned').map((f) => f.identity.id.replace('gcp:service-account:', ''));
    const args = ['scan', '--from-file', demoGcp, '--no-store', '-f', 'json', '--as-of', '2026-11-01T06:00:00Z'];
    const byDefault = unownedOf((await nhi(args)).stdout);
    const teamOnly = unownedOf((await nhi([...args, '--config', cfg])).stdout);
    expect(byDefault).not.toContain('backup@acme-prod-data.iam.gserviceaccount.com'); // "owner: sre"
    expect(teamOnly).toContain('backup@acme-prod-data.iam.gserviceaccount.com');
    expect(teamOnly).not.toContain('etl-runner@acme-prod-data.iam.gserviceaccount.com'); // "team: data"
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

describe('nhi scan --gcp-project through the Google clients (loopback fake)', () => {
  const env = { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.e2e-token', GOOGLE_APPLICATION_CREDENTIALS: undefined };

  it('scans the demo project live with the same findings as offline', async () => {
    const fake = await startFakeGcp(estateFromExports([readProjectDir(path.join(demoGcp, 'acme-prod-data'))]), { maxPageSize: 4 });
    try {
      const asOf = ['--as-of', '2026-11-01T06:00:00Z', '--no-store', '-f', 'json'];
      const live = await nhi(['scan', '--gcp-project', 'acme-prod-data', '--gcp-endpoint', fake.url, ...asOf], { env });
      expect(live.stderr).not.toMatch(STACK_LINE);
      expect(live.code).toBe(0);
      const offline = await nhi(['scan', '--from-file', demoGcp, ...asOf]);
      const keys = (out: string) => (JSON.parse(out) as Report).findings.map((f) => `${f.ruleId} ${f.identity.id}`).sort();
      expect(keys(live.stdout)).toEqual(keys(offline.stdout));
      expect(keys(live.stdout).length).toBeGreaterThan(5);
    } finally {
      await fake.close();
    }
  });

  it('a project the caller cannot read: coverage note, exit 3, the other project is reported', async () => {
    const fake = await startFakeGcp({ projects: [syntheticGcpProject('acme-web', 6), syntheticGcpProject('acme-data', 3, '200000000009')], organizations: [{ name: 'organizations/998877665544' }], roles: PREDEFINED_ROLES });
    for (const route of ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'iam.serviceAccounts.list', 'iam.projects.roles.list', 'iam.workloadIdentityPools.list', 'iam.denypolicies.list', 'policyanalyzer.activities.query', 'recommender.recommendations.list', 'recommender.insights.list']) {
      fake.fail({ route, where: 'acme-data', status: 403 });
    }
    try {
      const sarifFile = path.join(dir, 'gcp.sarif');
      const r = await nhi(['scan', '--gcp-project', 'acme-web,acme-data', '--gcp-endpoint', fake.url, '--no-store', '-f', 'json', '--as-of', '2026-11-01T06:00:00Z'], { env });
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(3);
      const report = JSON.parse(r.stdout) as Report & { coverage: Array<{ scope?: string; source: string; reason: string }> };
      expect(report.coverage.filter((c) => c.scope === 'acme-data').map((c) => c.reason)).toEqual(expect.arrayContaining(['permission-denied']));
      expect(report.coverage.filter((c) => c.scope !== 'acme-data')).toEqual([]);
      expect(report.findings.some((f) => f.ruleId === 'sa-primitive-role' && f.identity.id.includes('@acme-web.'))).toBe(true);
      expect(report.findings.some((f) => f.identity.id.includes('@acme-data.'))).toBe(false);
      // the same run as SARIF for code scanning: the denial is a notification, not a crash
      const s = await nhi(['scan', '--gcp-project', 'acme-web,acme-data', '--gcp-endpoint', fake.url, '--no-store', '-f', 'sarif', '-o', sarifFile], { env });
      expect(s.code).toBe(3);
      const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as { runs: Array<{ results: unknown[]; invocations: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }> }> };
      expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
      expect(sarif.runs[0].results.length).toBeGreaterThan(0);
      expect(sarif.runs[0].invocations[0].toolExecutionNotifications?.some((n) => n.message.text.includes('acme-data'))).toBe(true);
      expect(validateJson(report), JSON.stringify(validateJson.errors?.slice(0, 3))).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('a nightly re-scan reports drift: a new user-managed key and a new Editor grant', async () => {
    const project = syntheticGcpProject('acme-web', 4);
    const fake = await startFakeGcp({ projects: [project], organizations: [{ name: 'organizations/998877665544' }], roles: PREDEFINED_ROLES });
    const store = path.join(dir, 'drift.db');
    const args = ['scan', '--gcp-project', 'acme-web', '--gcp-endpoint', fake.url, '--store', store, '-f', 'json', '--as-of', '2026-11-01T06:00:00Z'];
    try {
      const first = await nhi(args, { env });
      expect(first.code).toBe(0);
      const sa = 'sa-0001@acme-web.iam.gserviceaccount.com';
      project.keys[sa].push({ name: `projects/acme-web/serviceAccounts/${sa}/keys/fresh01`, keyType: 'USER_MANAGED', keyAlgorithm: 'KEY_ALG_RSA_2048', keyOrigin: 'GOOGLE_PROVIDED', validAfterTime: '2026-10-31T00:00:00Z', validBeforeTime: '9999-12-31T23:59:59Z' });
      project.policy.bindings!.find((b) => b.role === 'roles/editor')!.members!.push(`serviceAccount:${sa}`);
      const second = await nhi(args, { env });
      expect(second.code).toBe(0);
      const drift = (JSON.parse(second.stdout) as { drift: { credentialsAdded: Array<{ id: string }>; grantsAdded: Array<{ from: string; to: string }>; newFindings: Array<{ ruleId: string; nodeId: string }> } }).drift;
      expect(drift.credentialsAdded.map((c) => c.id)).toEqual([`gcp:sa-key:${sa}/fresh01`]);
      expect(drift.grantsAdded).toEqual([expect.objectContaining({ from: `gcp:service-account:${sa}`, to: 'gcp:binding:projects/acme-web/roles/editor' })]);
      expect(drift.newFindings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['sa-primitive-role', 'sa-user-managed-key']));
    } finally {
      await fake.close();
    }
  });

  it('the access token and impersonated tokens never reach stdout, stderr or the store', async () => {
    const canary = 'ya29.canary-token-4711-do-not-print';
    const fake = await startFakeGcp({ projects: [syntheticGcpProject('acme-web', 3)], organizations: [{ name: 'organizations/998877665544' }], roles: PREDEFINED_ROLES });
    fake.fail({ route: 'iam.serviceAccounts.getIamPolicy', status: 403 }); // failures too: a client error carries its request, Authorization header included
    const store = path.join(dir, 'canary.db');
    try {
      const r = await nhi(['scan', '--gcp-project', 'acme-web', '--gcp-endpoint', fake.url, '--gcp-impersonate-service-account', 'nhi-audit@acme-sec.iam.gserviceaccount.com', '--store', store, '-v', '-f', 'json'], { env: { ...env, GOOGLE_OAUTH_ACCESS_TOKEN: canary, NHI_DEBUG: '1' } });
      expect(r.code).toBe(3);
      const issued = [...fake.issued.values()];
      expect(issued.length).toBe(1);
      expect(fake.requests.some((q) => q.token === canary)).toBe(true); // the canary was really used
      for (const secret of [canary, ...issued]) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
        expect(storedText(store)).not.toContain(secret);
      }
    } finally {
      await fake.close();
    }
  });

  it('no credentials anywhere: exit 2, one line with what to run, no library warning', async () => {
    const home = path.join(dir, 'empty-home');
    const r = await nhi(['scan', '--gcp-project', 'acme-web', '--no-store'], { env: { HOME: home, GOOGLE_OAUTH_ACCESS_TOKEN: undefined, GOOGLE_APPLICATION_CREDENTIALS: undefined, CLOUDSDK_CONFIG: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: no Google Cloud credentials/);
    expect(r.stderr).toContain('gcloud auth application-default login');
    expect(r.stderr).not.toMatch(/Warning|STACK/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('flag mistakes are one-line usage errors', async () => {
    const both = await nhi(['scan', '--gcp-project', 'a-project', '--gcp-organization', '123', '--no-store'], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^nhi: --gcp-project and --gcp-organization: give one of them/);
    const mixed = await nhi(['scan', '--from-file', demoGcp, '--gcp-project', 'acme-prod-data', '--no-store'], { env });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^nhi: --from-file DIR scans GCP offline/);
    const badId = await nhi(['scan', '--gcp-project', 'Not_A_Project', '--no-store'], { env });
    expect(badId.code).toBe(2);
    expect(badId.stderr).not.toMatch(STACK_LINE);
    expect(badId.stderr).toMatch(/project id/);
  });

  it('nhi permissions gcp prints a custom role with exactly the permissions the scan uses', async () => {
    const r = await nhi(['permissions', 'gcp']);
    expect(r.code).toBe(0);
    const role = JSON.parse(r.stdout) as { includedPermissions: string[] };
    expect(role.includedPermissions).toEqual(expect.arrayContaining(['iam.serviceAccounts.list', 'iam.serviceAccountKeys.list', 'resourcemanager.projects.getIamPolicy', 'policyanalyzer.serviceAccountLastAuthenticationActivities.query']));
    const t = await nhi(['permissions', 'gcp', '-f', 'text']);
    expect(t.stdout).toContain('roles/iam.securityReviewer');
    expect(t.stdout).toContain('roles/policyanalyzer.activityAnalysisViewer');
  });
});

