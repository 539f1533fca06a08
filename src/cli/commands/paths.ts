/**
 * `nhi paths <identity>`: everything an identity can become, shortest path first, with what each of those holds
 * (admin or not, and why), hubs folded into the hop that enters them. Reads a stored snapshot and asks the same
 * analysis the privilege-escalation rule reads (src/paths). JSON shape: docs/commands/paths.md.
 */
import { Command, Option } from 'commander';
import type { IdentityGraph } from '../../graph/graph.js';
import type { IdentityNode } from '../../model/types.js';
import { graphAnalysis, type GraphAnalysis } from '../../paths/index.js';
import { safeLabel } from '../../util/text.js';
import { writeOutput } from '../io.js';
import {
  adminSinkOf,
  kindName,
  nodeJson,
  openSnapshot,
  outputWidth,
  parseMaxHops,
  pathJson,
  pathLines,
  QUERY_SCHEMA_VERSION,
  safeJson,
  subjectText,
  wrap,
  type NodeJson,
  type PathJson,
  type SnapshotRef,
} from '../query.js';
import { resolveIdentity } from '../resolve.js';
import { storeHelp } from './common.js';

interface PathsFlags {
  maxHops?: string;
  adminOnly?: boolean;
  snapshot?: string;
  format: 'text' | 'json';
  output?: string;
  store?: string;
  config?: string;
}

/** What an identity holds, by name: its policies or role bindings (with the group that carries them), its boundary. */
export interface HeldJson {
  id: string;
  name: string;
  type: string;
  /** `direct`, `boundary`, or the id of the group that carries it */
  via: string;
  viaName?: string;
}

export interface ReachedJson extends NodeJson {
  admin: boolean;
  /** why it is admin (the statement or role that makes it so) */
  adminWhy?: string;
  /** the policies / role bindings it holds (first 20; `holdsTotal` counts them all) */
  holds: HeldJson[];
  holdsTotal: number;
  /** one shortest path from the subject */
  path: PathJson;
}

export interface PathsReport {
  schemaVersion: string;
  snapshot: SnapshotRef;
  subject: NodeJson & { kind: string; admin: boolean; adminWhy?: string };
  /** when the subject is a credential without paths of its own: the identity it acts as, where the paths start */
  actsAs?: NodeJson;
  options: { maxHops: number | null; adminOnly: boolean };
  /** the surest shortest path to admin (certain paths before shorter conditional ones), or null */
  toAdmin: (PathJson & { end: NodeJson }) | null;
  summary: { reachable: number; admins: number; shown: number };
  reachable: ReachedJson[];
  /**
   * Accounts the subject ends up controlling: an admin of an AWS account can become any identity there, so the
   * analysis does not list those one by one (nor follow them further). One entry per account, through its nearest
   * admin (or the subject itself, when it is admin).
   */
  controls: ControlJson[];
}

export interface ControlJson {
  platform: string;
  /** the account (AWS) */
  scope: string;
  /** the admin identity (or admin-of-the-account node) that gives the control */
  via: NodeJson;
  /** hops from the subject to `via` (0: the subject is admin) */
  hops: number;
  /** identities (users and roles) of that account, all of which an admin can become */
  identities: number;
}

const HOLDS_SHOWN = 20;

export function holdsOf(graph: IdentityGraph, id: string): { holds: HeldJson[]; total: number } {
  // a permissions boundary limits only the identity it is set on, never a group's members
  const refs = graph.entitlementsOf(id).filter((r) => r.edge.attributes?.via !== 'boundary' || r.via === 'direct');
  const holds = refs.slice(0, HOLDS_SHOWN).map((r) => {
    const boundary = r.edge.attributes?.via === 'boundary';
    const h: HeldJson = { id: r.entitlement.id, name: r.entitlement.name, type: r.entitlement.type, via: boundary ? 'boundary' : r.via };
    if (r.via !== 'direct') h.viaName = graph.node(r.via)?.name ?? r.via;
    return h;
  });
  return { holds, total: refs.length };
}

/** AWS identities (users and roles) per account, counted once per graph. */
const identitiesByAccount = new WeakMap<IdentityGraph, Map<string, number>>();
function accountIdentities(graph: IdentityGraph, account: string): number {
  let m = identitiesByAccount.get(graph);
  if (!m) {
    m = new Map();
    for (const p of graph.principals()) if (p.platform === 'aws' && p.scope && (p.type === 'iam-user' || p.type === 'iam-role')) m.set(p.scope, (m.get(p.scope) ?? 0) + 1);
    identitiesByAccount.set(graph, m);
  }
  return m.get(account) ?? 0;
}

/** The AWS accounts an admin on the way (or the subject itself) controls, nearest admin first. */
function controlsOf(graph: IdentityGraph, start: string, startIsAdmin: boolean, reached: readonly ReachedJson[]): ControlJson[] {
  const out = new Map<string, ControlJson>();
  const add = (node: NodeJson, hops: number) => {
    const sink = adminSinkOf(node.id);
    const platform = sink?.platform ?? node.platform;
    const scope = sink?.scope ?? node.scope;
    if (platform !== 'aws' || !scope || out.has(scope)) return;
    out.set(scope, { platform, scope, via: nodeJson(graph, node.id), hops, identities: accountIdentities(graph, scope) });
  };
  if (startIsAdmin) add(nodeJson(graph, start), 0);
  for (const r of reached) if (r.admin) add(r, r.path.hops);
  return [...out.values()];
}

/** Where the paths of `subject` start: itself, or the holder of a credential that has no paths of its own. */
export function startOf(graph: IdentityGraph, analysis: GraphAnalysis, subject: IdentityNode): string {
  if (subject.kind !== 'credential' || analysis.paths.out.has(subject.id)) return subject.id;
  return graph.holderOf(subject.id)?.id ?? subject.id;
}

/** The paths report of one identity (pure: the graph and its analysis in, the JSON model out). */
export function pathsReport(
  graph: IdentityGraph,
  analysis: GraphAnalysis,
  subject: IdentityNode,
  opts: { maxHops?: number; adminOnly?: boolean },
  snapshot: SnapshotRef,
): PathsReport {
  const { paths } = analysis;
  const start = startOf(graph, analysis, subject);
  const reached = paths.reachable(start, opts.maxHops);
  const all: ReachedJson[] = reached.map((r) => {
    const admin = paths.admins.get(r.id);
    const entry: ReachedJson = { ...nodeJson(graph, r.id), admin: admin !== undefined, holds: [], holdsTotal: 0, path: pathJson(graph, { start, end: r.id, hops: r.hops }) };
    if (admin) entry.adminWhy = admin.why;
    return entry;
  });
  // shortest first; among equals, admins first, certain before conditional, then by name
  all.sort(
    (a, b) =>
      a.path.hops - b.path.hops ||
      Number(b.admin) - Number(a.admin) ||
      Number(a.path.decision === 'conditional') - Number(b.path.decision === 'conditional') ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const shown = opts.adminOnly ? all.filter((r) => r.admin) : all;
  // what each holds, for the entries shown only
  for (const e of shown) {
    const { holds, total } = holdsOf(graph, e.id);
    e.holds = holds;
    e.holdsTotal = total;
  }
  const toAdminPath = paths.pathToAdmin(start);
  let toAdmin: PathsReport['toAdmin'] = null;
  if (toAdminPath) {
    const p = pathJson(graph, toAdminPath);
    if (opts.maxHops === undefined || p.hops <= opts.maxHops) toAdmin = { ...p, end: nodeJson(graph, toAdminPath.end) };
  }
  const selfAdmin = paths.admins.get(start);
  const controls = controlsOf(graph, start, selfAdmin !== undefined, all);
  const report: PathsReport = {
    schemaVersion: QUERY_SCHEMA_VERSION,
    snapshot,
    subject: { ...nodeJson(graph, subject.id), kind: subject.kind, admin: selfAdmin !== undefined },
    options: { maxHops: opts.maxHops ?? null, adminOnly: Boolean(opts.adminOnly) },
    toAdmin,
    summary: { reachable: all.length, admins: all.filter((r) => r.admin).length, shown: shown.length },
    reachable: shown,
    controls,
  };
  if (selfAdmin) report.subject.adminWhy = selfAdmin.why;
  if (start !== subject.id) report.actsAs = nodeJson(graph, start);
  return report;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The report as text: who, as of when, the way to admin, then every identity it can become with its path. */
export function renderPathsText(graph: IdentityGraph, subject: IdentityNode, r: PathsReport, width: number | undefined): string {
  const out: string[] = [];
  out.push(...wrap(`Paths from ${subjectText(graph, subject)}`, width, '', '  '));
  out.push(...wrap(`Snapshot ${r.snapshot.id}, as of ${r.snapshot.asOf}${r.options.maxHops !== null ? `, at most ${plural(r.options.maxHops, 'hop')}` : ''}.`, width, '', '  '));
  if (r.actsAs) out.push(...wrap(`A ${safeLabel(subject.type, 40).replace(/-/g, ' ')} acts as its holder: the paths start at ${kindName(r.actsAs)}.`, width, ''));
  if (r.subject.admin) out.push(...wrap(`${r.actsAs ? 'That identity' : 'It'} is admin already: ${safeLabel(r.subject.adminWhy, 400)}`, width, '', '  '));
  else if (r.toAdmin) {
    const cond = r.toAdmin.decision === 'conditional' ? ` if ${r.toAdmin.unknownKeys.map((k) => safeLabel(k, 200)).join(', ') || 'a condition'} allows` : '';
    out.push(...wrap(`Not admin, but can become admin in ${plural(r.toAdmin.hops, 'hop')} (${kindName(r.toAdmin.end)})${cond}.`, width, '', '  '));
  } else out.push(...wrap(`Not admin, and no path${r.options.maxHops !== null ? ' this short' : ''} leads to admin.`, width, '', '  '));
  for (const c of r.controls) {
    const who = c.hops === 0 ? (r.actsAs ? 'That identity' : 'It') : `Through ${kindName(c.via)} (${plural(c.hops, 'hop')}) it`;
    out.push(...wrap(`${who} controls AWS account ${safeLabel(c.scope, 40)}: an admin there can become any of its ${plural(c.identities, 'identity', 'identities')}, which are not listed one by one.`, width, '', '  '));
  }
  out.push('');
  if (r.summary.reachable === 0) {
    out.push(...wrap(`It can become no other identity${r.controls.length ? ' by a path of its own' : ''}${r.options.maxHops !== null ? ` within ${plural(r.options.maxHops, 'hop')}` : ''}.`, width, ''));
    return out.join('\n');
  }
  const what = r.options.adminOnly
    ? `It can become ${plural(r.summary.admins, 'admin identity', 'admin identities')} (of ${r.summary.reachable} it can become), shortest path first:`
    : `It can become ${plural(r.summary.reachable, 'identity', 'identities')}, ${r.summary.admins} of them admin, shortest path first:`;
  out.push(...wrap(what, width, '', '  '));
  r.reachable.forEach((e, i) => {
    out.push('');
    const num = `${String(i + 1).padStart(String(r.reachable.length).length)}. `;
    const pad = ' '.repeat(num.length);
    const facts = [e.admin ? 'ADMIN' : undefined, plural(e.path.hops, 'hop'), e.path.decision === 'conditional' ? 'conditional' : undefined, e.path.confidence !== 'high' ? `${e.path.confidence} confidence` : undefined]
      .filter(Boolean)
      .join(', ');
    out.push(...wrap(`${kindName(e)} [${facts}]`, width, num, `${pad}  `));
    if (e.adminWhy && e.type !== 'admin-sink') out.push(...wrap(`admin: ${safeLabel(e.adminWhy, 400)}`, width, pad, `${pad}  `));
    if (e.holds.length) {
      const held = e.holds.map((h) => `${safeLabel(h.name, 120)}${h.via === 'boundary' ? ' (permissions boundary)' : h.viaName ? ` (through ${safeLabel(h.viaName, 80)})` : ''}`);
      out.push(...wrap(`holds: ${held.join(', ')}${e.holdsTotal > e.holds.length ? `, and ${e.holdsTotal - e.holds.length} more` : ''}`, width, pad, `${pad}  `));
    }
    out.push(...pathLines(e.path, width, pad));
  });
  return out.join('\n');
}

export function registerPaths(program: Command): void {
  program
    .command('paths')
    .description('everything an identity can become (assume, pass a role, mint a key, push a workflow), shortest path first')
    .argument('<identity>', 'name, ARN, email or node id of the identity (or of a credential: a deploy key, an access key)')
    .option('--max-hops <n>', 'only what is at most N hops away (1-50)')
    .option('--admin-only', 'only paths that end in an admin identity')
    .option('-s, --snapshot <id>', 'snapshot id (default: the latest)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (query: string, flags: PathsFlags) => {
      const maxHops = parseMaxHops(flags.maxHops);
      const { graph, snapshot, now } = await openSnapshot(flags);
      const subject = resolveIdentity(graph, query);
      const report = pathsReport(graph, graphAnalysis(graph, now), subject, { maxHops, adminOnly: flags.adminOnly }, snapshot);
      writeOutput(flags.format === 'json' ? safeJson(report) : renderPathsText(graph, subject, report, outputWidth(flags.output)), flags.output);
    });
}
