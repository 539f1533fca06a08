/**
 * `npm run bench -- --workflows 1000,10000`: who can reach a pipeline's credentials, at scale. Per size N, in one
 * process: N generated workflow files (an AI agent on issue_comment with id-token and a role from a secret, a job
 * pasting comment text into a script, a deploy job with an environment) over N/10 repositories, one of them a monorepo
 * holding a tenth of the files, and N/2 AWS roles whose trusts name a repository's main branch or, for the monorepo,
 * one environment each. Reports the workflow analysis, the code-host edges (job and untrusted-actor edges included),
 * the whole path analysis and the CI rules, with peak RSS. Seeded and deterministic.
 */
import { mapAws, type RoleDetail } from '../connectors/aws/map.js';
import { workflowRecords } from '../src/ci/workflow.js';
import { deriveCiLinks } from '../src/graph/derive-ci.js';
import { IdentityGraph } from '../src/graph/graph.js';
import { codeHostEdges } from '../src/paths/codehost.js';
import { graphAnalysis } from '../src/paths/index.js';
import { createEvaluator } from '../src/policy/evaluate.js';
import { RULES } from '../src/rules/index.js';
import { runRules } from '../src/rules/runner.js';

const ACCT = '123456789012';
const GH = 'token.actions.githubusercontent.com';
const AS_OF = new Date('2026-11-01T00:00:00Z');

function workflowText(i: number, env: string): string {
  return `name: w${i}
on:
  issue_comment:
    types: [created]
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  agent:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ secrets.ROLE_${i % 7} }}
      - run: npx -y @anthropic-ai/claude-code -p "triage"
        env:
          ANTHROPIC_API_KEY: \${{ secrets.ANTHROPIC_API_KEY }}
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.comment.body }}"
        env:
          TOKEN: \${{ secrets.BOT_TOKEN_${i % 5} }}
  deploy:
    runs-on: ubuntu-latest
    environment: ${env}
    permissions:
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ secrets.DEPLOY_ROLE }}
`;
}

function role(name: string, sub: string): RoleDetail {
  return {
    RoleName: name,
    Arn: `arn:aws:iam::${ACCT}:role/${name}`,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    Path: '/',
    CreateDate: '2025-01-01T00:00:00Z',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCT}:oidc-provider/${GH}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com', [`${GH}:sub`]: sub } } }] },
    RolePolicyList: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] } }],
  };
}

interface Row {
  workflows: number;
  repos: number;
  roles: number;
  analyseMs: number;
  edgesMs: number;
  jobEdges: number;
  untrustedEdges: number;
  pathsMs: number;
  rulesMs: number;
  findings: number;
  rssMb: number;
}

function one(n: number): Row {
  const repos = Math.max(1, Math.floor(n / 10));
  const mono = 'acme/mono';
  const monoFiles = Math.floor(n / 10);
  const roles: RoleDetail[] = [];
  for (let i = 0; i < Math.floor(n / 2); i++) {
    // half the roles name one repository's main branch, half one environment of the monorepo
    roles.push(i % 2 === 0 ? role(`ci-${i}`, `repo:acme/r${i % repos}:ref:refs/heads/main`) : role(`env-${i}`, `repo:${mono}:environment:env-${i}`));
  }
  const graph = new IdentityGraph();
  for (const r of mapAws({ authz: { RoleDetailList: roles } }, { now: AS_OF, sources: { authz: 'bench', credentialReport: 'bench', accessKeys: 'bench', accessKeyLastUsed: 'bench', lastAccessed: 'bench' } })) graph.add(r);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const repo = i < monoFiles ? mono : `acme/r${i % repos}`;
    for (const r of workflowRecords({ repo, path: `.github/workflows/w${i}.yml`, text: workflowText(i, `env-${(i * 2 + 1) % Math.max(1, n)}`), connector: 'workflows', source: 'bench', observedAt: AS_OF.toISOString(), local: true })) graph.add(r);
  }
  deriveCiLinks(graph);
  const t1 = performance.now();
  const edges = codeHostEdges({ graph, now: AS_OF, evaluator: createEvaluator(graph, { now: AS_OF }) });
  const t2 = performance.now();
  graphAnalysis(graph, AS_OF);
  const t3 = performance.now();
  const ci = RULES.filter((r) => r.meta.category === 'ci');
  const findings = runRules(graph, ci, { now: AS_OF });
  const t4 = performance.now();
  return {
    workflows: n,
    repos: repos + 1,
    roles: roles.length,
    analyseMs: Math.round(t1 - t0),
    edgesMs: Math.round(t2 - t1),
    jobEdges: edges.filter((e) => e.from.startsWith('github:job:')).length,
    untrustedEdges: edges.filter((e) => e.from.startsWith('github:untrusted:')).length,
    pathsMs: Math.round(t3 - t2),
    rulesMs: Math.round(t4 - t3),
    findings: findings.length,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  };
}

export function benchWorkflows(sizes: string, json: boolean): void {
  const rows: Row[] = [];
  for (const raw of sizes.split(',')) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 10) throw new Error(`--workflows: '${raw}' is not a whole number of at least 10 workflow files`);
    process.stderr.write(`bench: ${n} workflow files: generating and analysing…\n`);
    rows.push(one(n));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ asOf: AS_OF.toISOString(), rows }, null, 2)}\n`);
    return;
  }
  const head = ['workflows', 'repos', 'roles', 'analyse ms', 'code-host edges ms', 'job edges', 'untrusted edges', 'paths ms', 'ci rules ms', 'findings', 'RSS MB'];
  const cells = rows.map((r) => [r.workflows, r.repos, r.roles, r.analyseMs, r.edgesMs, r.jobEdges, r.untrustedEdges, r.pathsMs, r.rulesMs, r.findings, r.rssMb].map(String));
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(width[i])).join('  ');
  process.stdout.write(`nhi-drift benchmark: workflows joined to cloud trusts (one process; RSS is the process's after each size)\n\n${line(head)}\n${cells.map(line).join('\n')}\n`);
}
