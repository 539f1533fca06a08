/** A seeded synthetic GitHub organisation for tests and API-call measurements. */
import type { FakeOrg, FakeRepo } from './server.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const DEPLOY_WF = (role: string) => `name: deploy
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${role}
          aws-region: us-east-1
      - run: ./deploy.sh
        env:
          SLACK_WEBHOOK: \${{ secrets.SLACK_WEBHOOK }}
`;
const LEGACY_WF = `name: legacy
on: workflow_dispatch
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
`;
const CI_WF = `name: ci
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm ci && npm test
        env:
          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
`;

export function makeSyntheticOrg(opts: { repos: number; seed: number; login?: string; asOf?: string }): FakeOrg {
  const r = rng(opts.seed);
  const login = opts.login ?? 'acme';
  const asOf = Date.parse(opts.asOf ?? '2026-11-01T00:00:00Z');
  const ago = (days: number) => new Date(asOf - Math.round(days) * 86400_000).toISOString().replace('.000Z', 'Z');
  const repos: FakeRepo[] = [];
  for (let i = 0; i < opts.repos; i++) {
    const name = `service-${String(i).padStart(3, '0')}`;
    const pub = r() < 0.2;
    const workflows = [{ path: '.github/workflows/ci.yml', text: CI_WF }];
    if (r() < 0.5) workflows.push({ path: '.github/workflows/deploy.yml', text: DEPLOY_WF(`arn:aws:iam::123456789012:role/deploy-${name}`) });
    if (i % 7 === 0 || r() < 0.15) workflows.push({ path: '.github/workflows/legacy.yml', text: LEGACY_WF });
    repos.push({
      name,
      visibility: pub ? 'public' : 'private',
      archived: r() < 0.05,
      keys: r() < 0.4 ? [{ id: 1000 + i, title: `deploy-${name}`, readOnly: r() < 0.5, created: ago(30 + r() * 900), lastUsed: r() < 0.3 ? null : ago(r() * 400) }] : [],
      secrets: [
        { name: 'NPM_TOKEN', created: ago(200 + r() * 600), updated: ago(r() * 400) },
        ...(r() < 0.3 ? [{ name: 'OLD_UNUSED_TOKEN', created: ago(900), updated: ago(800) }] : []),
        ...(workflows.some((w) => w.path.endsWith('legacy.yml')) ? [{ name: 'AWS_ACCESS_KEY_ID', created: ago(700), updated: ago(700) }, { name: 'AWS_SECRET_ACCESS_KEY', created: ago(700), updated: ago(700) }] : []),
      ],
      environments: workflows.some((w) => w.path.endsWith('deploy.yml')) ? [{ name: 'production', secrets: [{ name: 'SLACK_WEBHOOK', created: ago(300), updated: ago(100) }] }] : [],
      hooks: r() < 0.3 ? [{ id: 5000 + i, events: ['push'], active: true, url: `https://ci.example.com/hook?token=abc${i}`, ...(r() < 0.5 ? { secret: `whsec-${i}-do-not-leak` } : {}) }] : [],
      runners: pub && r() < 0.3 ? [{ id: 7000 + i, name: `runner-${name}`, os: 'linux', status: 'online', labels: ['self-hosted', 'linux'] }] : [],
      workflows,
      ...(i % 10 === 4 ? { oidcSub: { useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] } } : {}),
    });
  }
  return {
    login,
    defaultWorkflowPermissions: 'write',
    canApprovePullRequestReviews: true,
    repos,
    secrets: [
      { name: 'SLACK_WEBHOOK', created: ago(800), updated: ago(500), visibility: 'all' },
      { name: 'SONAR_TOKEN', created: ago(600), updated: ago(600), visibility: 'private' },
      { name: 'RELEASE_KEY', created: ago(300), updated: ago(30), visibility: 'selected', selected: repos.slice(0, 3).map((x) => x.name) },
    ],
    dependabotSecrets: [
      { name: 'NPM_READ_TOKEN', created: ago(400), updated: ago(400), visibility: 'private' },
      { name: 'PRIVATE_REGISTRY_TOKEN', created: ago(250), updated: ago(250), visibility: 'selected', selected: repos.slice(0, 2).map((x) => x.name) },
    ],
    codespacesSecrets: [{ name: 'DEV_DB_PASSWORD', created: ago(150), updated: ago(150), visibility: 'all' }],
    oidcSubClaimKeys: [],
    hooks: [
      { id: 1, events: ['*'], active: true, url: 'https://audit.example.com/github', secret: 'org-hook-secret-do-not-leak' },
      { id: 2, events: ['push'], active: true, url: 'http://legacy.example.com/hook', insecureSsl: true },
    ],
    runners: [{ id: 1, name: 'org-runner-1', os: 'linux', status: 'online', labels: ['self-hosted', 'linux', 'x64'], groupId: 1 }],
    runnerGroups: [{ id: 1, name: 'Default', allowsPublic: true }],
    installations: [
      { id: 11, appId: 101, appSlug: 'ci-bot', selection: 'all', permissions: { contents: 'write', pull_requests: 'write', metadata: 'read', workflows: 'write' }, created: ago(900) },
      { id: 12, appId: 102, appSlug: 'renovate', selection: 'selected', permissions: { contents: 'write', pull_requests: 'write' }, created: ago(500), repos: repos.slice(0, 5).map((x) => x.name) },
    ],
    pats: [
      { id: 21, tokenId: 901, tokenName: 'release-automation', owner: 'octo-admin', granted: ago(400), lastUsed: ago(2), expires: null, selection: 'all', permissions: { repository: { contents: 'write' } } },
      { id: 22, tokenId: 902, tokenName: 'old-script', owner: 'departed-dev', granted: ago(700), lastUsed: ago(300), expires: ago(-30), selection: 'subset', permissions: { repository: { metadata: 'read' } } },
    ],
    samlAuthorizations: undefined,
  };
}
