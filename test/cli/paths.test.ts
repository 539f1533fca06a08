/** `nhi paths`: the report model (what an identity can become, shortest first, hubs folded) and its text. */
import { describe, expect, it } from 'vitest';
import { pathsReport, renderPathsText, type PathsReport } from '../../src/cli/commands/paths.js';
import { safeJson } from '../../src/cli/query.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { ACCOUNT, fixtureGraph, node, NOW, roleId, SNAPSHOT, userId } from './query-graph.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const graph = fixtureGraph();
function report(id: string, opts: { maxHops?: number; adminOnly?: boolean } = {}, g: IdentityGraph = graph): PathsReport {
  return pathsReport(g, graphAnalysis(g, NOW), node(g, id), opts, SNAPSHOT);
}
const names = (r: PathsReport) => r.reachable.map((e) => e.name);
const entry = (r: PathsReport, id: string) => r.reachable.find((e) => e.id === id);

describe('nhi paths: what an identity can become', () => {
  it('PassRole of a Lambda admin role with CreateFunction + Invoke: the admin role first, with the statements that grant the hop', () => {
    const r = report(userId('ci/build-bot'));
    const first = r.reachable[0];
    expect(first.id).toBe(roleId('lambda-admin'));
    expect(first.admin).toBe(true);
    expect(first.adminWhy).toMatch(/AdministratorAccess/);
    expect(first.path.hops).toBe(1);
    const hop = first.path.steps[0];
    expect(hop.method).toBe('aws-passrole-lambda-invoke');
    expect(hop.methodTitle).toBe('iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction');
    expect(hop.statements.map((s) => [s.policyName, s.statementIndex, s.sid])).toEqual(
      expect.arrayContaining([
        ['build', 0, 'PassLambdaRoles'],
        ['build', 1, 'Functions'],
      ]),
    );
    expect(r.toAdmin?.end.id).toBe(roleId('lambda-admin'));
    expect(r.subject).toMatchObject({ id: userId('ci/build-bot'), admin: false, kind: 'principal' });
  });

  it('the harmless role it can pass is listed too, not admin, with what it holds', () => {
    const worker = entry(report(userId('ci/build-bot')), roleId('lambda-worker'))!;
    expect(worker).toMatchObject({ admin: false, holdsTotal: 1 });
    expect(worker.holds.map((h) => h.name)).toEqual(['read-reports']);
    expect(worker.adminWhy).toBeUndefined();
  });

  it('look-alike: an identity with only its own reads can become nothing', () => {
    const r = report(userId('svc/report-bot'));
    expect(r.reachable).toEqual([]);
    expect(r.toAdmin).toBeNull();
    expect(r.summary).toEqual({ reachable: 0, admins: 0, shown: 0 });
  });

  it('is ordered shortest first (ties: admins first, then by name)', () => {
    const r = report(userId('ci/build-bot'));
    const hops = r.reachable.map((e) => e.path.hops);
    expect(hops).toEqual([...hops].sort((a, b) => a - b));
    const twoHops = r.reachable.filter((e) => e.path.hops === 2);
    const firstPlain = twoHops.findIndex((e) => !e.admin);
    expect(twoHops.slice(firstPlain).every((e) => !e.admin)).toBe(true);
  });

  it('a role chain: --max-hops 1 stops at the middle role, and the way to admin needs two hops', () => {
    const limited = report(userId('svc/chain-start'), { maxHops: 1 });
    expect(names(limited)).toEqual(['chain-mid']);
    expect(limited.toAdmin).toBeNull();
    expect(limited.options).toEqual({ maxHops: 1, adminOnly: false });
    const full = report(userId('svc/chain-start'));
    expect(full.toAdmin?.end.id).toBe(roleId('chain-admin'));
    expect(full.toAdmin?.steps.map((s) => s.to.name)).toEqual(['chain-mid', 'chain-admin']);
    expect(entry(full, roleId('chain-admin'))?.path.hops).toBe(2);
  });

  it('--admin-only keeps only admin ends and still counts everything reachable', () => {
    const r = report(userId('svc/chain-start'), { adminOnly: true });
    expect(r.reachable.length).toBeGreaterThan(0);
    expect(r.reachable.every((e) => e.admin)).toBe(true);
    expect(r.summary.shown).toBe(r.reachable.length);
    expect(r.summary.reachable).toBeGreaterThan(r.summary.shown);
  });

  it('a hop that turns on a condition the scan cannot know is conditional, the key named', () => {
    const ops = entry(report(userId('svc/ip-bound')), userId('admins/ops-admin'))!;
    expect(ops.admin).toBe(true);
    expect(ops.path).toMatchObject({ hops: 1, decision: 'conditional', unknownKeys: ['aws:SourceIp'] });
  });

  it('hubs ("every user of the account") never show: each hop goes from one identity to the next', () => {
    const r = report(userId('svc/chain-start'));
    const top = entry(r, roleId('chain-admin'))!;
    expect(top.path.steps.map((s) => s.to.name)).toEqual(['chain-mid', 'chain-admin']);
    for (const e of r.reachable) {
      expect(e.id.startsWith('meta:hub:')).toBe(false);
      for (const s of e.path.steps) {
        expect(s.from.id.startsWith('meta:hub:')).toBe(false);
        expect(s.to.id.startsWith('meta:hub:')).toBe(false);
      }
      expect(e.path.steps.length).toBe(e.path.hops);
      expect(e.path.steps.at(-1)!.to.id).toBe(e.id);
    }
  });

  it('an admin is said to be one, with why', () => {
    const r = report(userId('admins/ops-admin'));
    expect(r.subject.admin).toBe(true);
    expect(r.subject.adminWhy).toMatch(/AdministratorAccess/);
    const users = [...graph.principals()].filter((p) => p.platform === 'aws' && (p.type === 'iam-user' || p.type === 'iam-role')).length;
    expect(r.controls).toEqual([{ platform: 'aws', scope: ACCOUNT, via: expect.objectContaining({ id: userId('admins/ops-admin') }), hops: 0, identities: users }]);
    expect(renderPathsText(graph, node(graph, userId('admins/ops-admin')), r, undefined)).toContain(`It controls AWS account ${ACCOUNT}: an admin there can become any of its ${users} identities`);
  });

  it('an admin on the way is where the listing stops: the account it controls is named once, through the nearest admin', () => {
    const r = report(userId('svc/chain-start'));
    expect(r.controls).toHaveLength(1);
    expect(r.controls[0]).toMatchObject({ platform: 'aws', scope: ACCOUNT, hops: 2, via: { id: roleId('chain-admin') } });
    // ops-admin is only reachable by acting as an admin: it is covered by the control line, not listed
    expect(entry(r, userId('admins/ops-admin'))).toBeUndefined();
    expect(renderPathsText(graph, node(graph, userId('svc/chain-start')), r, undefined)).toMatch(/^Through IAM role chain-admin \(2 hops\) it controls AWS account 111122223333/m);
    // an identity that reaches no admin controls nothing
    expect(report(userId('svc/hostile-bot')).controls).toEqual([]);
  });

  it('an access key acts as its holder: the paths are the holder\'s', () => {
    const key = graph.credentialsOf(userId('ci/build-bot')).find((c) => c.type === 'access-key')!;
    const viaKey = report(key.id);
    expect(viaKey.actsAs?.id).toBe(userId('ci/build-bot'));
    expect(viaKey.subject.kind).toBe('credential');
    expect(names(viaKey)).toEqual(names(report(userId('ci/build-bot'))));
  });
});

describe('nhi paths: text', () => {
  it('names the subject, the way to admin, and each path with its grants', () => {
    const text = renderPathsText(graph, node(graph, userId('ci/build-bot')), report(userId('ci/build-bot')), undefined);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Paths from IAM user build-bot (aws, 111122223333): arn:aws:iam::111122223333:user/ci/build-bot');
    expect(text).toContain('Not admin, but can become admin in 1 hop (IAM role lambda-admin).');
    expect(text).toMatch(/^1\. IAM role lambda-admin \[ADMIN, 1 hop\]$/m);
    expect(text).toMatch(/build-bot → IAM role lambda-admin by iam:PassRole \+ lambda:CreateFunction \+ lambda:InvokeFunction$/m);
    expect(text).toContain('statement 0 (PassLambdaRoles) of policy build');
  });

  it('a conditional path says which key it turns on', () => {
    const text = renderPathsText(graph, node(graph, userId('svc/ip-bound')), report(userId('svc/ip-bound'), { adminOnly: true }), undefined);
    expect(text).toContain('can become admin in 1 hop (IAM user ops-admin) if aws:SourceIp allows.');
    expect(text).toContain('only if aws:SourceIp allows it');
  });

  it('wraps to the width it is given', () => {
    const text = renderPathsText(graph, node(graph, userId('svc/chain-start')), report(userId('svc/chain-start')), 60);
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(60);
  });

  it('hostile names from the estate never reach the terminal raw (text), and JSON escapes them', () => {
    const g = fixtureGraph();
    const r = report(userId('svc/chain-start'), {}, g);
    const text = renderPathsText(g, node(g, userId('svc/hostile-bot')), report(userId('svc/hostile-bot'), {}, g), 80);
    expect(text).toContain('IAM user hostile-bot');
    expect(renderPathsText(g, node(g, userId('svc/chain-start')), r, 80)).not.toMatch(CONTROL);
    const key = renderPathsText(g, node(g, userId('svc/key-minter')), report(userId('svc/key-minter'), {}, g), undefined);
    for (const t of [text, key]) expect(t).not.toMatch(CONTROL);
    const hostileHop = report(userId('svc/hostile-bot'), {}, g);
    const json = safeJson(hostileHop);
    expect(json).not.toMatch(CONTROL);
    expect(json).toContain('\\u001b');
    expect(renderPathsText(g, node(g, userId('svc/hostile-bot')), hostileHop, undefined)).toContain('statement 0 (Sidwipe) of policy grantclickred');
  });
});
