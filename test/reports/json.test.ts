import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { Finding } from '../../src/model/types.js';
import { fingerprint } from '../../src/rules/runner.js';
import { buildJsonReport, renderJson, renderJsonChunks, type JsonReportV1 } from '../../reports/json/index.js';
import { ACCT, CANARY, DOC_CANARY, IDS, WORKERS, cleanResult, sampleResult } from './sample.js';

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

describe('JSON report v1, streamed', () => {
  it('the pieces joined are exactly the whole document (findings, suppressed findings and identities written one at a time)', () => {
    const withSuppressed = sampleResult({ snapshotId: undefined });
    withSuppressed.suppressed = withSuppressed.findings.splice(0, 2);
    for (const r of [sampleResult(), cleanResult(), withSuppressed]) {
      const whole = `${JSON.stringify(buildJsonReport(r), null, 2)}\n`;
      for (const size of [1, 50, 1 << 20]) {
        const pieces = [...renderJsonChunks(r, size)];
        expect(pieces.join('')).toBe(whole);
        if (size === 1) expect(pieces.length).toBeGreaterThan(2);
      }
      expect(renderJson(r)).toBe(whole);
    }
  });

  it('a name that spells the stream marker is data, not a place to stream into', () => {
    const r = sampleResult();
    r.findings[0].message = '\u0000nhi-stream-0';
    const doc = JSON.parse(renderJson(r)) as JsonReportV1;
    expect(doc.findings.some((f) => f.message === '\u0000nhi-stream-0')).toBe(true);
    expectValid(renderJson(r));
  });
});

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
    expect(doc.schemaVersion).toBe('1.4.0');
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

  it('carries the OWASP NHI Top 10 ids on every finding and rule, and which of the ten risks the scan covered (1.3.0)', () => {
    const text = renderJson(sampleResult());
    expectValid(text);
    const doc = report(text);
    expect(doc.schemaVersion).toBe('1.4.0');
    const byRule = new Map(doc.rules.map((r) => [r.id, r.owasp]));
    expect(byRule.get('oidc-trust-without-sub')).toEqual(['NHI4', 'NHI6']);
    for (const f of doc.findings) expect(f.owasp, f.ruleId).toEqual(byRule.get(f.ruleId) ?? []);
    expect(doc.findings.find((f) => f.ruleId === 'credential-not-rotated')?.owasp).toEqual(['NHI7']);
    // the sample scanned one AWS account: the aws and platform-neutral rules count, the workflow rule does not
    expect(doc.owaspCoverage.map((c) => c.id)).toEqual(['NHI1', 'NHI2', 'NHI3', 'NHI4', 'NHI5', 'NHI6', 'NHI7', 'NHI8', 'NHI9', 'NHI10']);
    const cov = Object.fromEntries(doc.owaspCoverage.map((c) => [c.id, c]));
    expect(cov.NHI1).toEqual({ id: 'NHI1', name: 'Improper Offboarding', covered: true, rules: ['credential-unused', 'identity-unowned'] });
    expect(cov.NHI2).toEqual({ id: 'NHI2', name: 'Secret Leakage', covered: false, rules: [], reason: 'not-scanned', platforms: ['github', 'workflows'] });
    expect(cov.NHI5).toMatchObject({ covered: false, reason: 'no-rule' });
    // a scan of workflow files covers the workflow rule's risk
    const wf = report(renderJson(sampleResult({ connectors: [{ id: 'workflows', title: 'Workflow files', status: 'complete', apiCalls: 0, callsByOperation: {}, records: 1, durationMs: 1, targets: [] }] })));
    expect(wf.owaspCoverage.find((c) => c.id === 'NHI2')).toMatchObject({ covered: true, rules: ['workflow-secret-reference'] });
    // a failed run scanned nothing
    const failed = report(renderJson(sampleResult({ connectors: [{ id: 'aws', title: 'AWS IAM', status: 'failed', apiCalls: 0, callsByOperation: {}, records: 0, durationMs: 1, targets: [] }] })));
    expect(failed.owaspCoverage.every((c) => !c.covered)).toBe(true);
  });

  it('the schema rejects an OWASP id outside NHI1..NHI10 and accepts a 1.2.0 document without the new fields', () => {
    const doc = JSON.parse(renderJson(sampleResult())) as Record<string, any>;
    doc.findings[0].owasp = ['NHI11'];
    expect(validate(doc)).toBe(false);
    const old = JSON.parse(renderJson(sampleResult())) as Record<string, any>;
    delete old.owaspCoverage;
    for (const f of old.findings) delete f.owasp;
    for (const r of old.rules) delete r.owasp;
    old.schemaVersion = '1.2.0';
    expect(validate(old)).toBe(true);
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

  it('validates whatever types the estate held: numbers, null, objects, missing nodes, odd lines, odd dates, odd evidence', () => {
    const r = sampleResult();
    const odd = (n: Record<string, unknown>) => r.graph.addNode(n as never);
    odd({ id: 'aws:iam-user:n1', kind: 'principal', platform: 7, type: null, name: 42, scope: { a: 1 }, externalId: ['x'], accountType: 'robot', createdAt: '2022-08-07 12:56:48+00:00', disabled: 'yes', provenance: [] });
    odd({ id: 'aws:access-key:k1', kind: 'credential', platform: 'aws', type: 'access-key', credentialType: null, name: null, active: 'false', createdAt: '2026-02-30T00:00:00Z', lastUsedAt: 17, expiresAt: null, provenance: [] });
    r.graph.addEdge({ type: 'HAS_CREDENTIAL', from: 'aws:iam-user:n1', to: 'aws:access-key:k1', provenance: [] });
    // a usage record without a scope made the graph's activity lookup throw
    r.graph.addUsage({ nodeId: 'aws:iam-user:n1', scope: null, lastUsedAt: '2026-01-01T00:00:00Z', provenance: { connector: 'aws', source: 'x', observedAt: 'x' } } as never);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    r.findings.push(
      {
        ruleId: 99,
        severity: 'severe',
        confidence: null,
        nodeId: 'aws:iam-role:arn:aws:iam::1:role/not-in-the-graph',
        message: null,
        evidence: [{ description: 5, source: 'x', data: { big: 10n ** 30n, nan: NaN, when: new Date(0), cyclic, gone: undefined, fn: () => 1 } }, null, 'plain text'],
        location: { uri: 'x.yml', startLine: 0, startColumn: -2, endLine: 2.5, endColumn: '7' },
      } as unknown as Finding,
      { ruleId: 'credential-unused', severity: 'low', confidence: 'high', nodeId: 'aws:access-key:k1', message: 'k1', evidence: null } as unknown as Finding,
    );
    r.startedAt = 'yesterday';
    r.asOf = '2026-03-01 06:00:00+01:00';
    r.coverage.push({ connector: 3, source: null, reason: 'made-up', message: {}, impact: [], incomplete: 'no' } as never);
    const text = renderJson(r);
    expectValid(text);
    const doc = report(text);
    const n1 = doc.identities.find((i) => i.id === 'aws:iam-user:n1')!;
    expect(n1).toMatchObject({ platform: '7', type: '', name: '42', accountType: 'unknown', createdAt: '2022-08-07T12:56:48.000Z', credentialCount: 1 });
    expect('scope' in n1 || 'externalId' in n1 || 'disabled' in n1 || 'lastActivityAt' in n1).toBe(false);
    const k1 = doc.identities.find((i) => i.id === 'aws:access-key:k1')!;
    // an impossible date is unknown, not moved to another day; a number is no date; the string 'false' is false
    expect(k1).toMatchObject({ credentialType: 'access-key', name: 'k1', active: false, expiresAt: null, holder: { id: 'aws:iam-user:n1', name: '42', type: '' } });
    expect('createdAt' in k1 || 'lastUsedAt' in k1).toBe(false);
    const missing = doc.findings.find((f) => f.ruleId === '99')!;
    expect(missing).toMatchObject({ severity: 'info', confidence: 'low', message: 'Finding of rule 99', identity: { name: 'not-in-the-graph', type: 'iam-role', platform: 'aws' } });
    expect(missing.fingerprint).toBe(fingerprint('99', 'aws:iam-role:arn:aws:iam::1:role/not-in-the-graph', undefined));
    expect(missing.location).toEqual({ uri: 'x.yml', endColumn: 7 });
    expect(missing.evidence).toEqual([
      { description: '5', data: { big: String(10n ** 30n), nan: null, when: '1970-01-01T00:00:00.000Z', cyclic: { self: '[circular]' } } },
      { description: 'plain text' },
    ]);
    expect(doc.scan.startedAt).toBe('2026-03-01T05:00:00.000Z');
    expect(doc.scan.asOf).toBe('2026-03-01T05:00:00.000Z');
    expect(doc.coverage.at(-1)).toEqual({ connector: '3', source: 'unknown', reason: 'error', message: '', impact: '', incomplete: true });
  });

  it('validates an empty result and a result whose graph is missing', () => {
    const empty = { ...cleanResult(), graph: new IdentityGraph(), rules: [], connectors: [], suppressed: undefined };
    expectValid(renderJson(empty));
    expectValid(renderJson({ ...cleanResult(), graph: undefined } as never));
    expect(report(renderJson(empty)).summary).toMatchObject({ identities: 0, principals: 0, credentials: 0 });
  });

  it('with a baseline, marks every finding new or unchanged and counts the new ones', () => {
    const r = sampleResult();
    const known = r.findings.filter((f) => f.ruleId === 'identity-unowned').map((f) => f.fingerprint);
    r.baseline = { file: 'previous.json', fingerprints: [...known, 'gone-fingerprint'] };
    r.suppressed = [r.findings.pop()!];
    const text = renderJson(r);
    expectValid(text);
    const doc = report(text);
    for (const f of doc.findings) expect(f.baselineState).toBe(known.includes(f.fingerprint) ? 'unchanged' : 'new');
    expect(doc.suppressed[0].baselineState).toBeDefined();
    const fresh = doc.findings.filter((f) => f.baselineState === 'new').length;
    // the last worker's finding moved to suppressed[]: the other seven are in the baseline
    expect(fresh).toBe(doc.findings.length - (WORKERS - 1));
    expect(fresh).toBe(4);
    expect(doc.summary.findings.new).toBe(fresh);
    expect(doc.baseline).toEqual({ file: 'previous.json', known: WORKERS + 1, newFindings: fresh });
    // without a baseline there is no marker at all
    const plain = report(renderJson(sampleResult()));
    expect(plain.findings.every((f) => !('baselineState' in f))).toBe(true);
    expect('new' in plain.summary.findings).toBe(false);
  });

  it('shows what the configuration file changed, and --no-config', () => {
    const r = sampleResult();
    r.config = { file: 'nhi.config.yaml', disabledRules: ['credential-unused'], severityOverrides: { 'identity-unowned': 'low' }, ignoreEntries: 3, activeIgnoreEntries: 2, suppressedFindings: 1, failOn: 'high' };
    r.suppressed = [{ ...r.findings.pop()!, suppression: { reason: 'accepted risk', until: '2027-01-31' } } as Finding];
    const text = renderJson(r);
    expectValid(text);
    const doc = report(text);
    expect(doc.config).toEqual({ file: 'nhi.config.yaml', disabledRules: ['credential-unused'], severityOverrides: { 'identity-unowned': 'low' }, ignoreEntries: 3, activeIgnoreEntries: 2, suppressedFindings: 1, failOn: 'high' });
    expect(doc.suppressed[0].suppression).toEqual({ reason: 'accepted risk', until: '2027-01-31' });
    const ignored = sampleResult();
    ignored.config = { ignored: true, disabledRules: [], severityOverrides: {}, ignoreEntries: 0, activeIgnoreEntries: 0, suppressedFindings: 0 };
    expectValid(renderJson(ignored));
    expect(report(renderJson(ignored)).config?.ignored).toBe(true);
    expect('config' in report(renderJson(sampleResult()))).toBe(false);
  });

  it('names what each connector run scanned (targets), also for runs from old snapshots that have none', () => {
    const r = sampleResult({ deadlineSeconds: 120 });
    r.connectors.push({ id: 'github', title: 'GitHub', status: 'complete', apiCalls: 3, callsByOperation: {}, records: 9, durationMs: 20, targets: [
      { id: 'github:repo:github.com/acme/app', platform: 'github', kind: 'repository', name: 'acme/app' },
      { id: 'github:org:github.com/acme', platform: 'github', kind: 'org', name: 'acme' },
    ] });
    r.connectors.push({ id: 'gcp', title: 'GCP', status: 'failed', apiCalls: 0, callsByOperation: {}, records: 0, durationMs: 1 } as never);
    const text = renderJson(r);
    expectValid(text);
    const doc = report(text);
    expect(doc.scan.connectors.map((c) => c.targets.map((t) => t.id))).toEqual([
      [`aws:account:${ACCT}`],
      ['github:org:github.com/acme', 'github:repo:github.com/acme/app'],
      [],
    ]);
    expect(doc.scan.connectors[0].targets[0]).toEqual({ id: `aws:account:${ACCT}`, platform: 'aws', kind: 'account', name: ACCT });
    expect(doc.scan.deadlineSeconds).toBe(120);
  });
});
