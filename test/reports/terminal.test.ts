import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/engine/types.js';
import { render } from '../../reports/index.js';
import { createLineProgress, renderText } from '../../reports/terminal/index.js';
import { CANARY, DOC_CANARY, WORKERS, cleanResult, sampleResult } from './sample.js';

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
    expect(JSON.parse(render('json', r, {})).schemaVersion).toBe('1.2.0');
    expect(JSON.parse(render('sarif', r, { category: 'ci' })).runs[0].automationDetails.id.startsWith('ci/')).toBe(true);
    expect(render('markdown', r, {})).toMatch(/^## nhi-drift report/);
    expect(render('terminal', r, { verbose: true }).match(/• worker-/g)).toHaveLength(WORKERS);
  });
});

describe('line progress', () => {
  it('writes one quiet line per event and drops repeats', () => {
    const lines: string[] = [];
    const progress = createLineProgress((s) => lines.push(s));
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
});
