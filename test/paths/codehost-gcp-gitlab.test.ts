import { describe, expect, it } from 'vitest';
import type { GcpBinding, GcpWifProvider } from '../../connectors/gcp/map.js';
import { GITHUB_ANYONE, GITLAB_ANYONE } from '../../src/paths/codehost.js';
import { edge, edgesOf, Estate, oidcTrust, sub } from './codehost-fixtures.js';
import { GitHubBuilder } from '../rules/github-builders.js';

const POOL = 'projects/123456789/locations/global/workloadIdentityPools/gh';
const SA = 'deployer@demo-proj.iam.gserviceaccount.com';
const SA_ID = `gcp:service-account:${SA}`;
const APP = 'github:repo:acme/app';
const OTHER = 'github:repo:acme/other';
const set = (attr: string, value: string) => `principalSet://iam.googleapis.com/${POOL}/attribute.${attr}/${value}`;
const WHOLE_POOL = `principalSet://iam.googleapis.com/${POOL}/*`;
const subject = (s: string) => `principal://iam.googleapis.com/${POOL}/subject/${s}`;

function gcp(member: string, opts: { condition?: string; mapping?: Record<string, string>; role?: string; bindingCondition?: GcpBinding['condition']; issuer?: string; projectRole?: boolean } = {}) {
  const x = new Estate();
  x.gh.org('beta');
  for (const r of ['acme/app', 'acme/other', 'beta/app']) x.gh.repo(r);
  const provider: GcpWifProvider = {
    name: `${POOL}/providers/github`,
    attributeMapping: opts.mapping ?? { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository', 'attribute.repository_owner': 'assertion.repository_owner' },
    oidc: { issuerUri: opts.issuer ?? 'https://token.actions.githubusercontent.com' },
  };
  if (opts.condition !== undefined) provider.attributeCondition = opts.condition;
  x.gcpProject({
    serviceAccounts: [{ email: SA, projectId: 'demo-proj', uniqueId: '1' }],
    pools: [{ name: POOL }],
    providers: [provider],
    saPolicies: { [SA]: { bindings: [{ role: opts.role ?? 'roles/iam.workloadIdentityUser', members: [member], ...(opts.bindingCondition ? { condition: opts.bindingCondition } : {}) }] } },
    ...(opts.projectRole ? { policy: { bindings: [{ role: 'roles/owner', members: [member] }] } } : {}),
  });
  return x;
}
const into = (x: Estate, to = SA_ID) =>
  x
    .edges()
    .filter((e) => e.to === to && e.method.startsWith('gcp-'))
    .map((e) => e.from)
    .sort();

describe('GitHub → GCP through workload identity federation', () => {
  it.each<[string, string, { condition?: string; mapping?: Record<string, string> }, string[]]>([
    ['a principal set naming the repository', set('repository', 'acme/app'), {}, [APP]],
    ['a principal set naming the owner', set('repository_owner', 'acme'), {}, [APP, OTHER]],
    ['the whole pool, the condition names the owner', WHOLE_POOL, { condition: "assertion.repository_owner == 'acme'" }, [APP, OTHER]],
    ['the whole pool, the condition lists repositories', WHOLE_POOL, { condition: "assertion.repository in ['acme/other', 'beta/app']" }, [OTHER, 'github:repo:beta/app']],
    ['the whole pool, a disjunction on one claim', WHOLE_POOL, { condition: "assertion.repository == 'acme/app' || assertion.repository == 'beta/app'" }, [APP, 'github:repo:beta/app']],
    ['the whole pool, startsWith on the repository', WHOLE_POOL, { condition: "assertion.repository.startsWith('acme/o')" }, [OTHER]],
    ['a subject naming a branch', subject('repo:acme/app:ref:refs/heads/main'), {}, [APP]],
    ['a custom attribute mapped from the repository claim', set('repo', 'acme/other'), { mapping: { 'google.subject': 'assertion.sub', 'attribute.repo': 'assertion.repository' } }, [OTHER]],
    ['a principal set whose repository the condition excludes', set('repository_owner', 'acme'), { condition: "assertion.repository == 'acme/other'" }, [OTHER]],
    ['an attribute mapped from an expression the scan cannot read', set('repo', 'acme/app'), { mapping: { 'google.subject': 'assertion.sub', 'attribute.repo': "assertion.repository.lowerAscii()" } }, []],
  ])('%s', (_label, member, opts, expected) => {
    const x = gcp(member, opts);
    expect(into(x)).toEqual(expected);
  });

  it('a named branch in the subject: medium confidence, the branch in dependsOn', () => {
    const e = edge(gcp(subject('repo:acme/app:ref:refs/heads/main')).edges(), APP, SA_ID);
    expect(e).toMatchObject({ method: 'gcp-wif-impersonate', decision: 'allowed', confidence: 'medium' });
    expect(e!.dependsOn).toContain('a push to branch main');
    expect(e!.statements[0]).toMatchObject({ policyName: 'roles/iam.workloadIdentityUser', kind: 'trust' });
  });

  it('the whole pool of a provider without a condition: anyone on GitHub', () => {
    const edges = gcp(WHOLE_POOL).edges().filter((e) => e.to === SA_ID);
    expect(edges).toEqual([expect.objectContaining({ from: GITHUB_ANYONE, method: 'gcp-wif-impersonate', decision: 'allowed' })]);
  });

  it('a condition only on claims the pusher controls (the ref) restricts nobody', () => {
    const edges = gcp(WHOLE_POOL, { condition: "assertion.ref == 'refs/heads/main'" }).edges().filter((e) => e.to === SA_ID);
    expect(edges.map((e) => e.from)).toEqual([GITHUB_ANYONE]);
  });

  it('a condition on the ref next to the repository: the branch is the route', () => {
    const e = edge(gcp(set('repository', 'acme/app'), { condition: "assertion.ref == 'refs/heads/release' && assertion.repository_owner == 'acme'" }).edges(), APP, SA_ID);
    expect(e).toMatchObject({ confidence: 'medium', decision: 'allowed' });
    expect(e!.dependsOn).toContain('a push to branch release');
  });

  it.each<[string, string, string[]]>([
    ['a condition the parser cannot read', "assertion.repository.matches('^acme/')", ['attributeCondition']],
    ['a condition on the owner id, which the scan does not know', "assertion.repository_owner_id == '123'", ['assertion.repository_owner_id']],
  ])('conditional: %s', (_label, condition, keys) => {
    const e = edge(gcp(set('repository', 'acme/app'), { condition }).edges(), APP, SA_ID);
    expect(e).toMatchObject({ decision: 'conditional', confidence: 'low', unknownKeys: keys });
  });

  it.each<[string, { role?: string; bindingCondition?: GcpBinding['condition'] }, 'allowed' | 'conditional' | undefined]>([
    ['serviceAccountUser only (actAs, no token)', { role: 'roles/iam.serviceAccountUser' }, undefined],
    ['serviceAccountTokenCreator', { role: 'roles/iam.serviceAccountTokenCreator' }, 'allowed'],
    ['a binding that expired before the as-of time', { bindingCondition: { title: 'old', expression: "request.time < timestamp('2026-01-01T00:00:00Z')" } }, undefined],
    ['a binding valid until after the as-of time', { bindingCondition: { title: 'until', expression: "request.time < timestamp('2027-01-01T00:00:00Z')" } }, 'allowed'],
    ['a binding condition on something else', { bindingCondition: { title: 'tag', expression: "resource.name.endsWith('x')" } }, 'conditional'],
  ])('the binding: %s', (_label, opts, decision) => {
    const e = edge(gcp(set('repository', 'acme/app'), opts).edges(), APP, SA_ID);
    if (!decision) expect(e).toBeUndefined();
    else expect(e).toMatchObject({ decision });
  });

  it('a federated principal set that holds roles on the project itself: gcp-wif-federate to the principal', () => {
    const member = set('repository', 'acme/app');
    const e = edge(gcp(member, { projectRole: true }).edges(), APP, `gcp:wif-principal:${member}`);
    expect(e).toMatchObject({ method: 'gcp-wif-federate', decision: 'allowed' });
  });

  it('a provider of another issuer links nothing', () => {
    expect(into(gcp(set('repository', 'acme/app'), { issuer: 'https://oidc.example.com' }))).toEqual([]);
  });

  it('from the workflow side: a service account the scan did not see is conditional', () => {
    const x = new Estate();
    x.gh.repo('acme/app');
    x.workflow('acme/app', '.github/workflows/gcp.yml', `on: push
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: ${POOL}/providers/github
          service_account: ${SA}
`);
    expect(edge(x.edges(), APP, SA_ID)).toMatchObject({ method: 'gcp-wif-impersonate', decision: 'conditional', confidence: 'low' });
  });
});

describe('GitLab: push access and OIDC into AWS', () => {
  const gl = () => {
    const b = new GitHubBuilder();
    const project = (path: string) => b.node({ id: `gitlab:project:${path}`, kind: 'resource', platform: 'gitlab', type: 'project', name: path, scope: 'acme' } as never);
    b.node({ id: 'gitlab:group:acme', kind: 'resource', platform: 'gitlab', type: 'group', name: 'acme', scope: 'acme' } as never);
    for (const p of ['acme/app', 'acme/sub/lib', 'other/x']) project(p);
    const token = (id: string, scopes: string[], accessLevel: number, to: string, active = true) => {
      b.credential({ id, platform: 'gitlab', type: 'access-token', name: id, credentialType: 'token', active, attributes: { scopes, accessLevel } });
      b.edge('CAN_ACCESS', id, to, { scopes, accessLevel });
      return id;
    };
    return { b, token };
  };
  const push = (g: ReturnType<typeof gl>, from: string) =>
    edgesOf(g.b.graph)
      .filter((e) => e.from === from && e.method === 'gitlab-push-pipeline')
      .map((e) => e.to)
      .sort();

  it.each<[string, string[], number, string, string[]]>([
    ['a project token with write_repository, Developer', ['write_repository'], 30, 'gitlab:project:acme/app', ['gitlab:project:acme/app']],
    ['a project token with api, Maintainer', ['api'], 40, 'gitlab:project:acme/app', ['gitlab:project:acme/app']],
    ['a project token with read_repository', ['read_repository', 'read_api'], 40, 'gitlab:project:acme/app', []],
    ['a project token with write_repository, Reporter', ['write_repository'], 20, 'gitlab:project:acme/app', []],
    ['a group token with write_repository: every project under the group', ['write_repository'], 40, 'gitlab:group:acme', ['gitlab:project:acme/app', 'gitlab:project:acme/sub/lib']],
  ])('%s', (_label, scopes, level, to, expected) => {
    const g = gl();
    const t = g.token('gitlab:access-token:t/1', scopes, level, to);
    expect(push(g, t)).toEqual(expected);
  });

  it('a Developer token says it cannot push to protected branches', () => {
    const g = gl();
    const t = g.token('gitlab:access-token:t/2', ['write_repository'], 30, 'gitlab:project:acme/app');
    expect(edge(edgesOf(g.b.graph), t, 'gitlab:project:acme/app')!.dependsOn).toContain('Developer access pushes only to unprotected branches');
  });

  it('a revoked token pushes nowhere', () => {
    const g = gl();
    const t = g.token('gitlab:access-token:t/3', ['write_repository'], 40, 'gitlab:project:acme/app', false);
    expect(push(g, t)).toEqual([]);
  });

  it.each<[string, boolean, string[]]>([
    ['a deploy key that can push', true, ['gitlab:project:acme/app']],
    ['a deploy key that cannot', false, []],
  ])('%s', (_label, canPush, expected) => {
    const g = gl();
    const k = g.b.credential({ id: 'gitlab:deploy-key:acme/app/5', platform: 'gitlab', type: 'deploy-key', name: 'k', credentialType: 'ssh-key', active: true, attributes: { canPush, project: 'acme/app' } });
    g.b.edge('CAN_ACCESS', k, 'gitlab:project:acme/app', { access: canPush ? 'write' : 'read' });
    expect(push(g, k)).toEqual(expected);
  });

  it('a deploy token never pushes (GitLab has no write_repository scope for them)', () => {
    const g = gl();
    const t = g.b.credential({ id: 'gitlab:deploy-token:acme/app/9', platform: 'gitlab', type: 'deploy-token', name: 'd', credentialType: 'token', active: true, attributes: { scopes: ['read_repository', 'write_registry'] } });
    g.b.edge('CAN_ACCESS', t, 'gitlab:project:acme/app', { scopes: ['read_repository', 'write_registry'] });
    expect(push(g, t)).toEqual([]);
  });

  it.each<[string, Parameters<typeof oidcTrust>[0], string[]]>([
    ['one project, the main branch', sub('project_path:acme/app:ref_type:branch:ref:main', 'StringLike', 'gitlab.com'), ['gitlab:project:acme/app']],
    ['every project under a group, subgroups too', sub('project_path:acme/*', 'StringLike', 'gitlab.com'), ['gitlab:project:acme/app', 'gitlab:project:acme/sub/lib']],
    ['no sub condition: anyone on gitlab.com', undefined, [GITLAB_ANYONE]],
  ])('a role trusting gitlab.com: %s', (_label, cond, expected) => {
    const x = new Estate();
    for (const p of ['acme/app', 'acme/sub/lib', 'other/x']) x.gh.node({ id: `gitlab:project:${p}`, kind: 'resource', platform: 'gitlab', type: 'project', name: p, scope: 'acme' } as never);
    const role = x.role('gl', oidcTrust(cond, { host: 'gitlab.com' }));
    const edges = x.edges().filter((e) => e.to === role);
    expect(edges.map((e) => e.from).sort()).toEqual(expected);
    for (const e of edges) expect(e.method).toBe('gitlab-oidc-assume-role');
    if (expected[0] === 'gitlab:project:acme/app' && expected.length === 1) expect(edges[0].dependsOn).toContain('GitLab protects the default branch by default');
  });
});
