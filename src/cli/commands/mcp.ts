/**
 * `nhi mcp`: a read-only Model Context Protocol server on stdio over the stored snapshots. Each tool asks the same
 * code the query commands use (inventory, `pathsReport`, `canReport`, `whoCanReport`, `compareSnapshots`) and answers
 * with structured content `{ provenance, result }` plus a text rendering (a fixed-vocabulary summary line and the
 * same JSON). Names from platforms are untrusted: they only ever appear inside JSON fields, with escape sequences,
 * control characters and bidirectional overrides stripped. stdout carries the protocol only; logs go to stderr.
 * A missing store or snapshot is refused before serving (exit 2). Tools and shapes: docs/commands/mcp.md.
 */
import { Command } from 'commander';
import { z } from 'zod';
import type { IdentityGraph } from '../../graph/graph.js';
import type { Finding } from '../../model/types.js';
import { graphAnalysis } from '../../paths/index.js';
import { getRule } from '../../rules/index.js';
import { NhiError, describeError } from '../../util/errors.js';
import { safeLine } from '../../util/text.js';
import { VERSION } from '../../version.js';
import { actionPlatform, anyAwsResource, nodeJson, parseContext, pathJson, type HopJson, type NodeJson, type SnapshotRef, type StatementJson } from '../query.js';
import { resolveIdentity } from '../resolve.js';
import { canReport } from './can.js';
import { openExistingStore, parseSnapshotId, storeHelp } from './common.js';
import { compareSnapshots } from './diff.js';
import { checkFilters } from './inventory.js';
import { holdsOf, pathsReport } from './paths.js';
import { whoCanReport } from './who-can.js';

interface McpFlags {
  snapshot?: string;
  store?: string;
  config?: string;
}

/** Where every answer came from and what it decided. */
export interface Provenance {
  snapshot: SnapshotRef;
  /** the identity asked about (null for listings) */
  subject: NodeJson | null;
  /** the actor chain: the hops from the subject to who acts in the end ([] when the subject acts itself) */
  actors: HopJson[];
  /** the resource (ARN, Google Cloud resource) the answer is about, when one */
  resource: string | null;
  /** the policy statements that decide the answer */
  statements: StatementJson[];
  /** what was decided or found, in words (no values from the estate) */
  outcome: string;
}

interface View {
  graph: IdentityGraph;
  snapshot: SnapshotRef;
  now: Date;
  findings: Finding[];
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
/*
 * Output schemas: every tool declares the `{ provenance, result }` envelope, so an MCP client can validate answers
 * (the SDK's client does). Provenance is typed in full; `result` is an object whose fields each tool documents
 * (docs/commands/mcp.md), and listings are pages. Extra fields are allowed so additive changes stay compatible.
 */
const NODE_OUT = z.looseObject({ id: z.string(), name: z.string(), platform: z.string(), type: z.string(), scope: z.string().optional(), externalId: z.string().optional() });
const STATEMENT_OUT = z.looseObject({
  policyId: z.string(),
  policyName: z.string(),
  statementIndex: z.number().int(),
  sid: z.string().optional(),
  via: z.string(),
  viaName: z.string().optional(),
  kind: z.string(),
  effect: z.string(),
});
const HOP_OUT = z.looseObject({
  from: NODE_OUT,
  to: NODE_OUT,
  method: z.string(),
  methodTitle: z.string(),
  target: NODE_OUT.optional(),
  decision: z.string(),
  confidence: z.string(),
  unknownKeys: z.array(z.string()),
  dependsOn: z.string().optional(),
  via: z.string().optional(),
  statements: z.array(STATEMENT_OUT),
});
const PROVENANCE_OUT = z.object({
  snapshot: z.object({ id: z.number().int(), asOf: z.string() }),
  subject: NODE_OUT.nullable(),
  actors: z.array(HOP_OUT),
  resource: z.string().nullable(),
  statements: z.array(STATEMENT_OUT),
  outcome: z.string(),
});
const PAGE_OUT = z.looseObject({ total: z.number().int(), offset: z.number().int(), limit: z.number().int(), nextOffset: z.number().int().nullable(), items: z.array(z.unknown()) });
const OBJECT_OUT = z.record(z.string(), z.unknown());
/** the tools whose result is a page of rows */
const LISTINGS = new Set(['list_identities', 'list_findings']);

const IDENTITY = z.string().min(1).describe('name, ARN, email or node id');
/** The provenance of an answer about no one identity, path, resource or statement (listings, coverage). */
const NO_SUBJECT = { subject: null, actors: [], resource: null, statements: [] } satisfies Omit<Provenance, 'snapshot' | 'outcome'>;
const PAGE = { limit: z.number().int().min(1).max(500).optional().describe('at most this many items (default 50)'), offset: z.number().int().min(0).optional().describe('skip this many items (default 0)') };

/**
 * Untrusted text made safe all the way down: every string (and key) of a JSON value without escape sequences,
 * control characters or bidirectional overrides (`safeLine`).
 */
export function safeTree(value: unknown): unknown {
  if (typeof value === 'string') return safeLine(value);
  if (Array.isArray(value)) return value.map(safeTree);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[safeLine(k)] = safeTree(v);
    return out;
  }
  return value;
}

function page<T>(items: T[], args: { limit?: number; offset?: number }): { total: number; offset: number; limit: number; nextOffset: number | null; items: T[] } {
  const limit = args.limit ?? 50;
  const offset = args.offset ?? 0;
  const shown = items.slice(offset, offset + limit);
  return { total: items.length, offset, limit, nextOffset: offset + shown.length < items.length ? offset + shown.length : null, items: shown };
}

/** The tool result: structured `{ provenance, result }` and the same as text after one summary line. */
function answer(tool: string, provenance: Provenance, result: unknown) {
  const structured = safeTree({ provenance, result }) as Record<string, unknown>;
  const head = `nhi ${tool}: snapshot ${provenance.snapshot.id} as of ${provenance.snapshot.asOf}: ${safeLine(provenance.outcome)}`;
  return { content: [{ type: 'text' as const, text: `${head}\n${JSON.stringify(structured, null, 2)}` }], structuredContent: structured };
}

/** A refused request as a tool error (the server keeps serving): `nhi <tool>: [CODE] message` and the hint. */
function refusal(tool: string, err: unknown) {
  const known = err instanceof NhiError;
  const error = { code: known ? err.code : 'INTERNAL', message: safeLine(known ? err.message : describeError(err)), ...(known && err.suggestion ? { suggestion: safeLine(err.suggestion) } : {}) };
  if (!known) process.stderr.write(`nhi mcp: ${tool}: internal error: ${error.message}\n`);
  return {
    isError: true,
    // text only: a structured error would not match the tool's output schema, which clients validate structured
    // content against; the code leads the text so a client can still tell refusals apart
    content: [{ type: 'text' as const, text: `nhi ${tool}: [${error.code}] ${error.message}${error.suggestion ? `\n  hint: ${error.suggestion}` : ''}` }],
  };
}

const hops = (n: number) => `${n} hop${n === 1 ? '' : 's'}`;
const statementsOf = (hops: HopJson[]) => hops.flatMap((h) => h.statements);

/** The server over one store: `--snapshot ID` pins a snapshot, otherwise each call reads the latest. */
export function buildMcpServer(flags: McpFlags, McpServerClass: typeof import('@modelcontextprotocol/sdk/server/mcp.js').McpServer) {
  const pinned = parseSnapshotId(flags.snapshot);
  const views = new Map<number, View>();

  async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openExistingStore>>['store']) => T): Promise<T> {
    const { store } = await openExistingStore(flags.store, flags.config);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  }

  /** The snapshot asked for (default: pinned, else the latest), its graph and findings; kept for later calls. */
  async function view(id?: number): Promise<View> {
    return withStore((store) => {
      const wanted = id ?? pinned ?? store.latestSnapshotId();
      if (wanted === undefined) throw new NhiError('NOT_FOUND', 'the store holds no snapshot yet', { suggestion: 'run nhi scan first (try nhi scan --demo)' });
      const hit = views.get(wanted);
      if (hit) return hit;
      const graph = store.loadGraph(wanted);
      const asOf = store.listSnapshots().find((s) => s.id === wanted)?.asOf ?? '';
      const now = new Date(asOf);
      if (Number.isNaN(now.getTime())) throw new NhiError('STORE', `snapshot ${wanted} records no usable as-of time`, { suggestion: 'scan again: nhi scan stores the as-of time of every snapshot' });
      const v: View = { graph, snapshot: { id: wanted, asOf: now.toISOString() }, now, findings: store.loadFindings(wanted) };
      // two snapshots at most in memory (the one served, and one compared or asked about)
      if (views.size >= 2) views.delete(views.keys().next().value!);
      views.set(wanted, v);
      return v;
    });
  }

  const server = new McpServerClass({ name: 'nhi', version: VERSION }, { capabilities: { tools: {} } });
  const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

  // one registration per tool: input schema, description, and a handler that turns any refusal into a tool error
  function tool<S extends z.ZodRawShape>(name: string, title: string, description: string, inputSchema: S, run: (args: z.infer<z.ZodObject<S>>) => Promise<ReturnType<typeof answer>>) {
    const outputSchema = { provenance: PROVENANCE_OUT, result: LISTINGS.has(name) ? PAGE_OUT : OBJECT_OUT };
    server.registerTool(name, { title, description, inputSchema, outputSchema, annotations: { title, ...readOnly } }, (async (args: z.infer<z.ZodObject<S>>) => {
      try {
        return await run(args);
      } catch (err) {
        return refusal(name, err);
      }
    }) as never);
  }

  tool(
    'list_identities',
    'List identities',
    'The identities and credentials of the snapshot (as `nhi inventory`), filtered by platform, type and name, a page at a time.',
    {
      platform: z.string().optional().describe('aws, gcp, github, gitlab, kubernetes, entra, workflows'),
      type: z.string().optional().describe('node type (iam-user, iam-role, service-account, access-key, ...) or credential type'),
      kind: z.enum(['principal', 'credential', 'all']).optional().describe('what to list (default all)'),
      name: z.string().optional().describe('only names (or ids) containing this text, case-insensitive'),
      ...PAGE,
    },
    async (args) => {
      const v = await view();
      const kind = args.kind === 'all' ? undefined : args.kind;
      checkFilters(v.graph, { kind, platform: args.platform, type: args.type }, v.snapshot.id);
      const { inventory } = await import('../../../reports/inventory/index.js');
      const inv = inventory(v.graph, { kind, platform: args.platform, type: args.type });
      const needle = args.name?.toLowerCase();
      const rows = [...inv.principals, ...inv.credentials].filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.id.toLowerCase().includes(needle));
      const result = page(rows, args);
      return answer('list_identities', { snapshot: v.snapshot, ...NO_SUBJECT, outcome: `${result.total} identities and credentials match` }, result);
    },
  );

  tool(
    'get_identity',
    'Get an identity',
    'One identity or credential by name, ARN, email or node id: what it is, what it holds (policies, role bindings), its credentials and its findings.',
    { identity: IDENTITY },
    async (args) => {
      const v = await view();
      const node = resolveIdentity(v.graph, args.identity);
      const { principalRow, credentialRow } = await import('../../../reports/shared.js');
      const row = node.kind === 'principal' ? principalRow(v.graph, node) : node.kind === 'credential' ? credentialRow(v.graph, node) : undefined;
      const { holds, total } = holdsOf(v.graph, node.id);
      const holder = node.kind === 'credential' ? v.graph.holderOf(node.id) : undefined;
      const result = {
        identity: { ...nodeJson(v.graph, node.id), kind: node.kind },
        details: row ?? null,
        holds,
        holdsTotal: total,
        heldBy: holder ? nodeJson(v.graph, holder.id) : null,
        credentials: node.kind === 'principal' ? v.graph.credentialsOf(node.id).map((c) => nodeJson(v.graph, c.id)) : [],
        findings: v.findings.filter((f) => f.nodeId === node.id).map((f) => findingSummary(v.graph, f)),
      };
      return answer('get_identity', { snapshot: v.snapshot, subject: result.identity, actors: [], resource: null, statements: [], outcome: `found, ${result.findings.length} findings` }, result);
    },
  );

  tool(
    'list_findings',
    'List findings',
    'The findings of the snapshot, most severe first, filtered by severity, rule and platform, a page at a time. explain_finding gives the evidence of one.',
    {
      severity: z.enum(SEVERITIES).optional().describe('only this severity'),
      minSeverity: z.enum(SEVERITIES).optional().describe('only this severity or worse'),
      rule: z.string().optional().describe('only this rule id (e.g. privilege-escalation)'),
      platform: z.string().optional().describe('only findings about identities of this platform'),
      ...PAGE,
    },
    async (args) => {
      const v = await view();
      if (args.rule && !getRule(args.rule) && !v.findings.some((f) => f.ruleId === args.rule)) {
        throw new NhiError('USAGE', `unknown rule '${safeLine(args.rule)}'`, { suggestion: 'nhi rules lists the rule ids' });
      }
      const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
      const rows = v.findings
        .filter((f) => (!args.severity || f.severity === args.severity) && (!args.minSeverity || rank(f.severity) <= rank(args.minSeverity)) && (!args.rule || f.ruleId === args.rule))
        .filter((f) => !args.platform || nodeJson(v.graph, f.nodeId).platform === args.platform)
        .map((f) => findingSummary(v.graph, f));
      const result = page(rows, args);
      return answer('list_findings', { snapshot: v.snapshot, ...NO_SUBJECT, outcome: `${result.total} findings match` }, result);
    },
  );

  tool(
    'explain_finding',
    'Explain a finding',
    'One finding by its fingerprint (or a unique prefix of 8 or more characters): the evidence, the path it rests on, the remediation and what its rule is about.',
    { fingerprint: z.string().min(8).describe('the finding fingerprint from list_findings') },
    async (args) => {
      const v = await view();
      const matches = v.findings.filter((f) => f.fingerprint.startsWith(args.fingerprint.trim()));
      if (matches.length === 0) throw new NhiError('NOT_FOUND', `no finding with fingerprint ${safeLine(args.fingerprint)} in snapshot ${v.snapshot.id}`, { suggestion: 'list_findings gives the fingerprints' });
      if (matches.length > 1) throw new NhiError('USAGE', `fingerprint prefix ${safeLine(args.fingerprint)} matches ${matches.length} findings`, { suggestion: 'give more of the fingerprint' });
      const f = matches[0];
      const rule = getRule(f.ruleId)?.meta;
      let actors: HopJson[] = [];
      if (f.path && f.path.length > 1) {
        const start = f.path[0];
        const end = f.path[f.path.length - 1];
        const reach = graphAnalysis(v.graph, v.now).paths.reachable(start).find((r) => r.id === end);
        if (reach) actors = pathJson(v.graph, { start, end, hops: reach.hops }).steps;
      }
      const result = {
        finding: findingSummary(v.graph, f),
        evidence: f.evidence,
        path: (f.path ?? []).map((id) => nodeJson(v.graph, id)),
        ...(f.location ? { location: f.location } : {}),
        rule: rule
          ? { id: rule.id, title: rule.title, category: rule.category, description: rule.description, risk: rule.risk, remediation: rule.remediation, docs: `docs/rules/${rule.id}.md` }
          : { id: f.ruleId, docs: `docs/rules/${f.ruleId}.md` },
      };
      return answer(
        'explain_finding',
        { snapshot: v.snapshot, subject: result.finding.subject, actors, resource: null, statements: statementsOf(actors), outcome: `${f.severity} finding of rule ${f.ruleId}` },
        result,
      );
    },
  );

  tool(
    'paths',
    'Paths from an identity',
    'Everything an identity can become (assume, pass a role, mint a key, push a workflow), shortest path first, with the statements that grant each hop (as `nhi paths`).',
    {
      identity: IDENTITY,
      maxHops: z.number().int().min(1).max(50).optional().describe('only what is at most N hops away'),
      adminOnly: z.boolean().optional().describe('only paths that end in an admin identity'),
      limit: PAGE.limit,
    },
    async (args) => {
      const v = await view();
      const subject = resolveIdentity(v.graph, args.identity);
      const report = pathsReport(v.graph, graphAnalysis(v.graph, v.now), subject, { maxHops: args.maxHops, adminOnly: args.adminOnly }, v.snapshot);
      const reachable = report.reachable.slice(0, args.limit ?? 50);
      const actors = report.toAdmin?.steps ?? [];
      const outcome = report.subject.admin ? 'admin already' : report.toAdmin ? `can become admin in ${hops(report.toAdmin.hops)}` : 'no path to admin';
      return answer(
        'paths',
        { snapshot: v.snapshot, subject: report.subject, actors, resource: null, statements: statementsOf(actors), outcome: `${outcome}; can become ${report.summary.reachable} identities` },
        { ...report, reachable, truncated: reachable.length < report.reachable.length },
      );
    },
  );

  tool(
    'can',
    'Can an identity do an action',
    'May an identity, by its own grants, do an action on a resource: allowed, denied or conditional, with the statements that decide (as `nhi can`).',
    {
      identity: IDENTITY,
      action: z.string().min(1).describe('AWS action (iam:PassRole) or Google Cloud permission (iam.serviceAccountKeys.create)'),
      resource: z.string().optional().describe('AWS: an ARN or identity name (default: some resource of its choosing); Google Cloud: projects/P, folders/F, organizations/O, serviceAccounts/EMAIL'),
      context: z.array(z.string()).optional().describe('AWS condition key values the scan cannot know, KEY=VALUE'),
      allowUnknownAction: z.boolean().optional().describe('evaluate an AWS action newer than the catalogue'),
    },
    async (args) => {
      const context = parseContext(args.context);
      const anyResource = actionPlatform(args.action) === 'aws' ? await anyAwsResource(args.action) : undefined;
      const v = await view();
      const subject = resolveIdentity(v.graph, args.identity);
      const r = canReport(v.graph, v.now, subject, { action: args.action, resource: args.resource, context, allowUnknownAction: args.allowUnknownAction, anyResource }, v.snapshot);
      // a credential acts as its holder: that is the one hop of its actor chain
      const actors: HopJson[] = r.actsAs
        ? [{ from: r.subject, to: r.actsAs, method: 'credential-of', methodTitle: 'acts as the identity that holds the credential', decision: 'allowed', confidence: 'high', unknownKeys: [], statements: [] }]
        : [];
      const statements = [...(r.trust ?? []), ...r.allows, ...r.denies, ...(r.boundary ? [...r.boundary.allows, ...r.boundary.denies] : [])];
      return answer('can', { snapshot: v.snapshot, subject: r.subject, actors, resource: r.resource, statements, outcome: r.decision }, r);
    },
  );

  tool(
    'who_can',
    'Who can do an action',
    'Every identity that can do an action on a resource: directly (with the statements that grant it) and through a path (as `nhi who-can`).',
    {
      action: z.string().min(1).describe('AWS action (iam:CreateAccessKey) or Google Cloud permission'),
      resource: z.string().optional().describe('AWS: an ARN or identity name (default: some resource); Google Cloud: projects/P, ...'),
      maxHops: z.number().int().min(1).max(50).optional().describe('through a path: at most N hops'),
      directOnly: z.boolean().optional().describe('only identities that can do it by their own grants'),
      allowUnknownAction: z.boolean().optional().describe('evaluate an AWS action newer than the catalogue'),
      limit: PAGE.limit,
    },
    async (args) => {
      const anyResource = actionPlatform(args.action) === 'aws' ? await anyAwsResource(args.action) : undefined;
      const v = await view();
      const r = whoCanReport(v.graph, v.now, graphAnalysis(v.graph, v.now), { action: args.action, resource: args.resource, maxHops: args.maxHops, directOnly: args.directOnly, allowUnknownAction: args.allowUnknownAction, anyResource }, v.snapshot);
      const limit = args.limit ?? 50;
      const result = { ...r, direct: r.direct.slice(0, limit), throughPath: r.throughPath.slice(0, limit), truncated: r.direct.length > limit || r.throughPath.length > limit };
      return answer(
        'who_can',
        { snapshot: v.snapshot, subject: null, actors: [], resource: r.resource, statements: result.direct.flatMap((d) => d.allows), outcome: `${r.summary.direct} can directly, ${r.summary.throughPath} through a path` },
        result,
      );
    },
  );

  tool(
    'diff_snapshots',
    'Compare two snapshots',
    'What changed between two snapshots of the same targets (as `nhi diff`): new and resolved findings, identities, credentials, grants, owners. Default: the latest and the newest earlier snapshot of the same targets.',
    {
      from: z.number().int().min(1).optional().describe('older snapshot id'),
      to: z.number().int().min(1).optional().describe('newer snapshot id (default: the latest)'),
      force: z.boolean().optional().describe('compare snapshots of different targets anyway'),
    },
    async (args) => {
      const c = await withStore((store) => compareSnapshots(store, args.from, args.to ?? pinned, args.force));
      const d = c.drift;
      const summary = {
        newFindings: d.findings.new.length,
        resolvedFindings: d.findings.resolved.length,
        unchangedFindings: d.findings.unchanged,
        identitiesAdded: d.identities.added.length,
        identitiesRemoved: d.identities.removed.length,
        credentialsChanged: d.credentials.added.length + d.credentials.removed.length + d.credentials.changed.length,
        grantsChanged: d.grants.added.length + d.grants.removed.length,
      };
      const result = {
        from: { id: c.from, asOf: c.a.summary.asOf },
        to: { id: c.to, asOf: c.b.summary.asOf },
        sameTargets: c.sameTargets,
        ...(c.warning ? { warning: c.warning } : {}),
        summary,
        drift: d,
      };
      return answer(
        'diff_snapshots',
        { snapshot: { id: c.to, asOf: new Date(c.b.summary.asOf).toISOString() }, ...NO_SUBJECT, outcome: `${summary.newFindings} new findings, ${summary.resolvedFindings} resolved since snapshot ${c.from}` },
        result,
      );
    },
  );

  tool('coverage', 'Coverage of the snapshot', 'What the scan behind the snapshot could not read, and what the answers are missing because of it.', {}, async () => {
    const v = await view();
    const notes = v.graph.coverage;
    const incomplete = notes.filter((n) => n.incomplete).length;
    const summary = await withStore((store) => store.listSnapshots().find((s) => s.id === v.snapshot.id));
    const result = { status: summary?.status ?? (incomplete ? 'incomplete' : 'complete'), connectors: summary?.connectors ?? [], incomplete, informational: notes.length - incomplete, notes };
    return answer('coverage', { snapshot: v.snapshot, ...NO_SUBJECT, outcome: `${result.status}: ${incomplete} sources unread, ${result.informational} informational notes` }, result);
  });

  return { server, view };
}

function findingSummary(graph: IdentityGraph, f: Finding) {
  return { fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, confidence: f.confidence, subject: nodeJson(graph, f.nodeId), message: f.message };
}

export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('serve the stored snapshots read-only to an AI assistant over the Model Context Protocol (stdio)')
    .option('-s, --snapshot <id>', 'snapshot id (default: the latest at each request)')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (flags: McpFlags) => {
      const [{ McpServer }, { StdioServerTransport }] = await Promise.all([import('@modelcontextprotocol/sdk/server/mcp.js'), import('@modelcontextprotocol/sdk/server/stdio.js')]);
      const { server, view } = buildMcpServer(flags, McpServer);
      // refuse before serving: no store, no snapshot, or --snapshot unknown is exit 2 with the reason on stderr
      const first = await view();
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        process.stdin.once('end', resolve);
        process.stdin.once('close', resolve);
      });
      await server.connect(transport);
      server.server.onclose = () => process.stdin.destroy();
      process.stderr.write(`nhi mcp: serving snapshot ${flags.snapshot ? first.snapshot.id : `${first.snapshot.id} (the latest)`} as of ${first.snapshot.asOf} on stdio\n`);
      await closed;
      await server.close();
    });
}
