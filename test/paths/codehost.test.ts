import { describe, expect, it } from 'vitest';
import { GITHUB_ANYONE, codeHostProducer } from '../../src/paths/codehost.js';
import type { BecomeEdge } from '../../src/paths/types.js';
import { ACCT, edge, Estate, GH, hops, NOW, OIDC_ARN, oidcTrust, roleArn, sub, workflow } from './codehost-fixtures.js';

const APP = 'github:repo:acme/app';
const OTHER = 'github:repo:acme/other';
const pushEdges = (edges: BecomeEdge[]) => edges.filter((e) => e.method === 'github-push-workflow');
const cloudEdges = (edges: BecomeEdge[]) => edges.filter((e) => e.method === 'github-oidc-assume-role');

describe('code hosts into clouds: push, then federate (GitHub → AWS)', () => {
  it('a deploy key with write on a repository whose workflow federates into an admin role reaches it in two hops', () => {
    const x = new Estate();
    x.gh.repo('acme/app', { defaultBranch: 'main' });
    const key = x.gh.deployKey('acme/app', 7, { readOnly: false, createdAt: '2025-01-01T00:00:00Z' });
    const admin = x.role('deploy-admin', oidcTrust(sub('repo:acme/app:ref:refs/heads/main')));
    x.workflow('acme/app', '.github/workflows/deploy.yml', workflow(roleArn('deploy-admin')));
    const edges = x.edges();
    expect(hops(edges, key, admin)).toBe(2);
    expect(edge(edges, key, APP)).toMatchObject({ method: 'github-push-workflow', decision: 'allowed', confidence: 'medium', statements: [] });
    // the push edge carries the branch the trust names, and says branch protection was not read
    expect(edge(edges, key, APP)!.dependsOn).toMatch(/^no branch protection on main .*not read by the scan/);
    expect(edge(edges, APP, admin)).toMatchObject({
      method: 'github-oidc-assume-role',
      decision: 'allowed',
      confidence: 'medium',
      unknownKeys: [],
      statements: [{ policyId: admin, policyName: 'deploy-admin trust policy', statementIndex: 0, kind: 'trust', effect: 'Allow', via: 'direct' }],
    });
    expect(edge(edges, APP, admin)!.dependsOn).toContain('a push to branch main (the default branch)');
  });

  it('a read-only deploy key gets no edge, so no path', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const key = x.gh.deployKey('acme/app', 8, { readOnly: true, createdAt: '2025-01-01T00:00:00Z' });
    const admin = x.role('deploy-admin', oidcTrust(sub('repo:acme/app:ref:refs/heads/main')));
    x.workflow('acme/app', '.github/workflows/deploy.yml', workflow(roleArn('deploy-admin')));
    const edges = x.edges();
    expect(edges.filter((e) => e.from === key)).toEqual([]);
    expect(hops(edges, key, admin)).toBeUndefined();
    expect(edge(edges, APP, admin)).toBeDefined(); // the repository still reaches the role
  });

  it.each<[string, Record<string, string>, 'all' | 'selected', 'medium' | 'low' | undefined]>([
    ['contents:read', { contents: 'read', metadata: 'read' }, 'all', undefined],
    ['workflows:write', { workflows: 'write', contents: 'read' }, 'all', 'medium'],
    ['contents:write only (cannot change workflow files)', { contents: 'write' }, 'all', 'low'],
    ['workflows:write but selected repositories the scan did not read', { workflows: 'write' }, 'selected', undefined],
  ])('an App installation with %s', (_label, permissions, selection, confidence) => {
    const x = new Estate();
    x.gh.repo('acme/app');
    x.gh.repo('acme/other');
    x.gh.repo('beta/elsewhere');
    const inst = x.gh.node({ id: 'github:app-installation:acme/11', kind: 'principal', platform: 'github', type: 'app-installation', name: 'ci-bot', scope: 'acme', accountType: 'service', attributes: { repositorySelection: selection, permissions } } as never);
    x.gh.edge('CAN_ACCESS', inst, 'github:org:acme', { permissions, repositorySelection: selection });
    const mine = pushEdges(x.edges()).filter((e) => e.from === inst);
    if (!confidence) {
      expect(mine).toEqual([]);
      return;
    }
    // every repository of the org the scan saw, and none of another owner
    expect(mine.map((e) => e.to).sort()).toEqual([APP, OTHER]);
    for (const e of mine) expect(e.confidence).toBe(confidence);
    if (confidence === 'low') expect(mine[0].dependsOn).toContain('contents write without workflows write cannot change workflow files');
  });

  it('an App installation with selected repositories that the graph names pushes to those only', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    x.gh.repo('acme/other');
    const inst = x.gh.node({ id: 'github:app-installation:acme/12', kind: 'principal', platform: 'github', type: 'app-installation', name: 'renovate', scope: 'acme', accountType: 'service', attributes: { repositorySelection: 'selected', repositories: ['app'], permissions: { workflows: 'write' } } } as never);
    x.gh.edge('CAN_ACCESS', inst, 'github:org:acme', { permissions: { workflows: 'write' }, repositorySelection: 'selected' });
    expect(pushEdges(x.edges()).filter((e) => e.from === inst).map((e) => e.to)).toEqual([APP]);
  });

  it('a suspended installation pushes nowhere', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const inst = x.gh.node({ id: 'github:app-installation:acme/13', kind: 'principal', platform: 'github', type: 'app-installation', name: 'old', scope: 'acme', accountType: 'service', disabled: true, attributes: { repositorySelection: 'all', permissions: { workflows: 'write' }, suspended: true } } as never);
    x.gh.edge('CAN_ACCESS', inst, 'github:org:acme', { permissions: { workflows: 'write' }, repositorySelection: 'all' });
    expect(pushEdges(x.edges())).toEqual([]);
  });

  it.each<[string, { selection: string; permissions: unknown; active: boolean }, boolean]>([
    ['all repositories, contents write', { selection: 'all', permissions: { repository: { contents: 'write' } }, active: true }, true],
    ['all repositories, contents read', { selection: 'all', permissions: { repository: { contents: 'read', metadata: 'read' } }, active: true }, false],
    ['a subset the scan did not read', { selection: 'subset', permissions: { repository: { workflows: 'write' } }, active: true }, false],
    ['expired', { selection: 'all', permissions: { repository: { workflows: 'write' } }, active: false }, false],
  ])('a fine-grained PAT grant: %s', (_label, t, pushes) => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const pat = x.gh.credential({ id: 'github:fine-grained-pat:acme/21', type: 'fine-grained-pat', name: 'release', credentialType: 'token', active: t.active, attributes: { owner: 'octo', repositorySelection: t.selection, permissions: t.permissions } });
    x.gh.edge('CAN_ACCESS', pat, 'github:org:acme', { permissions: t.permissions });
    expect(pushEdges(x.edges()).some((e) => e.from === pat && e.to === APP)).toBe(pushes);
  });

  it.each<[string, string[], boolean, 'medium' | 'low' | undefined]>([
    ['repo + workflow scopes, user can write', ['repo', 'workflow'], true, 'medium'],
    ['repo scope only: cannot change workflow files', ['repo'], true, 'low'],
    ['repo scope, but the graph does not say the user can write', ['repo', 'workflow'], false, undefined],
    ['read:org only', ['read:org'], true, undefined],
  ])('a SAML-authorised credential: %s', (_label, scopes, userCanWrite, confidence) => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const user = x.gh.node({ id: 'github:user:octo', kind: 'principal', platform: 'github', type: 'user', name: 'octo', scope: 'acme', accountType: 'human' } as never);
    const cred = x.gh.credential({ id: 'github:saml-credential:acme/31', type: 'saml-credential', name: 'octo token 31', credentialType: 'token', active: true, attributes: { login: 'octo', scopes } });
    x.gh.edge('HAS_CREDENTIAL', user, cred);
    if (userCanWrite) x.gh.edge('CAN_ACCESS', user, APP, { access: 'write' });
    const e = edge(x.edges(), cred, APP);
    if (!confidence) expect(e).toBeUndefined();
    else expect(e).toMatchObject({ method: 'github-push-workflow', confidence });
  });
});

describe('joining from the cloud side: trust sub patterns against the repositories the graph knows', () => {
  const estate = (subCondition: Parameters<typeof oidcTrust>[0], repos = ['acme/app', 'acme/other', 'acme/app-web', 'beta/app']) => {
    const x = new Estate();
    x.gh.org('beta');
    for (const r of repos) x.gh.repo(r);
    const role = x.role('r', oidcTrust(subCondition));
    return { x, role };
  };
  const from = (edges: BecomeEdge[], role: string) => cloudEdges(edges).filter((e) => e.to === role).map((e) => e.from).sort();

  it.each<[string, Parameters<typeof oidcTrust>[0], string[]]>([
    ['a branch of one repository (no workflow names the role)', sub('repo:acme/app:ref:refs/heads/main'), [APP]],
    ['exact match with StringEquals', sub('repo:acme/app:ref:refs/heads/main', 'StringEquals'), [APP]],
    ['case differs from the repository name', sub('repo:ACME/App:*'), [APP]],
    ['every repository of the owner', sub('repo:acme/*'), [APP, 'github:repo:acme/app-web', OTHER]],
    ['a name prefix', sub('repo:acme/app-*:*'), ['github:repo:acme/app-web']],
    ['one of several values', sub(['repo:acme/other:ref:refs/heads/main', 'repo:beta/app:pull_request']), [OTHER, 'github:repo:beta/app']],
    ['StringEquals takes `*` literally', sub('repo:acme/*', 'StringEquals'), []],
    ['a sub without a context matches no real token', sub('repo:acme/app'), []],
    ['another owner whose name starts alike', sub('repo:acme-corp/*'), []],
  ])('%s', (_label, cond, expected) => {
    const { x, role } = estate(cond);
    const edges = x.edges();
    expect(from(edges, role)).toEqual(expected);
    expect(edges.some((e) => e.from === GITHUB_ANYONE)).toBe(false);
  });

  it.each<[string, Parameters<typeof oidcTrust>[0]]>([
    ['no sub condition at all', undefined],
    ['any owner', sub('repo:*:ref:refs/heads/main')],
    ['an owner prefix anyone can register', sub('repo:acme*')],
    ['a leading wildcard', sub('*:environment:prod')],
  ])('anyone on GitHub: %s is one edge from the hub, not one per repository', (_label, cond) => {
    const { x, role } = estate(cond);
    const edges = x.edges();
    expect(edges.filter((e) => e.to === role)).toEqual([
      expect.objectContaining({ from: GITHUB_ANYONE, method: 'github-oidc-assume-role', decision: 'allowed', confidence: 'high' }),
    ]);
  });

  it('an unscoped trust still gives the repository whose workflow uses it its own edge (workflow side)', () => {
    const { x, role } = estate(undefined);
    x.workflow('acme/app', '.github/workflows/deploy.yml', workflow(roleArn('r')));
    const edges = x.edges();
    expect(edge(edges, GITHUB_ANYONE, role)).toBeDefined();
    expect(edge(edges, APP, role)).toMatchObject({ decision: 'allowed', confidence: 'high' });
    expect(edge(edges, OTHER, role)).toBeUndefined();
  });

  it.each<[string, Parameters<typeof oidcTrust>[0], Partial<BecomeEdge>, string | undefined]>([
    ['any branch: a new branch does it', sub('repo:acme/app:ref:refs/heads/*'), { confidence: 'high' }, undefined],
    ['a new branch under a prefix the trust names', sub('repo:acme/app:ref:refs/heads/feature/*'), { confidence: 'high' }, undefined],
    ['a named branch', sub('repo:acme/app:ref:refs/heads/release'), { confidence: 'medium' }, 'a push to branch release: no branch protection'],
    ['one branch of every repository of the owner (the name wildcard cannot reach into the branch)', sub('repo:acme/*:ref:refs/heads/main'), { confidence: 'medium' }, 'a push to branch main'],
    ['a new tag', sub('repo:acme/app:ref:refs/tags/v*'), { confidence: 'high' }, undefined],
    ['pull requests', sub('repo:acme/app:pull_request'), { confidence: 'medium' }, 'a pull request from a branch of the repository'],
    ['an environment', sub('repo:acme/app:environment:prod'), { confidence: 'medium' }, 'environment prod: no required reviewers'],
  ])('the route a pusher takes: %s', (_label, cond, expected, dependsOn) => {
    const { x, role } = estate(cond, ['acme/app']);
    const e = edge(x.edges(), APP, role);
    expect(e).toMatchObject({ decision: 'allowed', ...expected });
    if (dependsOn) expect(e!.dependsOn).toContain(dependsOn);
    else expect(e!.dependsOn).toBeUndefined();
  });

  it.each<[string, object, string[]]>([
    ['another condition key the scan cannot settle', oidcTrust({ ...sub('repo:acme/app:*'), IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), ['aws:SourceIp']],
    ['a negated sub next to the positive one', oidcTrust({ ...sub('repo:acme/*'), StringNotLike: { [`${GH}:sub`]: 'repo:acme/app:pull_request' } }), [`${GH}:sub`]],
    ['a Deny with a condition in the trust policy', oidcTrust(sub('repo:acme/app:*'), { extra: [{ Effect: 'Deny', Principal: { Federated: OIDC_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] }), ['aws:RequestedRegion']],
  ])('conditional, with the key named: %s', (_label, trust, keys) => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const role = x.role('r', trust);
    const e = edge(x.edges(), APP, role);
    expect(e).toMatchObject({ decision: 'conditional', confidence: 'low' });
    expect(e!.unknownKeys).toEqual(keys);
  });

  it.each<[string, object]>([
    ['a Deny without condition for the provider', oidcTrust(sub('repo:acme/app:*'), { extra: [{ Effect: 'Deny', Principal: { Federated: OIDC_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }] })],
    ['Null true on sub (never holds)', oidcTrust({ ...sub('repo:acme/app:*'), Null: { [`${GH}:sub`]: 'true' } })],
    ['an action other than AssumeRoleWithWebIdentity', oidcTrust(sub('repo:acme/app:*'), { action: 'sts:AssumeRole' })],
  ])('no edge: %s', (_label, trust) => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const role = x.role('r', trust);
    expect(x.edges().filter((e) => e.to === role)).toEqual([]);
  });

  it('a trust of another OIDC issuer links no repository', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const role = x.role('r', oidcTrust({ StringLike: { 'oidc.eks.eu-west-1.amazonaws.com/id/X:sub': 'repo:acme/app:*' } }, { host: 'oidc.eks.eu-west-1.amazonaws.com/id/X' }));
    expect(x.edges().filter((e) => e.to === role)).toEqual([]);
  });

  it('two statements: the best route of either links the repository, with both statements cited once per edge', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    const trust = oidcTrust(sub('repo:acme/app:environment:prod'), { extra: [{ Sid: 'Tags', Effect: 'Allow', Principal: { Federated: OIDC_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${GH}:sub`]: 'repo:acme/app:ref:refs/tags/*' } } }] });
    const role = x.role('r', trust);
    const edges = x.edges().filter((e) => e.to === role);
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({ from: APP, confidence: 'high', decision: 'allowed' });
    expect(edges[0].statements.map((s) => [s.statementIndex, s.sid])).toEqual([
      [1, 'Tags'],
      [0, undefined],
    ]);
  });

  it('a repository with a custom OIDC subject template: conditional, not judged', () => {
    const x = new Estate();
    x.gh.repo('acme/app', { oidcSubClaim: { useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] } });
    x.gh.repo('acme/other', { oidcSubClaim: { useDefault: false, includeClaimKeys: ['repository_owner_id', 'context'] } });
    const role = x.role('r', oidcTrust(sub('repo:acme/app:*')));
    const byOwnerId = x.role('by-owner-id', oidcTrust(sub('repository_owner_id:1234:*')));
    const edges = x.edges();
    expect(edge(edges, APP, role)).toMatchObject({ decision: 'conditional', confidence: 'low', unknownKeys: [`${GH}:sub`] });
    expect(edge(edges, APP, role)!.dependsOn).toContain('customises its OIDC subject');
    // the owner id is unknown to the scan: the repository whose template starts with it is a candidate, conditionally
    expect(edge(edges, OTHER, byOwnerId)).toMatchObject({ decision: 'conditional' });
    expect(edge(edges, APP, byOwnerId)).toBeUndefined();
  });

  it('from the workflow side: a role the scan did not see is a conditional, low-confidence edge', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    x.workflow('acme/app', '.github/workflows/deploy.yml', workflow('arn:aws:iam::999999999999:role/elsewhere'));
    const e = edge(x.edges(), APP, 'aws:iam-role:arn:aws:iam::999999999999:role/elsewhere');
    expect(e).toMatchObject({ method: 'github-oidc-assume-role', decision: 'conditional', confidence: 'low', unknownKeys: [`${GH}:sub`], statements: [] });
    expect(e!.dependsOn).toContain('.github/workflows/deploy.yml');
  });

  it('from the workflow side: a trust that rejects every subject of the repository gives no edge', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    x.role('r', oidcTrust(sub('repo:acme/other:*')));
    x.workflow('acme/app', '.github/workflows/deploy.yml', workflow(roleArn('r')));
    expect(cloudEdges(x.edges())).toEqual([]);
  });

  it('the producer has no admins of its own and yields the same edges as codeHostEdges', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    x.role('r', oidcTrust(sub('repo:acme/*')));
    const graph = x.build();
    const ctx = { graph, now: NOW, evaluator: undefined as never };
    expect([...codeHostProducer.admins(ctx)]).toEqual([]);
    expect([...codeHostProducer.edges(ctx)].map((e) => `${e.from} ${e.to}`)).toEqual([`${APP} aws:iam-role:arn:aws:iam::${ACCT}:role/r`]);
  });
});
