/**
 * Small graphs for the code-host producer's tests, built through the connectors' own mappings where they have one
 * (AWS roles through mapAws, workflows through workflowRecords, GCP through mapGcpProject) so the producer sees the
 * shapes a scan produces.
 */
import { mapAws, type RoleDetail } from '../../connectors/aws/map.js';
import { mapGcpProject, type GcpProjectData } from '../../connectors/gcp/map.js';
import { workflowRecords } from '../../src/ci/workflow.js';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import type { Evaluator } from '../../src/policy/decision.js';
import { codeHostEdges } from '../../src/paths/codehost.js';
import type { BecomeEdge } from '../../src/paths/types.js';
import { GitHubBuilder } from '../rules/github-builders.js';

export const NOW = new Date('2026-06-01T00:00:00.000Z');
export const ACCT = '123456789012';
export const GH = 'token.actions.githubusercontent.com';
export const OIDC_ARN = `arn:aws:iam::${ACCT}:oidc-provider/${GH}`;
export const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
export const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
export const roleId = (name: string) => `aws:iam-role:${roleArn(name)}`;

type Cond = Record<string, Record<string, string | string[]>>;

/** A trust policy admitting one federated provider with the given Condition block (aud added like AWS's wizard). */
export function oidcTrust(condition: Cond | undefined, opts: { provider?: string; host?: string; extra?: object[]; action?: string | string[] } = {}): object {
  const host = opts.host ?? GH;
  const withAud: Cond = { ...(condition ?? {}) };
  withAud.StringEquals = { [`${host}:aud`]: 'sts.amazonaws.com', ...(withAud.StringEquals ?? {}) };
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: opts.provider ?? `arn:aws:iam::${ACCT}:oidc-provider/${host}` }, Action: opts.action ?? 'sts:AssumeRoleWithWebIdentity', Condition: withAud }, ...(opts.extra ?? [])],
  };
}

/** `{ StringLike: { '<host>:sub': v } }` */
export const sub = (v: string | string[], op = 'StringLike', host = GH): Cond => ({ [op]: { [`${host}:sub`]: v } });

export const workflow = (role: string, on = 'push:\n    branches: [main]', job = '') => `name: deploy
on:
  ${on}
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
${job}    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${role}
          aws-region: us-east-1
`;

const unusedEvaluator: Evaluator = {
  evaluate: () => {
    throw new Error('the code-host producer does not evaluate AWS identity policies');
  },
  canAssume: () => {
    throw new Error('the code-host producer does not evaluate AWS identity policies');
  },
  policySetKey: () => {
    throw new Error('the code-host producer does not evaluate AWS identity policies');
  },
};

/** A GitHub org, AWS roles, workflows and (optionally) a GCP project in one graph. */
export class Estate {
  readonly gh = new GitHubBuilder();
  private readonly roles: RoleDetail[] = [];
  private readonly records: GraphRecord[] = [];
  private gcp?: Partial<GcpProjectData>;

  constructor(org = 'acme') {
    this.gh.org(org);
  }

  get graph(): IdentityGraph {
    return this.gh.graph;
  }

  role(name: string, trust: object, opts: { admin?: boolean; policy?: object } = {}): string {
    this.roles.push({
      RoleName: name,
      Arn: roleArn(name),
      RoleId: `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
      Path: '/',
      CreateDate: '2025-01-01T00:00:00Z',
      AssumeRolePolicyDocument: trust,
      RolePolicyList: opts.policy ? [{ PolicyName: 'own', PolicyDocument: opts.policy }] : opts.admin === false ? [] : [{ PolicyName: 'admin', PolicyDocument: ADMIN }],
    });
    return roleId(name);
  }

  workflow(repo: string, path: string, text: string): string {
    const recs = workflowRecords({ repo, path, text, connector: 'github', source: 'test', observedAt: NOW.toISOString() });
    this.records.push(...recs);
    return recs[0].type === 'node' ? recs[0].node.id : '';
  }

  gcpProject(d: Partial<GcpProjectData>): this {
    this.gcp = d;
    return this;
  }

  build(): IdentityGraph {
    const g = this.gh.graph;
    if (this.roles.length) {
      const sources = { authz: 'test', credentialReport: 'test', accessKeys: 'test', accessKeyLastUsed: 'test', lastAccessed: 'test' };
      for (const r of mapAws({ authz: { RoleDetailList: this.roles } }, { now: NOW, sources })) g.add(r);
    }
    if (this.gcp) {
      const data: GcpProjectData = { projectId: 'demo-proj', projectNumber: '123456789', serviceAccounts: [], keys: {}, saPolicies: {}, roles: [], pools: [], providers: [], ...this.gcp };
      for (const r of mapGcpProject(data, { now: NOW, source: (w) => `test:${w}` })) g.add(r);
    }
    for (const r of this.records) g.add(r);
    deriveCiLinks(g);
    return g;
  }

  edges(): BecomeEdge[] {
    return codeHostEdges({ graph: this.build(), now: NOW, evaluator: unusedEvaluator });
  }
}

export function edgesOf(graph: IdentityGraph): BecomeEdge[] {
  return codeHostEdges({ graph, now: NOW, evaluator: unusedEvaluator });
}

/** The edge from → to, if any (one per method at most). */
export function edge(edges: readonly BecomeEdge[], from: string, to: string): BecomeEdge | undefined {
  return edges.find((e) => e.from === from && e.to === to);
}

/** Shortest hop count from `start` to `goal` over the edges (a plain BFS, to check that hops chain up). */
export function hops(edges: readonly BecomeEdge[], start: string, goal: string): number | undefined {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const dist = new Map([[start, 0]]);
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    if (n === goal) return dist.get(n);
    for (const m of out.get(n) ?? []) {
      if (dist.has(m)) continue;
      dist.set(m, dist.get(n)! + 1);
      queue.push(m);
    }
  }
  return undefined;
}
