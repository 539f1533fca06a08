import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/engine/types.js';
import type { ScanTarget } from '../../src/model/types.js';
import { render } from '../../reports/index.js';
import { createLineProgress, renderText } from '../../reports/terminal/index.js';
import { ACCT, CANARY, DOC_CANARY, IDS, WORKERS, cleanResult, sampleResult, type SampleResult } from './sample.js';

const ANSI = /\u001b\[[0-9;]*m/;

function section(text: string, title: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(title);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => ['Top risks', 'Findings', 'Coverage'].includes(l));
  return (end >= 0 ? rest.slice(0, end) : rest).join('\n');
}

describe('plain-text terminal report', () => {
  it('has the header, summary, top risks, findings, coverage and footer sections in that order', () => {
    const text = renderText(sampleResult(), { color: false });
    const lines = text.split('\n');
    const order = ['nhi-drift 0.1.0', 'Scanned 12 identities and 3 credentials', 'Top risks', 'Findings', 'Coverage', 'Next:'];
    // index of the first line that starts with each heading
    const positions = order.map((s) => lines.findIndex((l) => l.startsWith(s)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('account 123456789012');
    expect(text).toContain('Snapshot  #7');
    expect(text).toContain('2026-03-01 06:00 UTC');
    expect(text).toContain('12 findings (1 critical, 1 high, 8 medium, 1 low, 1 info)');
    expect(text).toContain('nhi inventory');
    expect(text).toContain('--format sarif');
  });

  it('prints no ANSI codes when colour is off, and colours severities when on', () => {
    expect(renderText(sampleResult(), { color: false })).not.toMatch(ANSI);
    expect(render('terminal', sampleResult(), {})).not.toMatch(ANSI);
    const coloured = renderText(sampleResult(), { color: true });
    expect(coloured).toMatch(ANSI);
    // same words underneath the colours
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderText(sampleResult(), { color: false }));
  });

  it('puts only critical and high findings in Top risks, each with identity and why', () => {
    const top = section(renderText(sampleResult()), 'Top risks');
    expect(top).toContain('CRITICAL  gha-deploy (iam-role, 123456789012)');
    expect(top).toContain('trusts GitHub OIDC tokens from any repository [oidc-trust-without-sub]');
    expect(top).toContain('HIGH      AKIAIOSFODNN7EXAMPLE (access-key of iam-user ci-bot, 123456789012)');
    expect(top).not.toContain('worker-');
    expect(renderText(cleanResult())).not.toContain('Top risks');
  });

  it('shows the identity, first evidence line and delegation path of a finding', () => {
    const findings = section(renderText(sampleResult()), 'Findings');
    expect(findings).toContain('evidence: Statement 0 of the trust policy has no token.actions.githubusercontent.com:sub condition');
    expect(findings).not.toContain('The audience condition is sts.amazonaws.com');
    expect(findings).toContain('(+1 more evidence)');
    expect(findings).toContain('path: token.actions.githubusercontent.com → gha-deploy → admin-role');
    expect(findings).toContain('at: .github/workflows/deploy.yml:12:9');
  });

  it('groups many findings of one rule and shows a count of the rest; verbose shows all', () => {
    const short = renderText(sampleResult());
    expect(short).toContain(`identity-unowned · identity unowned title (${WORKERS})`);
    expect(short).toContain(`… and ${WORKERS - 5} more (--verbose lists all)`);
    expect(short.match(/• worker-/g)).toHaveLength(5);
    const long = renderText(sampleResult(), { verbose: true });
    expect(long.match(/• worker-/g)).toHaveLength(WORKERS);
    expect(long).not.toContain('more (--verbose lists all)');
    expect(long).toContain('evidence: The audience condition is sts.amazonaws.com');
  });

  it('lists coverage gaps with reason and impact, and says so when everything was read', () => {
    const text = renderText(sampleResult());
    expect(text).toContain('! Scan incomplete');
    const cov = section(text, 'Coverage');
    expect(cov).toContain('✗ missing  aws iam:GenerateCredentialReport (123456789012): permission-denied');
    expect(cov).toContain('impact: password and access-key usage dates are missing');
    expect(cov).toContain('i note  aws accessanalyzer:ListFindingsV2: unavailable');
    const clean = renderText(cleanResult());
    expect(clean).toContain('No findings.');
    expect(clean).toContain('Every source was read.');
    expect(clean).not.toContain('Scan incomplete');
  });

  it('ends Coverage with the OWASP NHI Top 10 risks covered and not covered, in two lines', () => {
    const cov = section(renderText(sampleResult()), 'Coverage');
    expect(cov).toContain('\n  OWASP NHI covered: 4 of 10: NHI1, NHI4, NHI6, NHI7\n');
    expect(cov).toContain('\n  not covered: NHI2 (no source scanned for their rules); NHI3, NHI5, NHI8-NHI10 (no rule enabled)\n');
    for (const width of [40, 60, 80]) {
      const narrow = renderText(sampleResult(), { width });
      for (const line of narrow.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
      expect(narrow.replace(/\s+/g, ' ')).toContain('OWASP NHI covered: 4 of 10: NHI1, NHI4, NHI6, NHI7');
    }
  });

  it('mentions suppressed findings by count only', () => {
    const r = sampleResult();
    r.suppressed = r.findings.splice(0, 2);
    const text = renderText(r);
    expect(text).toContain('2 findings suppressed by the configuration.');
    expect(text).not.toContain('gha-deploy trusts GitHub OIDC');
  });

  it('keeps every estate-supplied string on one line with no escape sequences', () => {
    const r = sampleResult();
    r.findings[0] = { ...r.findings[0], message: 'evil\u001b[2J\u001b[31mred\nsecond line', evidence: [{ description: 'ev\r\nidence' }] };
    const text = renderText(r, { color: false });
    expect(text).not.toMatch(/\u001b/);
    expect(text).toContain('evilred second line');
    expect(text).toContain('evidence: ev idence');
  });

  it('never prints attribute blobs or policy documents', () => {
    for (const verbose of [false, true]) {
      const text = renderText(sampleResult(), { verbose });
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(DOC_CANARY);
    }
  });
});

describe('render()', () => {
  it('dispatches on format', () => {
    const r = sampleResult();
    expect(JSON.parse(render('json', r, {})).schemaVersion).toBe('1.4.0');
    expect(JSON.parse(render('sarif', r, { category: 'ci' })).runs[0].automationDetails.id.startsWith('ci/')).toBe(true);
    expect(render('markdown', r, {})).toMatch(/^## nhi-drift report/);
    expect(render('terminal', r, { verbose: true }).match(/• worker-/g)).toHaveLength(WORKERS);
  });
});

describe('line progress', () => {
  it('writes one quiet line per event and drops repeats', () => {
    const lines: string[] = [];
    // no step throttling here (see the interval test below)
    const progress = createLineProgress((s) => lines.push(s), { stepIntervalMs: 0 });
    const events: ProgressEvent[] = [
      { type: 'start', connector: 'aws', title: 'AWS IAM' },
      { type: 'step', connector: 'aws', message: 'reading authorization details' },
      { type: 'step', connector: 'aws', message: 'reading authorization details' },
      { type: 'step', connector: 'aws', message: 'waiting for the credential report…' },
      { type: 'done', connector: 'aws', records: 412, calls: 37, incomplete: false },
      { type: 'start', connector: 'github', title: 'GitHub' },
      { type: 'failed', connector: 'github', message: 'Bad credentials' },
      { type: 'done', connector: 'gcp', records: 1, calls: 1, incomplete: true },
    ];
    events.forEach(progress);
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(lines).toEqual([
      'aws: scanning AWS IAM…\n',
      'aws: reading authorization details…\n',
      'aws: waiting for the credential report…\n',
      'aws: done, 412 records, 37 API calls\n',
      'github: scanning GitHub…\n',
      'github: failed: Bad credentials\n',
      'gcp: done with gaps, 1 record, 1 API call\n',
    ]);
  });

  it('line progress: steps within the rate limit are dropped, milestones (one account of an organisation each) always print', () => {
    const lines: string[] = [];
    let t = 0;
    const progress = createLineProgress((s) => lines.push(s), { stepIntervalMs: 5000, now: () => t });
    progress({ type: 'step', connector: 'aws', message: 'organisation: reading the tree' });
    t = 10;
    progress({ type: 'step', connector: 'aws', message: 'organisation: reading SCPs and RCPs' });
    progress({ type: 'step', connector: 'aws', message: 'account 111111111111 (dev): done, 40 records [1/2]', milestone: true });
    t = 20;
    progress({ type: 'step', connector: 'aws', message: 'account 222222222222 (prod): done, 38 records [2/2]', milestone: true });
    progress({ type: 'step', connector: 'aws', message: 'mapping' });
    expect(lines).toEqual([
      'aws: organisation: reading the tree…\n',
      'aws: account 111111111111 (dev): done, 40 records [1/2]\n',
      'aws: account 222222222222 (prod): done, 38 records [2/2]\n',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// issue 8: a report that fits the terminal, names what was scanned, and lets no untrusted text drive the terminal

const SGR_ALL = /\u001b\[[0-9;]*m/g;
const strip = (s: string) => s.replace(SGR_ALL, '');
const visibleLines = (text: string) => strip(text).replace(/\n$/, '').split('\n');

/** A sample whose texts are long enough to need wrapping at 80 columns. */
function wordyResult(): SampleResult {
  const r = sampleResult();
  r.findings[0] = {
    ...r.findings[0],
    message: 'Role gha-deploy trusts GitHub OIDC tokens from any repository on github.com, so any workflow anywhere can assume it and reach admin-role through it',
    evidence: [{ description: 'Statement 0 of the trust policy federates token.actions.githubusercontent.com with an audience condition only and no sub condition naming a repository' }],
  };
  r.coverage[0] = { ...r.coverage[0], impact: 'password and access-key usage dates are missing, so unused-credential and rotation findings rest on creation dates alone' };
  return r;
}

describe('terminal report wrapped to the terminal width', () => {
  it.each([40, 60, 80, 120])('no line is wider than %i columns, and no word is lost or reordered', (width) => {
    const plain = renderText(wordyResult(), { color: false });
    const wrapped = renderText(wordyResult(), { color: false, width });
    for (const line of visibleLines(wrapped)) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
    // the same characters in the same order (words longer than a line are cut, so compare without whitespace)
    expect(wrapped.replace(/\s+/g, '')).toBe(plain.replace(/\s+/g, ''));
    // piped (no width) stays one line per item
    expect(plain.split('\n').some((l) => l.length > width)).toBe(true);
  });

  it('continuation lines keep the indentation of the item they continue', () => {
    const lines = visibleLines(renderText(wordyResult(), { width: 80 }));
    const ev = lines.findIndex((l) => l.startsWith('      evidence: Statement 0 of the trust policy federates'));
    expect(ev).toBeGreaterThan(0);
    // under the text after "evidence: " (6 + 10 columns)
    expect(lines[ev + 1]).toMatch(/^ {16}\S/);
    const msg = lines.findIndex((l) => l.startsWith('      Role gha-deploy trusts GitHub OIDC tokens from any repository'));
    expect(lines[msg + 1]).toMatch(/^ {6}\S/);
    const impact = lines.findIndex((l) => l.startsWith('      impact: password and access-key usage dates are missing'));
    expect(lines[impact + 1]).toMatch(/^ {14}\S/);
    const top = lines.findIndex((l) => l.startsWith('            Role gha-deploy trusts GitHub OIDC tokens'));
    expect(lines[top + 1]).toMatch(/^ {12}\S/);
  });

  it('measures wide characters and cuts words longer than a line', () => {
    const r = sampleResult();
    r.graph.node(IDS.gha)!.name = `デプロイ用ロール${'漢字'.repeat(40)}`;
    r.findings[1] = { ...r.findings[1], evidence: [{ description: `arn:aws:iam::${ACCT}:role/${'very-long-path-segment/'.repeat(8)}x` }] };
    const text = renderText(r, { color: true, width: 60 });
    for (const line of visibleLines(text)) expect(stringWidth(line), line).toBeLessThanOrEqual(60);
    expect(strip(text).replace(/\s+/g, '')).toContain(`デプロイ用ロール${'漢字'.repeat(40)}`);
    expect(strip(text).replace(/\s+/g, '')).toContain(`role/${'very-long-path-segment/'.repeat(8)}x`);
  });

  it('colour codes are whole and closed on every line they open on', () => {
    const text = renderText(wordyResult(), { color: true, width: 50 });
    for (const line of text.split('\n')) {
      expect(line.replace(SGR_ALL, '')).not.toContain('\u001b');
      const opens = (line.match(/\u001b\[(1|2)m/g) ?? []).length;
      const closes = (line.match(/\u001b\[22m/g) ?? []).length;
      expect(opens, line).toBe(closes);
      expect((line.match(/\u001b\[(3[1-5]|90)m/g) ?? []).length, line).toBe((line.match(/\u001b\[39m/g) ?? []).length);
    }
  });
});

describe('terminal report header, baseline and deadline', () => {
  const target = (platform: string, kind: string, name: string, host = ''): ScanTarget => ({
    id: `${platform}:${kind === 'repository' ? 'repo' : kind}:${host ? `${host}/` : ''}${name}`,
    platform,
    kind,
    name,
  });

  it('names the accounts, orgs and projects each run scanned, falling back to the run label', () => {
    const r = sampleResult();
    r.connectors = [
      { ...r.connectors[0], targets: [target('aws', 'account', ACCT)] },
      { id: 'github', title: 'GitHub', status: 'complete', apiCalls: 9, callsByOperation: {}, records: 30, durationMs: 10, target: 'acme on https://ghe.example.com/api/v3', targets: [target('github', 'org', 'acme', 'ghe.example.com')] },
      { id: 'gcp', title: 'GCP', status: 'complete', apiCalls: 9, callsByOperation: {}, records: 30, durationMs: 10, targets: [1, 2, 3, 4, 5, 6, 7].map((i) => target('gcp', 'project', `acme-p${i}`)) },
      { id: 'workflows', title: 'Workflows', status: 'complete', apiCalls: 0, callsByOperation: {}, records: 3, durationMs: 1, targets: [target('github', 'repository', 'acme/app', 'github.com')] },
      { id: 'gitlab', title: 'GitLab', status: 'failed', apiCalls: 1, callsByOperation: {}, records: 0, durationMs: 1, target: 'acme on gitlab.example.com', targets: [], error: 'connection refused' },
    ];
    const text = renderText(r);
    expect(text).toContain(`Source    aws: AWS account ${ACCT} · partial · 412 records · 37 API calls`);
    expect(text).toContain('github: GitHub org acme on ghe.example.com · complete');
    expect(text).toContain('gcp: GCP projects acme-p1, acme-p2, acme-p3, acme-p4, acme-p5 and 2 more · complete');
    expect(text).toContain('workflows: GitHub repository acme/app · complete');
    expect(text).toContain('gitlab: acme on gitlab.example.com · failed · 0 records · 1 API call · connection refused');
    expect(renderText(r, { verbose: true })).toContain('GCP projects acme-p1, acme-p2, acme-p3, acme-p4, acme-p5, acme-p6, acme-p7 · complete');
  });

  it('always shows what the configuration file changed, and --no-config', () => {
    const r = sampleResult();
    r.suppressed = r.findings.splice(0, 3);
    r.config = {
      file: 'nhi.config.yaml',
      disabledRules: ['credential-unused', 'identity-unowned'],
      severityOverrides: { 'credential-not-rotated': 'low' },
      ignoreEntries: 3,
      activeIgnoreEntries: 2,
      suppressedFindings: 3,
      failOn: 'high',
    };
    const text = renderText(r);
    expect(text).toContain(
      'Config    nhi.config.yaml: 2 rules off (credential-unused, identity-unowned), 1 severity changed (credential-not-rotated: low), 3 findings suppressed by 2 ignore entries, 1 ignore entry expired, --fail-on high from the file',
    );
    const header = text.slice(0, text.indexOf('\n\n'));
    expect(header).toContain('Config');
    r.config = { file: 'nhi.config.yaml', disabledRules: [], severityOverrides: {}, ignoreEntries: 0, activeIgnoreEntries: 0, suppressedFindings: 0 };
    expect(renderText(r)).toContain('Config    nhi.config.yaml: no rule, severity or suppression changes');
    r.config = { ignored: true, disabledRules: [], severityOverrides: {}, ignoreEntries: 0, activeIgnoreEntries: 0, suppressedFindings: 0 };
    expect(renderText(r)).toContain('Config    --no-config: configuration file ignored');
  });

  it('marks findings missing from the baseline as new and counts them in the summary', () => {
    const r = sampleResult();
    const known = r.findings.filter((f) => f.ruleId !== 'oidc-trust-without-sub' && f.nodeId !== IDS.worker(0));
    r.baseline = { file: 'nhi-baseline.json', fingerprints: known.map((f) => f.fingerprint) };
    const text = renderText(r);
    expect(text).toContain(`Scanned 12 identities and 3 credentials: 12 findings (1 critical, 1 high, 8 medium, 1 low, 1 info)\n2 new of 12 (baseline nhi-baseline.json)`);
    expect(section(text, 'Top risks')).toContain('CRITICAL  new gha-deploy (iam-role, 123456789012)');
    expect(section(text, 'Top risks')).toContain('HIGH      AKIAIOSFODNN7EXAMPLE');
    const findings = section(text, 'Findings');
    expect(findings).toContain('• new gha-deploy (iam-role, 123456789012)');
    expect(findings).toContain('• new worker-0 (iam-role, 123456789012)');
    expect(findings).toContain('• worker-1 (iam-role, 123456789012)');
    expect(findings.match(/• new /g)).toHaveLength(2);
    expect(renderText(sampleResult())).not.toMatch(/new of|• new /);
  });

  it('says when the --timeout deadline cut the scan short', () => {
    const r = sampleResult({ deadlineSeconds: 30 });
    r.coverage.push({ connector: 'aws', source: 'iam:GenerateServiceLastAccessedDetails', scope: ACCT, reason: 'timeout', message: 'stopped at the 30 s deadline', impact: 'service last-accessed data is missing', incomplete: true });
    const text = renderText(r);
    expect(text).toContain('Deadline  --timeout 30 s: reached, 1 source cut short');
    const cov = section(text, 'Coverage');
    expect(cov.split('\n')[0]).toBe('  ! The --timeout deadline of 30 s cut the scan short: 1 source did not finish (marked timeout below).');
    expect(cov).toContain('✗ missing  aws iam:GenerateServiceLastAccessedDetails (123456789012): timeout');
    const calm = renderText(sampleResult({ deadlineSeconds: 30 }));
    expect(calm).toContain('Deadline  --timeout 30 s\n');
    expect(calm).not.toContain('cut the scan short');
  });
});

/** Every trick a platform name could carry: an OSC 8 link, a screen clear, a cursor move, CR, a new line, bidi overrides. */
const EVIL = '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u001b[2J\u001b[5;1H\u009b31m over\rwrite\n# heading \u202egnp.exe\u2066x\u2069';

function expectSafe(text: string, opts: { wrapped?: boolean } = {}): void {
  const visible = text.replace(SGR_ALL, '');
  expect(visible).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  expect(visible).not.toContain('evil.example');
  expect(visible).toContain('click');
  // the line break became a space: "# heading" never starts a line of its own (wrapping may legitimately start a
  // continuation line anywhere, so this is checked on unwrapped text)
  if (!opts.wrapped) {
    expect(visible).not.toMatch(/^\s*# heading/m);
    expect(visible).toContain('over write # heading');
  }
}

describe('untrusted text in the terminal report', () => {
  function evilResult(): SampleResult {
    const r = sampleResult();
    r.graph.node(IDS.gha)!.name = `gha${EVIL}`;
    r.graph.node(IDS.gha)!.scope = `scope${EVIL}`;
    r.graph.node(IDS.admin)!.name = `admin${EVIL}`;
    r.findings[0] = { ...r.findings[0], message: `msg${EVIL}`, evidence: [{ description: `ev${EVIL}` }, { description: `ev2${EVIL}` }], location: { uri: `.github/workflows/${EVIL}.yml`, startLine: 3 } };
    r.findings[1] = { ...r.findings[1], ruleId: `rule${EVIL}` };
    r.coverage[0] = { ...r.coverage[0], connector: `aws${EVIL}`, source: `src${EVIL}`, scope: `sc${EVIL}`, message: `m${EVIL}`, impact: `i${EVIL}` };
    r.connectors = [
      { ...r.connectors[0], id: `aws${EVIL}`, target: `label${EVIL}`, error: `err${EVIL}`, targets: [{ id: `aws:account:${EVIL}`, platform: 'aws', kind: `account${EVIL}`, name: `acct${EVIL}` }] },
      { ...r.connectors[0], id: 'github', target: `fallback${EVIL}`, targets: [] },
    ];
    r.config = { file: `cfg${EVIL}.yaml`, disabledRules: [`rule${EVIL}`], severityOverrides: { [`x${EVIL}`]: `low${EVIL}` }, ignoreEntries: 1, activeIgnoreEntries: 1, suppressedFindings: 0, failOn: `high${EVIL}` };
    r.baseline = { file: `base${EVIL}.json`, fingerprints: [] };
    const node = { id: IDS.gha, kind: 'principal' as const, type: `iam-role${EVIL}`, name: `drifted${EVIL}` };
    r.drift = {
      base: { snapshotId: 3, asOf: '2026-02-01T00:00:00.000Z' },
      findings: { new: [{ ...r.findings[0], message: `new${EVIL}` }], resolved: [{ ...r.findings[2], ruleId: `gone${EVIL}` }], unchanged: 10 },
      identities: { added: [node], removed: [node] },
      credentials: { added: [node], removed: [], changed: [node] },
      grants: { added: [{ type: 'CAN_ASSUME', from: IDS.oidc, to: IDS.gha, fromName: `from${EVIL}`, toName: `to${EVIL}` }], removed: [] },
      ownersGone: [node],
    };
    return r;
  }

  it.each([
    ['piped, plain', { color: false }],
    ['wide terminal, coloured', { color: true, width: 2000 }],
    ['verbose', { color: true, verbose: true, width: 2000 }],
  ])('no escape sequence, control character, bidi override or injected line gets through (%s)', (_name, opts) => {
    const text = renderText(evilResult(), opts);
    expectSafe(text);
    // the safe parts of each field are still shown
    for (const word of ['gha', 'admin', 'msg', 'drifted', 'fallback', 'cfg', 'base', 'acct', 'workflows/click']) expect(text).toContain(word);
  });

  it('wrapping at 80 columns lets none of them through either', () => {
    expectSafe(renderText(evilResult(), { color: true, width: 80, verbose: true }), { wrapped: true });
  });
});

describe('line progress (non-interactive stderr)', () => {
  it('prints the first step at once, then at most one step line per connector every interval; start, done and failed always', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = createLineProgress((s) => lines.push(s), { stepIntervalMs: 5000, now: () => now });
    const at = (t: number, e: ProgressEvent) => {
      now = t;
      progress(e);
    };
    at(0, { type: 'start', connector: 'aws', title: 'AWS IAM' });
    at(10, { type: 'step', connector: 'aws', message: 'service last-accessed jobs 0/400' });
    for (let i = 1; i <= 400; i++) at(10 + i * 30, { type: 'step', connector: 'aws', message: `service last-accessed jobs ${i}/400` });
    at(20, { type: 'start', connector: 'gcp', title: 'Google Cloud IAM' });
    at(30, { type: 'step', connector: 'gcp', message: 'project p: 8 service accounts' });
    at(12_100, { type: 'failed', connector: 'gcp', message: 'quota exceeded' });
    at(12_200, { type: 'done', connector: 'aws', records: 412, calls: 437, incomplete: false });
    const aws = lines.filter((l) => l.startsWith('aws:'));
    // 12 s of steps every 30 ms: the first one, then one per 5 s
    expect(aws).toEqual([
      'aws: scanning AWS IAM…\n',
      'aws: service last-accessed jobs 0/400…\n',
      'aws: service last-accessed jobs 167/400…\n',
      'aws: service last-accessed jobs 334/400…\n',
      'aws: done, 412 records, 437 API calls\n',
    ]);
    expect(lines.filter((l) => l.startsWith('gcp:'))).toEqual(['gcp: scanning Google Cloud IAM…\n', 'gcp: project p: 8 service accounts…\n', 'gcp: failed: quota exceeded\n']);
  });

  it('keeps every connector id, title and message to one safe line', () => {
    const lines: string[] = [];
    const progress = createLineProgress((s) => lines.push(s));
    progress({ type: 'start', connector: `aws${EVIL}`, title: `AWS${EVIL}` });
    progress({ type: 'step', connector: 'gh', message: `repo${EVIL}` });
    progress({ type: 'failed', connector: 'gl', message: `boom${EVIL}` });
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l.indexOf('\n')).toBe(l.length - 1);
      expectSafe(l);
    }
  });
});
