import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/root-access-key.js';
import { GraphBuilder, daysAgo, runRule } from './builders.js';

describe('root-access-key', () => {
  it('valid: root without keys', () => {
    const b = new GraphBuilder();
    b.password(b.root());
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('valid: root key that is inactive', () => {
    const b = new GraphBuilder();
    b.accessKey(b.root(), 'AKIAROOT', { active: false });
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('valid: an ordinary user with an active key', () => {
    const b = new GraphBuilder();
    b.accessKey(b.user('admin'), 'AKIAUSER');
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('invalid: root with an active key (critical, per key)', () => {
    const b = new GraphBuilder();
    const root = b.root();
    const k = b.accessKey(root, 'AKIAROOT', { createdAt: daysAgo(700), lastUsedAt: daysAgo(2) });
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', nodeId: root, discriminator: k });
    expect(findings[0].message).toContain('Root user of account 123456789012');
    expect(findings[0].message).toContain('AKIAROOT');
    expect(findings[0].evidence[0].data).toMatchObject({ credentialId: k, active: true });
  });
});
