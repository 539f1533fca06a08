import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIam, type FakeIam } from '../fakes/aws-iam/server.js';
import { estateFromExports } from '../fakes/aws-iam/from-exports.js';
import { nhi, repoRoot, STACK_LINE } from './run.js';

// A live scan of the demo estate through the built CLI, the real AWS SDK and the loopback fake IAM server.
const demo = path.join(repoRoot, 'examples', 'demo', 'aws');
const env = {
  AWS_ACCESS_KEY_ID: 'AKIAE2EFAKE000000000',
  AWS_SECRET_ACCESS_KEY: 'e2e-fake-secret-value-not-real',
  AWS_REGION: 'us-east-1',
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: path.join(repoRoot, 'no-such-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(repoRoot, 'no-such-aws-credentials'),
};
const asOf = '2026-11-01T06:00:00Z';

type Finding = { ruleId: string; fingerprint: string; severity: string; confidence: string; message: string; identity: { id: string; name: string; type: string } };
type Report = { findings: Finding[]; coverage: Array<{ source: string; incomplete: boolean }> };
// the demo also scans a repository's workflow files: compare the AWS side only
const pairs = (r: Report) => r.findings.filter((f) => f.identity.id.startsWith('aws:')).map((f) => `${f.ruleId} ${f.identity.type} ${f.identity.name}`).sort();

// the AWS findings of this live scan, recorded before the scan read key last use from the credential report instead
// of GetAccessKeyLastUsed: the cheaper scan must find exactly the same (test/fixtures/aws-live/demo-findings.json)
const recorded = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'aws-live', 'demo-findings.json'), 'utf8')) as unknown[];
const digest = (r: Report) =>
  r.findings
    .filter((f) => f.identity.id.startsWith('aws:'))
    .map((f) => ({ ruleId: f.ruleId, identity: f.identity.id, fingerprint: f.fingerprint, severity: f.severity, confidence: f.confidence, message: f.message }))
    .sort((a, b) => {
      const ka = [a.ruleId, a.identity, a.fingerprint].join('\u0000');
      const kb = [b.ruleId, b.identity, b.fingerprint].join('\u0000');
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });

let fake: FakeIam;
beforeAll(async () => {
  const estate = estateFromExports({ authz: path.join(demo, 'authz.json'), credentialReport: path.join(demo, 'credential-report.csv'), lastAccessed: path.join(demo, 'last-accessed.json') });
  fake = await startFakeIam(estate, { pageSize: 10, reportPolls: 2, lastAccessedPolls: 1 });
});
afterAll(async () => fake?.close());

describe('live scan of the demo estate through the fake IAM server', () => {
  it('finds what the offline demo scan finds, and --verbose counts the API calls', async () => {
    const offline = await nhi(['scan', '--demo', '--no-store', '-f', 'json']);
    fake.requests.length = 0;
    const live = await nhi(['scan', '--aws-endpoint', fake.url, '--no-store', '-f', 'json', '--as-of', asOf, '-v'], { env });
    expect(live.stderr).not.toMatch(STACK_LINE);
    expect(live.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    expect(live.stdout).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    expect(live.code).toBe(0);
    expect(pairs(JSON.parse(live.stdout) as Report)).toEqual(pairs(JSON.parse(offline.stdout) as Report));
    expect(digest(JSON.parse(live.stdout) as Report)).toEqual(recorded);
    // every HTTP request the fake served is counted, and --verbose prints the total per operation
    const total = Number(/(\d+) API calls/.exec(live.stderr)?.[1]);
    expect(total).toBe(fake.requests.length);
    expect(live.stderr).toMatch(/iam:GetAccountAuthorizationDetails: \d+/);
    expect(fake.requests.filter((r) => r.action === 'GetAccountAuthorizationDetails').length).toBeGreaterThan(1); // pages
  });

  it('an API that is denied becomes a coverage note and exit code 3; everything else is still reported', async () => {
    fake.fail('ListAccessKeys', 'deny');
    try {
      const r = await nhi(['scan', '--aws-endpoint', fake.url, '--no-store', '-f', 'json', '--as-of', asOf], { env });
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stderr).toMatch(/incomplete/);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.coverage.some((c) => c.source.includes('ListAccessKeys') && c.incomplete)).toBe(true);
      expect(report.findings.some((f) => f.ruleId === 'oidc-trust-unscoped')).toBe(true);
      // the gate still wins over "incomplete"
      const gated = await nhi(['scan', '--aws-endpoint', fake.url, '--no-store', '-f', 'json', '--as-of', asOf, '--fail-on', 'critical'], { env });
      expect(gated.code).toBe(1);
    } finally {
      fake.clear('ListAccessKeys');
    }
  });

  it('no credentials at all is exit 2 with a hint, not a stack trace', async () => {
    const r = await nhi(['scan', '--aws-endpoint', fake.url, '--no-store'], {
      env: { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: .*credentials/);
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
