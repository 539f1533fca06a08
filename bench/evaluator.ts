/**
 * `npm run bench -- --evaluator`: the authorization engine on its own (src/policy/evaluate.ts).
 *
 * A seeded synthetic account: N principals (roles, and users in groups) sharing a catalogue of managed policies
 * (service reads, bucket grants with scoped Denies, PassRole under iam:PassedToService, time-bound grants, source-IP
 * grants, admin-like and NotAction grants, MFA guards and `${aws:username}` self-service policies that make a policy
 * set principal-dependent, permissions boundaries). Each principal takes a team profile of a few policies. Then:
 *   cold   one question per principal (builds every principal's policy set and compiles every document)
 *   warm   `--calls` questions spread over every principal and a few hundred distinct requests
 *   assume `--calls / 10` canAssume questions (trust in the account root, or naming roles)
 *
 *   npm run bench -- --evaluator                      # 10,000 principals, 50 policies, 1,000,000 calls
 *   npm run bench -- --evaluator --principals 100000 --calls 2000000 --seed 7 --json
 */
import os from 'node:os';
import { IdentityGraph } from '../src/graph/graph.js';
import type { Provenance } from '../src/model/types.js';
import { createEvaluator } from '../src/policy/evaluate.js';
import { mulberry32 } from '../test/support/prng.js';

const ACCOUNT = '123456789012';
const PROV: Provenance = { connector: 'bench', source: 'synthetic', observedAt: '2026-11-01T00:00:00.000Z' };
const NOW = new Date('2026-11-01T06:00:00Z');

export interface EvaluatorBenchOptions {
  principals: number;
  policies: number;
  calls: number;
  seed: number;
  json: boolean;
}

type Doc = { Version: string; Statement: unknown[] };
const doc = (...Statement: unknown[]): Doc => ({ Version: '2012-10-17', Statement });

const SERVICES = ['s3', 'ec2', 'lambda', 'dynamodb', 'sqs', 'sns', 'logs', 'cloudwatch', 'kms', 'ecr', 'ecs', 'glue'];

/** The policy catalogue: `count` documents cycling through realistic shapes. */
function policyCatalogue(count: number): Array<{ name: string; document: Doc; boundary: boolean }> {
  const out: Array<{ name: string; document: Doc; boundary: boolean }> = [];
  for (let i = 0; out.length < count; i++) {
    const svc = SERVICES[i % SERVICES.length];
    switch (i % 10) {
      case 0:
      case 1:
        out.push({ name: `read-${svc}-${i}`, boundary: false, document: doc({ Effect: 'Allow', Action: [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`], Resource: '*' }) });
        break;
      case 2:
        out.push({
          name: `bucket-${i}`,
          boundary: false,
          document: doc(
            { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::bucket-${i}/*` },
            { Effect: 'Deny', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::bucket-${i}/audit/*` },
          ),
        });
        break;
      case 3:
        out.push({
          name: `passrole-${i}`,
          boundary: false,
          document: doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/svc-${svc}-*`, Condition: { StringEquals: { 'iam:PassedToService': `${svc}.amazonaws.com` } } }, { Effect: 'Allow', Action: `${svc}:*`, Resource: '*' }),
        });
        break;
      case 4:
        out.push({ name: `temporary-${i}`, boundary: false, document: doc({ Effect: 'Allow', Action: `${svc}:*`, Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': i % 20 === 4 ? '2026-01-01T00:00:00Z' : '2027-06-01T00:00:00Z' } } }) });
        break;
      case 5:
        out.push({ name: `office-${i}`, boundary: false, document: doc({ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', `${svc}:*`], Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } }) });
        break;
      case 6:
        out.push({
          name: `power-${i}`,
          boundary: false,
          document: i % 20 === 6 ? doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }) : doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: ['iam:Delete*', 'iam:Put*Policy'], Resource: '*' }),
        });
        break;
      case 7:
        // principal-dependent: MFA guard
        out.push({ name: `mfa-guard-${i}`, boundary: false, document: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }) });
        break;
      case 8:
        // principal-dependent: self-service keys
        out.push({
          name: `self-service-${i}`,
          boundary: false,
          document: doc({ Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'], Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` }, { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/team-*` }),
        });
        break;
      case 9:
        out.push({ name: `boundary-${i}`, boundary: true, document: doc({ Effect: 'Allow', Action: [`${svc}:*`, 's3:*', 'sts:AssumeRole', 'iam:PassRole', 'iam:Get*'], Resource: '*' }, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }) });
        break;
    }
  }
  return out;
}

interface Estate {
  graph: IdentityGraph;
  principals: string[];
  roles: string[];
}

function buildEstate(o: EvaluatorBenchOptions): Estate {
  const rnd = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const g = new IdentityGraph();
  const catalogue = policyCatalogue(o.policies);
  const policyIds = catalogue.map((p) => {
    const a = `arn:aws:iam::${ACCOUNT}:policy/${p.name}`;
    const id = `aws:managed-policy:${a}`;
    g.addNode({ id, kind: 'entitlement', platform: 'aws', type: 'managed-policy', name: p.name, externalId: a, entitlementType: 'managed-policy', managedBy: 'customer', document: p.document, provenance: [PROV] });
    return { id, boundary: p.boundary, dependent: /mfa-guard|self-service/.test(p.name) };
  });
  const grants = policyIds.filter((p) => !p.boundary && !p.dependent);
  const dependent = policyIds.filter((p) => p.dependent);
  const boundaries = policyIds.filter((p) => p.boundary);
  // team profiles: 3-6 policies each; one in eight adds a principal-dependent policy, one in four a boundary
  const profiles = Array.from({ length: 40 }, (_, i) => {
    const n = 3 + Math.floor(rnd() * 4);
    const set = new Set<string>();
    while (set.size < n) set.add(pick(grants).id);
    if (i % 8 === 0 && dependent.length > 0) set.add(pick(dependent).id);
    return { policies: [...set], boundary: i % 4 === 1 && boundaries.length > 0 ? pick(boundaries).id : undefined };
  });
  const groups = profiles.map((p, i) => {
    const a = `arn:aws:iam::${ACCOUNT}:group/team-${i}`;
    const id = `aws:iam-group:${a}`;
    g.addNode({ id, kind: 'principal', platform: 'aws', type: 'iam-group', name: `team-${i}`, externalId: a, scope: ACCOUNT, accountType: 'system', attributes: { arn: a }, provenance: [PROV] });
    for (const pid of p.policies) g.addEdge({ type: 'GRANTED', from: id, to: pid, attributes: { via: 'attached' }, provenance: [PROV] });
    return id;
  });
  const principals: string[] = [];
  const roles: string[] = [];
  for (let i = 0; i < o.principals; i++) {
    const t = Math.floor(rnd() * profiles.length);
    const profile = profiles[t];
    const isRole = rnd() < 0.6;
    if (isRole) {
      const name = `team-${t}-svc-${i}`;
      const a = `arn:aws:iam::${ACCOUNT}:role/${name}`;
      const id = `aws:iam-role:${a}`;
      const trust = rnd() < 0.5 ? doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }) : doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
      g.addNode({ id, kind: 'principal', platform: 'aws', type: 'iam-role', name, externalId: a, scope: ACCOUNT, accountType: 'service', tags: { team: `team-${t}` }, attributes: { arn: a, path: '/', roleId: `AROA${i}`, trustPolicy: trust }, provenance: [PROV] });
      for (const pid of profile.policies) g.addEdge({ type: 'GRANTED', from: id, to: pid, attributes: { via: 'attached' }, provenance: [PROV] });
      principals.push(id);
      roles.push(id);
    } else {
      const name = `user-${i}`;
      const a = `arn:aws:iam::${ACCOUNT}:user/${name}`;
      const id = `aws:iam-user:${a}`;
      g.addNode({ id, kind: 'principal', platform: 'aws', type: 'iam-user', name, externalId: a, scope: ACCOUNT, accountType: 'service', attributes: { arn: a, path: '/', userId: `AIDA${i}`, mfaActive: rnd() < 0.3 }, provenance: [PROV] });
      g.addEdge({ type: 'MEMBER_OF', from: id, to: groups[t], provenance: [PROV] });
      principals.push(id);
    }
    if (profile.boundary) g.addEdge({ type: 'GRANTED', from: principals[principals.length - 1], to: profile.boundary, attributes: { via: 'boundary' }, provenance: [PROV] });
  }
  return { graph: g, principals, roles };
}

interface Request {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

function requests(seed: number, roles: string[]): Request[] {
  const rnd = mulberry32(seed ^ 0x5eed);
  const out: Request[] = [];
  for (let i = 0; i < 300; i++) {
    const svc = SERVICES[i % SERVICES.length];
    switch (i % 6) {
      case 0:
        out.push({ action: `${svc}:Get${i % 3 === 0 ? 'Object' : 'Item'}`, resource: `arn:aws:s3:::bucket-${(i % 50) - (i % 10) + 2}/${i % 7 === 0 ? 'audit/' : ''}k${i}` });
        break;
      case 1:
        out.push({ action: 's3:DeleteObject', resource: `arn:aws:s3:::bucket-${(i % 50) - (i % 10) + 2}/audit/x` });
        break;
      case 2:
        out.push({ action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/svc-${svc}-${i}`, context: { 'iam:passedtoservice': `${svc}.amazonaws.com` } });
        break;
      case 3:
        out.push({ action: `${svc}:DescribeThings`, resource: '*' });
        break;
      case 4:
        out.push({ action: i % 4 === 0 ? 'iam:CreateAccessKey' : 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/user-${Math.floor(rnd() * 1000)}` });
        break;
      case 5:
        out.push({ action: 'sts:AssumeRole', resource: roles.length ? roles[Math.floor(rnd() * roles.length)].replace(/^aws:iam-role:/, '') : '*' });
        break;
    }
  }
  return out;
}

function ms(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** CPU time (user + system) since `c0`, in ms: steadier than wall time on a shared machine. */
function cpuMs(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return Math.round((d.user + d.system) / 100) / 10;
}

export async function benchEvaluator(o: EvaluatorBenchOptions): Promise<void> {
  if (!Number.isInteger(o.principals) || o.principals < 1) throw new Error('--principals: expected a positive whole number');
  if (!Number.isInteger(o.policies) || o.policies < 10) throw new Error('--policies: expected a whole number of at least 10');
  if (!Number.isInteger(o.calls) || o.calls < 1) throw new Error('--calls: expected a positive whole number');
  process.stderr.write(`bench: evaluator: ${o.principals} principals sharing ${o.policies} policies, ${o.calls} calls…\n`);
  let t = performance.now();
  const estate = buildEstate(o);
  const buildMs = ms(t);
  const heapAfterBuild = process.memoryUsage().heapUsed;
  const reqs = requests(o.seed, estate.roles);
  const ev = createEvaluator(estate.graph, { now: NOW });

  t = performance.now();
  let c = process.cpuUsage();
  const decisions: Record<string, number> = { allowed: 0, denied: 0, conditional: 0 };
  for (let i = 0; i < estate.principals.length; i++) {
    const r = reqs[i % reqs.length];
    decisions[ev.evaluate(estate.principals[i], r.action, r.resource, r.context ? { context: r.context } : undefined).decision]++;
  }
  const coldMs = ms(t);
  const coldCpuMs = cpuMs(c);
  const keys = new Set(estate.principals.map((p) => ev.policySetKey(p)));
  const dependent = estate.principals.filter((p) => ev.policySetKey(p).includes('\nP|')).length;

  // warm: round after round over every principal; each round shifts the request, so a principal meets up to
  // `calls / principals` different requests
  t = performance.now();
  c = process.cpuUsage();
  const n = estate.principals.length;
  for (let i = 0; i < o.calls; i++) {
    const r = reqs[(i + Math.floor(i / n) * 13) % reqs.length];
    decisions[ev.evaluate(estate.principals[i % n], r.action, r.resource, r.context ? { context: r.context } : undefined).decision]++;
  }
  const warmMs = ms(t);
  const warmCpuMs = cpuMs(c);
  // how many distinct questions that was (each computed once, the rest answered from the memo)
  const setIndex = new Map<string, number>();
  const setOf = estate.principals.map((p) => {
    const k = ev.policySetKey(p);
    let idx = setIndex.get(k);
    if (idx === undefined) setIndex.set(k, (idx = setIndex.size));
    return idx;
  });
  const distinct = new Set<number>();
  for (let i = 0; i < o.calls; i++) distinct.add(setOf[i % n] * reqs.length + ((i + Math.floor(i / n) * 13) % reqs.length));
  // the same calls again: every answer is memoised now
  t = performance.now();
  c = process.cpuUsage();
  for (let i = 0; i < o.calls; i++) {
    const r = reqs[(i + Math.floor(i / n) * 13) % reqs.length];
    ev.evaluate(estate.principals[i % n], r.action, r.resource, r.context ? { context: r.context } : undefined);
  }
  const repeatMs = ms(t);
  const repeatCpuMs = cpuMs(c);

  const assumeCalls = Math.max(1, Math.floor(o.calls / 10));
  const rnd = mulberry32(o.seed + 1);
  const assumed: Record<string, number> = { allowed: 0, denied: 0, conditional: 0 };
  t = performance.now();
  c = process.cpuUsage();
  for (let i = 0; i < assumeCalls; i++) {
    const caller = estate.principals[Math.floor(rnd() * n)];
    const role = estate.roles.length ? estate.roles[Math.floor(rnd() * estate.roles.length)] : caller;
    assumed[ev.canAssume(caller, role).decision]++;
  }
  const assumeMs = ms(t);
  const assumeCpuMs = cpuMs(c);
  const mem = process.memoryUsage();
  const row = {
    principals: n,
    roles: estate.roles.length,
    policies: o.policies,
    distinctRequests: reqs.length,
    policySets: keys.size,
    principalDependentPrincipals: dependent,
    graphBuildMs: buildMs,
    coldMs,
    coldCpuMs,
    coldCalls: n,
    warmMs,
    warmCpuMs,
    warmCalls: o.calls,
    warmCallsPerCpuSecond: Math.round(o.calls / (warmCpuMs / 1000)),
    warmDistinctQuestions: distinct.size,
    repeatMs,
    repeatCpuMs,
    repeatCallsPerCpuSecond: Math.round(o.calls / (repeatCpuMs / 1000)),
    assumeMs,
    assumeCpuMs,
    assumeCalls,
    assumeCallsPerCpuSecond: Math.round(assumeCalls / (assumeCpuMs / 1000)),
    loadAverage: os.loadavg()[0],
    decisions,
    assumed,
    heapUsedMb: Math.round(mem.heapUsed / 1048576),
    heapGraphMb: Math.round(heapAfterBuild / 1048576),
    rssMb: Math.round(mem.rss / 1048576),
    seed: o.seed,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    return;
  }
  const lines = [
    `nhi-drift benchmark: authorization engine, ${row.principals} principals (${row.roles} roles) sharing ${row.policies} policies, seed ${row.seed}`,
    '',
    `policy sets              ${row.policySets} distinct keys (${row.principalDependentPrincipals} principals with principal-dependent policies)`,
    `graph build              ${row.graphBuildMs} ms`,
    `cold (1 call/principal)  ${row.coldCalls} calls: ${row.coldMs} ms wall, ${row.coldCpuMs} ms CPU`,
    `warm                     ${row.warmCalls} calls over ${row.distinctRequests} requests: ${row.warmMs} ms wall, ${row.warmCpuMs} ms CPU (${row.warmCallsPerCpuSecond.toLocaleString('en-US')} calls per CPU second)`,
    `  of which distinct      ${row.warmDistinctQuestions} (policy set x request), each computed once`,
    `warm again (all memoised) ${row.warmCalls} calls: ${row.repeatMs} ms wall, ${row.repeatCpuMs} ms CPU (${row.repeatCallsPerCpuSecond.toLocaleString('en-US')} calls per CPU second)`,
    `canAssume                ${row.assumeCalls} calls: ${row.assumeMs} ms wall, ${row.assumeCpuMs} ms CPU (${row.assumeCallsPerCpuSecond.toLocaleString('en-US')} calls per CPU second)`,
    `decisions                allowed ${decisions.allowed}, denied ${decisions.denied}, conditional ${decisions.conditional}; assume: allowed ${assumed.allowed}, denied ${assumed.denied}, conditional ${assumed.conditional}`,
    `memory                   heap ${row.heapUsedMb} MB (${row.heapGraphMb} MB after building the graph), RSS ${row.rssMb} MB (1-minute load average ${row.loadAverage.toFixed(1)})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
