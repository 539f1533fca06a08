/**
 * Who can reach a pipeline's credentials, end to end: the built CLI scans a repository checkout (test/fixtures/agents/
 * repo) and an AWS export (test/fixtures/agents/aws/authz.json) in one run. The role agents-ci trusts
 * repo:acme/agents:ref:refs/heads/main and the workflows take every role ARN from a secret, so only the trust links
 * them: the comment-triggered agent job must be linked to agents-ci, and on to ops-admin, in the scan's own report
 * (JSON and SARIF) and in `nhi paths` on the stored snapshot.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const FIX = path.join(repoRoot, 'test', 'fixtures', 'agents');
const ACCT = '210987654321';
const role = (name: string) => `aws:iam-role:arn:aws:iam::${ACCT}:role/${name}`;
const WF = 'github:workflow:acme/agents/.github/workflows/claude-triage.yml';
const JOB = 'github:job:acme/agents/.github/workflows/claude-triage.yml#triage';

interface Finding {
  ruleId: string;
  severity: string;
  message: string;
  identity: { id: string };
  path?: Array<{ id: string; name: string }>;
  evidence: Array<{ description: string }>;
}

describe('a comment-triggered AI agent job linked to the cloud role that trusts its repository (built CLI)', () => {
  let dir: string;
  let report: { findings: Finding[] };
  let sarif: { runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
  const scanArgs = () => ['scan', '--connector', 'workflows,aws', '--path', path.join(FIX, 'repo'), '--repo', 'acme/agents', '--from-file', path.join(FIX, 'aws', 'authz.json'), '--no-config'];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-agents-'));
    const json = await nhi([...scanArgs(), '--store', path.join(dir, 'store.db'), '-f', 'json', '-o', path.join(dir, 'report.json')]);
    expect(json.stderr).not.toMatch(STACK_LINE);
    expect(json.code).toBe(0);
    report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    const s = await nhi([...scanArgs(), '--no-store', '-f', 'sarif', '-o', path.join(dir, 'report.sarif')]);
    expect(s.code).toBe(0);
    sarif = JSON.parse(readFileSync(path.join(dir, 'report.sarif'), 'utf8'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the report links anyone who can comment → the agent job → agents-ci → ops-admin', () => {
    const agent = report.findings.filter((f) => f.ruleId === 'ai-agent-untrusted-input');
    expect(agent).toHaveLength(1);
    expect(agent[0]).toMatchObject({ severity: 'critical', identity: { id: WF } });
    expect(agent[0].path?.map((p) => p.id)).toEqual(['github:untrusted:acme/agents', WF, JOB, role('agents-ci'), role('ops-admin')]);
    expect(agent[0].path?.[0].name).toBe('anyone who can open a pull request, an issue or a comment on acme/agents');
    expect(agent[0].message).toContain('role agents-ci');
    expect(agent[0].message).toContain('it can become ops-admin (admin)');
    // the role ARN secret is not counted as a credential; the agent's own key is named apart
    expect(agent[0].message).not.toContain('AWS_CI_ROLE_ARN;');
    expect(agent[0].message).toContain("the agent's own key ANTHROPIC_API_KEY");
    const text = agent[0].evidence.map((e) => e.description).join('\n');
    expect(text).toContain('its OIDC token carries sub repo:acme/agents:ref:refs/heads/*');
    expect(text).toContain('the job takes its role from ${{ secrets.AWS_CI_ROLE_ARN }}');
  });

  it('both reports validate against their schemas (job and untrusted-actor ids in paths included)', () => {
    const jsonSchema = JSON.parse(readFileSync(path.join(repoRoot, 'reports', 'json', 'report-v1.schema.json'), 'utf8')) as object;
    const vJson = new Ajv({ allErrors: true }).compile(jsonSchema);
    expect(vJson(report), JSON.stringify(vJson.errors?.slice(0, 3))).toBe(true);
    const sarifSchema = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
    const vSarif = new AjvDraft04.default({ strict: false, allErrors: true, validateFormats: false }).compile(sarifSchema);
    expect(vSarif(sarif), JSON.stringify(vSarif.errors?.slice(0, 3))).toBe(true);
  });

  it('SARIF points at the agent step of the workflow file', () => {
    const hit = sarif.runs[0].results.find((r) => r.ruleId === 'ai-agent-untrusted-input');
    expect(hit?.level).toBe('error');
    expect(hit?.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: '.github/workflows/claude-triage.yml' }, region: { startLine: 23 } });
  });

  it('nhi paths on the stored snapshot: the deploy workflow reaches its environment role only, the agent workflow reaches admin', async () => {
    const deploy = await nhi(['paths', 'acme/agents .github/workflows/deploy.yml', '--store', path.join(dir, 'store.db'), '-f', 'json']);
    expect(deploy.code).toBe(0);
    const d = JSON.parse(deploy.stdout) as { reachable: Array<{ id: string; admin: boolean }> };
    expect(d.reachable.map((r) => r.id)).toEqual(['github:job:acme/agents/.github/workflows/deploy.yml#deploy', role('agents-deploy')]);
    const triage = await nhi(['paths', 'acme/agents .github/workflows/claude-triage.yml', '--store', path.join(dir, 'store.db')]);
    expect(triage.code).toBe(0);
    expect(triage.stdout).toContain('job triage of acme/agents .github/workflows/claude-triage.yml');
    expect(triage.stdout).toContain('via job triage of .github/workflows/claude-triage.yml on issue_comment: its OIDC token carries sub repo:acme/agents:ref:refs/heads/*; the job takes its role from ${{ secrets.AWS_CI_ROLE_ARN }}');
    expect(triage.stdout).toMatch(/IAM role ops-admin \[ADMIN, 3 hops, medium confidence\]/);
  });
});
