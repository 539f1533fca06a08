/**
 * A result with 10,000 findings renders as static text (the ink report of the same ran out of memory at 4.4 GB):
 * the default report stays short, --verbose lists every finding, wrapped to a terminal or not.
 * Memory and time are measured outside the suite (see the issue note), never asserted here.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../src/model/types.js';
import { fingerprint } from '../../src/rules/runner.js';
import { renderText } from '../../reports/terminal/index.js';
import { ACCT, RULES, sampleResult, type SampleResult } from './sample.js';

const N = 10_000;

function manyFindings(n = N): SampleResult {
  const rules: Array<[string, Severity]> = [
    ['oidc-trust-without-sub', 'critical'],
    ['credential-not-rotated', 'high'],
    ['identity-unowned', 'medium'],
    ['credential-unused', 'low'],
  ];
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const [ruleId, severity] = rules[i % rules.length];
    const nodeId = `aws:iam-role:arn:aws:iam::${ACCT}:role/team-${i % 97}/service-role-${i}`;
    findings.push({
      ruleId,
      severity,
      confidence: 'high',
      nodeId,
      message: `Role service-role-${i} in account ${ACCT} has a finding of rule ${ruleId} that needs a look from its owner`,
      evidence: [
        { description: `Evidence line one for service-role-${i}: the policy statement ${i % 13} allows more than the role uses` },
        { description: `Evidence line two for service-role-${i}` },
      ],
      fingerprint: fingerprint(ruleId, nodeId, undefined),
    });
  }
  return sampleResult({ findings, rules: RULES, coverage: [], incomplete: false });
}

describe('terminal report of 10,000 findings', () => {
  it('renders the default report short, with counts of the rest', () => {
    const text = renderText(manyFindings(), { color: true, width: 80 });
    expect(text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ')).toContain(`${N} findings (2500 critical, 2500 high, 2500 medium, 2500 low)`);
    expect(text.replace(/\u001b\[[0-9;]*m/g, '').match(/^ {4}• /gm)).toHaveLength(4 * 5);
    expect(text).toContain('… and 2495 more (--verbose lists all)');
    expect(text.split('\n').length).toBeLessThan(400);
  });

  it('renders every finding with --verbose, wrapped or piped', () => {
    const result = manyFindings();
    for (const width of [80, undefined]) {
      const text = renderText(result, { verbose: true, color: width !== undefined, width });
      const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
      expect(plain.match(/^ {4}• /gm)).toHaveLength(N);
      expect(plain).toContain('service-role-9999');
      if (width) for (const line of plain.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
    }
  });
});
