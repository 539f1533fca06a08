import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCheckoutRoot, parseRemote, repoFromRemote, workflowsConnector } from '../../connectors/workflows/index.js';
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

describe('workflows connector: only regular files inside the checkout, bounded, never blocking', () => {
  let co: string;
  let outside: string;
  const SECRET_OUTSIDE = 'OUTSIDE_FILE_CANARY_7731';
  beforeAll(() => {
    co = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-links-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-outside-'));
    const wf = path.join(co, '.github', 'workflows');
    mkdirSync(wf, { recursive: true });
    mkdirSync(path.join(co, 'shared'));
    writeFileSync(path.join(wf, 'ok.yml'), 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: "${{ secrets.DEPLOY }}"}]\n');
    writeFileSync(path.join(co, 'shared', 'reused.yml'), 'on: push\njobs:\n  b:\n    runs-on: x\n    steps: [{run: ok}]\n');
    symlinkSync(path.join('..', '..', 'shared', 'reused.yml'), path.join(wf, 'inside-link.yml'));
    writeFileSync(path.join(outside, 'leak.yml'), `on: push\njobs:\n  c:\n    runs-on: x\n    steps: [{run: "\${{ secrets.${SECRET_OUTSIDE} }}"}]\n`);
    symlinkSync(path.join(outside, 'leak.yml'), path.join(wf, 'escape.yml'));
    if (existsSync('/dev/zero')) symlinkSync('/dev/zero', path.join(wf, 'zero.yml'));
    symlinkSync(path.join(co, 'missing.yml'), path.join(wf, 'dangling.yml'));
    mkdirSync(path.join(wf, 'folder.yml'));
    writeFileSync(path.join(wf, 'huge.yml'), 'on: push\n');
    truncateSync(path.join(wf, 'huge.yml'), 120 * 1024 * 1024);
    try {
      execFileSync('mkfifo', [path.join(wf, 'pipe.yml')]);
    } catch {
      // no mkfifo: that case is skipped below
    }
  });
  afterAll(() => {
    rmSync(co, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('a link to /dev/zero, a FIFO, a link leaving the checkout, a dangling link, a folder, a 120 MB file: one note each, the rest analysed, within the deadline', async () => {
    const before = process.memoryUsage();
    const started = Date.now();
    const records = await scan({ path: co, repo: 'acme/app' });
    expect(Date.now() - started).toBeLessThan(10_000);
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
    const notes = records.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
    const expected = [
      '.github/workflows/dangling.yml is a symbolic link to nothing (dangling)',
      '.github/workflows/escape.yml is a symbolic link that leads outside the checkout: not read',
      '.github/workflows/folder.yml is a folder, not a file',
      '.github/workflows/huge.yml is 120 MiB, more than the 1 MiB limit',
      ...(existsSync(path.join(co, '.github', 'workflows', 'pipe.yml')) ? ['.github/workflows/pipe.yml is a FIFO (named pipe), not a regular file'] : []),
      // a committed link to /dev/zero leads out of the checkout: refused before anything is opened
      ...(existsSync('/dev/zero') ? ['.github/workflows/zero.yml is a symbolic link that leads outside the checkout: not read'] : []),
    ];
    expect(notes.map((n) => n.message).sort()).toEqual(expected.sort());
    expect(notes.every((n) => n.incomplete)).toBe(true);
    const analysed = records.flatMap((r) => (r.type === 'node' && r.node.type === 'workflow' ? [r.node.attributes?.path] : []));
    expect(analysed.sort()).toEqual(['.github/workflows/inside-link.yml', '.github/workflows/ok.yml']);
    expect(JSON.stringify(records)).not.toContain(SECRET_OUTSIDE);
  });

  it('a .github/workflows folder that is itself a link out of the checkout is not read', async () => {
    const co2 = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-dirlink-'));
    try {
      mkdirSync(path.join(co2, '.github'));
      symlinkSync(outside, path.join(co2, '.github', 'workflows'));
      const records = await scan({ path: co2, repo: 'acme/app' });
      expect(records.flatMap((r) => (r.type === 'coverage' ? [r.coverage.message] : []))).toEqual(['.github/workflows is a symbolic link that leads outside the checkout: not read']);
      expect(JSON.stringify(records)).not.toContain(SECRET_OUTSIDE);
    } finally {
      rmSync(co2, { recursive: true, force: true });
    }
  });

  it('a --path with no workflow files is not a clean pass', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-empty-'));
    try {
      const notes = (await scan({ path: empty, repo: 'acme/app' })).flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
      expect(notes).toEqual([expect.objectContaining({ reason: 'not-found', incomplete: true, message: 'no workflow files (*.yml, *.yaml) in .github/workflows' })]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync('/dev/zero'))('--path pointing at a device is a usage error', async () => {
    await expect(workflowsConnector.validate(ctx({ path: '/dev/zero' }))).rejects.toMatchObject({ code: 'INPUT', message: '--path /dev/zero: is a character device, not a file or folder' });
  });
});

describe('workflows connector: the scan target', () => {
  const targetOf = async (options: Record<string, unknown>) => (await scan(options)).flatMap((r) => (r.type === 'target' ? [r.target] : []));
  const withOrigin = (url: string) => {
    const co = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-target-'));
    mkdirSync(path.join(co, '.git'));
    mkdirSync(path.join(co, '.github', 'workflows'), { recursive: true });
    writeFileSync(path.join(co, '.github', 'workflows', 'ci.yml'), 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: ok}]\n');
    writeFileSync(path.join(co, '.git', 'config'), `[remote "origin"]\n\turl = ${url}\n`);
    return co;
  };

  it.each([
    ['https://x-access-token:ghs_TOKEN123@github.com/Acme/App.git', 'github:repo:github.com/Acme/App'],
    ['git@GitHub.com:acme/app.git', 'github:repo:github.com/acme/app'],
    ['ssh://git@ghes.example.com:2222/platform/api', 'github:repo:ghes.example.com/platform/api'],
    ['https://ghes.example.com:8443/org/repo/', 'github:repo:ghes.example.com:8443/org/repo'],
  ])('origin %s -> %s (never the user info)', async (url, id) => {
    const co = withOrigin(url);
    try {
      const targets = await targetOf({ path: co });
      expect(targets).toEqual([{ id, platform: 'github', kind: 'repository', name: id.split('/').slice(-2).join('/') }]);
      expect(JSON.stringify(await scan({ path: co }))).not.toMatch(/TOKEN123|x-access-token/);
    } finally {
      rmSync(co, { recursive: true, force: true });
    }
  });

  it('--repo without a host is on github.com; with a host, that host; neither known: the real path of the folder', async () => {
    expect((await targetOf({ path: checkout, repo: 'acme/nightly' })).map((t) => t.id)).toEqual(['github:repo:github.com/acme/nightly']);
    expect((await targetOf({ path: checkout, repo: 'GHES.example.com/acme/nightly' })).map((t) => t.id)).toEqual(['github:repo:ghes.example.com/acme/nightly']);
    const bare = mkdtempSync(path.join(os.tmpdir(), 'nhi-wf-noorigin-'));
    try {
      expect(await targetOf({ path: bare })).toEqual([{ id: `workflows:path:${realpathSync(bare)}`, platform: 'workflows', kind: 'path', name: realpathSync(bare) }]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it.each([
    ['https://oauth2:glpat-x@GitLab.example.com/group/proj.git', { host: 'gitlab.example.com', repo: 'group/proj' }],
    ['C:\\repos\\app', {}],
    ['/srv/git/app.git', {}],
    ['file:///srv/git/o/app.git', {}],
  ])('parseRemote(%s)', (url, expected) => {
    expect(parseRemote(url)).toEqual(expected);
  });
});
