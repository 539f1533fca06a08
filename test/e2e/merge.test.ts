/**
 * Shard and merge (built CLI): shards scanned apart with `nhi scan ... --no-report --store SHARD.db`, then
 * `nhi merge SHARD.db... --store ORG.db` makes one snapshot whose paths cross the shards, keyed so drift compares it
 * only with merged snapshots of the same targets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const demo = path.join(repoRoot, 'examples', 'demo');
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90';
let dir: string;
const shard = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-merge-'));
  const aws = await nhi(['scan', '--connector', 'aws', '--from-file', path.join(demo, 'aws', 'authz.json'), '--credential-report', path.join(demo, 'aws', 'credential-report.csv'), '--as-of', '2026-11-01', '--no-report', '--store', shard('aws.db'), '--no-config', '-q']);
  const k8s = await nhi(['scan', '--connector', 'kubernetes', '--from-file', path.join(demo, 'kubernetes', 'eks-prod.json'), '--kube-issuer', ISSUER, '--as-of', '2026-10-31', '--no-report', '--store', shard('k8s.db'), '--no-config', '-q']);
  // --no-report: nothing on stdout, the snapshot is the result
  for (const r of [aws, k8s]) {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Report = { scan: { asOf: string; connectors: Array<{ id: string; status: string; targets: Array<{ id: string }> }> }; findings: Array<{ ruleId: string; identity: { id: string } }>; coverage: Array<{ incomplete: boolean; message: string }> };

describe('nhi merge', () => {
  it('one snapshot of both shards, as of the newest; a path crosses from the cluster into the AWS account', async () => {
    const r = await nhi(['merge', shard('aws.db'), shard('k8s.db'), '--store', shard('org.db'), '-f', 'json', '--no-config', '-q']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.asOf).toBe('2026-11-01T00:00:00.000Z');
    expect(report.scan.connectors.map((c) => [c.id, c.status, c.targets.map((t) => t.id)])).toEqual([
      ['shard', 'complete', ['aws:account:123456789012']],
      ['shard', 'complete', ['k8s:cluster:eks-prod']],
    ]);
    // findings of both shards, judged again on the merged graph
    expect(report.findings.some((f) => f.identity.id.startsWith('aws:'))).toBe(true);
    expect(report.findings.some((f) => f.ruleId === 'k8s-service-account-cluster-admin')).toBe(true);
    const paths = await nhi(['paths', 'payments/api', '--store', shard('org.db'), '-f', 'json']);
    expect(paths.code).toBe(0);
    expect(paths.stdout).toContain('aws:iam-role:arn:aws:iam::123456789012:role/eks-payments-api');
    // the merged snapshot's targets are the shard source's: never compared with a scan of one account
    const list = await nhi(['snapshots', '--store', shard('org.db'), '-f', 'json']);
    const { snapshots } = JSON.parse(list.stdout) as { snapshots: Array<{ targets: Array<{ connector: string }> }> };
    expect(snapshots[0].targets.map((t) => t.connector)).toEqual(['shard', 'shard']);
  });

  it('a shard that is not a store is a coverage note (exit 3), the other shard is merged', async () => {
    const bad = shard('not-a-store.db');
    writeFileSync(bad, 'not sqlite');
    const r = await nhi(['merge', shard('aws.db'), bad, '--no-store', '-f', 'json', '--no-config', '-q']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.connectors.map((c) => c.status).sort()).toEqual(['complete', 'failed']);
    expect(report.findings.some((f) => f.identity.id.startsWith('aws:'))).toBe(true);
  });

  it.each([
    [['merge', 'SHARD', '--store', 'SHARD'], /--store .* is one of the shards/],
    [['scan', '--demo', '--no-report', '--no-store'], /--no-report and --no-store: the scan would keep nothing/],
    [['scan', '--demo', '--no-report', '-o', 'x.json'], /--no-report and --output: there is no report to write/],
  ])('usage errors: %j', async (args, message) => {
    const r = await nhi(args.map((a) => (a === 'SHARD' ? shard('aws.db') : a)), { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
