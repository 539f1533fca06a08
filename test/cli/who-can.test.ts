/** `nhi who-can`: direct holders (one question per principal, memoised by policy set) and holders through a path. */
import { describe, expect, it, vi } from 'vitest';
import type { AuthzDetails } from '../../connectors/aws/map.js';
import { renderWhoCanText, whoCanReport, type WhoCanQuery, type WhoCanReport } from '../../src/cli/commands/who-can.js';
import { searchBack } from '../../src/paths/analyze.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { createEvaluator } from '../../src/policy/evaluate.js';
import type { BecomeEdge } from '../../src/paths/types.js';
import { account, binding, gcpGraph, P, sa, saId } from '../rules/gcp-builders.js';
import { NOW as GCP_NOW } from '../rules/builders.js';
import { ACCOUNT, fixtureGraph, NOW, roleArn, roleId, SNAPSHOT, userArn, userId } from './query-graph.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const graph = fixtureGraph();
function who(q: WhoCanQuery, g: IdentityGraph = graph, now = NOW): WhoCanReport {
  return whoCanReport(g, now, graphAnalysis(g, now), q, SNAPSHOT);
}
const USER_ANY = 'arn:*:iam::*:user/*';
const direct = (r: WhoCanReport) => Object.fromEntries(r.direct.map((d) => [d.id, d.decision]));
const viaPath = (r: WhoCanReport) => Object.fromEntries(r.throughPath.map((p) => [p.id, p]));

describe('nhi who-can: directly', () => {
  const r = who({ action: 'iam:CreateAccessKey', anyResource: USER_ANY });

  it.each([
    ['an Allow on users', userId('svc/key-minter'), 'allowed'],
    ['an Allow on one user only (some resource of its choosing)', userId('svc/hostile-bot'), 'allowed'],
    ['an Allow that turns on the source IP', userId('svc/ip-bound'), 'conditional'],
    ['AdministratorAccess through a group', userId('admins/ops-admin'), 'allowed'],
    ['the group itself', `aws:iam-group:arn:aws:iam::${ACCOUNT}:group/admins`, 'allowed'],
    ['an admin role', roleId('chain-admin'), 'allowed'],
    ['the root user', `aws:root:${ACCOUNT}`, 'allowed'],
  ])('holds it: %s', (_w, id, decision) => {
    expect(direct(r)[id]).toBe(decision);
  });

  it.each([
    ['AdministratorAccess inside a boundary that allows only S3', userId('dev/bounded-dev')],
    ['PassRole and Lambda only', userId('ci/build-bot')],
    ['an ordinary reader', userId('svc/report-bot')],
  ])('look-alike, not listed: %s', (_w, id) => {
    expect(direct(r)[id]).toBeUndefined();
  });

  it('each direct holder comes with the statements that grant it, and conditional ones with the key', () => {
    const minter = r.direct.find((d) => d.id === userId('svc/key-minter'))!;
    expect(minter.allows.map((s) => [s.policyName, s.statementIndex, s.sid])).toEqual([['mint-keys', 0, 'MintUserKeys']]);
    const ip = r.direct.find((d) => d.id === userId('svc/ip-bound'))!;
    expect(ip.unknownKeys).toEqual(['aws:SourceIp']);
    expect(r.summary).toMatchObject({ direct: r.direct.length, allowed: r.direct.length - 1, conditional: 1 });
    // allowed first, then conditional
    expect(r.direct.at(-1)!.id).toBe(userId('svc/ip-bound'));
  });

  it('a named resource narrows it: the explicit Deny on admins removes key-minter', () => {
    const onAdmin = who({ action: 'iam:CreateAccessKey', resource: userArn('admins/ops-admin') });
    expect(direct(onAdmin)[userId('svc/key-minter')]).toBeUndefined();
    expect(direct(onAdmin)[userId('svc/hostile-bot')]).toBeUndefined();
    expect(direct(onAdmin)[userId('svc/ip-bound')]).toBe('conditional');
  });

  it('sts:AssumeRole on a role of the snapshot is decided by its trust: only the caller it names', () => {
    const a = who({ action: 'sts:AssumeRole', resource: roleArn('chain-admin') });
    expect(a.engine).toBe('aws-assume-role');
    expect(Object.keys(direct(a))).toEqual([roleId('chain-mid')]);
    expect(a.direct[0].allows.map((s) => s.kind)).toContain('trust');
    expect(viaPath(a)[userId('svc/chain-start')]?.path.hops).toBe(1);
  });
});

describe('nhi who-can: through a path', () => {
  const r = who({ action: 'iam:CreateAccessKey', anyResource: USER_ANY });

  it.each([
    ['PassRole of the Lambda admin role', userId('ci/build-bot'), 1, roleId('lambda-admin')],
    ['a role chain into an admin role', userId('svc/chain-start'), 2, roleId('chain-admin')],
    ['the middle of that chain', roleId('chain-mid'), 1, roleId('chain-admin')],
  ])('%s', (_w, id, hops, holder) => {
    const p = viaPath(r)[id];
    expect(p?.path.hops).toBe(hops);
    expect(p?.holder.id).toBe(holder);
    expect(p?.path.steps.at(-1)!.to.id).toBe(holder);
    expect(p?.path.steps[0].from.id).toBe(id);
  });

  it('look-alike: no path for an identity that can become nobody, and direct holders are not repeated', () => {
    expect(viaPath(r)[userId('svc/report-bot')]).toBeUndefined();
    for (const d of r.direct) expect(viaPath(r)[d.id]).toBeUndefined();
    expect(r.throughPath.every((p) => !p.id.startsWith('meta:'))).toBe(true);
  });

  it('--max-hops bounds the search; --direct-only skips it', () => {
    const one = who({ action: 'iam:CreateAccessKey', anyResource: USER_ANY, maxHops: 1 });
    expect(viaPath(one)[userId('svc/chain-start')]).toBeUndefined();
    expect(viaPath(one)[userId('ci/build-bot')]).toBeDefined();
    const none = who({ action: 'iam:CreateAccessKey', anyResource: USER_ANY, directOnly: true });
    expect(none.throughPath).toEqual([]);
    expect(none.direct).toEqual(r.direct);
    // direct holders need the evaluator alone (the CLI skips the path analysis for --direct-only)
    const bare = whoCanReport(graph, NOW, { evaluator: createEvaluator(graph, { now: NOW }) }, { action: 'iam:CreateAccessKey', anyResource: USER_ANY, directOnly: true }, SNAPSHOT);
    expect(bare.direct).toEqual(r.direct);
  });
});

describe('searchBack: one backwards search from all holders', () => {
  const e = (from: string, to: string, extra: Partial<BecomeEdge> = {}): BecomeEdge => ({ from, to, method: 'm', statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high', ...extra });
  const index = (edges: BecomeEdge[]) => {
    const m = new Map<string, BecomeEdge[]>();
    for (const x of edges) m.set(x.to, [...(m.get(x.to) ?? []), x]);
    return m;
  };

  it('finds the nearest holder from every node, and leaving a hub costs no hop', () => {
    const hub = 'meta:hub:aws:1:m';
    const t = searchBack(['h1', 'h2'], index([e('a', 'h1'), e('b', 'a'), e('c', hub), e(hub, 'h2'), e('d', 'b'), e('d', 'c')]), () => true);
    expect(t.get('a')).toMatchObject({ dist: 1 });
    expect(t.get('b')).toMatchObject({ dist: 2 });
    expect(t.get('c')).toMatchObject({ dist: 1 });
    expect(t.get(hub)).toMatchObject({ dist: 0 });
    expect(t.get('d')?.dist).toBe(2);
    expect(t.get('d')?.edge?.to).toBe('c');
    expect(t.get('h1')).toEqual({ dist: 0, edge: null });
  });

  it('restricted to certain edges it skips conditional ones; maxHops stops it', () => {
    const edges = index([e('a', 'h', { decision: 'conditional' }), e('a', 'b'), e('b', 'h')]);
    expect(searchBack(['h'], edges, () => true).get('a')?.edge?.to).toBe('h');
    expect(searchBack(['h'], edges, (x) => x.decision === 'allowed').get('a')?.edge?.to).toBe('b');
    expect(searchBack(['h'], edges, () => true, 0).has('a')).toBe(false);
  });

  it('a certain path is preferred over a shorter conditional one in the report', () => {
    const tweak = (authz: AuthzDetails) => {
      // ip-bound also gets a certain way: it may assume chain-mid (trust added), which leads on to chain-admin
      const mid = authz.RoleDetailList!.find((x) => x.RoleName === 'chain-mid')!;
      (mid.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement.push({ Effect: 'Allow', Principal: { AWS: userArn('svc/ip-bound') }, Action: 'sts:AssumeRole' });
    };
    const g = fixtureGraph(tweak);
    const rep = who({ action: 'iam:CreateUser', resource: userArn('new-user') }, g);
    const ip = viaPath(rep)[userId('svc/ip-bound')];
    expect(ip.decision).toBe('allowed');
    expect(ip.path.steps.map((s) => s.to.name)).toEqual(['chain-mid', 'chain-admin']);
  });
});

describe('nhi who-can: scale', () => {
  it('asks each principal once; principals that share their policies share the evaluation', () => {
    const many = (authz: AuthzDetails) => {
      for (let i = 0; i < 300; i++) {
        authz.UserDetailList!.push({ Path: '/bulk/', UserName: `bulk-${i}`, UserId: `AIDABULK${i}`, Arn: userArn(`bulk/bulk-${i}`), CreateDate: '2026-01-05T08:00:00+00:00', UserPolicyList: [], GroupList: [], AttachedManagedPolicies: [{ PolicyName: 'mint-keys', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/mint-keys` }], Tags: [] });
      }
    };
    const g = fixtureGraph(many);
    const analysis = graphAnalysis(g, NOW);
    const evaluate = vi.spyOn(analysis.evaluator, 'evaluate');
    const rep = whoCanReport(g, NOW, analysis, { action: 'iam:CreateAccessKey', anyResource: USER_ANY }, SNAPSHOT);
    const principals = [...g.principals()].filter((p) => ['iam-user', 'iam-role', 'iam-group', 'root'].includes(p.type)).length;
    expect(evaluate).toHaveBeenCalledTimes(principals);
    expect(rep.summary.evaluated).toBe(principals);
    expect(rep.direct.filter((d) => d.name.startsWith('bulk-'))).toHaveLength(300);
    // one policy set: the 300 bulk users share one key (and so one memoised evaluation)
    expect(new Set(rep.direct.filter((d) => d.name.startsWith('bulk-')).map((d) => analysis.evaluator.policySetKey(d.id))).size).toBe(1);
  });
});

describe('nhi who-can: Google Cloud', () => {
  const member = (name: string) => `serviceAccount:${sa(name)}`;
  const g = gcpGraph({
    serviceAccounts: [account('app'), account('keymaker'), account('bystander')],
    policy: { bindings: [binding('roles/iam.serviceAccountKeyAdmin', member('keymaker')), binding('roles/viewer', member('bystander'))] },
    saPolicies: { [sa('keymaker')]: { bindings: [binding('roles/iam.serviceAccountTokenCreator', member('app'))] } },
  });
  const r = who({ action: 'iam.serviceAccountKeys.create', resource: `projects/${P}` }, g, GCP_NOW);

  it('direct holders from role bindings, and members that can become one through a path', () => {
    expect(r.engine).toBe('gcp');
    expect(direct(r)).toEqual({ [saId('keymaker')]: 'allowed' });
    expect(r.direct[0].allows.map((s) => s.policyName)).toEqual([`roles/iam.serviceAccountKeyAdmin on projects/${P}`]);
    expect(viaPath(r)[saId('app')]?.holder.id).toBe(saId('keymaker'));
    expect(viaPath(r)[saId('bystander')]).toBeUndefined();
  });

  it('look-alike: a disabled account that holds the same role is not listed', () => {
    const off = gcpGraph({
      serviceAccounts: [account('keymaker', { disabled: true })],
      policy: { bindings: [binding('roles/iam.serviceAccountKeyAdmin', member('keymaker'))] },
    });
    expect(who({ action: 'iam.serviceAccountKeys.create', resource: `projects/${P}` }, off, GCP_NOW).direct).toEqual([]);
  });
});

describe('nhi who-can: text', () => {
  const r = who({ action: 'iam:CreateAccessKey', anyResource: USER_ANY });
  const text = renderWhoCanText(r, undefined);

  it('lists direct holders with their grants, then path holders with their path', () => {
    expect(text.split('\n')[0]).toBe(`Who can iam:CreateAccessKey on ${USER_ANY}`);
    expect(text).toMatch(/^ {2}IAM user key-minter \(aws, 111122223333\)\n {4}granted by statement 0 \(MintUserKeys\) of policy mint-keys$/m);
    expect(text).toMatch(/^ {2}IAM user ip-bound \(aws, 111122223333\) \[conditional on aws:SourceIp\]$/m);
    expect(text).toMatch(/^ {2}IAM user build-bot \(aws, 111122223333\) \[1 hop to IAM role lambda-admin\]$/m);
    expect(text).toContain('the account root user may do everything');
  });

  it('hostile names never reach the terminal raw; lines wrap to the width', () => {
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('grantclickred');
    for (const l of renderWhoCanText(r, 60).split('\n')) expect(l.length).toBeLessThanOrEqual(60);
  });
});
