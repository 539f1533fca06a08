import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/multiple-active-keys.js';
import { GraphBuilder, runRule } from './builders.js';

describe('multiple-active-keys', () => {
  it.each<[string, boolean[]]>([
    ['no keys', []],
    ['one active key', [true]],
    ['one active and one inactive key', [true, false]],
  ])('valid: %s', (_label, keys) => {
    const b = new GraphBuilder();
    const u = b.user('svc');
    keys.forEach((active, i) => b.accessKey(u, `AKIA${i}`, { active }));
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('invalid: two active keys', () => {
    const b = new GraphBuilder();
    const u = b.user('svc');
    b.accessKey(u, 'AKIAFIRST', { active: true });
    b.accessKey(u, 'AKIASECOND', { active: true });
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'low', nodeId: u, discriminator: 'access-key' });
    expect(findings[0].message).toContain('IAM user svc has 2 active access keys');
    expect(findings[0].message).toContain('AKIAFIRST');
    expect(findings[0].evidence.map((e) => e.data?.credentialId)).toEqual(['aws:access-key:AKIAFIRST', 'aws:access-key:AKIASECOND']);
  });

  it('counts each type separately and only types in the option', () => {
    const b = new GraphBuilder();
    const u = b.user('svc');
    b.accessKey(u, 'AKIAFIRST');
    b.password(u);
    expect(runRule(rule, b.graph)).toEqual([]);
    b.accessKey(u, 'AKIASECOND');
    expect(runRule(rule, b.graph, { types: ['service-account-key'] })).toEqual([]);
  });
});
