/**
 * `nhi can <identity> <action> [resource]`: may this identity, by its own grants, do this? `allowed`, `denied` or
 * `conditional` (on a condition key the scan cannot settle, named), with the provenance of the decision: the
 * statements that allow, any Deny, the permissions boundary, every condition and how it came out. AWS identities are
 * decided by the AWS engine (src/policy/evaluate.ts; sts:AssumeRole on a role of the snapshot by its trust policy
 * together with the caller's identity policy), Google Cloud members by the GCP permission engine
 * (src/policy/gcp-permissions.ts). Exit 0 when allowed, 1 when denied or conditional. JSON: docs/commands/can.md.
 */
import { Command, Option } from 'commander';
import type { IdentityGraph } from '../../graph/graph.js';
import type { IdentityNode } from '../../model/types.js';
import { gcpState } from '../../paths/gcp.js';
import type { AssumeEvaluation, ConditionContext, ConditionOutcome, Decision, Evaluation } from '../../policy/decision.js';
import { createEvaluator } from '../../policy/evaluate.js';
import type { GcpEvaluation } from '../../policy/gcp-permissions.js';
import { NhiError } from '../../util/errors.js';
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
  parseContext,
  QUERY_SCHEMA_VERSION,
  safeJson,
  statementJson,
  statementLine,
  subjectText,
  wrap,
  type NodeJson,
  type SnapshotRef,
  type StatementJson,
} from '../query.js';
import { resolveIdentity } from '../resolve.js';
import { storeHelp } from './common.js';

interface CanFlags {
  context?: string[];
  allowUnknownAction?: boolean;
  snapshot?: string;
  format: 'text' | 'json';
  output?: string;
  store?: string;
  config?: string;
}

/** Principal types each engine decides for. */
export const AWS_SUBJECT_TYPES: ReadonlySet<string> = new Set(['iam-user', 'iam-role', 'iam-group', 'root']);
export const GCP_SUBJECT_TYPES: ReadonlySet<string> = new Set(['service-account', 'user', 'group', 'domain', 'wif-principal', 'gke-workload', 'all-users', 'all-authenticated-users']);

export interface ConditionJson {
  statement: StatementJson;
  /** as written (`StringEquals`, `ForAnyValue:StringLike`; `CEL` for a Google Cloud condition expression) */
  operator: string;
  key: string;
  values: string[];
  outcome: 'true' | 'false' | 'unknown';
}

/** The decision of one policy side (the caller's identity policies for sts:AssumeRole). */
export interface DecisionJson {
  decision: Decision;
  allows: StatementJson[];
  denies: StatementJson[];
  boundary: { decision: Decision; allows: StatementJson[]; denies: StatementJson[] } | null;
  /** only when SCPs of an AWS organisation limit the principal: their verdict (every level must allow) */
  scp?: { decision: Decision; allows: StatementJson[]; denies: StatementJson[] };
  /** only when RCPs of an AWS organisation govern the resource: their verdict (only Denies limit) */
  rcp?: { decision: Decision; denies: StatementJson[] };
  unknownKeys: string[];
  deniedBy: 'explicit-deny' | 'no-allow' | 'boundary' | 'scp' | 'rcp' | null;
}

export interface CanReport extends DecisionJson {
  schemaVersion: string;
  snapshot: SnapshotRef;
  subject: NodeJson & { kind: string };
  /** when the identity asked about is a credential: the identity it acts as (whose grants decide) */
  actsAs?: NodeJson;
  action: string;
  resource: string;
  /** `aws`: identity policies; `aws-assume-role`: trust policy + identity policies; `gcp`: role bindings and deny policies */
  engine: 'aws' | 'aws-assume-role' | 'gcp';
  /** condition keys given with --context (lower case) */
  context: Record<string, string | string[]>;
  conditions: ConditionJson[];
  notes: string[];
  /** sts:AssumeRole: the trust statements that admit the caller, how, and the caller's identity-policy decision */
  trust?: StatementJson[];
  trustVia?: 'principal' | 'account' | 'anyone' | null;
  identity?: DecisionJson | null;
  /** Google Cloud: `medium` when every grant that allows rests on nhi's built-in table of predefined roles */
  confidence?: 'high' | 'medium';
  fallbackRoles?: string[];
}

function conditionJson(graph: IdentityGraph, c: ConditionOutcome): ConditionJson {
  return { statement: statementJson(graph, c.statement), operator: c.operator, key: c.key, values: [...c.values], outcome: c.outcome };
}

export function decisionJson(graph: IdentityGraph, e: Evaluation): DecisionJson {
  const st = (list: Evaluation['allows']) => list.map((s) => statementJson(graph, s));
  return {
    decision: e.decision,
    allows: st(e.allows),
    denies: st(e.denies),
    boundary: e.boundary ? { decision: e.boundary.decision, allows: st(e.boundary.allows), denies: st(e.boundary.denies) } : null,
    ...(e.scp ? { scp: { decision: e.scp.decision, allows: st(e.scp.allows), denies: st(e.scp.denies) } } : {}),
    ...(e.rcp ? { rcp: { decision: e.rcp.decision, denies: st(e.rcp.denies) } } : {}),
    unknownKeys: [...e.unknownKeys],
    deniedBy: e.deniedBy ?? null,
  };
}

/** The identity whose grants decide: the subject, or the holder of a credential. */
export function deciderOf(graph: IdentityGraph, subject: IdentityNode): { node: IdentityNode; actsAs: boolean } {
  if (subject.kind === 'credential') {
    const holder = graph.holderOf(subject.id);
    if (holder) return { node: holder, actsAs: true };
  }
  return { node: subject, actsAs: false };
}

export interface CanQuery {
  action: string;
  resource?: string;
  context?: ConditionContext;
  allowUnknownAction?: boolean;
  /** the resource pattern standing for "some resource" when none is named (anyAwsResource; default `*`) */
  anyResource?: string;
}

const KEY_ORDER: ReadonlyArray<keyof CanReport> = [
  'schemaVersion', 'decision', 'snapshot', 'subject', 'actsAs', 'action', 'resource', 'engine', 'context', 'allows', 'denies', 'boundary', 'scp', 'rcp', 'deniedBy',
  'unknownKeys', 'conditions', 'trust', 'trustVia', 'identity', 'confidence', 'fallbackRoles', 'notes',
];

/** The same report with its keys in the documented order (`decision` near the top for people reading the JSON). */
function ordered(r: CanReport): CanReport {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as CanReport;
}

/** The decision for one identity's own grants (pure: graph and as-of time in, the JSON model out). */
export function canReport(graph: IdentityGraph, now: Date, subject: IdentityNode, q: CanQuery, snapshot: SnapshotRef): CanReport {
  return ordered(decide(graph, now, subject, q, snapshot));
}

function decide(graph: IdentityGraph, now: Date, subject: IdentityNode, q: CanQuery, snapshot: SnapshotRef): CanReport {
  const { node, actsAs } = deciderOf(graph, subject);
  const platform = actionPlatform(q.action);
  const base = {
    schemaVersion: QUERY_SCHEMA_VERSION,
    snapshot,
    subject: { ...nodeJson(graph, subject.id), kind: subject.kind },
    ...(actsAs ? { actsAs: nodeJson(graph, node.id) } : {}),
    context: { ...(q.context ?? {}) } as Record<string, string | string[]>,
  };
  if (node.platform === 'aws' && node.kind === 'principal' && AWS_SUBJECT_TYPES.has(node.type)) {
    if (platform !== 'aws') throw new NhiError('USAGE', `${safeLabel(q.action, 120)} is a Google Cloud permission, and ${safeLabel(node.name, 120)} is an AWS identity`, { suggestion: 'ask about an AWS action (service:Action), e.g. iam:PassRole' });
    const action = checkAwsAction(q.action, q.allowUnknownAction);
    const { arn, roleId } = awsResource(graph, q.resource, q.anyResource);
    const evaluator = createEvaluator(graph, { now });
    if (action.toLowerCase() === 'sts:assumerole' && roleId) {
      if (Object.keys(q.context ?? {}).length > 0) throw new NhiError('USAGE', '--context does not apply to sts:AssumeRole on a role of the snapshot (its trust policy is decided as the scan knows the caller)');
      const a = evaluator.canAssume(node.id, roleId);
      return assumeReport(graph, base, action, arn, a);
    }
    const e = evaluator.evaluate(node.id, action, arn, q.context ? { context: q.context } : undefined);
    const notes = [...(e.notes ?? [])];
    if (action.toLowerCase() === 'sts:assumerole') notes.push(q.resource === undefined ? 'only the identity policy is decided: which roles trust the caller is not (name a role to decide its trust policy too)' : `the role ${arn} is not in the snapshot: only the identity policy is decided, not its trust policy`);
    return { ...base, ...decisionJson(graph, e), action, resource: arn, engine: 'aws', conditions: e.conditions.map((c) => conditionJson(graph, c)), notes };
  }
  if (node.platform === 'gcp' && node.kind === 'principal' && GCP_SUBJECT_TYPES.has(node.type)) {
    if (platform !== 'gcp') throw new NhiError('USAGE', `${safeLabel(q.action, 120)} is an AWS action, and ${safeLabel(node.name, 120)} is a Google Cloud member`, { suggestion: 'ask about a Google Cloud permission, e.g. iam.serviceAccountKeys.create' });
    if (Object.keys(q.context ?? {}).length > 0) throw new NhiError('USAGE', '--context applies to AWS condition keys only');
    const permission = q.action.trim();
    const resource = gcpResource(graph, q.resource);
    const e: GcpEvaluation = gcpState({ graph, now }).engine.evaluate(node.id, permission, resource);
    const notes = [...(e.notes ?? [])];
    const unknown = gcpPermissionNote(graph, permission);
    if (unknown) notes.push(unknown);
    if (node.disabled === true) notes.push(`${node.name} is disabled: it cannot act until it is enabled again (the decision is about its grants)`);
    if (e.fallbackRoles.length) notes.push(`the permissions of ${e.fallbackRoles.join(', ')} come from nhi's table of predefined roles (the scan did not read their definitions)`);
    return {
      ...base,
      ...decisionJson(graph, e),
      action: permission,
      resource,
      engine: 'gcp',
      conditions: e.conditions.map((c) => conditionJson(graph, c)),
      notes,
      confidence: e.confidence,
      fallbackRoles: [...e.fallbackRoles],
    };
  }
  throw new NhiError('USAGE', `nhi can decides for AWS users, roles, groups and root, and Google Cloud members; ${safeLabel(node.name, 120)} is a ${safeLabel(node.platform, 40)} ${safeLabel(node.type, 40)}`, {
    suggestion: `nhi paths ${safeLabel(subject.name, 120)} shows what it can become (and so what it can do through others)`,
  });
}

function assumeReport(graph: IdentityGraph, base: Omit<CanReport, keyof DecisionJson | 'action' | 'resource' | 'engine' | 'conditions' | 'notes'>, action: string, arn: string, a: AssumeEvaluation): CanReport {
  const identity = a.identity ? decisionJson(graph, a.identity) : null;
  const trust = a.trust.map((s) => statementJson(graph, s));
  const trustAllows = trust.filter((s) => s.effect === 'Allow');
  const trustDenies = trust.filter((s) => s.effect === 'Deny');
  // a trust that names the caller within its account needs no identity grant; any other admission does
  const identityNeeded = a.via !== 'principal';
  let deniedBy: DecisionJson['deniedBy'] = null;
  if (a.decision === 'denied') {
    if (identity?.deniedBy === 'explicit-deny' || (trustDenies.length > 0 && trustAllows.length > 0)) deniedBy = 'explicit-deny';
    else if (trustAllows.length === 0) deniedBy = 'no-allow';
    else deniedBy = identity?.deniedBy ?? 'no-allow';
  }
  return {
    ...base,
    decision: a.decision,
    allows: [...trustAllows, ...(identityNeeded ? (identity?.allows ?? []) : [])],
    denies: [...trustDenies, ...(identity?.denies ?? [])],
    boundary: identity?.boundary ?? null,
    ...(identity?.scp ? { scp: identity.scp } : {}),
    ...(identity?.rcp ? { rcp: identity.rcp } : {}),
    unknownKeys: [...a.unknownKeys],
    deniedBy,
    action,
    resource: arn,
    engine: 'aws-assume-role',
    conditions: a.conditions.map((c) => conditionJson(graph, c)),
    notes: [...(a.notes ?? [])],
    trust,
    trustVia: a.via ?? null,
    identity,
  };
}

const VIA_TEXT = {
  principal: 'names the caller: within one account no identity grant is needed',
  account: 'trusts the account: the caller needs an identity grant too',
  anyone: 'trusts anyone: the caller needs an identity grant too',
} as const;

/** The decision as text: one line with the answer, then its provenance. Every value from the estate is made safe. */
export function renderCanText(graph: IdentityGraph, subject: IdentityNode, r: CanReport, width: number | undefined): string {
  const out: string[] = [];
  const who = subjectText(graph, subject);
  const name = kindName(r.subject);
  const what = `${safeLabel(r.action, 120)} on ${safeLabel(r.resource, 400)}`;
  const keys = r.unknownKeys.map((k) => safeLabel(k, 200)).join(', ');
  const head =
    r.decision === 'allowed'
      ? `allowed: ${name} may ${what}`
      : r.decision === 'conditional'
        ? `conditional: ${name} may ${what} only if ${keys || 'a condition the scan cannot check'} allows it`
        : `denied: ${name} may not ${what}${r.deniedBy === 'explicit-deny' ? ' (an explicit Deny)' : r.deniedBy === 'boundary' ? ' (the permissions boundary does not allow it)' : r.deniedBy === 'scp' ? " (the organization's service control policies do not allow it)" : r.deniedBy === 'rcp' ? ' (a resource control policy denies it)' : r.deniedBy === 'no-allow' ? ' (nothing allows it)' : ''}`;
  out.push(...wrap(head, width, '', '  '));
  out.push(...wrap(`subject: ${who}`, width, '  ', '    '));
  out.push(...wrap(`as of ${r.snapshot.asOf} (snapshot ${r.snapshot.id})`, width, '  ', '    '));
  if (r.actsAs) out.push(...wrap(`decided by the grants of ${subjectText(graph, graph.node(r.actsAs.id)!)}, which the ${safeLabel(subject.type, 40).replace(/-/g, ' ')} acts as`, width, '  ', '    '));
  const list = (title: string, items: string[]) => {
    if (!items.length) return;
    out.push(...wrap(`${title}:`, width, '  ', '    '));
    for (const i of items) out.push(...wrap(i, width, '    ', '      '));
  };
  if (r.engine === 'aws-assume-role') {
    list(`trust policy${r.trustVia ? ` (${VIA_TEXT[r.trustVia]})` : ''}`, (r.trust ?? []).map(statementLine));
    if (!r.trust?.length) out.push(...wrap('trust policy: no statement admits the caller', width, '  ', '    '));
    if (r.identity) {
      out.push(...wrap(`identity policy (sts:AssumeRole on the role): ${r.identity.decision}${r.trustVia === 'principal' ? ' (not needed: the trust names the caller)' : ''}`, width, '  ', '    '));
      for (const s of r.identity.allows) out.push(...wrap(statementLine(s), width, '    ', '      '));
    }
  } else list(r.engine === 'gcp' ? 'granted by' : 'allowed by', r.allows.map(statementLine));
  list('denied by', r.denies.map(statementLine));
  if (r.boundary) {
    out.push(...wrap(`permissions boundary: ${r.boundary.decision}${r.boundary.allows.length + r.boundary.denies.length === 0 ? ' (no statement of it allows this)' : ''}`, width, '  ', '    '));
    for (const s of [...r.boundary.allows, ...r.boundary.denies]) out.push(...wrap(`${s.effect === 'Deny' ? 'Deny: ' : ''}${statementLine(s)}`, width, '    ', '      '));
  }
  if (r.scp) {
    out.push(...wrap(`service control policies: ${r.scp.decision}${r.scp.decision === 'denied' && r.scp.denies.length === 0 ? ' (at some level of the organization no SCP allows this)' : ''}`, width, '  ', '    '));
    for (const s of [...r.scp.allows, ...r.scp.denies]) out.push(...wrap(`${s.effect === 'Deny' ? 'Deny: ' : ''}${statementLine(s)}`, width, '    ', '      '));
  }
  if (r.rcp) {
    out.push(...wrap(`resource control policies: ${r.rcp.decision}`, width, '  ', '    '));
    for (const s of r.rcp.denies) out.push(...wrap(`Deny: ${statementLine(s)}`, width, '    ', '      '));
  }
  list(
    'conditions',
    r.conditions.map((c) => {
      const values = c.values.length ? ` ${c.values.map((v) => safeLabel(v, 120)).join(', ')}` : '';
      return c.operator === 'CEL'
        ? `${statementLine(c.statement)}: ${safeLabel(c.key, 300)} → ${c.outcome}`
        : `${statementLine(c.statement)}: ${safeLabel(c.operator, 60)} ${safeLabel(c.key, 120)}${values} → ${c.outcome}`;
    }),
  );
  if (r.decision === 'conditional') {
    const hint = r.engine === 'aws' ? ' (give a value with --context KEY=VALUE to decide it)' : '';
    out.push(...wrap(`depends on: ${keys || 'a condition the scan cannot check'}${hint}`, width, '  ', '    '));
  }
  if (r.confidence === 'medium') out.push(...wrap("confidence: medium (role permissions from nhi's table of predefined roles)", width, '  ', '    '));
  if (Object.keys(r.context).length) out.push(...wrap(`given: ${Object.entries(r.context).map(([k, v]) => `${safeLabel(k, 80)}=${safeLabel(Array.isArray(v) ? v.join(',') : v, 200)}`).join(', ')}`, width, '  ', '    '));
  list('notes', r.notes.map((n) => safeLabel(n, 600)));
  return out.join('\n');
}

export function registerCan(program: Command): void {
  program
    .command('can')
    .description("may an identity do an action, by its own grants? allowed, denied or conditional, with the statements that decide (exit 0 allowed, 1 not)")
    .argument('<identity>', 'name, ARN, email or node id of the identity')
    .argument('<action>', 'AWS action (iam:PassRole) or Google Cloud permission (iam.serviceAccountKeys.create)')
    .argument('[resource]', 'AWS: an ARN or an identity name (default *: some resource of its choosing); Google Cloud: projects/P, folders/F, organizations/O or serviceAccounts/EMAIL')
    .option('--context <key=value>', 'AWS: the value of a condition key the scan cannot know (repeatable), e.g. iam:PassedToService=lambda.amazonaws.com', (v: string, prev: string[] = []) => [...prev, v])
    .option('--allow-unknown-action', 'evaluate an AWS action nhi\'s catalogue does not know (newer than it) instead of refusing it')
    .option('-s, --snapshot <id>', 'snapshot id (default: the latest)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (query: string, action: string, resource: string | undefined, flags: CanFlags) => {
      const context = parseContext(flags.context);
      const anyResource = actionPlatform(action) === 'aws' ? await anyAwsResource(action) : undefined;
      const { graph, snapshot, now } = await openSnapshot(flags);
      const subject = resolveIdentity(graph, query);
      const report = canReport(graph, now, subject, { action, resource, context, allowUnknownAction: flags.allowUnknownAction, anyResource }, snapshot);
      writeOutput(flags.format === 'json' ? safeJson(report) : renderCanText(graph, subject, report, outputWidth(flags.output)), flags.output);
      process.exitCode = report.decision === 'allowed' ? 0 : 1;
    });
}
