/**
 * Code hosts into clouds, end to end: the built CLI scans a fake GitHub org and a fake AWS account (real Octokit, real
 * AWS SDK, loopback fakes) into a SQLite store. The scan's own report must carry the privilege-escalation finding of
 * the write deploy key, `nhi paths` on the stored snapshot must end in the admin role, and the code-host producer run
 * on the stored merged graph must find: write deploy key → repository → admin role in two hops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BecomeEdge } from '../../src/paths/types.js';
import { codeHostEdges } from '../../src/paths/codehost.js';
import { openStore } from '../../src/store/index.js';
import { startFakeGitHub, type FakeGitHub, type FakeOrg, type FakeRepo } from '../fakes/github/server.js';
import { startFakeIam, type FakeEstate, type FakeIam, type FakeRole } from '../fakes/aws-iam/server.js';
import { edge, hops } from '../paths/codehost-fixtures.js';
import { nhi, STACK_LINE } from './run.js';

const ACCT = '123456789012';
const AS_OF = '2026-11-01T00:00:00Z';
const OIDC = `arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com`;
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const READ = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const trust = (subject: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: OIDC },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': subject } },
    },
  ],
});
const role = (name: string, subject: string, doc: object): FakeRole => ({ name, id: `AROA${name.toUpperCase().replace(/-/g, '')}`, createDate: '2025-01-01T00:00:00Z', trust: trust(subject), attached: [], inline: [{ name: 'policy', document: doc }] });
const roleId = (name: string) => `aws:iam-role:arn:aws:iam::${ACCT}:role/${name}`;

const DEPLOY = `name: deploy
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::${ACCT}:role/deploy-admin
          aws-region: us-east-1
`;
const repo = (name: string, extra: Partial<FakeRepo>): FakeRepo => ({ name, visibility: 'private', defaultBranch: 'main', keys: [], secrets: [], environments: [], hooks: [], runners: [], ...extra });

const org: FakeOrg = {
  login: 'acme',
  defaultWorkflowPermissions: 'read',
  canApprovePullRequestReviews: false,
  repos: [
    repo('app', { keys: [{ id: 101, title: 'deploy-write', readOnly: false, created: '2026-01-01T00:00:00Z', lastUsed: '2026-10-01T00:00:00Z' }], workflows: [{ path: '.github/workflows/deploy.yml', text: DEPLOY }] }),
    repo('other', { keys: [{ id: 102, title: 'deploy-read', readOnly: true, created: '2026-01-01T00:00:00Z', lastUsed: null }], workflows: [] }),
    // no workflow names the release role: the trust alone links the repository
    repo('site', {}),
  ],
  secrets: [],
  dependabotSecrets: [],
  hooks: [],
  runners: [],
  runnerGroups: [],
  installations: [
    { id: 11, appId: 101, appSlug: 'ci-bot', selection: 'all', permissions: { workflows: 'write', contents: 'write', metadata: 'read' }, created: '2025-06-01T00:00:00Z' },
    { id: 12, appId: 102, appSlug: 'reader', selection: 'all', permissions: { contents: 'read', metadata: 'read' }, created: '2025-06-01T00:00:00Z' },
  ],
  pats: [],
};

const estate: FakeEstate = {
  accountId: ACCT,
  users: [],
  groups: [],
  policies: [],
  roles: [role('deploy-admin', 'repo:acme/app:ref:refs/heads/main', ADMIN), role('org-reader', 'repo:acme/*', READ), role('release', 'repo:acme/site:ref:refs/tags/v*', ADMIN), role('public', 'repo:*', READ)],
  lastAccessed: {},
  generatedAt: '2026-10-31T00:00:00Z',
};

const env = {
  GITHUB_TOKEN: 'ghp_E2EFAKETOKEN000000000000000000000000',
  GH_TOKEN: undefined,
  AWS_ACCESS_KEY_ID: 'AKIAE2EFAKE000000000',
  AWS_SECRET_ACCESS_KEY: 'e2e-fake-secret-value-not-real',
  AWS_REGION: 'us-east-1',
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: path.join(os.tmpdir(), 'nhi-no-such-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), 'nhi-no-such-aws-credentials'),
};

let github: FakeGitHub;
let iam: FakeIam;
let dir: string;
let edges: BecomeEdge[];
let db: string;
let report: { findings: Array<{ ruleId: string; identity: { id: string }; message: string; path?: Array<{ id: string }> }> };

beforeAll(async () => {
  github = await startFakeGitHub(org, { pageSize: 2 });
  iam = await startFakeIam(estate, { pageSize: 2 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-codehost-'));
  db = path.join(dir, 'nhi.db');
  const r = await nhi(['scan', '--github-org', 'acme', '--github-url', github.url, '--aws-endpoint', iam.url, '--no-last-accessed', '--store', db, '--as-of', AS_OF, '-f', 'json'], { env });
  if (r.code !== 0 && r.code !== 1) throw new Error(`scan failed (${r.code}): ${r.stderr}`);
  expect(r.stderr).not.toMatch(STACK_LINE);
  report = JSON.parse(r.stdout) as typeof report;
  const store = openStore(db, { readonly: true });
  try {
    const graph = store.loadGraph(store.latestSnapshotId()!);
    edges = codeHostEdges({ graph, now: new Date(AS_OF), evaluator: undefined as never });
  } finally {
    store.close();
  }
});
afterAll(async () => {
  await github?.close();
  await iam?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('code hosts into clouds on a scanned GitHub org + AWS account (built CLI, fakes, stored graph)', () => {
  it('a deploy key with write access reaches the admin role its repository federates into, in two hops', () => {
    const key = 'github:deploy-key:acme/app:101';
    expect(edge(edges, key, 'github:repo:acme/app')).toMatchObject({ method: 'github-push-workflow', decision: 'allowed' });
    expect(edge(edges, 'github:repo:acme/app', roleId('deploy-admin'))).toMatchObject({ method: 'github-oidc-assume-role', decision: 'allowed', statements: [expect.objectContaining({ kind: 'trust', statementIndex: 0 })] });
    expect(hops(edges, key, roleId('deploy-admin'))).toBe(2);
  });

  it('the scan reports the write deploy key as able to escalate, its path ending in the admin role; not the read-only key', () => {
    const esc = report.findings.filter((f) => f.ruleId === 'privilege-escalation');
    const key = esc.find((f) => f.identity.id === 'github:deploy-key:acme/app:101');
    expect(key?.message).toMatch(/can become admin in 2 hops/);
    expect(key?.path?.map((n) => n.id)).toEqual(['github:deploy-key:acme/app:101', 'github:repo:acme/app', roleId('deploy-admin')]);
    expect(esc.some((f) => f.identity.id === 'github:deploy-key:acme/other:102')).toBe(false);
  });

  it('nhi paths on the deploy key (a child process, the stored snapshot) ends in the admin role', async () => {
    const r = await nhi(['paths', 'github:deploy-key:acme/app:101', '--store', db, '-f', 'json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { toAdmin: { hops: number; end: { id: string }; steps: Array<{ method: string }> } };
    expect(out.toAdmin).toMatchObject({ hops: 2, end: { id: roleId('deploy-admin') } });
    expect(out.toAdmin.steps.map((s) => s.method)).toEqual(['github-push-workflow', 'github-oidc-assume-role']);
  });

  it('a read-only deploy key has no edge', () => {
    expect(edges.filter((e) => e.from === 'github:deploy-key:acme/other:102')).toEqual([]);
  });

  it('an App installation with workflows:write on all repositories pushes to each; one with contents:read to none', () => {
    const to = (from: string) => edges.filter((e) => e.from === from).map((e) => e.to).sort();
    expect(to('github:app-installation:acme/11')).toEqual(['github:repo:acme/app', 'github:repo:acme/other', 'github:repo:acme/site']);
    expect(to('github:app-installation:acme/12')).toEqual([]);
  });

  it('trusts link the repositories they name, from the cloud side: a branch, a wildcard, a tag; an open one is the hub', () => {
    const from = (r: string) => edges.filter((e) => e.to === roleId(r) && !e.from.startsWith('github:job:')).map((e) => e.from).sort();
    expect(from('deploy-admin')).toEqual(['github:repo:acme/app']);
    // and the job of the repository's workflow that can present the accepted token
    const jobs = edges.filter((e) => e.to === roleId('deploy-admin') && e.from.startsWith('github:job:'));
    expect(jobs.map((e) => e.from)).toEqual(['github:job:acme/app/.github/workflows/deploy.yml#deploy']);
    expect(jobs[0].via).toMatch(/^job deploy of \.github\/workflows\/deploy\.yml on push: its OIDC token carries sub repo:acme\/app:ref:refs\/heads\/main/);
    expect(from('org-reader')).toEqual(['github:repo:acme/app', 'github:repo:acme/other', 'github:repo:acme/site']);
    expect(from('release')).toEqual(['github:repo:acme/site']);
    expect(edge(edges, 'github:repo:acme/site', roleId('release'))).toMatchObject({ confidence: 'high' });
    expect(from('public')).toEqual(['github:anyone']);
  });
});
