/**
 * The `workflows` connector: analyses the GitHub Actions workflow files of a local checkout. No token, no API call:
 * this is the pull-request merge gate (findings point at file and line, so SARIF annotates the diff).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { GraphRecord, ResourceNode } from '../../src/model/types.js';
import { workflowRecords } from '../../src/ci/workflow.js';
import { NhiError } from '../../src/util/errors.js';

export const workflowsOptionsSchema = z
  .object({
    /** a checkout, its `.github/workflows` folder, or one workflow file */
    path: z.string().min(1).default('.'),
    /** `owner/name`; default from `.git/config` (remote origin) */
    repo: z
      .string()
      .regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/name')
      .optional(),
  })
  .strict();
export type WorkflowsOptions = z.infer<typeof workflowsOptionsSchema>;

const CONNECTOR_ID = 'workflows';
const WORKFLOW_FILE = /\.ya?ml$/i;

/**
 * The checkout root, against which workflow paths are reported: the folder itself when it holds `.github/`, the
 * folder above `.github/workflows` when given that, else the nearest folder above holding `.git`, else the folder.
 */
export function findCheckoutRoot(start: string): string {
  let dir = path.resolve(start);
  if (existsSync(dir) && statSync(dir).isFile()) dir = path.dirname(dir);
  if (existsSync(path.join(dir, '.github'))) return dir;
  if (path.basename(dir) === 'workflows' && path.basename(path.dirname(dir)) === '.github') return path.dirname(path.dirname(dir));
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) break;
  }
  return dir;
}

/** `owner/name` from a git remote URL (https, ssh, scp-like), any host. */
export function repoFromRemote(url: string): string | undefined {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^:/]+(?::\d+)?[:/](.+?)(?:\.git)?\/?$/i.exec(url.trim());
  if (!m) return undefined;
  const parts = m[1].split('/').filter(Boolean);
  return parts.length >= 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : undefined;
}

/** The origin remote of a checkout (`.git/config`; a `.git` file pointing elsewhere, as worktrees have, is followed). */
export function originOf(root: string): string | undefined {
  let gitDir = path.join(root, '.git');
  try {
    if (statSync(gitDir).isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitDir, 'utf8'));
      if (m) gitDir = path.resolve(root, m[1].trim());
    }
    const config = readFileSync(path.join(gitDir, 'config'), 'utf8');
    const section = /\[remote "origin"\]([\s\S]*?)(?=\n\[|$)/.exec(config);
    const url = section && /^\s*url\s*=\s*(.+)$/m.exec(section[1]);
    return url ? repoFromRemote(url[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Workflow files to read: repository-relative paths. */
function workflowFiles(target: string, root: string): string[] {
  const abs = path.resolve(target);
  if (statSync(abs).isFile()) return [path.relative(root, abs).split(path.sep).join('/')];
  const dir = path.basename(abs) === 'workflows' ? abs : path.join(abs, '.github', 'workflows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => WORKFLOW_FILE.test(f))
    .sort()
    .map((f) => path.relative(root, path.join(dir, f)).split(path.sep).join('/'));
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
    if (!existsSync(o.path)) {
      throw new NhiError('INPUT', `--path ${o.path}: no such file or folder`, { suggestion: 'point --path at a checkout, its .github/workflows folder or a workflow file' });
    }
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = workflowsOptionsSchema.parse(ctx.options);
    const root = findCheckoutRoot(o.path);
    const observedAt = ctx.now.toISOString();
    let repo = o.repo ?? originOf(root);
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
    const files = workflowFiles(o.path, root);
    ctx.progress(`${files.length} workflow file${files.length === 1 ? '' : 's'} in ${repo}`);
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
    for (const rel of files) {
      let text: string;
      try {
        text = readFileSync(path.join(root, rel), 'utf8');
      } catch (err) {
        yield {
          type: 'coverage',
          coverage: { connector: CONNECTOR_ID, source: `file:${rel}`, reason: 'error', message: `cannot read ${rel} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, impact: 'this workflow is not analysed', incomplete: true },
        };
        continue;
      }
      const records = workflowRecords({ repo, path: rel, text, connector: CONNECTOR_ID, source: `file:${rel}`, observedAt, local: true });
      for (const r of records) yield r;
      const node = records[0].type === 'node' ? records[0].node : undefined;
      const parseError = node?.attributes?.parseError;
      if (typeof parseError === 'string') {
        yield {
          type: 'coverage',
          coverage: { connector: CONNECTOR_ID, source: `file:${rel}`, reason: 'invalid-input', message: `${rel}: ${parseError}`, impact: 'this workflow is not analysed; the other files are', incomplete: true },
        };
      }
    }
  },
};
