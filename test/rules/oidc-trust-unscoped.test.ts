import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/oidc-trust-unscoped.js';
import { GraphBuilder, runRule } from './builders.js';

type Conds = Record<string, Record<string, string | string[]>>;
const GH = 'token.actions.githubusercontent.com';
const AUD = { StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } };

function build(conditions: Conds | undefined, host = GH) {
  const b = new GraphBuilder();
  const provider = b.oidcProvider(host);
  const role = b.role('gha-deploy');
  b.canAssume(provider, role, { principalType: 'Federated', conditions });
  return { b, provider, role };
}

describe('oidc-trust-unscoped', () => {
  it.each<[string, Conds | undefined, string?]>([
    ['one repository and branch', { ...AUD, StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com', [`${GH}:sub`]: 'repo:acme/app:ref:refs/heads/main' } }],
    ['one repository, any ref (StringLike)', { ...AUD, StringLike: { [`${GH}:sub`]: 'repo:acme/app:*' } }],
    ['a custom claim layout (not judged)', { StringEquals: { [`${GH}:sub`]: 'repository_owner_id:123:repository_id:456' } }],
    ['another issuer entirely', undefined, 'gitlab.com'],
  ])('valid: %s', (_label, conditions, host) => {
    const { b } = build(conditions, host);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('valid: an org-wide pattern accepted by allowedSubPatterns', () => {
    const { b } = build({ ...AUD, StringLike: { [`${GH}:sub`]: 'repo:acme/*' } });
    expect(runRule(rule, b.graph, { allowedSubPatterns: ['repo:acme/*'] })).toEqual([]);
  });

  it.each<[string, Conds | undefined, string]>([
    ['no condition at all', undefined, 'no sub condition'],
    ['aud only', AUD, 'no sub condition'],
    ['sub only under a negated operator', { ...AUD, StringNotLike: { [`${GH}:sub`]: 'repo:evil/*' } }, 'no sub condition'],
    ['sub = *', { ...AUD, StringLike: { [`${GH}:sub`]: '*' } }, 'matches any repository'],
    ['sub = repo:*', { ...AUD, StringLike: { [`${GH}:sub`]: 'repo:*' } }, 'matches any repository'],
    ['wildcard owner', { ...AUD, StringLike: { [`${GH}:sub`]: ['repo:acme/app:*', 'repo:*/infra:*'] } }, 'repo:*/infra:*'],
  ])('invalid (critical): %s', (_label, conditions, text) => {
    const { b, provider, role } = build(conditions);
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', nodeId: role, path: [provider, role] });
    expect(findings[0].message).toContain('IAM role gha-deploy');
    expect(findings[0].message).toContain(text);
  });

  it('invalid (medium): any repository of one org, with its own message', () => {
    const { b } = build({ ...AUD, StringLike: { [`${GH}:sub`]: 'repo:acme/*' } });
    const [f] = runRule(rule, b.graph);
    expect(f.severity).toBe('medium');
    expect(f.message).toContain('every repository of acme');
    expect(f.evidence).toHaveLength(1);
  });

  it('notes a missing aud condition in the evidence', () => {
    const { b } = build({ StringLike: { [`${GH}:sub`]: 'repo:*' } });
    const [f] = runRule(rule, b.graph);
    expect(f.evidence).toHaveLength(2);
    expect(f.evidence[1].description).toContain(`${GH}:aud`);
  });

  it('condition keys match case-insensitively', () => {
    const { b } = build({ StringEquals: { 'Token.Actions.GitHubUserContent.com:Sub': 'repo:acme/app:ref:refs/heads/main', [`${GH}:aud`]: 'sts.amazonaws.com' } });
    expect(runRule(rule, b.graph)).toEqual([]);
  });
});
