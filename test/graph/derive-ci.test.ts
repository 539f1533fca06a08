import { describe, expect, it } from 'vitest';
import { deriveCiLinks, globsOverlap } from '../../src/graph/derive-ci.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { workflowRecords } from '../../src/ci/workflow.js';

const prov = [{ connector: 't', source: 't', observedAt: '2026-01-01T00:00:00.000Z' }];
const secret = (id: string, attributes: Record<string, unknown> = {}): GraphRecord => ({
  type: 'node',
  node: { id, kind: 'credential', platform: id.split(':')[0], type: id.split(':')[1], name: id.split('/').pop()!, credentialType: 'secret', active: true, attributes, provenance: prov },
});
const repo = (name: string, visibility: string): GraphRecord => ({ type: 'node', node: { id: `github:repo:${name}`, kind: 'resource', platform: 'github', type: 'repo', name, attributes: { visibility }, provenance: prov } });
const wf = (text: string, r = 'acme/app') => workflowRecords({ repo: r, path: '.github/workflows/w.yml', text, connector: 't', source: 't', observedAt: prov[0].observedAt });
const WF = `on: push
jobs:
  deploy:
    runs-on: x
    environment: prod
    steps:
      - run: echo \${{ secrets.TOKEN }}
  build:
    runs-on: x
    steps:
      - run: echo \${{ secrets.TOKEN }} \${{ secrets.ORG_ONLY }}
`;
const uses = (g: IdentityGraph) => g.out('github:workflow:acme/app/.github/workflows/w.yml', 'USES_SECRET').map((e) => e.to).sort();

describe('deriveCiLinks: secrets', () => {
  it('environment secret for the job with that environment, repository secret for the others, org secret as fallback', () => {
    const g = IdentityGraph.from([
      ...wf(WF),
      repo('acme/app', 'private'),
      secret('github:actions-secret:env:acme/app/prod/TOKEN'),
      secret('github:actions-secret:repo:acme/app/TOKEN'),
      secret('github:actions-secret:org:acme/TOKEN', { visibility: 'all' }),
      secret('github:actions-secret:org:acme/ORG_ONLY', { visibility: 'private' }),
    ]);
    deriveCiLinks(g);
    expect(uses(g)).toEqual(['github:actions-secret:env:acme/app/prod/TOKEN', 'github:actions-secret:org:acme/ORG_ONLY', 'github:actions-secret:repo:acme/app/TOKEN']);
    expect(g.in('github:actions-secret:org:acme/TOKEN', 'USES_SECRET')).toEqual([]); // shadowed by the repository secret
    deriveCiLinks(g);
    expect(uses(g)).toHaveLength(3); // idempotent
  });

  it.each([
    ['private', 'public', false],
    ['private', 'private', true],
    ['selected', 'private', false],
    ['all', 'public', true],
  ])('org secret with visibility %s, repository %s → used: %s', (visibility, repoVisibility, used) => {
    const g = IdentityGraph.from([...wf(WF), repo('acme/app', repoVisibility), secret('github:actions-secret:org:acme/ORG_ONLY', { visibility, selectedRepositories: ['other'] })]);
    deriveCiLinks(g);
    expect(uses(g).includes('github:actions-secret:org:acme/ORG_ONLY')).toBe(used);
  });

  it('GitLab: project variables first, then the nearest ancestor group that defines the key', () => {
    const pipeline: GraphRecord = {
      type: 'node',
      node: { id: 'gitlab:pipeline:acme/team/api/.gitlab-ci.yml', kind: 'workload', platform: 'gitlab', type: 'pipeline', name: 'api', attributes: { project: 'acme/team/api', secretRefs: [{ name: 'DEPLOY_TOKEN', line: 3 }, { name: 'SHARED', line: 4 }] }, provenance: prov },
    };
    const g = IdentityGraph.from([
      pipeline,
      secret('gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@*'),
      secret('gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production'),
      secret('gitlab:ci-variable:acme/SHARED@*'),
      secret('gitlab:ci-variable:acme/team/SHARED@*'),
    ]);
    deriveCiLinks(g);
    expect(g.out('gitlab:pipeline:acme/team/api/.gitlab-ci.yml', 'USES_SECRET').map((e) => e.to).sort()).toEqual([
      'gitlab:ci-variable:acme/team/SHARED@*',
      'gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@*',
      'gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production',
    ]);
  });
});

describe('deriveCiLinks: federation trust', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/deploy';
  const OIDC = 'aws:oidc-provider:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
  const DEPLOY = `on:\n  push:\n    branches: [main]\npermissions:\n  id-token: write\njobs:\n  d:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${ROLE}\n`;
  const graphWith = (sub?: string): IdentityGraph => {
    const records: GraphRecord[] = [...wf(DEPLOY)];
    records.push({ type: 'node', node: { id: `aws:iam-role:${ROLE}`, kind: 'principal', platform: 'aws', type: 'iam-role', name: 'deploy', accountType: 'service', provenance: prov } });
    records.push({ type: 'node', node: { id: OIDC, kind: 'principal', platform: 'aws', type: 'oidc-provider', name: 'gh', accountType: 'system', attributes: { url: 'token.actions.githubusercontent.com' }, provenance: prov } });
    records.push({ type: 'edge', edge: { type: 'CAN_ASSUME', from: OIDC, to: `aws:iam-role:${ROLE}`, attributes: sub ? { conditions: { StringLike: { 'token.actions.githubusercontent.com:sub': sub } } } : {}, provenance: prov } });
    return IdentityGraph.from(records);
  };
  const fed = (g: IdentityGraph) => g.out('github:workflow:acme/app/.github/workflows/w.yml', 'FEDERATES_TO')[0];

  it.each([
    [undefined, true],
    ['repo:acme/app:ref:refs/heads/main', true],
    ['repo:acme/app:*', true],
    ['repo:acme/app:environment:prod', false],
    ['repo:acme/other:ref:refs/heads/main', false],
  ])('trust sub %s → trustMatches %s', (sub, matches) => {
    const g = graphWith(sub);
    deriveCiLinks(g);
    expect(fed(g).attributes?.trustMatches).toBe(matches);
  });

  it('a customised OIDC subject on the repository → trustMatches unknown (the sub format is not the default)', () => {
    const g = graphWith('repo:acme/other:ref:refs/heads/main');
    g.addNode({ id: 'github:repo:acme/app', kind: 'resource', platform: 'github', type: 'repo', name: 'acme/app', attributes: { oidcSubClaim: { useDefault: false, includeClaimKeys: ['repository_owner_id', 'repository_id'] } }, provenance: prov });
    deriveCiLinks(g);
    expect(fed(g).attributes).not.toHaveProperty('trustMatches');
    expect(fed(g).attributes?.customOidcSubject).toBe(true);
  });

  it('role not in the graph → trustMatches stays unknown', () => {
    const g = IdentityGraph.from(wf(DEPLOY));
    deriveCiLinks(g);
    expect(fed(g).attributes).not.toHaveProperty('trustMatches');
  });

  it.each([
    ['repo:a/b:ref:refs/heads/*', 'repo:a/b:ref:refs/heads/main', true],
    ['repo:a/b:pull_request', 'repo:a/*', true],
    ['repo:a/b:pull_request', 'repo:a/b:ref:*', false],
  ])('globsOverlap(%s, %s) = %s', (a, b, v) => expect(globsOverlap(a, b)).toBe(v));
});
