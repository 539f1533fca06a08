import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/trust-any-principal.js';
import { ACCOUNT, GraphBuilder, runRule } from './builders.js';

type Conds = Record<string, Record<string, string | string[]>>;

describe('trust-any-principal', () => {
  it('valid: role trusted by a named account and a service', () => {
    const b = new GraphBuilder();
    const r = b.role('app');
    b.canAssume(b.account(), r).canAssume(b.servicePrincipal('ec2.amazonaws.com'), r, { principalType: 'Service' });
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it.each<[string, Conds | undefined]>([
    ['no condition', undefined],
    ['a condition that does not restrict the caller', { Bool: { 'aws:SecureTransport': 'true' } }],
    ['an IfExists org condition (passes for outsiders)', { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc' } }],
    ['a wildcard PrincipalArn', { ArnLike: { 'aws:PrincipalArn': '*' } }],
  ])('invalid (critical): Principal * with %s', (_label, conditions) => {
    const b = new GraphBuilder();
    const r = b.role('open');
    b.canAssume(b.anyone(), r, { principalType: '*', statementIndex: 2, conditions });
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', confidence: 'high', nodeId: r, path: ['aws:anyone:*', r] });
    expect(findings[0].message).toContain('IAM role open can be assumed by any AWS principal');
    expect(findings[0].evidence[0].data).toMatchObject({ statementIndex: 2 });
  });

  it.each<[string, Conds, string]>([
    ['org id', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }, 'aws:PrincipalOrgID'],
    ['account', { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } }, 'aws:PrincipalAccount'],
    ['external id', { StringEquals: { 'sts:ExternalId': 'vendor-42' } }, 'sts:ExternalId'],
  ])('invalid (medium, lower confidence): Principal * restricted by %s', (_label, conditions, key) => {
    const b = new GraphBuilder();
    const r = b.role('org-shared');
    b.canAssume(b.anyone(), r, { principalType: 'AWS', conditions });
    const [f] = runRule(rule, b.graph);
    expect(f).toMatchObject({ severity: 'medium', confidence: 'medium', discriminator: 'restricted' });
    expect(f.message).toContain(key);
  });
});
