import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/identity-unowned.js';
import { ADMIN_DOC, GraphBuilder, OTHER_ACCOUNT, runRule } from './builders.js';

describe('identity-unowned', () => {
  it.each<[string, (b: GraphBuilder) => void]>([
    ['role tagged owner', (b) => b.role('app', { tags: { owner: 'payments' } })],
    ['user tagged Team (any case)', (b) => b.user('ci', { tags: { TEAM: 'platform' } })],
    ['service-linked role', (b) => b.role('AWSServiceRoleForSupport', { path: '/aws-service-role/support.amazonaws.com/' })],
    ['group, root and OIDC provider are not identities', (b) => (b.group('g'), b.root(), b.oidcProvider('token.actions.githubusercontent.com'))],
    ['principal in an account outside the scan', (b) => (b.account(OTHER_ACCOUNT, false), b.role('theirs', { acct: OTHER_ACCOUNT }))],
  ])('valid: %s', (_label, build) => {
    const b = new GraphBuilder();
    b.account();
    build(b);
    expect(runRule(rule, b.deriveOwners())).toEqual([]);
  });

  it('invalid: role without tags (low)', () => {
    const b = new GraphBuilder();
    const r = b.role('orphan');
    const findings = runRule(rule, b.deriveOwners());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'low', nodeId: r, message: 'IAM role orphan has no owner tag' });
    expect(findings[0].evidence[0].data).toMatchObject({ tagKeys: [] });
  });

  it('invalid: empty owner tag value and unrelated tags', () => {
    const b = new GraphBuilder();
    b.user('ci', { tags: { owner: ' ', env: 'prod' } });
    const [f] = runRule(rule, b.deriveOwners());
    expect(f.evidence[0].description).toContain('tags: owner, env');
  });

  it('invalid: unowned and admin-equivalent is high, and says so', () => {
    const b = new GraphBuilder();
    const r = b.role('deployer');
    b.attach(r, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
    const [f] = runRule(rule, b.deriveOwners());
    expect(f.severity).toBe('high');
    expect(f.message).toContain('admin-equivalent');
    expect(f.evidence[1].description).toContain('AdministratorAccess');
  });

  it('ownerTagKeys option decides which tags count', () => {
    const b = new GraphBuilder();
    b.role('app', { tags: { CostCenter: 'cc-1' } });
    expect(runRule(rule, b.graph)).toHaveLength(1);
    expect(runRule(rule, b.graph, { ownerTagKeys: ['costcenter'] })).toEqual([]);
  });

  it('an OWNED_BY edge counts even when the tag key is not configured', () => {
    const b = new GraphBuilder();
    b.role('app', { tags: { steward: 'data' } });
    const g = b.deriveOwners(['steward']);
    expect(runRule(rule, g)).toEqual([]);
  });
});
