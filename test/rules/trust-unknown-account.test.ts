import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/trust-unknown-account.js';
import { ACCOUNT, GraphBuilder, OTHER_ACCOUNT, arn, runRule } from './builders.js';

describe('trust-unknown-account', () => {
  it.each<[string, (b: GraphBuilder, role: string) => void]>([
    ['trust from the role\'s own account', (b, r) => b.canAssume(`aws:account:${ACCOUNT}`, r)],
    ['trust from another scanned account', (b, r) => b.canAssume(b.account('111122223333', true), r)],
    ['trust from a service principal', (b, r) => b.canAssume(b.servicePrincipal('lambda.amazonaws.com'), r, { principalType: 'Service' })],
    ['trust from anyone (another rule)', (b, r) => b.canAssume(b.anyone(), r)],
  ])('valid: %s', (_label, build) => {
    const b = new GraphBuilder();
    b.account();
    const r = b.role('app');
    build(b, r);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('valid: a foreign account on the allowed list', () => {
    const b = new GraphBuilder();
    const r = b.role('vendor');
    b.canAssume(b.account(OTHER_ACCOUNT, false), r);
    expect(runRule(rule, b.graph, { allowedAccounts: [OTHER_ACCOUNT] })).toEqual([]);
  });

  it('invalid (high): a foreign account root without sts:ExternalId', () => {
    const b = new GraphBuilder();
    const r = b.role('vendor');
    const acct = b.account(OTHER_ACCOUNT, false);
    b.canAssume(acct, r, { statementIndex: 1 });
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'high', nodeId: r, discriminator: acct, path: [acct, r] });
    expect(findings[0].message).toContain(`account ${OTHER_ACCOUNT}`);
    expect(findings[0].message).toContain('no sts:ExternalId');
    expect(findings[0].evidence[0].data).toMatchObject({ account: OTHER_ACCOUNT, statementIndex: 1, externalIdRequired: false });
  });

  it('invalid (medium): a foreign account root that requires an external id', () => {
    const b = new GraphBuilder();
    const r = b.role('vendor');
    b.canAssume(`aws:root:${OTHER_ACCOUNT}`, r, { conditions: { StringEquals: { 'sts:ExternalId': 'abc-123' } } });
    const [f] = runRule(rule, b.graph);
    expect(f.severity).toBe('medium');
    expect(f.evidence[0].data).toMatchObject({ externalIdRequired: true });
  });

  it('invalid (medium): a role in an unknown account (no account node at all)', () => {
    const b = new GraphBuilder();
    const r = b.role('shared');
    const foreignRole = `aws:iam-role:${arn.role('deployer', OTHER_ACCOUNT)}`;
    b.canAssume(foreignRole, r);
    const [f] = runRule(rule, b.graph);
    expect(f).toMatchObject({ severity: 'medium', discriminator: foreignRole });
    expect(f.message).toContain(`role ${arn.role('deployer', OTHER_ACCOUNT)} in account ${OTHER_ACCOUNT}`);
  });
});
