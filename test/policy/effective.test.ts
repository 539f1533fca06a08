import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  documentGrants,
  effectiveForServices,
  effectivePermissions,
  grantsAction,
  intersectGrants,
  isAdminEquivalent,
  statementGrants,
  subtractGrants,
} from '../../src/policy/effective.js';
import { ADMIN_DOC, GraphBuilder } from '../rules/builders.js';

const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('statement grants', () => {
  it('Action patterns grant the matching actions only', () => {
    const g = statementGrants({ actions: ['s3:Get*', 'ec2:DescribeInstances'] });
    expect(grantsAction(g, 's3:GetObject')).toBe(true);
    expect(grantsAction(g, 's3:PutObject')).toBe(false);
    expect(grantsAction(g, 'ec2:describeinstances')).toBe(true);
    expect([...g.keys()].sort()).toEqual(['ec2', 's3']);
  });

  it('NotAction with Allow grants everything except the listed actions', () => {
    const g = statementGrants({ notActions: ['iam:*', 's3:Delete*'] });
    expect(g.has('iam')).toBe(false);
    expect(grantsAction(g, 'ec2:RunInstances')).toBe(true);
    expect(grantsAction(g, 's3:GetObject')).toBe(true);
    expect(grantsAction(g, 's3:DeleteBucket')).toBe(false);
  });
});

describe('grant algebra', () => {
  it('subtracting part of a whole service enumerates the rest from the catalog', () => {
    const all = statementGrants({ actions: ['s3:*'] });
    const left = subtractGrants(all, statementGrants({ actions: ['s3:Delete*'] }));
    expect(grantsAction(left, 's3:GetObject')).toBe(true);
    expect(grantsAction(left, 's3:DeleteObject')).toBe(false);
  });

  it('intersection keeps what both sides allow', () => {
    const a = statementGrants({ actions: ['s3:*', 'iam:*'] });
    const b = statementGrants({ actions: ['s3:GetObject', 'ec2:*'] });
    const both = intersectGrants(a, b);
    expect([...both.keys()]).toEqual(['s3']);
    expect(grantsAction(both, 's3:GetObject')).toBe(true);
    expect(grantsAction(both, 's3:PutObject')).toBe(false);
  });
});

describe('documentGrants', () => {
  it('honours only unconditional Deny statements on every resource', () => {
    const g = documentGrants(
      doc(
        allow('*'),
        { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
        { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::secret' },
        { Effect: 'Deny', Action: 'ec2:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
      ),
    );
    expect(g.deny.has('iam')).toBe(true);
    expect(g.deny.has('s3')).toBe(false);
    expect(g.deny.has('ec2')).toBe(false);
  });

  it('separates conditional and scoped allows', () => {
    const g = documentGrants(doc(allow('s3:GetObject', 'arn:aws:s3:::b/*'), allow('ec2:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })));
    expect(g.allow.has('s3')).toBe(true);
    expect(g.wide.has('s3')).toBe(false);
    expect(g.wide.has('ec2')).toBe(true);
    expect(g.wideUnconditional.has('ec2')).toBe(false);
  });
});

describe('effectivePermissions', () => {
  it('combines direct, inline and group policies with their access levels and sources', () => {
    const b = new GraphBuilder();
    const u = b.user('ci-bot');
    const grp = b.group('readers', [u]);
    b.attach(grp, b.managedPolicy('ReadS3', doc(allow(['s3:GetObject', 's3:ListBucket']))));
    b.inlinePolicy(u, 'ec2', doc(allow('ec2:RunInstances')));
    const eff = effectivePermissions(b.graph, u);
    expect([...eff.services.keys()].sort()).toEqual(['ec2', 's3']);
    expect(eff.services.get('s3')!.levels).toEqual(['List', 'Read']);
    expect(eff.services.get('ec2')!.levels).toEqual(['Write']);
    expect(eff.services.get('s3')!.sources[0]).toMatchObject({ policyName: 'ReadS3', via: grp, statementIndex: 0 });
  });

  it('flags services granted only under a Condition', () => {
    const b = new GraphBuilder();
    const r = b.role('app');
    b.inlinePolicy(r, 'p', doc(allow('s3:GetObject'), allow('sqs:SendMessage', '*', { Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } })));
    const eff = effectivePermissions(b.graph, r);
    expect(eff.services.get('s3')!.conditional).toBe(false);
    expect(eff.services.get('sqs')!.conditional).toBe(true);
  });

  it('intersects with the permissions boundary', () => {
    const b = new GraphBuilder();
    const r = b.role('bounded');
    b.attach(r, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
    b.attach(r, b.managedPolicy('Boundary', doc(allow(['s3:*', 'logs:*']))), 'boundary');
    const eff = effectivePermissions(b.graph, r);
    expect([...eff.services.keys()].sort()).toEqual(['logs', 's3']);
    expect(isAdminEquivalent(b.graph, r)).toEqual([]);
  });

  it('a Deny on * removes services from the effective set', () => {
    const b = new GraphBuilder();
    const u = b.user('u');
    b.inlinePolicy(u, 'p', doc(allow(['s3:*', 'sqs:*']), { Effect: 'Deny', Action: 'sqs:*', Resource: '*' }));
    expect([...effectivePermissions(b.graph, u).services.keys()]).toEqual(['s3']);
  });

  it('effectiveForServices agrees with the full computation on the services asked for', () => {
    const b = new GraphBuilder();
    const r = b.role('mixed');
    b.attach(r, b.managedPolicy('AllButIam', doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })));
    b.inlinePolicy(r, 'deny', doc({ Effect: 'Deny', Action: 's3:Delete*', Resource: '*' }));
    b.attach(r, b.managedPolicy('Boundary', doc(allow(['s3:*', 'sqs:*', 'iam:GetRole']))), 'boundary');
    const full = effectivePermissions(b.graph, r);
    const some = effectiveForServices(b.graph, r, ['S3', 'iam', 'ec2', 'sqs']);
    expect([...some.keys()].sort()).toEqual(['s3', 'sqs']);
    for (const svc of ['s3', 'sqs']) {
      const { sources: _a, ...a } = some.get(svc)!;
      const { sources: _b, ...b2 } = full.services.get(svc)!;
      expect(a).toEqual(b2);
    }
    expect(some.get('s3')!.actions).not.toContain('deleteobject');
  });

  it('memoises per combination of policies but reports the asking principal', () => {
    const b = new GraphBuilder();
    const p = b.managedPolicy('Shared', doc(allow('s3:GetObject')));
    const r1 = b.role('one');
    const r2 = b.role('two');
    b.attach(r1, p).attach(r2, p);
    const e1 = effectivePermissions(b.graph, r1);
    const e2 = effectivePermissions(b.graph, r2);
    expect(e1.services).toBe(e2.services);
    expect(e2.principalId).toBe(r2);
  });
});

describe('isAdminEquivalent', () => {
  it.each([
    ['AdministratorAccess (AWS managed)', 'AdministratorAccess', ADMIN_DOC, true, 'administrator-access'],
    ['AdministratorAccess without its document', 'AdministratorAccess', undefined, true, 'administrator-access'],
    ['Action * on *', 'Star', doc(allow('*')), false, 'action-wildcard'],
    ['NotAction leaving iam in', 'AllButS3', doc({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }), false, 'not-action'],
    ['iam:PutRolePolicy on *', 'Escalate', doc(allow('iam:PutRolePolicy')), false, 'iam-permissions-management'],
    ['iam:*Policy* on *', 'PolicyAdmin', doc(allow('iam:*Policy*')), false, 'iam-permissions-management'],
  ])('%s is admin-equivalent', (_label, name, document, aws, kind) => {
    const b = new GraphBuilder();
    const r = b.role('r');
    b.attach(r, b.managedPolicy(name, document, { aws }));
    const routes = isAdminEquivalent(b.graph, r);
    expect(routes.length).toBe(1);
    expect(routes[0]).toMatchObject({ kind, policyName: name, statementIndex: 0, conditional: false });
  });

  it.each([
    ['PowerUser-style NotAction iam:*', doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' })],
    ['iam escalation on one role only', doc(allow('iam:PutRolePolicy', 'arn:aws:iam::123456789012:role/x'))],
    ['read-only iam on *', doc(allow(['iam:Get*', 'iam:List*']))],
    ['admin minus Deny iam:*', doc(allow('*'), { Effect: 'Deny', Action: 'iam:*', Resource: '*' })],
    ['iam:PassRole only', doc(allow('iam:PassRole'))],
  ])('%s is not admin-equivalent', (_label, document) => {
    const b = new GraphBuilder();
    const u = b.user('u');
    b.inlinePolicy(u, 'p', document);
    expect(isAdminEquivalent(b.graph, u)).toEqual([]);
  });

  it('reaches group members and marks conditional routes', () => {
    const b = new GraphBuilder();
    const u = b.user('alice');
    const g = b.group('admins', [u]);
    b.attach(g, b.managedPolicy('MfaAdmin', doc(allow('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }))));
    const routes = isAdminEquivalent(b.graph, u);
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({ via: g, conditional: true, kind: 'action-wildcard' });
    expect(routes[0].description).toContain('only under a Condition');
  });
});

const fixtures = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'aws');
const fixtureFile = path.join(fixtures, 'example-authz-details.json');

describe.skipIf(!existsSync(fixtureFile))('real-shaped export', () => {
  it('every policy document in the export normalises without issues and AdministratorAccess is admin', () => {
    const data = JSON.parse(readFileSync(fixtureFile, 'utf8')) as {
      Policies: Array<{ PolicyName: string; Arn: string; DefaultVersionId: string; PolicyVersionList: Array<{ VersionId: string; Document: unknown }> }>;
    };
    const b = new GraphBuilder();
    let admins = 0;
    for (const p of data.Policies) {
      const version = p.PolicyVersionList.find((v) => v.VersionId === p.DefaultVersionId) ?? p.PolicyVersionList[0];
      const g = documentGrants(version.Document);
      expect(g.document.issues).toEqual([]);
      const r = b.role(`r-${p.PolicyName}`);
      b.attach(r, b.managedPolicy(p.PolicyName, version.Document, { aws: p.Arn.startsWith('arn:aws:iam::aws:') }));
      if (isAdminEquivalent(b.graph, r).length > 0) admins++;
      if (p.Arn === 'arn:aws:iam::aws:policy/AdministratorAccess') expect(isAdminEquivalent(b.graph, r)[0].kind).toBe('administrator-access');
    }
    expect(admins).toBeGreaterThan(0);
    expect(admins).toBeLessThan(data.Policies.length);
  });
});
