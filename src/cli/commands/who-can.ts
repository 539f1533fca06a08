/**
 * `nhi who-can <action> [resource]`: every identity that can do it directly (its own grants: the decision and the
 * statements that grant it), and every identity that can through a path (it can become one that can; the shortest
 * path). JSON: docs/commands/who-can.md.
 *
 * Cost: every principal of the action's platform is asked once, but the engines memoise by policy set (AWS) and
 * grant set (Google Cloud), so principals that share their policies share one evaluation. "Through a path" is one
 * breadth-first search backwards over the "can become" edges from all direct holders at once (certain edges first,
 * then any): linear in the edges, never a pair of principals.
 */
import { Command, Option } from 'commander';
import type { IdentityGraph } from '../../graph/graph.js';
import { isHub, searchBack, type Step } from '../../paths/analyze.js';
import { gcpState } from '../../paths/gcp.js';
import { graphAnalysis, type GraphAnalysis } from '../../paths/index.js';
import type { BecomeEdge, PathHop } from '../../paths/types.js';
import type { Decision, Evaluation, StatementRef } from '../../policy/decision.js';
import { createEvaluator } from '../../policy/evaluate.js';
import { safeLabel } from '../../util/text.js';
import { writeOutput } from '../io.js';
import {
  actionPlatform,
  anyAwsResource,
  awsResource,
  checkAwsAction,
  gcpPermissionNote,
  gcpResource,
  kindName,
  nodeJson,
  openSnapshot,
  outputWidth,
  parseMaxHops,
  pathJson,
  pathLines,
  QUERY_SCHEMA_VERSION,
  safeJson,
  statementJson,
  statementLine,
  wrap,
  type NodeJson,
  type PathJson,
  type SnapshotRef,
  type StatementJson,
} from '../query.js';
import { AWS_SUBJECT_TYPES, GCP_SUBJECT_TYPES } from './can.js';
import { storeHelp } from './common.js';

interface WhoCanFlags {
  maxHops?: string;
  directOnly?: boolean;
  allowUnknownAction?: boolean;
  snapshot?: string;
  format: 'text' | 'json';
  output?: string;
  store?: string;
  config?: string;
}

export interface DirectHolderJson extends NodeJson {
  decision: 'allowed' | 'conditional';
  unknownKeys: string[];
  /** the statements that grant it (identity policies, role bindings; for sts:AssumeRole the trust statements too) */
  allows: StatementJson[];
  /** Deny statements that match but stay open (their conditions unknown) */
  denies: StatementJson[];
  /** the engine's remarks (the root user, statements skipped as malformed) */
  notes: string[];
}

export interface PathHolderJson extends NodeJson {
  /** the path's decision combined with the direct holder's */
  decision: 'allowed' | 'conditional';
  unknownKeys: string[];
  /** the direct holder the path ends at */
  holder: NodeJson;
  path: PathJson;
}

export interface WhoCanReport {
  schemaVersion: string;
  snapshot: SnapshotRef;
  action: string;
  resource: string;
  engine: 'aws' | 'aws-assume-role' | 'gcp';
  options: { maxHops: number | null; directOnly: boolean };
  summary: { evaluated: number; direct: number; allowed: number; conditional: number; throughPath: number };
  direct: DirectHolderJson[];
  throughPath: PathHolderJson[];
  notes: string[];
}

interface Holder {
  id: string;
  decision: 'allowed' | 'conditional';
  unknownKeys: readonly string[];
  allows: readonly StatementRef[];
  denies: readonly StatementRef[];
  notes: readonly string[];
}

/** The direct holders of an AWS action: every IAM user, role, group and root user of the snapshot, asked once each. */
function awsHolders(graph: IdentityGraph, analysis: QueryAnalysis, action: string, arn: string, roleId: string | undefined): { holders: Holder[]; evaluated: number; engine: 'aws' | 'aws-assume-role' } {
  const { evaluator } = analysis;
  const holders: Holder[] = [];
  let evaluated = 0;
  const assume = action.toLowerCase() === 'sts:assumerole' && roleId !== undefined;
  for (const p of graph.principals()) {
    if (p.platform !== 'aws' || !AWS_SUBJECT_TYPES.has(p.type) || p.attributes?.external === true) continue;
    if (assume) {
      if (p.type !== 'iam-user' && p.type !== 'iam-role') continue;
      evaluated++;
      const a = evaluator.canAssume(p.id, roleId);
      if (a.decision === 'denied') continue;
      const idAllows = a.via !== 'principal' ? (a.identity?.allows ?? []) : [];
      holders.push({ id: p.id, decision: a.decision, unknownKeys: a.unknownKeys, allows: [...a.trust.filter((s) => s.effect === 'Allow'), ...idAllows], denies: [...a.trust.filter((s) => s.effect === 'Deny'), ...(a.identity?.denies ?? [])], notes: a.notes ?? [] });
      continue;
    }
    evaluated++;
    const e: Evaluation = evaluator.evaluate(p.id, action, arn);
    if (e.decision === 'denied') continue;
    holders.push({ id: p.id, decision: e.decision, unknownKeys: e.unknownKeys, allows: e.allows, denies: e.denies, notes: e.notes ?? [] });
  }
  return { holders, evaluated, engine: assume ? 'aws-assume-role' : 'aws' };
}

/** The direct holders of a Google Cloud permission on a resource: every enabled member that holds a role binding. */
function gcpHolders(graph: IdentityGraph, now: Date, permission: string, resource: string): { holders: Holder[]; evaluated: number } {
  const { engine } = gcpState({ graph, now });
  const holders: Holder[] = [];
  let evaluated = 0;
  for (const p of graph.principals()) {
    // a disabled or deleted account cannot act, whatever it holds (the path analysis leaves it out too)
    if (p.platform !== 'gcp' || !GCP_SUBJECT_TYPES.has(p.type) || p.disabled === true || p.attributes?.deleted === true) continue;
    if (engine.grantsOf(p.id).length === 0) continue;
    evaluated++;
    const e = engine.evaluate(p.id, permission, resource);
    if (e.decision === 'denied') continue;
    holders.push({ id: p.id, decision: e.decision, unknownKeys: e.unknownKeys, allows: e.allows, denies: e.denies, notes: e.notes ?? [] });
  }
  return { holders, evaluated };
}

function follow(start: string, table: Map<string, Step>): PathHop[] {
  const hops: PathHop[] = [];
  let cur = start;
  for (let step = table.get(cur); step?.edge; step = table.get(cur)) {
    hops.push({ from: cur, to: step.edge.to, edge: step.edge });
    cur = step.edge.to;
    if (hops.length > table.size) break;
  }
  return hops;
}

/** The engines a question needs: the AWS evaluator, and the paths unless only direct holders are asked for. */
export type QueryAnalysis = Pick<GraphAnalysis, 'evaluator'> & { paths?: GraphAnalysis['paths'] };

export interface WhoCanQuery {
  action: string;
  resource?: string;
  maxHops?: number;
  directOnly?: boolean;
  allowUnknownAction?: boolean;
  /** the resource pattern standing for "some resource" when none is named (anyAwsResource; default `*`) */
  anyResource?: string;
}

/** Who can do it, directly and through a path (pure: graph, as-of time and analysis in, the JSON model out). */
export function whoCanReport(graph: IdentityGraph, now: Date, analysis: QueryAnalysis, q: WhoCanQuery, snapshot: SnapshotRef): WhoCanReport {
  const platform = actionPlatform(q.action);
  const notes: string[] = [];
  let action: string;
  let resource: string;
  let found: { holders: Holder[]; evaluated: number };
  let engine: WhoCanReport['engine'];
  if (platform === 'aws') {
    action = checkAwsAction(q.action, q.allowUnknownAction);
    const r = awsResource(graph, q.resource, q.anyResource);
    resource = r.arn;
    const aws = awsHolders(graph, analysis, action, r.arn, r.roleId);
    found = aws;
    engine = aws.engine;
    if (engine === 'aws' && action.toLowerCase() === 'sts:assumerole') notes.push('only identity policies are decided: name a role of the snapshot to decide its trust policy too');
    if (q.resource === undefined) notes.push(resource === '*' ? `${action} has no resource types: asked on *` : `no resource given: an identity counts when some resource matching ${resource} is allowed (one of its choosing)`);
  } else {
    action = q.action.trim();
    resource = gcpResource(graph, q.resource);
    found = gcpHolders(graph, now, action, resource);
    engine = 'gcp';
    const unknown = gcpPermissionNote(graph, action);
    if (unknown) notes.push(unknown);
  }
  const rank = (d: Decision) => (d === 'allowed' ? 0 : 1);
  const direct: DirectHolderJson[] = found.holders
    .map((h) => ({
      ...nodeJson(graph, h.id),
      decision: h.decision,
      unknownKeys: [...h.unknownKeys],
      allows: h.allows.map((s) => statementJson(graph, s)),
      denies: h.denies.map((s) => statementJson(graph, s)),
      notes: [...h.notes],
    }))
    .sort((a, b) => rank(a.decision) - rank(b.decision) || cmp(a.platform, b.platform) || cmp(a.type, b.type) || cmp(a.name, b.name) || cmp(a.id, b.id));

  const throughPath: PathHolderJson[] = [];
  const paths = q.directOnly ? undefined : analysis.paths;
  if (paths && found.holders.length > 0) {
    const incoming = new Map<string, BecomeEdge[]>();
    for (const e of paths.edges) {
      const list = incoming.get(e.to);
      if (list) list.push(e);
      else incoming.set(e.to, [e]);
    }
    for (const list of incoming.values()) list.sort((a, b) => cmp(a.from, b.from) || cmp(a.method, b.method));
    const holderOf = new Map(found.holders.map((h) => [h.id, h]));
    const allowedHolders = found.holders.filter((h) => h.decision === 'allowed').map((h) => h.id);
    const certain = searchBack(allowedHolders, incoming, (e) => e.decision === 'allowed', q.maxHops);
    const any = searchBack([...holderOf.keys()], incoming, () => true, q.maxHops);
    for (const id of any.keys()) {
      if (holderOf.has(id) || isHub(id) || id.startsWith('meta:admin:')) continue;
      const table = certain.has(id) ? certain : any;
      const hops = follow(id, table);
      if (hops.length === 0) continue;
      const end = hops[hops.length - 1].to;
      const holder = holderOf.get(end)!;
      const path = pathJson(graph, { start: id, end, hops });
      const keys = new Set([...path.unknownKeys, ...holder.unknownKeys]);
      throughPath.push({
        ...nodeJson(graph, id),
        decision: path.decision === 'allowed' && holder.decision === 'allowed' ? 'allowed' : 'conditional',
        unknownKeys: [...keys].sort(),
        holder: nodeJson(graph, end),
        path,
      });
    }
    throughPath.sort((a, b) => a.path.hops - b.path.hops || rank(a.decision) - rank(b.decision) || cmp(a.platform, b.platform) || cmp(a.name, b.name) || cmp(a.id, b.id));
  }
  const allowed = direct.filter((d) => d.decision === 'allowed').length;
  return {
    schemaVersion: QUERY_SCHEMA_VERSION,
    snapshot,
    action,
    resource,
    engine,
    options: { maxHops: q.maxHops ?? null, directOnly: Boolean(q.directOnly) },
    summary: { evaluated: found.evaluated, direct: direct.length, allowed, conditional: direct.length - allowed, throughPath: throughPath.length },
    direct,
    throughPath,
    notes,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function where(n: NodeJson): string {
  const parts = [n.platform, n.scope].filter(Boolean).map((s) => safeLabel(s, 80));
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** The answer as text: the direct holders with the statements that grant it, then those that can through a path. */
export function renderWhoCanText(r: WhoCanReport, width: number | undefined): string {
  const out: string[] = [];
  out.push(...wrap(`Who can ${safeLabel(r.action, 120)} on ${safeLabel(r.resource, 400)}`, width, '', '  '));
  out.push(...wrap(`Snapshot ${r.snapshot.id}, as of ${r.snapshot.asOf}; ${r.summary.evaluated} identities asked.`, width, '', '  '));
  for (const n of r.notes) out.push(...wrap(`note: ${safeLabel(n, 600)}`, width, '', '  '));
  out.push('');
  if (r.direct.length === 0) out.push('Directly: nobody.');
  else {
    out.push(...wrap(`Directly (${r.summary.direct}: ${r.summary.allowed} allowed, ${r.summary.conditional} conditional):`, width, '', '  '));
    for (const d of r.direct) {
      const cond = d.decision === 'conditional' ? ` [conditional on ${d.unknownKeys.map((k) => safeLabel(k, 200)).join(', ') || 'a condition'}]` : '';
      out.push(...wrap(`${kindName(d)}${where(d)}${cond}`, width, '  ', '    '));
      if (d.allows.length) out.push(...wrap(`granted by ${d.allows.map(statementLine).join('; ')}`, width, '    ', '      '));
      if (d.denies.length) out.push(...wrap(`unless ${d.denies.map(statementLine).join('; ')} applies`, width, '    ', '      '));
      if (!d.allows.length) for (const n of d.notes) out.push(...wrap(safeLabel(n, 400), width, '    ', '      '));
    }
  }
  if (r.options.directOnly) return out.join('\n');
  out.push('');
  if (r.throughPath.length === 0) out.push(...wrap(`Through a path: nobody else${r.options.maxHops !== null ? ` within ${r.options.maxHops} hops` : ''}.`, width, '', '  '));
  else {
    out.push(...wrap(`Through a path (${r.summary.throughPath}: they can become one of the above), shortest first:`, width, '', '  '));
    for (const p of r.throughPath) {
      const cond = p.decision === 'conditional' ? `, conditional on ${p.unknownKeys.map((k) => safeLabel(k, 200)).join(', ') || 'a condition'}` : '';
      out.push(...wrap(`${kindName(p)}${where(p)} [${p.path.hops} hop${p.path.hops === 1 ? '' : 's'} to ${kindName(p.holder)}${cond}]`, width, '  ', '    '));
      out.push(...pathLines(p.path, width, '    '));
    }
  }
  return out.join('\n');
}

export function registerWhoCan(program: Command): void {
  program
    .command('who-can')
    .description('every identity that can do an action: directly (with the statements that grant it) and through a path')
    .argument('<action>', 'AWS action (iam:CreateAccessKey) or Google Cloud permission (iam.serviceAccountKeys.create)')
    .argument('[resource]', 'AWS: an ARN or an identity name (default *: some resource of their choosing); Google Cloud: projects/P, folders/F, organizations/O or serviceAccounts/EMAIL')
    .option('--max-hops <n>', 'through a path: at most N hops (1-50)')
    .option('--direct-only', 'only identities that can do it by their own grants')
    .option('--allow-unknown-action', "evaluate an AWS action nhi's catalogue does not know (newer than it) instead of refusing it")
    .option('-s, --snapshot <id>', 'snapshot id (default: the latest)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (action: string, resource: string | undefined, flags: WhoCanFlags) => {
      const maxHops = parseMaxHops(flags.maxHops);
      const anyResource = actionPlatform(action) === 'aws' ? await anyAwsResource(action) : undefined;
      const { graph, snapshot, now } = await openSnapshot(flags);
      // direct holders need the evaluator only: the path analysis is built when paths are asked for
      const analysis = flags.directOnly ? { evaluator: createEvaluator(graph, { now }) } : graphAnalysis(graph, now);
      const report = whoCanReport(graph, now, analysis, { action, resource, maxHops, directOnly: flags.directOnly, allowUnknownAction: flags.allowUnknownAction, anyResource }, snapshot);
      writeOutput(flags.format === 'json' ? safeJson(report) : renderWhoCanText(report, outputWidth(flags.output)), flags.output);
    });
}
