/**
 * `nhi mcp` end to end: the SDK's own Client over StdioClientTransport spawns the built CLI (`node bin/nhi mcp`)
 * against a store of two demo scans (snapshot 1: the demo as of its capture date; snapshot 2: the same estate as of
 * 2027-06-01, so keys have aged and there is drift), and asks every tool.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeSecret } from '../../src/store/redact.js';
import { bin, nhi, repoRoot } from './run.js';

const built = existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/**
 * An AWS secret access key: 40 characters of mixed-case base64 (a 40-digit hex id such as a GitHub key's
 * fingerprint is not one). Key ids (AKIA/ASIA + 16) are metadata the store may keep; secret keys never.
 */
const secretKeys = (text: string) => (text.match(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/g) ?? []).filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s));

let dir: string;
let store: string;
let client: Client;
let stderr = '';
const texts: string[] = [];

interface Answer {
  isError?: boolean;
  structuredContent?: Record<string, any>;
  content: Array<{ type: string; text: string }>;
}

async function call(name: string, args: Record<string, unknown> = {}, c: Client = client): Promise<Answer> {
  const r = (await c.callTool({ name, arguments: args })) as Answer;
  for (const part of r.content) texts.push(part.text);
  texts.push(JSON.stringify(r.structuredContent ?? {}));
  return r;
}

async function connect(args: string[]): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', ...args], cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', CI: '1' } as Record<string, string>, stderr: 'pipe' });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const c = new Client({ name: 'nhi-e2e', version: '0.0.0' });
  await c.connect(transport);
  // the client caches each tool's output schema and from then on validates every structured answer against it
  await c.listTools();
  return c;
}

beforeAll(async () => {
  if (!built) throw new Error('dist/ is missing: run the tests with npm test (it builds first)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-mcp-'));
  store = path.join(dir, 'demo.db');
  expect((await nhi(['scan', '--demo', '-q', '--store', store])).code).toBe(0);
  expect((await nhi(['scan', '--demo', '--as-of', '2027-06-01T00:00:00Z', '-q', '--store', store])).code).toBe(0);
  client = await connect(['--store', store]);
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function provenance(r: Answer) {
  expect(r.isError).toBeFalsy();
  const p = r.structuredContent!.provenance;
  expect(Object.keys(p).sort()).toEqual(['actors', 'outcome', 'resource', 'snapshot', 'statements', 'subject']);
  return p;
}

describe('nhi mcp', () => {
  it('lists exactly the nine tools, read-only, each with an input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['can', 'coverage', 'diff_snapshots', 'explain_finding', 'get_identity', 'list_findings', 'list_identities', 'paths', 'who_can']);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.annotations?.readOnlyHint).toBe(true);
      expect(t.annotations?.destructiveHint).toBe(false);
      expect(t.description).toBeTruthy();
    }
    // every tool declares its answer: the { provenance, result } envelope, provenance typed in full
    const ajv = new Ajv({ strict: false });
    for (const t of tools) {
      expect(t.outputSchema?.required).toEqual(['provenance', 'result']);
      const validate = ajv.compile(t.outputSchema!);
      const good = { provenance: { snapshot: { id: 1, asOf: '2026-01-01T00:00:00.000Z' }, subject: null, actors: [], resource: null, statements: [], outcome: 'x' }, result: { total: 0, offset: 0, limit: 50, nextOffset: null, items: [] } };
      expect(validate(good)).toBe(true);
      expect(validate({ ...good, provenance: { ...good.provenance, snapshot: { id: 'one' } } })).toBe(false);
      expect(validate({ provenance: good.provenance })).toBe(false);
    }
    const listing = tools.find((t) => t.name === 'list_findings')!;
    expect(ajv.compile(listing.outputSchema!)({ provenance: { snapshot: { id: 1, asOf: 'x' }, subject: null, actors: [], resource: null, statements: [], outcome: 'x' }, result: { rows: [] } })).toBe(false);
    const paths = tools.find((t) => t.name === 'paths')!;
    expect(paths.inputSchema.required).toEqual(['identity']);
    expect(Object.keys(paths.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['identity', 'maxHops', 'adminOnly']));
  });

  it('list_identities filters and pages', async () => {
    const r = await call('list_identities', { platform: 'aws', type: 'iam-user', limit: 3 });
    const p = provenance(r);
    expect(p.snapshot).toEqual({ id: 2, asOf: '2027-06-01T00:00:00.000Z' });
    const res = r.structuredContent!.result;
    expect(res.items).toHaveLength(3);
    expect(res.total).toBeGreaterThan(3);
    expect(res.nextOffset).toBe(3);
    for (const i of res.items) expect(i).toMatchObject({ platform: 'aws', type: 'iam-user' });
    const next = (await call('list_identities', { platform: 'aws', type: 'iam-user', limit: 3, offset: 3 })).structuredContent!.result;
    expect(next.items[0].id).not.toBe(res.items[0].id);
    const byName = (await call('list_identities', { name: 'jenkins' })).structuredContent!.result;
    expect(byName.items.map((i: { name: string }) => i.name)).toContain('jenkins-builder');
    const bad = await call('list_identities', { platform: 'AWSX' });
    expect(bad.isError).toBe(true);
    expect(bad.content[0].text).toMatch(/unknown platform/);
  });

  it('get_identity answers with what it holds; an unknown identity is a tool error, not a crash', async () => {
    const r = await call('get_identity', { identity: 'jenkins-builder' });
    const p = provenance(r);
    expect(p.subject).toMatchObject({ name: 'jenkins-builder', platform: 'aws', type: 'iam-user' });
    const res = r.structuredContent!.result;
    expect(res.identity.kind).toBe('principal');
    expect(res.credentials.length).toBeGreaterThan(0);
    const missing = await call('get_identity', { identity: 'no-such-identity-anywhere' });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toBeUndefined();
    expect(missing.content[0].text).toMatch(/^nhi get_identity: \[NOT_FOUND\] /);
    // the server is still serving
    expect((await call('coverage')).isError).toBeFalsy();
  });

  it('list_findings filters by severity and rule; explain_finding gives evidence, rule and remediation', async () => {
    const r = await call('list_findings', { severity: 'critical', limit: 500 });
    provenance(r);
    const items = r.structuredContent!.result.items as Array<{ severity: string; ruleId: string; fingerprint: string; subject: { id: string } }>;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((f) => f.severity === 'critical')).toBe(true);
    const esc = (await call('list_findings', { rule: 'privilege-escalation', limit: 500 })).structuredContent!.result.items as typeof items;
    expect(esc.length).toBeGreaterThan(0);
    expect(esc.every((f) => f.ruleId === 'privilege-escalation')).toBe(true);
    const high = (await call('list_findings', { minSeverity: 'high', limit: 1 })).structuredContent!.result;
    expect(high.total).toBeGreaterThan(items.length);

    const e = await call('explain_finding', { fingerprint: esc[0].fingerprint.slice(0, 12) });
    const p = provenance(e);
    const res = e.structuredContent!.result;
    expect(res.finding.fingerprint).toBe(esc[0].fingerprint);
    expect(res.evidence.length).toBeGreaterThan(0);
    expect(res.rule).toMatchObject({ id: 'privilege-escalation', docs: 'docs/rules/privilege-escalation.md' });
    expect(res.rule.remediation.text).toBeTruthy();
    expect(p.subject.id).toBe(esc[0].subject.id);
    expect(p.actors.length).toBeGreaterThan(0);
    expect(p.statements.length).toBeGreaterThan(0);
    expect((await call('explain_finding', { fingerprint: 'ffffffffffffffff' })).isError).toBe(true);
  });

  it('paths: jenkins-builder reaches cross-env-admin, with the hop and its statements as provenance', async () => {
    const r = await call('paths', { identity: 'jenkins-builder', adminOnly: true });
    const p = provenance(r);
    const res = r.structuredContent!.result;
    expect(res.reachable.map((e: { name: string }) => e.name)).toContain('cross-env-admin');
    expect(p.subject.name).toBe('jenkins-builder');
    expect(p.outcome).toMatch(/^can become admin in 1 hop; can become \d+ identities$/);
    expect(p.actors[0].from.name).toBe('jenkins-builder');
    expect(p.actors[0].to.name).toBe('cross-env-admin');
    expect(p.statements.length).toBeGreaterThan(0);
    expect(r.content[0].text.split('\n')[0]).toMatch(/^nhi paths: snapshot 2 as of 2027-06-01T00:00:00.000Z: /);
  });

  it('can: a decision with its statements and the resource', async () => {
    const r = await call('can', { identity: 'bob.dev', action: 's3:DeleteBucket', resource: 'arn:aws:s3:::acme-prod-data' });
    const p = provenance(r);
    expect(p.outcome).toBe('denied');
    expect(p.resource).toBe('arn:aws:s3:::acme-prod-data');
    expect(r.structuredContent!.result.deniedBy).toBe('explicit-deny');
    expect(p.statements.some((s: { effect: string }) => s.effect === 'Deny')).toBe(true);
    const typo = await call('can', { identity: 'bob.dev', action: 's3:DeleteBuckett' });
    expect(typo.isError).toBe(true);
    expect(typo.content[0].text).toMatch(/did you mean s3:DeleteBucket/);
  });

  it('who_can iam:CreateAccessKey: the admins directly, jenkins-builder through a path', async () => {
    const r = await call('who_can', { action: 'iam:CreateAccessKey', limit: 500 });
    const p = provenance(r);
    const res = r.structuredContent!.result;
    const direct = res.direct.map((d: { name: string }) => d.name);
    expect(direct).toEqual(expect.arrayContaining(['alice.admin', 'cross-env-admin']));
    expect(res.throughPath.map((d: { name: string }) => d.name)).toContain('jenkins-builder');
    expect(p.resource).toBe('arn:*:iam::*:user/*');
    expect(p.statements.length).toBeGreaterThan(0);
  });

  it('diff_snapshots: by default the latest against the earlier scan of the same targets', async () => {
    const r = await call('diff_snapshots');
    const p = provenance(r);
    const res = r.structuredContent!.result;
    expect(res.from.id).toBe(1);
    expect(res.to.id).toBe(2);
    expect(res.sameTargets).toBe(true);
    expect(res.summary.newFindings).toBeGreaterThan(0);
    expect(res.drift.findings.new.some((f: { ruleId: string }) => f.ruleId === 'credential-not-rotated')).toBe(true);
    expect(p.snapshot.id).toBe(2);
    const back = (await call('diff_snapshots', { from: 2, to: 1 })).structuredContent!.result;
    expect(back.summary.resolvedFindings).toBe(res.summary.newFindings);
    expect((await call('diff_snapshots', { from: 1, to: 99 })).isError).toBe(true);
  });

  it('coverage: the notes of the snapshot', async () => {
    const r = await call('coverage');
    const p = provenance(r);
    const res = r.structuredContent!.result;
    expect(res.status).toBe('complete');
    expect(res.incomplete).toBe(0);
    expect(Array.isArray(res.notes)).toBe(true);
    expect(p.outcome).toMatch(/^complete/);
  });

  it('--snapshot pins a snapshot: the demo as of its capture date', async () => {
    const pinned = await connect(['--store', store, '--snapshot', '1']);
    try {
      const p = provenance(await call('paths', { identity: 'jenkins-builder' }, pinned));
      expect(p.snapshot).toEqual({ id: 1, asOf: '2026-11-01T06:00:00.000Z' });
    } finally {
      await pinned.close();
    }
  });

  it('no answer carries a secret value or a control character; stderr has the log, stdout only the protocol', () => {
    expect(texts.length).toBeGreaterThan(20);
    for (const t of texts) {
      expect(looksLikeSecret(t)).toBe(false);
      expect(secretKeys(t)).toEqual([]);
      expect(t).not.toMatch(CONTROL);
    }
    // the demo's AWS keys come from a credential report, which names them by position (access key 1), not by id
    expect(texts.join('\n')).toMatch(/access key 1/);
    expect(texts.join('\n')).not.toMatch(/(?:AKIA|ASIA)[A-Z0-9]{16}[A-Za-z0-9/+=]/);
    expect(stderr).toMatch(/nhi mcp: serving snapshot 2 \(the latest\)/);
  });

  it('a missing store is refused before serving: exit 2, the reason on stderr, nothing on stdout', async () => {
    const r = await nhi(['mcp', '--store', path.join(dir, 'missing.db')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nhi: no snapshot store at /);
  });
});
