import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../src/model/types.js';
import { SEVERITIES } from '../../src/model/types.js';
import { fingerprint } from '../../src/rules/runner.js';
import { artifactUri, renderSarif, SEVERITY_TO_LEVEL, SEVERITY_TO_SECURITY_SEVERITY, pseudoPath } from '../../reports/sarif/index.js';
import { githubProblems, isUriReference, validateSarif as validateStrict, type SarifLogShape } from './output-checks.js';
import { ACCT, CANARY, DOC_CANARY, IDS, RULES, cleanResult, sampleFindings, sampleResult } from './sample.js';

const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
// ajv-draft-04 is CommonJS: its class is the module and also its `default` export
const ajv = new AjvDraft04.default({ strict: false, allErrors: true, validateFormats: false });
const validateSarif = ajv.compile(schema);

interface Region {
  startLine: number;
  startColumn?: number;
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: Region };
    logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
  }>;
  partialFingerprints: Record<string, string>;
  baselineState?: string;
  properties: Record<string, unknown>;
  suppressions?: Array<{ kind: string; status?: string; justification?: string }>;
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}
interface Notification {
  level: string;
  message: { text: string };
  descriptor?: { id: string };
}
interface Run {
  properties: Record<string, unknown>;
  tool: { driver: { name: string; version: string; semanticVersion: string; informationUri?: string; rules: Rule[] } };
  automationDetails: { id: string; description?: { text: string } };
  invocations: Array<{
    executionSuccessful: boolean;
    startTimeUtc?: string;
    toolExecutionNotifications: Notification[];
    toolConfigurationNotifications?: Array<Notification & { associatedRule?: { id: string } }>;
    properties?: Record<string, unknown>;
  }>;
  results: Result[];
}
interface Log {
  $schema: string;
  version: string;
  runs: Run[];
}

function parse(text: string): Log {
  return JSON.parse(text) as Log;
}

function expectValid(text: string): void {
  const ok = validateSarif(JSON.parse(text));
  expect(validateSarif.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

/** GitHub's bands for security-severity. */
function band(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score >= 0.1) return 'low';
  return 'info';
}

describe('SARIF renderer', () => {
  it('validates against the OASIS SARIF 2.1.0 schema (findings, clean scan, suppressed kept)', () => {
    expectValid(renderSarif(sampleResult()));
    expectValid(renderSarif(cleanResult()));
    const withSuppressed = sampleResult();
    withSuppressed.suppressed = [withSuppressed.findings.pop()!];
    expectValid(renderSarif(withSuppressed, { includeSuppressed: true, category: 'nhi/aws-prod' }));
  });

  it('the schema check is real: a broken log is rejected', () => {
    const log = parse(renderSarif(sampleResult()));
    (log.runs[0].results[0] as { level: string }).level = 'fatal';
    log.runs[0].results[1].locations[0].physicalLocation.region.startLine = 0;
    expect(validateSarif(log)).toBe(false);
  });

  it('carries every field GitHub code scanning requires', () => {
    const log = parse(renderSarif(sampleResult()));
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0].tool;
    expect(driver.name).toBe('nhi-drift');
    expect(driver.version).toBe('0.1.0');
    expect(driver.semanticVersion).toBe('0.1.0');
    // package.json names no home page: no informationUri rather than a link to a repository that does not exist
    expect('informationUri' in driver).toBe(false);
    expect(driver.rules.map((r) => r.id).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const r of driver.rules) {
      expect(r.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.fullDescription.text.length).toBeGreaterThan(0);
      expect(r.help.text).toContain('Remediation');
      expect(r.help.markdown).toContain('**Remediation.**');
      expect('helpUri' in r).toBe(false);
      expect(r.help.markdown).toContain(`docs/rules/${r.id}.md`);
      expect(r.properties.tags).toContain('security');
      expect(r.properties.tags).not.toContain('*');
      expect(['high', 'medium', 'low']).toContain(r.properties.precision);
      expect(typeof r.properties['security-severity']).toBe('string');
    }
    const results = log.runs[0].results;
    expect(results).toHaveLength(sampleFindings().length);
    for (const res of results) {
      expect(driver.rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      const loc = res.locations[0];
      expect(loc.physicalLocation.artifactLocation.uri.length).toBeGreaterThan(0);
      expect(loc.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.logicalLocations[0].kind).toBe('resource');
      expect(res.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]+:1$/);
    }
  });

  it('builds the help markdown from risk and remediation, including CLI and Terraform snippets', () => {
    const rule = parse(renderSarif(sampleResult())).runs[0].tool.driver.rules.find((r) => r.id === 'oidc-trust-without-sub')!;
    expect(rule.help.markdown).toContain('Why oidc-trust-without-sub matters.');
    expect(rule.help.markdown).toContain('```hcl');
    expect(rule.help.markdown).toContain('token.actions.githubusercontent.com:sub');
    expect(rule.help.text).toContain('Terraform:');
    expect(rule.properties.tags).toEqual(expect.arrayContaining(['security', 'trust', 'aws']));
    expect(rule.properties.precision).toBe('medium');
  });

  it('tags each rule with its OWASP NHI Top 10 risks (owasp-nhi:NHIx), kept under the 20-tag limit, and stays valid', () => {
    const text = renderSarif(sampleResult());
    expectValid(text);
    const rules = parse(text).runs[0].tool.driver.rules;
    const oidc = rules.find((r) => r.id === 'oidc-trust-without-sub')!;
    expect(oidc.properties.tags).toEqual(['security', 'trust', 'owasp-nhi:NHI4', 'owasp-nhi:NHI6', 'aws', 'non-human-identity']);
    for (const r of rules) {
      const meta = RULES.find((m) => m.id === r.id);
      if (meta) expect(r.properties.tags.filter((t) => t.startsWith('owasp-nhi:')), r.id).toEqual(meta.owasp.map((o) => `owasp-nhi:${o}`));
    }
    // a rule with many platforms: the cut to 20 tags drops platforms, never the OWASP ids
    const wide = { ...RULES[1], platforms: Array.from({ length: 30 }, (_, i) => `p${i}`), owasp: ['NHI7', 'NHI10'] as typeof RULES[1]['owasp'] };
    const log = parse(renderSarif(sampleResult({ rules: [wide] })));
    const tags = log.runs[0].tool.driver.rules.find((r) => r.id === wide.id)!.properties.tags;
    expect(tags).toHaveLength(20);
    expect(tags).toEqual(expect.arrayContaining(['owasp-nhi:NHI7', 'owasp-nhi:NHI10']));
    // ids that are not OWASP NHI ids (a hand-made or old result) are not turned into tags
    const odd = parse(renderSarif(sampleResult({ rules: [{ ...RULES[1], owasp: ['NHI99', 'x'] as unknown as typeof RULES[1]['owasp'] }] })));
    expect(odd.runs[0].tool.driver.rules.find((r) => r.id === RULES[1].id)!.properties.tags.some((t) => t.startsWith('owasp-nhi:'))).toBe(false);
  });

  it('maps severities with explicit tables that agree with GitHub security-severity bands', () => {
    for (const s of SEVERITIES) {
      const score = Number(SEVERITY_TO_SECURITY_SEVERITY[s]);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(10);
      expect(band(score)).toBe(s);
    }
    expect(SEVERITY_TO_LEVEL).toEqual({ critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' });
    const log = parse(renderSarif(sampleResult()));
    const { rules } = log.runs[0].tool.driver;
    for (const r of rules) {
      const meta = RULES.find((m) => m.id === r.id)!;
      expect(band(Number(r.properties['security-severity']))).toBe(meta.severity);
      expect(r.defaultConfiguration.level).toBe(SEVERITY_TO_LEVEL[meta.severity]);
    }
    // a result's level follows the finding's own severity (config overrides), not only the rule default
    const overridden = sampleResult();
    overridden.findings = [{ ...overridden.findings.find((f) => f.ruleId === 'credential-unused')!, severity: 'critical' }];
    expect(parse(renderSarif(overridden)).runs[0].results[0].level).toBe('error');
  });

  it('gives identity findings a stable pseudo-path and the cloud identifier as a logical location', () => {
    const log = parse(renderSarif(sampleResult()));
    const trust = log.runs[0].results.find((r) => r.ruleId === 'oidc-trust-without-sub')!;
    expect(trust.locations[0].physicalLocation.artifactLocation.uri).toBe(`nhi/aws/${ACCT}/iam-role/gha-deploy`);
    expect(trust.locations[0].physicalLocation.region).toEqual({ startLine: 1 });
    expect(trust.locations[0].logicalLocations[0]).toEqual({ name: 'gha-deploy', fullyQualifiedName: `arn:aws:iam::${ACCT}:role/gha-deploy`, kind: 'resource' });
    expect(trust.message.text).toContain('token.actions.githubusercontent.com → gha-deploy → admin-role');
    expect(trust.properties.identity).toBe(IDS.gha);
    expect(trust.properties.confidence).toBe('medium');
  });

  it('uses the real file location when a finding has one', () => {
    const log = parse(renderSarif(sampleResult()));
    const wf = log.runs[0].results.find((r) => r.ruleId === 'workflow-secret-reference')!;
    expect(wf.locations[0].physicalLocation.artifactLocation.uri).toBe('.github/workflows/deploy.yml');
    expect(wf.locations[0].physicalLocation.region).toEqual({ startLine: 12, startColumn: 9 });
  });

  it('sanitises pseudo-path segments: no extra slashes, no dot segments', () => {
    const r = sampleResult();
    const odd = 'aws:iam-role:arn:aws:iam::123456789012:role/x';
    r.graph.addNode({ id: odd, kind: 'principal', platform: 'aws', type: 'iam-role', name: '../a b/..', scope: '..', accountType: 'service', provenance: [] });
    const uri = pseudoPath(r.graph, odd);
    const segments = uri.split('/');
    expect(segments).toHaveLength(5);
    expect(segments.every((s) => s !== '.' && s !== '..' && s.length > 0)).toBe(true);
    expect(uri).not.toMatch(/\s/);
    // distinct names stay distinct after encoding
    const other = 'aws:iam-role:arn:aws:iam::123456789012:role/y';
    r.graph.addNode({ id: other, kind: 'principal', platform: 'aws', type: 'iam-role', name: '.._a_b_..', scope: '..', accountType: 'service', provenance: [] });
    expect(pseudoPath(r.graph, other)).not.toBe(uri);
    // a node the graph does not know still gets a stable path
    expect(pseudoPath(r.graph, 'gcp:service-account:ci@p.iam')).toBe(pseudoPath(r.graph, 'gcp:service-account:ci@p.iam'));
  });

  it('is byte-identical for equal input, whatever the order of findings', () => {
    const a = renderSarif(sampleResult(), { category: 'nhi' });
    const shuffled = sampleResult();
    shuffled.findings = [...shuffled.findings].reverse();
    const b = renderSarif(shuffled, { category: 'nhi' });
    expect(b).toBe(a);
    const fps = parse(a).runs[0].results.map((r) => r.partialFingerprints['nhiFingerprint/v1']);
    expect(new Set(fps).size).toBe(fps.length);
    expect(fps).toContain(fingerprint('oidc-trust-without-sub', IDS.gha, '0'));
  });

  it('keeps suppressed findings as externally suppressed results (closed alerts on GitHub), or drops them when asked', () => {
    const r = sampleResult();
    const hidden = r.findings.filter((f) => f.ruleId === 'identity-unowned');
    r.findings = r.findings.filter((f) => f.ruleId !== 'identity-unowned');
    r.suppressed = hidden;
    r.config = { file: 'nhi.config.yaml', disabledRules: [], severityOverrides: {}, ignoreEntries: 1, activeIgnoreEntries: 1, suppressedFindings: hidden.length };
    const text = renderSarif(r);
    expectValid(text);
    const kept = parse(text).runs[0].results;
    const sup = kept.filter((x) => x.ruleId === 'identity-unowned');
    expect(sup).toHaveLength(hidden.length);
    for (const x of sup) {
      expect(x.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'suppressed by an ignore entry in nhi.config.yaml' }]);
    }
    expect(kept.filter((x) => x.ruleId !== 'identity-unowned').every((x) => x.suppressions === undefined)).toBe(true);
    const dropped = parse(renderSarif(r, { includeSuppressed: false })).runs[0].results;
    expect(dropped.some((x) => x.ruleId === 'identity-unowned')).toBe(false);
  });

  it('reports coverage notes as tool execution notifications', () => {
    const inv = parse(renderSarif(sampleResult())).runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(true);
    const notes = inv.toolExecutionNotifications;
    const denied = notes.find((n) => n.descriptor?.id === 'coverage/permission-denied')!;
    expect(denied.level).toBe('warning');
    expect(denied.message.text).toContain('iam:GenerateCredentialReport');
    expect(denied.message.text).toContain('password and access-key usage dates are missing');
    expect(notes.find((n) => n.descriptor?.id === 'coverage/unavailable')!.level).toBe('note');
    expect(parse(renderSarif(cleanResult())).runs[0].invocations[0].toolExecutionNotifications).toEqual([]);
  });

  it('marks the invocation unsuccessful when a connector failed', () => {
    const r = sampleResult();
    r.connectors = [{ ...r.connectors[0], status: 'failed', error: 'ExpiredToken' }];
    const inv = parse(renderSarif(r)).runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications.some((n) => n.level === 'error' && n.message.text.includes('ExpiredToken'))).toBe(true);
  });

  it('sets a stable automation id per category', () => {
    const a = parse(renderSarif(sampleResult(), { category: 'nhi/aws-prod' })).runs[0].automationDetails.id;
    const b = parse(renderSarif(sampleResult(), { category: 'nhi/aws-prod/' })).runs[0].automationDetails.id;
    expect(a).toBe(b);
    expect(a.startsWith('nhi/aws-prod/')).toBe(true);
    expect(a.slice('nhi/aws-prod/'.length)).not.toContain('/');
    expect(parse(renderSarif(sampleResult())).runs[0].automationDetails.id.startsWith('nhi/')).toBe(true);
  });

  it('truncates to the result limit, keeping the most severe, and says so', () => {
    const log = parse(renderSarif(sampleResult(), { maxResults: 2 }));
    const run = log.runs[0];
    expect(run.results.map((r) => r.level)).toEqual(['error', 'error']);
    expect(run.results[0].ruleId).toBe('oidc-trust-without-sub');
    const note = run.invocations[0].toolExecutionNotifications.find((n) => n.descriptor?.id === 'sarif/results-truncated')!;
    expect(note.message.text).toContain(`${sampleFindings().length - 2} of ${sampleFindings().length}`);
  });

  it('never exceeds 25,000 results per run', () => {
    const r = sampleResult();
    const base = r.findings[0];
    const many: Finding[] = [];
    for (let i = 0; i < 25_003; i++) many.push({ ...base, discriminator: String(i), fingerprint: fingerprint(base.ruleId, base.nodeId, String(i)) });
    r.findings = many;
    const run = parse(renderSarif(r)).runs[0];
    expect(run.results).toHaveLength(25_000);
    expect(run.invocations[0].toolExecutionNotifications.some((n) => n.descriptor?.id === 'sarif/results-truncated')).toBe(true);
  });

  it('describes rules that only findings mention, so every ruleIndex resolves', () => {
    const r = sampleResult();
    r.rules = [];
    const log = parse(renderSarif(r));
    const { rules } = log.runs[0].tool.driver;
    for (const res of log.runs[0].results) expect(rules[res.ruleIndex].id).toBe(res.ruleId);
    expectValid(renderSarif(r));
  });

  it('never prints node attributes or policy documents', () => {
    const text = renderSarif(sampleResult(), { includeSuppressed: true });
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(DOC_CANARY);
    expect(text).not.toContain('trustPolicy');
  });

  it('percent-encodes artifact URIs: spaces, %, #, ?, colons, non-ASCII and control characters; keeps /', () => {
    expect(artifactUri('.github/workflows/deploy.yml')).toBe('.github/workflows/deploy.yml');
    expect(artifactUri('dir with space/a%b#c?d.yml')).toBe('dir%20with%20space/a%25b%23c%3Fd.yml');
    expect(artifactUri('ci/é漢.yml')).toBe('ci/%C3%A9%E6%BC%A2.yml');
    expect(artifactUri('a:b/line\nbreak\t.yml')).toBe('a%3Ab/line%0Abreak%09.yml');
    // Windows separators, a leading ./ and doubled slashes (a leading // would read as a host)
    expect(artifactUri('.\\ci\\\\x.yml')).toBe('ci/x.yml');
    expect(artifactUri('//host/share.yml')).toBe('/host/share.yml');
    expect(artifactUri('')).toBeUndefined();
    for (const raw of ['dir with space/a%b#c?d.yml', 'ci/é漢.yml', 'a:b/c', '\u0000\u001b[2J', '../x y']) expect(isUriReference(artifactUri(raw)!)).toBe(true);

    const r = sampleResult();
    r.findings[3] = { ...r.findings[3], location: { uri: 'dir with space/a%b#c?d.yml', startLine: 4 } };
    const text = renderSarif(r);
    expect(validateStrict(JSON.parse(text))).toBe(true);
    const wf = parse(text).runs[0].results.find((x) => x.ruleId === 'workflow-secret-reference')!;
    expect(wf.locations[0].physicalLocation.artifactLocation.uri).toBe('dir%20with%20space/a%25b%23c%3Fd.yml');
  });

  it('writes regions with integers >= 1 only', () => {
    const r = sampleResult();
    const base = r.findings[3];
    const at = (location: unknown) => ({ ...base, location }) as never;
    r.findings = [
      at({ uri: 'a.yml', startLine: 0, startColumn: -1 }),
      at({ uri: 'b.yml', startLine: 2.5, endLine: -4, endColumn: 3.5 }),
      at({ uri: 'c.yml', startLine: '7', startColumn: 5, endLine: 7, endColumn: 2 }),
      at({ uri: 'd.yml', startLine: 3, startColumn: 2, endLine: 6, endColumn: 1 }),
      at({ uri: 'e.yml', startLine: 1e21, endLine: NaN }),
    ];
    const text = renderSarif(r);
    expect(validateStrict(JSON.parse(text))).toBe(true);
    const regions = Object.fromEntries(parse(text).runs[0].results.map((x) => [x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region]));
    expect(regions).toEqual({
      'a.yml': { startLine: 1 },
      'b.yml': { startLine: 1 },
      // an end column before the start column on the same line is dropped
      'c.yml': { startLine: 7, startColumn: 5, endLine: 7 },
      'd.yml': { startLine: 3, startColumn: 2, endLine: 6, endColumn: 1 },
      'e.yml': { startLine: 1 },
    });
  });

  it('meets GitHub code scanning rules whatever the input: messages, rule index, fingerprints, dates', () => {
    const r = sampleResult();
    r.findings.push(
      { ...r.findings[0], ruleId: 'not-a-registered-rule', message: '   ', evidence: [], path: undefined, fingerprint: 'fp-a' },
      { ...r.findings[0], ruleId: 7, message: null, nodeId: null, fingerprint: null } as never,
    );
    r.rules = [...r.rules, r.rules[0], { ...r.rules[1], id: 'x'.repeat(300), description: 'd'.repeat(5_000) }];
    r.startedAt = '2026-03-01 06:00';
    r.finishedAt = 'later';
    r.tool = { name: 'nhi-drift', version: 'dev build' };
    const text = renderSarif(r);
    const log = JSON.parse(text) as SarifLogShape;
    expect(validateStrict(log), JSON.stringify(validateStrict.errors?.slice(0, 3))).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    const run = parse(text).runs[0];
    expect(run.invocations[0].startTimeUtc).toBe('2026-03-01T06:00:00.000Z');
    expect(run.tool.driver.semanticVersion).toBeUndefined();
    const blank = run.results.find((x) => x.ruleId === 'not-a-registered-rule')!;
    expect(blank.message.text.trim()).toBe('Finding of rule not-a-registered-rule on gha-deploy');
    const numeric = run.results.find((x) => x.ruleId === '7')!;
    expect(numeric.message.text.split('\n')[0]).toBe('Finding of rule 7');
    expect(numeric.partialFingerprints['nhiFingerprint/v1']).toBe(fingerprint('7', '', '0'));
  });

  it('marks results new or unchanged against a baseline (absent results are not invented)', () => {
    const r = sampleResult();
    const known = r.findings.filter((f) => f.severity === 'medium').map((f) => f.fingerprint);
    r.baseline = { file: 'base.json', fingerprints: [...known, 'fingerprint-of-a-finding-that-went-away'] };
    const text = renderSarif(r);
    expectValid(text);
    const run = parse(text).runs[0];
    for (const x of run.results) expect(x.baselineState).toBe(x.level === 'warning' ? 'unchanged' : 'new');
    expect(run.results).toHaveLength(r.findings.length);
    expect(run.properties.baseline).toEqual({ file: 'base.json', known: known.length + 1, newFindings: r.findings.length - known.length });
    expect(parse(renderSarif(sampleResult())).runs[0].results.every((x) => x.baselineState === undefined)).toBe(true);
  });

  it('shows what the configuration changed: one notification per disabled rule and override, suppressions, --no-config', () => {
    const r = sampleResult();
    r.config = { file: 'nhi.config.yaml', disabledRules: ['credential-unused', 'identity-unowned'], severityOverrides: { 'oidc-trust-without-sub': 'low' }, ignoreEntries: 2, activeIgnoreEntries: 1, suppressedFindings: 1 };
    r.suppressed = [{ ...r.findings.pop()!, suppression: { reason: 'break-glass role, reviewed' } } as never];
    const text = renderSarif(r);
    expectValid(text);
    const inv = parse(text).runs[0].invocations[0];
    const notes = inv.toolConfigurationNotifications!;
    expect(notes.filter((n) => n.descriptor?.id === 'config/rule-disabled').map((n) => n.associatedRule?.id)).toEqual(['credential-unused', 'identity-unowned']);
    expect(notes.find((n) => n.descriptor?.id === 'config/severity-override')?.message.text).toBe('The severity of rule oidc-trust-without-sub is set to low by nhi.config.yaml.');
    expect(notes.find((n) => n.descriptor?.id === 'config/suppressions')?.message.text).toContain('1 finding(s) suppressed by 1 active of 2 ignore entries in nhi.config.yaml');
    expect(inv.properties?.config).toEqual(r.config);
    const sup = parse(text).runs[0].results.find((x) => x.suppressions)!;
    expect(sup.suppressions![0].justification).toBe('suppressed by an ignore entry in nhi.config.yaml: break-glass role, reviewed');

    const ignored = sampleResult();
    ignored.config = { ignored: true, disabledRules: [], severityOverrides: {}, ignoreEntries: 0, activeIgnoreEntries: 0, suppressedFindings: 0 };
    const ign = parse(renderSarif(ignored)).runs[0].invocations[0].toolConfigurationNotifications!;
    expect(ign.map((n) => n.descriptor?.id)).toEqual(['config/ignored']);
    expect(parse(renderSarif(sampleResult())).runs[0].invocations[0].toolConfigurationNotifications).toBeUndefined();
  });

  it('names the scanned targets in run properties and the automation details description', () => {
    const r = sampleResult();
    r.connectors.push({ id: 'github', title: 'GitHub', status: 'complete', apiCalls: 1, callsByOperation: {}, records: 1, durationMs: 1, targets: [{ id: 'github:org:github.com/acme', platform: 'github', kind: 'org', name: 'acme' }] });
    const run = parse(renderSarif(r)).runs[0];
    expect(run.automationDetails.description?.text).toBe(`Scanned AWS account ${ACCT} · GitHub org acme`);
    expect((run.properties.targets as Array<{ id: string }>).map((t) => t.id)).toEqual([`aws:account:${ACCT}`, 'github:org:github.com/acme']);
  });

  it('never links to a repository URL that does not exist', () => {
    const text = renderSarif(sampleResult());
    expect(text).not.toContain('github.com/nhi-drift');
    expect(text).not.toMatch(/"(helpUri|informationUri)"/);
  });
});
