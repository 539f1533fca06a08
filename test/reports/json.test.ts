import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderJson, type JsonReportV1 } from '../../reports/json/index.js';
import { CANARY, DOC_CANARY, IDS, WORKERS, cleanResult, sampleResult } from './sample.js';

const schema = JSON.parse(readFileSync(new URL('../../reports/json/report-v1.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

function report(text: string): JsonReportV1 {
  return JSON.parse(text) as JsonReportV1;
}

function expectValid(text: string): void {
  const ok = validate(JSON.parse(text));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('JSON report v1', () => {
  it('validates against reports/json/report-v1.schema.json', () => {
    expectValid(renderJson(sampleResult()));
    expectValid(renderJson(cleanResult()));
    const r = sampleResult({ snapshotId: undefined });
    r.suppressed = r.findings.splice(0, 2);
    expectValid(renderJson(r));
  });

  it('the schema check is real: unknown identity fields and bad severities are rejected', () => {
    const doc = report(renderJson(sampleResult()));
    (doc.identities[0] as unknown as Record<string, unknown>).attributes = { canary: 'x' };
    expect(validate(doc)).toBe(false);
    const doc2 = report(renderJson(sampleResult()));
    (doc2.findings[0] as unknown as Record<string, unknown>).severity = 'severe';
    expect(validate(doc2)).toBe(false);
  });

  it('summarises identities, credentials and findings by severity and rule', () => {
    const doc = report(renderJson(sampleResult()));
    expect(doc.schemaVersion).toBe('1.2.0');
    expect(doc.tool.name).toBe('nhi-drift');
    expect(doc.scan.snapshotId).toBe(7);
    expect(doc.scan.incomplete).toBe(true);
    expect(doc.scan.connectors[0]).toMatchObject({ id: 'aws', status: 'partial', records: 412, apiCalls: 37 });
    // principals: ci-bot, alice, gha-deploy, admin-role, oidc provider, group, workers; group and provider are not identities
    expect(doc.summary.principals).toBe(6 + WORKERS);
    expect(doc.summary.identities).toBe(4 + WORKERS);
    expect(doc.summary.credentials).toBe(3);
    expect(doc.summary.findings.total).toBe(doc.findings.length);
    expect(doc.summary.findings.bySeverity).toEqual({ critical: 1, high: 1, medium: WORKERS, low: 1, info: 1 });
    expect(doc.summary.findings.byRule['identity-unowned']).toBe(WORKERS);
    expect(doc.summary.coverageGaps).toBe(1);
  });

  it('lists findings most severe first with identity details, evidence and the delegation path', () => {
    const doc = report(renderJson(sampleResult()));
    const severities = doc.findings.map((f) => f.severity);
    expect(severities[0]).toBe('critical');
    expect(severities[severities.length - 1]).toBe('info');
    const trust = doc.findings[0];
    expect(trust.identity).toMatchObject({ id: IDS.gha, name: 'gha-deploy', type: 'iam-role', platform: 'aws', scope: '123456789012' });
    expect(trust.identity.externalId).toBe('arn:aws:iam::123456789012:role/gha-deploy');
    expect(trust.path?.map((p) => p.name)).toEqual(['token.actions.githubusercontent.com', 'gha-deploy', 'admin-role']);
    expect(trust.evidence[0].source?.source).toBe('iam:GetAccountAuthorizationDetails');
    const key = doc.findings.find((f) => f.ruleId === 'credential-not-rotated')!;
    expect(key.identity.holder).toEqual({ id: IDS.ciBot, name: 'ci-bot', type: 'iam-user' });
    const wf = doc.findings.find((f) => f.ruleId === 'workflow-secret-reference')!;
    expect(wf.location).toEqual({ uri: '.github/workflows/deploy.yml', startLine: 12, startColumn: 9 });
  });

  it('lists identities with key fields, keeping never (null) apart from unknown (absent)', () => {
    const doc = report(renderJson(sampleResult()));
    const byId = new Map(doc.identities.map((i) => [i.id, i]));
    const bot = byId.get(IDS.ciBot)!;
    expect(bot).toMatchObject({ kind: 'principal', owner: 'platform-team', credentialCount: 2 });
    const admin = byId.get(IDS.admin)!;
    expect(admin).toMatchObject({ kind: 'principal', owner: 'security', lastActivityAt: null });
    const key1 = byId.get(IDS.key1)!;
    expect(key1).toMatchObject({ kind: 'credential', lastUsedAt: null, active: true, holder: { name: 'ci-bot' } });
    const pwd = byId.get(IDS.password)!;
    expect('lastUsedAt' in pwd).toBe(false);
    // principals first, then credentials; each block in a stable order
    const kinds = doc.identities.map((i) => i.kind);
    expect(kinds.indexOf('credential')).toBe(kinds.lastIndexOf('principal') + 1);
  });

  it('describes the rules that ran with their documentation page in the package, never a link to a web page that does not exist', () => {
    const text = renderJson(sampleResult());
    const doc = report(text);
    expect(doc.rules.map((r) => r.id)).toEqual([...doc.rules.map((r) => r.id)].sort());
    for (const r of doc.rules) expect(r.helpUri).toBe(`docs/rules/${r.id}.md`);
    // package.json names no home page or repository: no project URL is made up
    expect(doc.tool.informationUri).toBe('');
    expect(text).not.toContain('github.com/nhi-drift');
  });

  it('carries no policy documents or attribute blobs', () => {
    const text = renderJson(sampleResult());
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(DOC_CANARY);
    expect(text).not.toContain('trustPolicy');
    expect(text).not.toContain('"document"');
    expect(text).not.toContain('"attributes"');
    // the managed policy (an entitlement) is not an identity
    expect(report(text).identities.some((i) => i.id === IDS.adminPolicy)).toBe(false);
  });

  it('is identical for equal input', () => {
    const r = sampleResult();
    r.findings.reverse();
    expect(renderJson(r)).toBe(renderJson(sampleResult()));
  });
});
