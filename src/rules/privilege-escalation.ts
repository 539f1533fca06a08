import { z } from 'zod';
import type { IdentityGraph } from '../graph/graph.js';
import type { Evidence, IdentityNode } from '../model/types.js';
import { isHub, pathStrength } from '../paths/analyze.js';
import { graphAnalysis, methodById } from '../paths/index.js';
import { codeHostIdName, GITHUB_ANYONE } from '../paths/codehost.js';
import type { BecomeEdge, EscalationPath, PathHop } from '../paths/types.js';
import { adminSinkName } from '../paths/types.js';
import type { StatementRef } from '../policy/decision.js';
import { globMatch, label } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** longest path reported (hops between identities; hub hops do not count) */
  maxHops: z.number().int().min(1).max(20).default(6),
  /** report paths that turn on a condition the scan cannot settle (as medium severity, the keys named) */
  includeConditional: z.boolean().default(true),
  /** identity names, ARNs, emails or ids to skip, as globs */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

/** Node types this rule reports: identities and the credentials / CI identities that act as one. */
const REPORTED = new Set(['iam-user', 'iam-role', 'iam-group', 'service-account', 'deploy-key', 'app-installation', 'fine-grained-pat', 'saml-credential', 'access-token', 'deploy-token', 'bot-user', 'workflow', 'application', 'app-service-principal', 'managed-identity']);

/** One hop as people read it: hubs folded into the hop that enters them. */
export interface ShownHop {
  from: string;
  to: string;
  edge: BecomeEdge;
}

export function foldHubs(path: EscalationPath): ShownHop[] {
  const out: ShownHop[] = [];
  for (const h of path.hops) {
    if (isHub(h.from) && out.length > 0) {
      const prev = out[out.length - 1];
      prev.to = h.to;
      prev.edge = mergeHop(prev.edge, h.edge);
      continue;
    }
    out.push({ from: h.from, to: h.to, edge: h.edge });
  }
  return out;
}

const CONFIDENCE = { high: 2, medium: 1, low: 0 } as const;

/**
 * A hop into a hub and the hub's way out, as one hop: the statements of both (a hub of one policy set carries each
 * target's own evidence on its way out; a hub of a class of targets carries none), the weaker decision and confidence,
 * what either depends on, and the target the way out names.
 */
function mergeHop(into: BecomeEdge, out: BecomeEdge): BecomeEdge {
  if (out.statements.length === 0 && out.decision === 'allowed' && !out.dependsOn && !out.target && CONFIDENCE[out.confidence] >= CONFIDENCE[into.confidence]) return into;
  const seen = new Set<string>();
  const statements = [...into.statements, ...out.statements].filter((s) => {
    const k = `${s.policyId}#${s.statementIndex}#${s.via}#${s.kind}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const dependsOn = [...new Set([into.dependsOn, out.dependsOn].filter((d): d is string => Boolean(d)))].join('; ');
  return {
    ...into,
    ...(out.target ? { target: out.target } : {}),
    statements,
    decision: into.decision === 'conditional' || out.decision === 'conditional' ? 'conditional' : 'allowed',
    unknownKeys: [...new Set([...into.unknownKeys, ...out.unknownKeys])].sort(),
    confidence: CONFIDENCE[out.confidence] < CONFIDENCE[into.confidence] ? out.confidence : into.confidence,
    ...(dependsOn ? { dependsOn } : {}),
  };
}

/** `iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction`, or the method's title. */
export function methodText(edge: BecomeEdge): string {
  return methodById(edge.method)?.title ?? edge.method;
}

function name(graph: IdentityGraph, id: string): string {
  if (id.startsWith('meta:admin:')) {
    const [, , platform, ...scope] = id.split(':');
    return adminSinkName(platform, scope.join(':'));
  }
  const n = graph.node(id);
  return n ? label(n) : (codeHostIdName(graph, id) ?? id);
}

export function statementText(s: StatementRef): string {
  const via = s.via !== 'direct' && s.kind !== 'trust' ? ` (through ${s.via.split('/').pop()})` : '';
  const kind = s.kind === 'trust' ? 'trust policy of' : s.kind === 'boundary' ? 'boundary' : s.kind === 'scp' ? 'service control policy' : s.kind === 'rcp' ? 'resource control policy' : 'policy';
  const org = s.kind === 'scp' || s.kind === 'rcp' ? ` (${s.policyId.replace(/^aws:[sr]cp:/, '')})` : '';
  return `statement ${s.statementIndex}${s.sid ? ` (${s.sid})` : ''} of ${kind} ${s.policyName}${org}${via}`;
}

function hopEvidence(graph: IdentityGraph, hop: ShownHop, index: number): Evidence {
  const e = hop.edge;
  const statements = e.statements.map(statementText);
  const acted = e.target && e.target !== hop.to ? ` (acting on ${name(graph, e.target)})` : '';
  const parts = [`Hop ${index + 1}: ${name(graph, hop.from)} → ${name(graph, hop.to)} by ${methodText(e)}${acted}`];
  if (e.via) parts.push(`via ${e.via}`);
  if (statements.length) parts.push(`granted by ${statements.join('; ')}`);
  if (e.decision === 'conditional') parts.push(`only if ${e.unknownKeys.length ? e.unknownKeys.join(', ') : 'a condition the scan cannot check'} allows it`);
  if (e.dependsOn) parts.push(`needs ${e.dependsOn}`);
  return {
    description: `${parts.join('; ')}.`,
    data: {
      hop: index + 1,
      from: hop.from,
      to: hop.to,
      method: e.method,
      ...(e.target ? { target: e.target } : {}),
      decision: e.decision,
      confidence: e.confidence,
      unknownKeys: e.unknownKeys,
      ...(e.dependsOn ? { dependsOn: e.dependsOn } : {}),
      ...(e.via ? { via: e.via } : {}),
      statements: e.statements.map((s) => ({ policyId: s.policyId, policyName: s.policyName, statementIndex: s.statementIndex, ...(s.sid ? { sid: s.sid } : {}), via: s.via, kind: s.kind })),
    },
  };
}

/** The group whose policies alone grant the first hop, when there is one (then the group is reported, not its members). */
function onlyThroughGroup(first: BecomeEdge): string | undefined {
  const identity = first.statements.filter((s) => s.kind === 'identity');
  if (identity.length === 0) return undefined;
  const groups = new Set(identity.map((s) => s.via));
  if (groups.size !== 1) return undefined;
  const [g] = groups;
  return g !== 'direct' ? g : undefined;
}

export const rule: Rule<Options> = {
  meta: {
    id: 'privilege-escalation',
    title: 'Identity can escalate to admin',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['aws', 'gcp', 'github', 'gitlab', 'k8s', 'entra'],
    owasp: ['NHI5'],
    description:
      'A user, role, group, service account or CI identity that is not admin can become admin, directly or in several hops (change a policy, take another identity\'s credentials, pass a role to code it runs, reach running code, assume or impersonate), across AWS, Google Cloud and code hosts.',
    risk: 'Least privilege on the identity is an illusion when its grants let it become admin: whoever holds its key, runs as it or can push to its repository owns the account. Tools that read one policy at a time miss these paths.',
    remediation: {
      text: 'Break the first hop: remove or scope the permission the evidence names (e.g. iam:PassRole to the roles the workload needs, iam:CreateAccessKey to the caller itself), add an explicit Deny or a permissions boundary, or narrow the trust of the identity it becomes. Re-run nhi paths <identity> to check nothing else is left.',
      cli: "aws iam put-user-policy --user-name <caller> --policy-name deny-escalation --policy-document '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"iam:PassRole\",\"iam:CreateAccessKey\"],\"Resource\":\"*\"}]}'   # then: nhi paths <caller>",
      terraform: 'Scope the Resource of the granting statement (aws_iam_policy) to the ARNs the workload needs, or set permissions_boundary on the aws_iam_role / aws_iam_user.',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const { paths } = graphAnalysis(graph, now);
    const candidates: Array<{ node: IdentityNode; path: EscalationPath; hops: ShownHop[] }> = [];
    for (const id of paths.escalating()) {
      const node = graph.node(id);
      if (!node || !REPORTED.has(node.type)) continue;
      if (node.kind === 'principal' && (node.attributes?.external === true || node.attributes?.serviceLinked === true)) continue;
      if (o.ignore.some((g) => globMatch(g, node.name) || globMatch(g, node.id) || (node.externalId !== undefined && globMatch(g, node.externalId)))) continue;
      const path = paths.pathToAdmin(id);
      if (!path) continue;
      const hops = foldHubs(path);
      // a workflow whose job federates straight into an admin is workflow-federation-to-admin's finding; one whose
      // job reaches a role any GitHub repository may assume adds nothing to oidc-trust-unscoped's
      if (node.type === 'workflow' && hops.length >= 2 && ((hops.length === 2 && paths.admins.has(hops[1].to)) || (paths.out.get(GITHUB_ANYONE) ?? []).some((e) => e.to === hops[1].to))) continue;
      if (hops.length === 0 || hops.length > o.maxHops) continue;
      if (!o.includeConditional && pathStrength(path).decision === 'conditional') continue;
      candidates.push({ node, path, hops });
    }
    const reported = new Set(candidates.map((c) => c.node.id));
    const out: DraftFinding[] = [];
    for (const { node, path, hops } of candidates) {
      // a user whose first hop comes only from a group's policy is covered by the finding on the group
      const group = node.type === 'iam-user' ? onlyThroughGroup(hops[0].edge) : undefined;
      if (group && reported.has(group)) continue;
      const s = pathStrength(path);
      const end = hops[hops.length - 1].to;
      const chain = [node.name, ...hops.map((h) => `[${methodText(h.edge)}] → ${name(graph, h.to)}`)].join(' → ');
      const adminWhy = paths.admins.get(end)?.why;
      const evidence = hops.map((h, i) => hopEvidence(graph, h, i));
      if (adminWhy && !end.startsWith('meta:admin:')) evidence.push({ description: `${name(graph, end)} is admin: ${adminWhy}`, data: { admin: end } });
      out.push({
        nodeId: node.id,
        severity: s.decision === 'conditional' || s.confidence === 'low' ? 'medium' : 'high',
        confidence: s.decision === 'conditional' ? 'low' : s.confidence,
        message: `${label(node)} can become admin in ${hops.length} hop${hops.length === 1 ? '' : 's'}: ${chain}${s.decision === 'conditional' ? ` (if ${s.unknownKeys.join(', ') || 'a condition'} allows)` : ''}${s.dependsOn.length ? ` (needs ${s.dependsOn.join('; ')})` : ''}`,
        path: [node.id, ...hops.map((h) => h.to)],
        evidence,
      });
    }
    return out;
  },
};

export type { PathHop };
