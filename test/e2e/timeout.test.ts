/**
 * The whole-scan deadline through the built CLI: a GitHub API that never answers one route. The scan must end at the
 * deadline with exit 3 and a timeout note in the report, print no stack trace, and the process must exit (nothing
 * left open keeps it alive).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/server.js';
import { makeSyntheticOrg } from '../fakes/github/synthetic.js';
import { nhi, STACK_LINE } from './run.js';

const token = { GITHUB_TOKEN: 'ghp_E2EFAKETOKEN000000000000000000000000', GH_TOKEN: undefined };
type Report = {
  coverage: Array<{ connector: string; source: string; reason: string; incomplete: boolean; message: string }>;
  scan: { connectors: Array<{ id: string; status: string; error?: string }> };
};

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub(makeSyntheticOrg({ repos: 6, seed: 5 }), { pageSize: 3 });
});
afterAll(async () => fake.close());

describe('nhi scan --timeout against a GitHub that never answers one route', () => {
  it('exit 3 at the deadline, a timeout note in the JSON report, no stack trace, and the process exits', async () => {
    // the first call of the scan, so the test does not depend on how fast a loaded machine gets further
    fake.fault('GET /orgs/{org}', { kind: 'hang' });
    const t0 = Date.now();
    const r = await nhi(['scan', '--github-org', 'acme', '--github-url', fake.url, '--timeout', '2', '--no-store', '-f', 'json'], { env: token });
    const took = Date.now() - t0;
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(3);
    // the report is written when the deadline passes, and the process does not linger afterwards
    expect(took).toBeLessThan(15_000);
    const report = JSON.parse(r.stdout) as Report;
    const note = report.coverage.find((c) => c.connector === 'github' && c.reason === 'timeout');
    expect(note).toMatchObject({ incomplete: true });
    expect(note!.message).toMatch(/--timeout 2 s/);
    expect(report.scan.connectors[0]).toMatchObject({ id: 'github', error: expect.stringMatching(/deadline/) });
    expect(r.stderr).toMatch(/scan incomplete/);
    expect(r.stdout).not.toContain(token.GITHUB_TOKEN);
    expect(fake.injected).toEqual([{ route: 'GET /orgs/{org}', kind: 'hang' }]);
  });
});
