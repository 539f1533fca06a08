/**
 * Edges computed after all connectors have merged, joining CI definitions to what they use:
 * - USES_SECRET from each workflow / pipeline to the secrets its references resolve to;
 * - on FEDERATES_TO edges into AWS roles, `trustMatches`: can the workflow's OIDC subjects pass the role's trust?
 * Idempotent: running it twice adds nothing.
 */
import type { IdentityGraph } from './graph.js';
import type { IdentityEdge, IdentityNode } from '../model/types.js';
import { conditionValues, edgeConditions, GITHUB_OIDC_HOST } from '../policy/trust.js';
import { globRegExp } from '../util/glob.js';

interface Ref {
  name: string;
  job?: string;
  line?: number;
}
interface Job {
  id: string;
  environment?: string;
}

const SUB_KEY = `${GITHUB_OIDC_HOST}:sub`;

/** Do two glob patterns (`*` any run, `?` one character) have a string in common? Approximated both ways. */
export function globsOverlap(a: string, b: string): boolean {
  return globRegExp(a).test(b) || globRegExp(b).test(a);
}

function repoVisibility(graph: IdentityGraph, repo: string): string | undefined {
  const v = graph.node(`github:repo:${repo}`)?.attributes?.visibility;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Can repository `repo` (`owner/name`) use the org secret? `selected`: it is among the secret's repositories;
 * `private`: the repository is not public (private and internal repositories); `all` or unknown: yes.
 */
export function orgSecretCovers(graph: IdentityGraph, secret: IdentityNode, repo: string): boolean {
  const vis = secret.attributes?.visibility;
  if (vis === 'selected') {
    const sel = secret.attributes?.selectedRepositories;
    const name = repo.split('/')[1];
    return Array.isArray(sel) && sel.some((s) => s === repo || s === name);
  }
  if (vis === 'private') return repoVisibility(graph, repo) !== 'public';
  return true; // all, or unknown: assume visible
}

function addUses(graph: IdentityGraph, from: IdentityNode, to: string, refs: Ref[]): void {
  graph.addEdge({
    type: 'USES_SECRET',
    from: from.id,
    to,
    attributes: { name: refs[0].name, lines: refs.map((r) => r.line).filter((l): l is number => typeof l === 'number') },
    provenance: [{ connector: 'nhi', source: 'derived:secret-references', observedAt: from.provenance[0]?.observedAt ?? new Date(0).toISOString() }],
  });
}

function linkGitHubWorkflow(graph: IdentityGraph, wf: IdentityNode): void {
  const repo = wf.attributes?.repo;
  const refs = wf.attributes?.secretRefs;
  if (typeof repo !== 'string' || !Array.isArray(refs)) return;
  const owner = repo.split('/')[0];
  const jobs = (Array.isArray(wf.attributes?.jobs) ? wf.attributes!.jobs : []) as Job[];
  const envOf = new Map(jobs.map((j) => [j.id, j.environment]));
  const byTarget = new Map<string, Ref[]>();
  for (const r of refs as Ref[]) {
    const name = r.name.toUpperCase();
    const env = r.job ? envOf.get(r.job) : undefined;
    const candidates = [
      ...(env ? [`github:actions-secret:env:${repo}/${env}/${name}`] : []),
      `github:actions-secret:repo:${repo}/${name}`,
      `github:actions-secret:org:${owner}/${name}`,
    ];
    const hit = candidates.find((id) => {
      const n = graph.node(id);
      if (!n) return false;
      return !id.startsWith('github:actions-secret:org:') || orgSecretCovers(graph, n, repo);
    });
    if (!hit) continue;
    const list = byTarget.get(hit) ?? [];
    list.push(r);
    byTarget.set(hit, list);
  }
  for (const [to, rs] of byTarget) addUses(graph, wf, to, rs);
}

/** GitLab: `gitlab:ci-variable:<path>/<KEY>@<scope>` of the project, then of every ancestor group. */
function linkGitLabPipeline(graph: IdentityGraph, p: IdentityNode, variablesByPathKey: Map<string, string[]>): void {
  const project = p.attributes?.project ?? p.attributes?.repo;
  const refs = p.attributes?.secretRefs;
  if (typeof project !== 'string' || !Array.isArray(refs)) return;
  const parts = project.split('/');
  const byTarget = new Map<string, Ref[]>();
  for (const r of refs as Ref[]) {
    for (let i = parts.length; i >= 1; i--) {
      const ids = variablesByPathKey.get(`${parts.slice(0, i).join('/')}\u0000${r.name}`);
      if (!ids) continue;
      for (const id of ids) {
        const list = byTarget.get(id) ?? [];
        list.push(r);
        byTarget.set(id, list);
      }
      break;
    }
  }
  for (const [to, rs] of byTarget) addUses(graph, p, to, rs);
}

/**
 * GitHub → GCP: the service account must let a federated principal of a pool with a GitHub provider act as it, and
 * that principal's attribute must match the workflow's repository (or owner), or be the whole pool.
 */
function enrichGcpFederation(graph: IdentityGraph, e: IdentityEdge, repo: string): void {
  if (!graph.node(e.to)) {
    if (e.attributes) delete e.attributes.trustMatches;
    return;
  }
  const matched: string[] = [];
  for (const t of graph.in(e.to, 'CAN_ASSUME')) {
    const p = graph.node(t.from);
    if (p?.type !== 'wif-principal') continue;
    const viaGitHub = graph.in(p.id, 'CAN_ASSUME').some((x) => graph.node(x.from)?.attributes?.url === GITHUB_OIDC_HOST);
    if (!viaGitHub) continue;
    const attr = p.attributes?.attribute;
    const value = String(p.attributes?.value ?? '');
    const ok =
      (attr === 'repository' && value.toLowerCase() === repo.toLowerCase()) ||
      (attr === 'repository_owner' && value.toLowerCase() === repo.split('/')[0].toLowerCase()) ||
      (attr === undefined && String(p.attributes?.member ?? '').includes('/*'));
    if (ok) matched.push(String(p.attributes?.member ?? p.id));
  }
  e.attributes = { ...(e.attributes ?? {}), trustMatches: matched.length > 0, matchedPrincipals: matched };
}

function enrichFederation(graph: IdentityGraph, e: IdentityEdge): void {
  const subjects = Array.isArray(e.attributes?.subjects) ? (e.attributes!.subjects as string[]) : [];
  if (e.to.startsWith('gcp:service-account:')) {
    const repo = graph.node(e.from)?.attributes?.repo;
    if (typeof repo === 'string') enrichGcpFederation(graph, e, repo);
    return;
  }
  if (!e.to.startsWith('aws:iam-role:')) return;
  // a customised OIDC subject (repo or org setting) changes the `sub` format: the match cannot be judged from triggers
  const repo = graph.node(e.from)?.attributes?.repo;
  const custom = (id: string) => {
    const c = graph.node(id)?.attributes?.oidcSubClaim as { useDefault?: boolean; includeClaimKeys?: string[] } | undefined;
    return c !== undefined && c.useDefault === false && (c.includeClaimKeys?.length ?? 0) > 0;
  };
  if (typeof repo === 'string' && (custom(`github:repo:${repo}`) || (!graph.node(`github:repo:${repo}`)?.attributes?.oidcSubClaim && custom(`github:org:${repo.split('/')[0]}`)))) {
    if (e.attributes) delete e.attributes.trustMatches;
    e.attributes = { ...(e.attributes ?? {}), customOidcSubject: true };
    return;
  }
  if (!graph.node(e.to)) {
    if (e.attributes) delete e.attributes.trustMatches;
    return;
  }
  const trusts = graph.in(e.to, 'CAN_ASSUME').filter((t) => {
    const from = graph.node(t.from);
    const url = from?.attributes?.url;
    return from?.type === 'oidc-provider' && (url === GITHUB_OIDC_HOST || t.from.endsWith(`/${GITHUB_OIDC_HOST}`));
  });
  let matches = false;
  const matched: string[] = [];
  for (const t of trusts) {
    const allowed = conditionValues(edgeConditions(t), SUB_KEY);
    if (allowed.length === 0) {
      matches = true;
      matched.push('(no sub condition)');
      continue;
    }
    for (const pattern of allowed) {
      if (subjects.some((s) => globsOverlap(s, pattern))) {
        matches = true;
        matched.push(pattern);
      }
    }
  }
  e.attributes = { ...(e.attributes ?? {}), trustMatches: matches, matchedSubPatterns: [...new Set(matched)] };
}

export function deriveCiLinks(graph: IdentityGraph): void {
  const variables = new Map<string, string[]>();
  for (const n of graph.nodes.values()) {
    if (n.type !== 'ci-variable' || !n.id.startsWith('gitlab:ci-variable:')) continue;
    const rest = n.id.slice('gitlab:ci-variable:'.length);
    const slash = rest.lastIndexOf('/');
    const at = rest.lastIndexOf('@');
    if (slash < 0) continue;
    const key = `${rest.slice(0, slash)}\u0000${rest.slice(slash + 1, at > slash ? at : undefined)}`;
    const list = variables.get(key) ?? [];
    list.push(n.id);
    variables.set(key, list);
  }
  for (const n of [...graph.nodes.values()]) {
    if (n.kind !== 'workload') continue;
    if (n.type === 'workflow') linkGitHubWorkflow(graph, n);
    else if (n.type === 'pipeline') linkGitLabPipeline(graph, n, variables);
  }
  for (const e of graph.edges) if (e.type === 'FEDERATES_TO') enrichFederation(graph, e);
}
