import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCheckoutRoot, repoFromRemote, workflowsConnector } from '../../connectors/workflows/index.js';
import { Counter } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'workflows', 'mixed');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const ctx = (options: Record<string, unknown>): ScanContext => ({ options, now: new Date('2026-11-01T00:00:00Z'), log: silent, calls: new Counter(), progress: () => {}, concurrency: 1 });

async function scan(options: Record<string, unknown>): Promise<GraphRecord[]> {
  const out: GraphRecord[] = [];
  for await (const r of workflowsConnector.scan(ctx(options))) out.push(r);
  return out;
}

let checkout: string;
beforeAll(() => {
  // a real-looking checkout: the fixture workflows plus a .git/config with an ssh origin
  checkout = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-'));
  cpSync(fixtures, checkout, { recursive: true });
  mkdirSync(path.join(checkout, '.git'));
  writeFileSync(path.join(checkout, '.git', 'config'), '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:Acme/App.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
  mkdirSync(path.join(checkout, 'src', 'deep'), { recursive: true });
});
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

describe('workflows connector', () => {
  it.each([
    ['https://github.com/acme/app.git', 'acme/app'],
    ['git@github.com:acme/app.git', 'acme/app'],
    ['ssh://git@ghes.example.com:2222/platform/api', 'platform/api'],
    ['https://ghes.example.com/org/repo/', 'org/repo'],
    ['not a url', undefined],
  ])('repo from remote %s → %s', (url, repo) => {
    expect(repoFromRemote(url)).toBe(repo);
  });

  it('finds the checkout root from a sub-folder, and from the workflows folder itself', () => {
    expect(findCheckoutRoot(path.join(checkout, 'src', 'deep'))).toBe(checkout);
    expect(findCheckoutRoot(path.join(checkout, '.github', 'workflows'))).toBe(checkout);
  });

  it('reads every workflow file of the checkout; a broken file is a coverage note and the others are analysed', async () => {
    const records = await scan({ path: checkout });
    const g = IdentityGraph.from(records);
    const wfs = [...g.nodes.values()].filter((n) => n.type === 'workflow');
    expect(wfs.map((n) => n.attributes?.path).sort()).toEqual(
      ['anchors-matrix.yml', 'broken.yml', 'not-a-workflow.yaml', 'oidc-gcp.yml', 'role-from-secret.yml', 'static-env.yml'].map((f) => `.github/workflows/${f}`),
    );
    expect(wfs.every((n) => n.id.startsWith('github:workflow:Acme/App/.github/workflows/'))).toBe(true);
    expect(g.node('github:repo:Acme/App')?.attributes).toMatchObject({ workflowsScanned: true });
    const notes = g.coverage.filter((c) => c.reason === 'invalid-input');
    expect(notes.map((c) => c.source).sort()).toEqual(['file:.github/workflows/broken.yml', 'file:.github/workflows/not-a-workflow.yaml']);
    expect(notes.every((c) => c.incomplete && !c.message.includes('\n'))).toBe(true);
    expect(g.out('github:workflow:Acme/App/.github/workflows/oidc-gcp.yml', 'FEDERATES_TO').map((e) => e.to)).toEqual(['gcp:service-account:loader@acme-data.iam.gserviceaccount.com']);
  });

  it('one file, with --repo; no origin gives local/<folder> and an informational note', async () => {
    const one = await scan({ path: path.join(checkout, '.github', 'workflows', 'static-env.yml'), repo: 'acme/nightly' });
    expect(one.filter((r) => r.type === 'node' && r.node.type === 'workflow').map((r) => (r.type === 'node' ? r.node.id : ''))).toEqual(['github:workflow:acme/nightly/.github/workflows/static-env.yml']);
    const bare = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-bare-'));
    try {
      mkdirSync(path.join(bare, '.github', 'workflows'), { recursive: true });
      writeFileSync(path.join(bare, '.github', 'workflows', 'ci.yml'), 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: ok}]\n');
      const records = await scan({ path: bare });
      const note = records.find((r) => r.type === 'coverage');
      expect(note?.type === 'coverage' && note.coverage).toMatchObject({ reason: 'not-found', incomplete: false });
      expect(records.some((r) => r.type === 'node' && r.node.id === `github:repo:local/${path.basename(bare)}`)).toBe(true);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('a missing path is an INPUT error before scanning', async () => {
    await expect(workflowsConnector.validate(ctx({ path: path.join(checkout, 'nope') }))).rejects.toBeInstanceOf(NhiError);
  });
});
