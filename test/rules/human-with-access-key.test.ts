import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/human-with-access-key.js';
import { GraphBuilder, runRule } from './builders.js';

describe('human-with-access-key', () => {
  it.each<[string, (b: GraphBuilder) => void]>([
    ['password, no key', (b) => b.password(b.user('alice', { passwordEnabled: true }))],
    ['key, no password', (b) => b.accessKey(b.user('ci', { passwordEnabled: false }), 'AKIA1')],
    [
      'password and an inactive key',
      (b) => {
        const u = b.user('alice', { passwordEnabled: true });
        b.accessKey(u, 'AKIA1', { active: false });
      },
    ],
    [
      'inactive password credential and a key',
      (b) => {
        const u = b.user('ci');
        b.password(u, { active: false });
        b.accessKey(u, 'AKIA1');
      },
    ],
    ['a role is never a console user', (b) => b.role('app')],
  ])('valid: %s', (_label, build) => {
    const b = new GraphBuilder();
    build(b);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('invalid: passwordEnabled attribute plus an active key', () => {
    const b = new GraphBuilder();
    const u = b.user('alice', { passwordEnabled: true, mfaActive: true });
    b.accessKey(u, 'AKIAALICE');
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'medium', nodeId: u });
    expect(findings[0].message).toContain('IAM user alice');
    expect(findings[0].message).toContain('AKIAALICE');
    expect(findings[0].message).not.toContain('no MFA');
    expect(findings[0].evidence[0].data).toMatchObject({ passwordEnabled: true });
  });

  it('invalid: active password credential plus two keys, without MFA', () => {
    const b = new GraphBuilder();
    const u = b.user('bob', { mfaActive: false });
    const pw = b.password(u);
    b.accessKey(u, 'AKIA1');
    b.accessKey(u, 'AKIA2');
    const [f] = runRule(rule, b.graph);
    expect(f.message).toContain('2 active access keys');
    expect(f.message).toContain('no MFA');
    expect(f.evidence.map((e) => e.data?.credentialId ?? null)).toEqual([pw, 'aws:access-key:AKIA1', 'aws:access-key:AKIA2', null]);
  });
});
