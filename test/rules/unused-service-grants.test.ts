import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/unused-service-grants.js';
import { GraphBuilder, daysAgo, runRule } from './builders.js';

const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const grantS3Sqs = doc({ Effect: 'Allow', Action: ['s3:GetObject', 'sqs:SendMessage', 'iam:PutRolePolicy'], Resource: '*' });

describe('unused-service-grants', () => {
  it.each<[string, (b: GraphBuilder, r: string) => void]>([
    ['no service-level usage facts (unknown)', () => {}],
    [
      'every granted service used recently',
      (b, r) => b.serviceUsage(r, 's3', daysAgo(1)).serviceUsage(r, 'sqs', daysAgo(10)).serviceUsage(r, 'iam', daysAgo(89)),
    ],
    ['facts only for services not granted', (b, r) => b.serviceUsage(r, 'ec2', null)],
  ])('valid: %s', (_label, build) => {
    const b = new GraphBuilder();
    const r = b.role('app');
    b.inlinePolicy(r, 'p', grantS3Sqs);
    build(b, r);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('invalid: services never used or used before the window', () => {
    const b = new GraphBuilder();
    const r = b.role('app');
    b.inlinePolicy(r, 'p', grantS3Sqs);
    b.serviceUsage(r, 's3', daysAgo(1)).serviceUsage(r, 'sqs', daysAgo(200)).serviceUsage(r, 'iam', null);
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f).toMatchObject({ severity: 'low', nodeId: r });
    // the Permissions management grant leads the list
    expect(f.message).toBe('IAM role app has 2 granted services unused in 90 days: iam, sqs');
    const summary = f.evidence[0].data as { services: Array<{ service: string; lastUsedAt: string | null; policies: string[] }>; usedCount: number };
    expect(summary.usedCount).toBe(1);
    expect(summary.services.map((s) => [s.service, s.lastUsedAt])).toEqual([
      ['iam', null],
      ['sqs', daysAgo(200)],
    ]);
    expect(summary.services[0].policies).toEqual(['p']);
  });

  it('options: ignoreServices, minUnusedServices, windowDays', () => {
    const b = new GraphBuilder();
    const r = b.role('app');
    b.inlinePolicy(r, 'p', grantS3Sqs);
    b.serviceUsage(r, 's3', daysAgo(1)).serviceUsage(r, 'sqs', daysAgo(200)).serviceUsage(r, 'iam', null);
    expect(runRule(rule, b.graph, { ignoreServices: ['iam', 'SQS'] })).toEqual([]);
    expect(runRule(rule, b.graph, { minUnusedServices: 3 })).toEqual([]);
    expect(runRule(rule, b.graph, { windowDays: 365 })[0].message).toContain('1 granted service unused in 365 days: iam');
  });

  it('group grants count for a user; service-linked roles are skipped', () => {
    const b = new GraphBuilder();
    const u = b.user('ci');
    b.attach(b.group('g', [u]), b.managedPolicy('S3', doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })));
    b.serviceUsage(u, 's3', null);
    const slr = b.role('AWSServiceRoleForX', { path: '/aws-service-role/x.amazonaws.com/' });
    b.inlinePolicy(slr, 'p', grantS3Sqs);
    b.serviceUsage(slr, 's3', null);
    expect(runRule(rule, b.graph).map((f) => f.nodeId)).toEqual([u]);
  });
});
