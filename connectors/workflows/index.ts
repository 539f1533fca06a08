/**
 * The `workflows` connector: analyses the GitHub Actions workflow files of a local checkout. No token, no API call:
 * this is the pull-request merge gate (findings point at file and line, so SARIF annotates the diff).
 *
 * A checkout is untrusted input (it may come from a pull request): only regular files whose real path is inside the
 * checkout are read, each at most 1 MiB (src/ci/limits.ts says why), opened without blocking after a metadata
 * check. A committed link to /dev/zero, a FIFO, a link leaving the checkout or an over-size file is a coverage note.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord, ResourceNode, ScanTarget } from '../../src/model/types.js';
import { MAX_CI_FILE_CHARS } from '../../src/ci/limits.js';
import { workflowRecords } from '../../src/ci/workflow.js';
import { inspectPath, readBounded, realRoot } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { safeLabel } from '../../src/util/text.js';

export const workflowsOptionsSchema = z
  .object({
    /** a checkout, its `.github/workflows` folder, or one workflow file */
    path: z.string().min(1).default('.'),
    /** `owner/name` or `host/owner/name`; default from `.git/config` (remote origin) */
    repo: z
      .string()
      .regex(/^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?[^/\s]+\/[^/\s]+$/, 'expected owner/name (or host/owner/name)')
      .optional(),
  })
  .strict();
export type WorkflowsOptions = z.infer<typeof workflowsOptionsSchema>;

const CONNECTOR_ID = 'workflows';
const WORKFLOW_FILE = /\.ya?ml$/i;
/** Bytes read of one workflow file at most (the same bound the analysis applies to text from any source). */
export const MAX_WORKFLOW_BYTES = MAX_CI_FILE_CHARS;
/** `.git/config` and a worktree's `.git` file: small text files, read with the same care as workflows. */
const MAX_GIT_FILE_BYTES = 1024 * 1024;

/**
 * The checkout root, against which workflow paths are reported: the folder itself when it holds `.github/`, the
 * folder above `.github/workflows` when given that, else the nearest folder above holding `.git`, else the folder.
 */
export function findCheckoutRoot(start: string): string {
  let dir = path.resolve(start);
  if (inspectPath(dir).kind === 'file') dir = path.dirname(dir);
  if (inspectPath(path.join(dir, '.github')).kind !== 'missing') return dir;
  if (path.basename(dir) === 'workflows' && path.basename(path.dirname(dir)) === '.github') return path.dirname(path.dirname(dir));
  for (let d = dir; ; d = path.dirname(d)) {
    if (inspectPath(path.join(d, '.git')).kind !== 'missing') return d;
    if (path.dirname(d) === d) break;
  }
  return dir;
}

export interface Remote {
  /** lower-case host (with a non-default port for http(s)); never user info */
  host?: string;
  /** `owner/name` */
  repo?: string;
}

/** Host and `owner/name` of a git remote URL (https, ssh, scp-like), any host. User info (tokens) is dropped. */
export function parseRemote(url: string): Remote {
  const u = url.trim();
  let host: string | undefined;
  let rest: string | undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  if (scheme) {
    const proto = scheme[1].toLowerCase();
    if (proto === 'http' || proto === 'https') {
      try {
        const parsed = new URL(u);
        host = parsed.host.toLowerCase();
        rest = decodeURIComponent(parsed.pathname);
      } catch {
        return {};
      }
    } else {
      // ssh://[user@]host[:port]/path, git://host/path: the port of an ssh remote is not part of the repository's name
      const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::\d*)?(\/.*)?$/i.exec(u);
      if (!m) return {};
      host = m[1].toLowerCase();
      rest = m[2];
    }
  } else {
    // scp-like: [user@]host:path (not a Windows drive letter, not a local path)
    const m = /^(?:[^@/\s]+@)?([^:/\s]{2,}):(?!\/\/)(.+)$/.exec(u);
    if (!m) return {};
    host = m[1].toLowerCase();
    rest = m[2];
  }
  const parts = (rest ?? '').replace(/\.git\/?$/, '').split('/').filter(Boolean);
  const repo = parts.length >= 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : undefined;
  const out: Remote = {};
  if (host && /^[a-z0-9.[\]:-]+$/.test(host)) out.host = host;
  if (repo) out.repo = repo;
  return out;
}

/** `owner/name` from a git remote URL (https, ssh, scp-like), any host. */
export function repoFromRemote(url: string): string | undefined {
  return parseRemote(url).repo;
}

function readGitFile(file: string): string | undefined {
  const r = readBounded(file, { maxBytes: MAX_GIT_FILE_BYTES });
  return r.ok ? r.text : undefined;
}

/** The origin remote of a checkout (`.git/config`; a `.git` file pointing elsewhere, as worktrees have, is followed). */
export function originRemote(root: string): Remote | undefined {
  let gitDir = path.join(root, '.git');
  if (inspectPath(gitDir).kind === 'file') {
    const m = /^gitdir:\s*(.+)$/m.exec(readGitFile(gitDir) ?? '');
    if (!m) return undefined;
    gitDir = path.resolve(root, m[1].trim());
  }
  let config = readGitFile(path.join(gitDir, 'config'));
  if (config === undefined) return undefined;
  // a worktree's own config rarely names the origin: the common git folder does
  if (!/\[remote "origin"\]/.test(config)) {
    const common = readGitFile(path.join(gitDir, 'commondir'));
    if (common) config = readGitFile(path.join(path.resolve(gitDir, common.trim()), 'config')) ?? config;
  }
  const section = /\[remote "origin"\]([\s\S]*?)(?=\n\[|$)/.exec(config);
  const url = section && /^\s*url\s*=\s*(.+)$/m.exec(section[1]);
  if (!url) return undefined;
  const remote = parseRemote(url[1]);
  return remote.repo ? remote : undefined;
}

/** The origin remote's `owner/name` (see originRemote). */
export function originOf(root: string): string | undefined {
  return originRemote(root)?.repo;
}

/** `--repo owner/name` or `--repo host/owner/name`. */
function parseRepoOption(v: string): { host: string; repo: string } {
  const parts = v.split('/');
  return parts.length === 3 ? { host: parts[0].toLowerCase(), repo: `${parts[1]}/${parts[2]}` } : { host: 'github.com', repo: v };
}

interface Listing {
  /** repository-relative paths of the files to read */
  files: string[];
  notes: CoverageNote[];
  /** the folder looked in, for messages */
  looked: string;
}

function rel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/');
}

function fileNote(relPath: string, message: string, reason: CoverageNote['reason'] = 'invalid-input'): CoverageNote {
  return { connector: CONNECTOR_ID, source: `file:${relPath}`, reason, message: `${relPath} ${message}`, impact: 'this workflow is not analysed; the other files are', incomplete: true };
}

/** Workflow files to read (repository-relative), and notes for what is there but may not be read. */
function workflowFiles(target: string, root: string, rootReal: string): Listing {
  const abs = path.resolve(target);
  const entry = inspectPath(abs);
  if (entry.kind === 'file' || entry.kind === 'dangling-link' || entry.kind === 'special') return { files: [rel(root, abs)], notes: [], looked: rel(root, abs) };
  const dir = path.basename(abs) === 'workflows' ? abs : path.join(abs, '.github', 'workflows');
  const looked = rel(root, dir) || '.';
  const d = inspectPath(dir, rootReal);
  switch (d.kind) {
    case 'missing':
      return { files: [], notes: [], looked };
    case 'directory':
      break;
    case 'outside':
      return { files: [], notes: [fileNote(looked, 'is a symbolic link that leads outside the checkout: not read')], looked };
    case 'dangling-link':
      return { files: [], notes: [fileNote(looked, 'is a symbolic link to nothing (dangling)')], looked };
    case 'file':
    case 'special':
      return { files: [], notes: [fileNote(looked, 'is not a folder')], looked };
    default:
      return { files: [], notes: [fileNote(looked, `cannot be read (${d.code})`, 'error')], looked };
  }
  let names: string[];
  try {
    names = readdirSync(d.realPath);
  } catch (err) {
    return { files: [], notes: [fileNote(looked, `cannot be listed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'error')], looked };
  }
  return {
    files: names
      .filter((f) => WORKFLOW_FILE.test(f))
      .sort()
      .map((f) => rel(root, path.join(dir, f))),
    notes: [],
    looked,
  };
}

/** What this run scans: the repository (host from the origin remote, github.com for a bare --repo), else the folder. */
function scanTarget(option: string | undefined, remote: Remote | undefined, rootReal: string): ScanTarget {
  const named = option ? parseRepoOption(option) : remote?.repo ? { host: remote.host ?? 'github.com', repo: remote.repo } : undefined;
  if (named) return { id: `github:repo:${named.host}/${named.repo}`, platform: 'github', kind: 'repository', name: named.repo };
  return { id: `workflows:path:${rootReal}`, platform: 'workflows', kind: 'path', name: rootReal };
}

export const workflowsConnector: Connector = {
  id: CONNECTOR_ID,
  describe: () => ({
    title: 'GitHub Actions workflows (local files)',
    requiredPermissions: ['read access to the checkout (no token, no API call)'],
    options: workflowsOptionsSchema,
  }),
  async validate(ctx: ScanContext) {
    const o = workflowsOptionsSchema.parse(ctx.options);
    const entry = inspectPath(o.path);
    if (entry.kind === 'missing' || entry.kind === 'dangling-link') {
      throw new NhiError('INPUT', `--path ${o.path}: no such file or folder`, { suggestion: 'point --path at a checkout, its .github/workflows folder or a workflow file' });
    }
    if (entry.kind === 'special') {
      throw new NhiError('INPUT', `--path ${o.path}: is ${entry.what}, not a file or folder`, { suggestion: 'point --path at a checkout, its .github/workflows folder or a workflow file' });
    }
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = workflowsOptionsSchema.parse(ctx.options);
    const root = findCheckoutRoot(o.path);
    const rootReal = realRoot(root);
    const observedAt = ctx.now.toISOString();
    const remote = o.repo ? undefined : originRemote(root);
    yield { type: 'target', target: scanTarget(o.repo, remote, rootReal) };
    let repo = o.repo ? parseRepoOption(o.repo).repo : remote?.repo;
    if (!repo) {
      repo = `local/${path.basename(root)}`;
      yield {
        type: 'coverage',
        coverage: {
          connector: CONNECTOR_ID,
          source: 'file:.git/config',
          reason: 'not-found',
          message: `no origin remote found; the repository is called ${repo}`,
          impact: 'workflow ids and secret matching use this name; pass --repo owner/name to match a GitHub scan',
          incomplete: false,
        },
      };
    }
    const { files, notes, looked } = workflowFiles(o.path, root, rootReal);
    for (const n of notes) yield { type: 'coverage', coverage: n };
    ctx.progress(`${files.length} workflow file${files.length === 1 ? '' : 's'} in ${repo}`);
    if (files.length === 0 && notes.length === 0) {
      yield {
        type: 'coverage',
        coverage: {
          connector: CONNECTOR_ID,
          source: `file:${looked}`,
          reason: 'not-found',
          message: `no workflow files (*.yml, *.yaml) in ${safeLabel(looked, 200)}`,
          impact: 'nothing was analysed: check --path (a checkout, its .github/workflows folder or a workflow file)',
          incomplete: true,
        },
      };
    }
    const prov = { connector: CONNECTOR_ID, source: `file:${path.basename(root)}`, observedAt };
    const repoNode: ResourceNode = {
      id: `github:repo:${repo}`,
      kind: 'resource',
      platform: 'github',
      type: 'repo',
      name: repo,
      scope: repo.split('/')[0],
      attributes: { workflowsScanned: true },
      provenance: [prov],
    };
    yield { type: 'node', node: repoNode };
    for (const relPath of files) {
      const abs = path.join(root, relPath);
      // only regular files inside the checkout, bounded, never opened when they are a FIFO or a device
      const read = readBounded(abs, { maxBytes: MAX_WORKFLOW_BYTES, within: rootReal });
      if (!read.ok) {
        const why = read.problem === 'outside' ? 'is a symbolic link that leads outside the checkout: not read' : read.reason;
        yield { type: 'coverage', coverage: fileNote(relPath, why, read.problem === 'unreadable' ? 'error' : 'invalid-input') };
        continue;
      }
      const records = workflowRecords({ repo, path: relPath, text: read.text, connector: CONNECTOR_ID, source: `file:${relPath}`, observedAt, local: true });
      for (const r of records) yield r;
      const node = records[0].type === 'node' ? records[0].node : undefined;
      const parseError = node?.attributes?.parseError;
      if (typeof parseError === 'string') {
        yield {
          type: 'coverage',
          coverage: { connector: CONNECTOR_ID, source: `file:${relPath}`, reason: 'invalid-input', message: `${relPath}: ${parseError}`, impact: 'this workflow is not analysed; the other files are', incomplete: true },
        };
      }
    }
  },
};
