/**
 * Shard and merge (built CLI): shards scanned apart with `nhi scan ... --no-report --store SHARD.db`, then
 * `nhi merge SHARD.db... --store ORG.db` makes one snapshot whose paths cross the shards, keyed so drift compares it
 * only with merged snapshots of the same targets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
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

  it('a merged snapshot records its shards (file name, snapshot, as-of time, targets); drift never pairs it with a scan of one of them', async () => {
    const store = shard('history.db');
    const single = await nhi(['scan', '--connector', 'aws', '--from-file', path.join(demo, 'aws', 'authz.json'), '--credential-report', path.join(demo, 'aws', 'credential-report.csv'), '--as-of', '2026-11-01', '--no-report', '--store', store, '--no-config', '-q']);
    expect(single.code, single.stderr).toBe(0);
    const merge = () => nhi(['merge', shard('aws.db'), shard('k8s.db'), '--store', store, '-f', 'json', '--no-config', '-q']);

    // the store holds a scan of the AWS account, one of the merged targets: not a baseline for the merged snapshot
    const first = await merge();
    expect(first.code, first.stderr).toBe(0);
    const one = JSON.parse(first.stdout) as Report & { scan: { snapshotId: number; connectors: Array<{ shard?: unknown }> }; drift?: unknown; driftUnavailable?: { reason: string } };
    expect(one.drift).toBeUndefined();
    expect(one.driftUnavailable?.reason).toBe('no-earlier-snapshot');
    const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(path.join(repoRoot, 'reports', 'json', 'report-v1.schema.json'), 'utf8')) as object);
    expect(validate(one), JSON.stringify(validate.errors)).toBe(true);
    const awsRecord = {
      file: 'aws.db',
      snapshotId: 1,
      asOf: '2026-11-01T00:00:00.000Z',
      targets: [{ connector: 'aws', id: 'aws:account:123456789012', platform: 'aws', kind: 'account', name: '123456789012' }],
    };
    expect(one.scan.connectors[0].shard).toEqual(awsRecord);
    expect(one.scan.connectors[1].shard).toMatchObject({ file: 'k8s.db', snapshotId: 1, asOf: '2026-10-31T00:00:00.000Z', targets: [{ connector: 'kubernetes', id: 'k8s:cluster:eks-prod' }] });

    // the next merge of the same shards is compared with the first
    const second = await merge();
    expect(second.code, second.stderr).toBe(0);
    const two = JSON.parse(second.stdout) as { drift?: { baseSnapshotId: number } };
    expect(two.drift?.baseSnapshotId).toBe(one.scan.snapshotId);

    type Listed = { id: number; connectors: string[]; shards?: Array<typeof awsRecord> };
    const list = await nhi(['snapshots', '--store', store, '-f', 'json']);
    expect(list.code).toBe(0);
    const { snapshots } = JSON.parse(list.stdout) as { snapshots: Listed[] };
    expect(snapshots.map((s) => s.connectors)).toEqual([['shard', 'shard'], ['shard', 'shard'], ['aws']]);
    expect(snapshots[2].shards).toBeUndefined();
    for (const s of snapshots.slice(0, 2)) {
      expect(s.shards?.map((x) => [x.file, x.snapshotId, x.asOf])).toEqual([
        ['aws.db', 1, '2026-11-01T00:00:00.000Z'],
        ['k8s.db', 1, '2026-10-31T00:00:00.000Z'],
      ]);
      expect(s.shards?.[0]).toEqual(awsRecord);
    }
    const text = await nhi(['snapshots', '--store', store]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/shard aws\.db: snapshot 1, as of 2026-11-01, 123456789012/);
    expect(text.stdout).toMatch(/shard k8s\.db: snapshot 1, as of 2026-10-31, eks-prod/);
    // the file name only, never the folder the shard was in
    expect(list.stdout + text.stdout).not.toContain(dir);
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
