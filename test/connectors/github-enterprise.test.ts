/**
 * `--github-enterprise SLUG`: the enterprise's organisations listed through GitHub's GraphQL API by the real Octokit
 * client (its `.graphql`) against the fake GitHub, then one job per organisation, as `--github-org` makes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_FLAGS } from '../../connectors/flags.js';
import { listEnterpriseOrgs } from '../../connectors/github/enterprise.js';
import { githubConnector } from '../../connectors/github/index.js';
import { Counter, prepareJobs, runScan, type ConnectorJob } from '../../src/engine/engine.js';
import { NhiError } from '../../src/util/errors.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/server.js';
import { makeSyntheticOrg } from '../fakes/github/synthetic.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const NOW = new Date('2026-11-01T00:00:00Z');
/** five organisations: three GraphQL pages at the fake's page size of two */
const LOGINS = ['acme', 'beta', 'gamma', 'delta', 'epsilon'];

let fake: FakeGitHub;
const savedToken = process.env.GITHUB_TOKEN;
beforeAll(async () => {
  const orgs = LOGINS.map((login, i) => makeSyntheticOrg({ repos: 1, seed: 40 + i, login }));
  fake = await startFakeGitHub(orgs, { pageSize: 2, enterprises: { 'acme-corp': LOGINS, empty: [] } });
});
afterAll(async () => fake.close());
beforeEach(() => {
  process.env.GITHUB_TOKEN = 'ghp_FAKETOKENFORTESTS00000000000000000000';
  fake.clear();
  fake.requests.length = 0;
  fake.graphqlPaths.length = 0;
});
afterEach(() => {
  if (savedToken === undefined) delete process.env.GITHUB_TOKEN;
  else process.env.GITHUB_TOKEN = savedToken;
});

const client = (over: Record<string, unknown> = {}) => ({ org: '', enterprise: 'acme-corp', url: fake.url, maxAttempts: 3, maxRetryAfterSeconds: 5, requestTimeoutMs: 5000, retryDelayMs: 1, ...over });
const list = (over: Record<string, unknown> = {}, calls = new Counter()) => listEnterpriseOrgs(client(over) as never, calls, silent);
const failure = async (p: Promise<unknown>): Promise<NhiError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NhiError);
  return err as NhiError;
};

describe('listing an enterprise\u2019s organisations through Octokit graphql', () => {
  it('follows the cursor over every page: each organisation once, in order, every request counted', async () => {
    const calls = new Counter();
    const { orgs, notes } = await list({}, calls);
    expect(orgs).toEqual(LOGINS);
    expect(notes).toEqual([]);
    expect(fake.requests.map((r) => r.route)).toEqual(['POST /graphql', 'POST /graphql', 'POST /graphql']);
    expect(calls.byOperation()).toEqual({ 'github:POST /graphql': 3 });
    expect(fake.graphqlPaths).toEqual(['/graphql', '/graphql', '/graphql']);
  });

  it('GitHub Enterprise Server: an …/api/v3 base URL sends GraphQL to /api/graphql', async () => {
    const { orgs } = await list({ url: `${fake.url}/api/v3` });
    expect(orgs).toEqual(LOGINS);
    expect(fake.graphqlPaths).toEqual(['/api/graphql', '/api/graphql', '/api/graphql']);
  });

  it('an unknown enterprise (HTTP 200, `errors` NOT_FOUND, `enterprise: null`) is a usage error naming the slug and the scope', async () => {
    const err = await failure(list({ enterprise: 'nope' }));
    expect(err.code).toBe('USAGE');
    expect(err.message).toMatch(/cannot list the organisations of enterprise nope .*NOT_FOUND: Could not resolve to an Enterprise/);
    expect(err.suggestion).toMatch(/--github-enterprise/);
    expect(err.suggestion).toMatch(/read:enterprise/);
  });

  it('a token without access (HTTP 200, `errors` FORBIDDEN) is a usage error asking for read:enterprise', async () => {
    fake.fail('POST /graphql', { graphql: 'FORBIDDEN' });
    const err = await failure(list());
    expect(err.code).toBe('USAGE');
    expect(err.message).toMatch(/FORBIDDEN: Resource not accessible/);
    expect(err.suggestion).toMatch(/read:enterprise/);
  });

  it('a refused token (HTTP 401) is a CREDENTIALS error', async () => {
    fake.fail('POST /graphql', { status: 401, message: 'Bad credentials' });
    const err = await failure(list());
    expect(err.code).toBe('CREDENTIALS');
    expect(err.message).toMatch(/HTTP 401/);
  });

  it('an enterprise with no organisation the token can see is a usage error', async () => {
    const err = await failure(list({ enterprise: 'empty' }));
    expect(err.message).toMatch(/lists no organisation this token can see/);
  });

  it('a secondary rate limit (403 with Retry-After) is waited out and retried like a REST call', async () => {
    fake.fail('POST /graphql', 'secondary-rate-limit');
    const calls = new Counter();
    const { orgs } = await list({}, calls);
    expect(orgs).toEqual(LOGINS);
    expect(calls.total).toBe(4);
  });

  it('a GraphQL RATE_LIMITED error (HTTP 200) waits for the reset and retries; past the longest wait it gives up', async () => {
    fake.fail('POST /graphql', { graphql: 'RATE_LIMITED', times: 1 });
    const calls = new Counter();
    const { orgs } = await list({}, calls);
    expect(orgs).toEqual(LOGINS);
    expect(calls.total).toBe(4);

    fake.clear();
    fake.fail('POST /graphql', { graphql: 'RATE_LIMITED', times: 1 });
    const err = await failure(list({ maxRetryAfterSeconds: 0 }));
    expect(err.message).toMatch(/GraphQL rate limit: API rate limit exceeded/);
  });

  it('a failure after the first page keeps what was listed and says so in an incomplete note', async () => {
    fake.fault('POST /graphql', { kind: 'body', body: JSON.stringify({ data: null, errors: [{ message: 'Something went wrong while executing your query.' }] }) }, { nth: [2] });
    const { orgs, notes } = await list();
    expect(orgs).toEqual(LOGINS.slice(0, 2));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ connector: 'github', source: 'github:POST /graphql', incomplete: true });
    expect(notes[0].message).toMatch(/stopped at page 2: Something went wrong/);
    expect(notes[0].impact).toMatch(/after the first 2/);
  });

  it('a body that is not a GraphQL answer is retried as malformed', async () => {
    fake.fault('POST /graphql', { kind: 'body', body: '{}' }, { nth: [1] });
    const calls = new Counter();
    const { orgs } = await list({}, calls);
    expect(orgs).toEqual(LOGINS);
    expect(calls.total).toBe(4);
  });
});

describe('--github-enterprise in a scan', () => {
  const built = (v: Record<string, unknown>) => {
    const b = GITHUB_FLAGS.build({ githubUrl: fake.url, ...v }, { concurrency: 4 });
    return (Array.isArray(b) ? b : [b]).map((x): ConnectorJob => ({ connector: githubConnector, options: Object.fromEntries(Object.entries(x.options).filter(([, val]) => val !== undefined)), target: x.target }));
  };
  const base = { now: NOW, log: silent, concurrency: 4 };

  it('becomes one job per organisation; with --github-org, the union, each organisation once', async () => {
    const jobs = await prepareJobs(built({ githubEnterprise: 'acme-corp', githubOrg: 'beta,zeta' }), base);
    expect(jobs.map((j) => j.parsed.org)).toEqual(['beta', 'zeta', 'acme', 'gamma', 'delta', 'epsilon']);
    expect(jobs.map((j) => j.target)).toEqual(['beta', 'zeta', 'acme (enterprise acme-corp)', 'gamma (enterprise acme-corp)', 'delta (enterprise acme-corp)', 'epsilon (enterprise acme-corp)'].map((t, i) => (i < 2 ? `${t} on ${fake.url}` : t.replace(' (', ` on ${fake.url} (`))));
    for (const j of jobs) expect(j.parsed).not.toHaveProperty('enterprise');
  });

  it('scans every organisation into one graph with one target each', async () => {
    const result = await runScan({ jobs: built({ githubEnterprise: 'acme-corp', githubOrg: 'acme' }), now: NOW, rules: [], log: silent });
    expect(result.incomplete).toBe(false);
    const targets = result.connectors.map((c) => c.targets.map((t) => t.name));
    expect(targets).toEqual(LOGINS.map((l) => [l]));
    expect(result.connectors.every((c) => c.status === 'complete')).toBe(true);
  });

  it('a listing cut short is a coverage note: the listed organisations are scanned, the scan is incomplete', async () => {
    fake.fault('POST /graphql', { kind: 'body', body: JSON.stringify({ errors: [{ message: 'boom' }] }) }, { nth: [2] });
    const result = await runScan({ jobs: built({ githubEnterprise: 'acme-corp' }), now: NOW, rules: [], log: silent });
    expect(result.connectors.map((c) => c.targets.map((t) => t.name)).flat()).toEqual(['acme', 'beta']);
    expect(result.incomplete).toBe(true);
    expect(result.coverage.filter((c) => c.source === 'github:POST /graphql')).toHaveLength(1);
  });

  it('no organisation listed stops the scan before any organisation is read (exit 2)', async () => {
    const err = await failure(runScan({ jobs: built({ githubEnterprise: 'nope', githubOrg: 'acme' }), now: NOW, rules: [], log: silent }));
    expect(err.exitCode).toBe(2);
    expect(fake.requests.every((r) => r.route === 'POST /graphql')).toBe(true);
  });

  it('nhi permissions github names read:enterprise for --github-enterprise', () => {
    expect(githubConnector.describe().optionalPermissions?.some((p) => /read:enterprise/.test(p.permission) && /--github-enterprise/.test(p.unlocks))).toBe(true);
  });

  it('flag combinations: a bad slug, App auth, --github-installation-id are usage errors', () => {
    expect(() => built({ githubEnterprise: 'a b' })).toThrow(/is not an enterprise slug/);
    expect(() => built({ githubEnterprise: 'acme-corp', githubAppId: '1', githubPrivateKey: 'k.pem' })).toThrow(/App installation token cannot read its enterprise/);
    expect(() => built({ githubEnterprise: 'acme-corp', githubInstallationId: '5' })).toThrow(/--github-enterprise names several organisations/);
  });
});
