/**
 * Fuzz case generators, one per input kind: each turns a seeded PRNG into files on disk (mutated from the samples in
 * examples/demo and the test fixtures) and says how to scan them, in process (connector jobs) and through the CLI
 * (arguments). Shared by the in-process fuzz (inputs.test.ts) and the CLI fuzz (cli.test.ts).
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsConnector } from '../../connectors/aws/index.js';
import { gcpConnector } from '../../connectors/gcp/index.js';
import { gitlabConnector } from '../../connectors/gitlab/index.js';
import { workflowsConnector } from '../../connectors/workflows/index.js';
import type { ConnectorJob } from '../../src/engine/engine.js';
import { estateToAuthzJson, estateToCredentialReportCsv, estateToLastAccessedJson } from '../fakes/aws-iam/estate.js';
import type { FakeGitLabEstate } from '../fakes/gitlab/server.js';
import { smallEstate } from '../connectors/aws-estate.js';
import { mutatedJsonText, mutateJson, mutateText, mutateYaml, type Rng } from './mutate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const demo = path.join(root, 'examples', 'demo');

/** Cases per kind in process (NHI_FUZZ_CASES) and the base seed (NHI_FUZZ_SEED): a failure names its case's seed. */
export const CASES = Number(process.env.NHI_FUZZ_CASES ?? 200);
export const SEED = Number(process.env.NHI_FUZZ_SEED ?? 8);

const read = (p: string) => readFileSync(p, 'utf8');
const demoAuthzFile = path.join(demo, 'aws', 'authz.json');
const demoReportFile = path.join(demo, 'aws', 'credential-report.csv');
const demoLastAccessedFile = path.join(demo, 'aws', 'last-accessed.json');
// the small estate first and twice: it maps in a fraction of the demo's time, so more cases fit the time budget
const small = smallEstate();
const AUTHZ_SAMPLES = [estateToAuthzJson(small) as unknown, estateToAuthzJson(small, { dateStyle: 'boto', encodeDocuments: true }) as unknown, JSON.parse(read(demoAuthzFile)) as unknown];
const REPORT_SAMPLES = [estateToCredentialReportCsv(small), read(demoReportFile)];
const LAST_ACCESSED_SAMPLES = [estateToLastAccessedJson(small) as unknown, JSON.parse(read(demoLastAccessedFile)) as unknown];
const WORKFLOW_DIRS = [path.join(demo, 'github', 'acme-app', '.github', 'workflows'), path.join(root, 'test', 'fixtures', 'workflows', 'mixed', '.github', 'workflows')];
const WORKFLOW_SAMPLES = WORKFLOW_DIRS.flatMap((d) => readdirSync(d).map((f) => read(path.join(d, f))));
const GITLAB_DIR = path.join(root, 'test', 'fixtures', 'gitlab-ci');
const GITLAB_SAMPLES = readdirSync(GITLAB_DIR).map((f) => read(path.join(GITLAB_DIR, f)));
const GCP_PROJECT = path.join(demo, 'gcp', 'acme-prod-data');

/** The GitLab estate the fake serves; a case sets the project's pipeline file. */
export function fuzzGitLabEstate(): FakeGitLabEstate {
  return {
    groups: [{ id: 1, path: 'acme', accessTokens: [], deployTokens: [], variables: [{ key: 'DEPLOY_TOKEN', value: 'v' }, { key: 'UNUSED', value: 'v' }] }],
    projects: [{ id: 2, path: 'acme/api', visibility: 'private', accessTokens: [], deployTokens: [], deployKeys: [], variables: [{ key: 'PROJECT_SECRET', value: 'v' }], ciConfig: '' }],
  };
}

export interface CaseEnv {
  /** a fresh, empty folder for this case's files */
  dir: string;
  gitlab: { url: string; estate: FakeGitLabEstate };
}

export interface FuzzInput {
  jobs: ConnectorJob[];
  /** the same scan as `nhi scan` arguments (report format and store flags are added by the caller) */
  args: string[];
}

const aws = (options: { fromFile?: string; credentialReport?: string; lastAccessed?: string }): FuzzInput => ({
  jobs: [{ connector: awsConnector, options }],
  args: [...(options.fromFile ? ['--from-file', options.fromFile] : []), ...(options.credentialReport ? ['--credential-report', options.credentialReport] : []), ...(options.lastAccessed ? ['--last-accessed', options.lastAccessed] : [])],
});

/** A GCP export folder damaged at the file-system level: a file where a folder belongs, the other way round, links. */
function damageFolder(rng: Rng, dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  if (entries.length === 0) return;
  const victim = path.join(dir, rng.pick(entries));
  rmSync(victim, { recursive: true, force: true });
  switch (rng.int(5)) {
    case 0:
      mkdirSync(victim);
      break;
    case 1:
      writeFileSync(victim, rng.pick(['', 'x', '[]', '{}']));
      break;
    case 2:
      symlinkSync(path.join(dir, 'does-not-exist'), victim);
      break;
    case 3:
      break; // removed
    default:
      symlinkSync(rng.chance(0.5) ? '/dev/zero' : '/dev/null', victim);
  }
}

/** Every .json file of a project folder (keys/ and sa-policies/ included). */
function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => path.join(e.parentPath, e.name));
  } catch {
    return []; // an earlier mutation replaced the folder
  }
}

export const KINDS: ReadonlyArray<{ kind: string; gen: (rng: Rng, env: CaseEnv) => FuzzInput }> = [
  {
    kind: 'aws-authz',
    gen: (rng, { dir }) => {
      const file = path.join(dir, 'authz.json');
      writeFileSync(file, mutatedJsonText(rng, rng.pick(AUTHZ_SAMPLES)));
      return aws(rng.chance(0.2) ? { fromFile: file, credentialReport: demoReportFile, lastAccessed: demoLastAccessedFile } : { fromFile: file });
    },
  },
  {
    kind: 'aws-credential-report',
    gen: (rng, { dir }) => {
      const file = path.join(dir, 'report.csv');
      let text = mutateText(rng, rng.pick(REPORT_SAMPLES));
      if (rng.chance(0.1)) text = Buffer.from(text).toString('base64');
      else if (rng.chance(0.05)) text = JSON.stringify({ Content: Buffer.from(text).toString('base64') });
      writeFileSync(file, text);
      return aws(rng.chance(0.3) ? { credentialReport: file, fromFile: demoAuthzFile } : { credentialReport: file });
    },
  },
  {
    kind: 'aws-last-accessed',
    gen: (rng, { dir }) => {
      const file = path.join(dir, 'last-accessed.json');
      const sample = rng.int(LAST_ACCESSED_SAMPLES.length);
      writeFileSync(file, mutatedJsonText(rng, LAST_ACCESSED_SAMPLES[sample]));
      // each last-accessed sample with the authorization details of the same account
      const authz = path.join(dir, 'authz.json');
      if (sample === 0) writeFileSync(authz, JSON.stringify(AUTHZ_SAMPLES[0]));
      return aws({ fromFile: sample === 0 ? authz : demoAuthzFile, lastAccessed: file });
    },
  },
  {
    kind: 'gcp-export-folder',
    gen: (rng, { dir }) => {
      const project = path.join(dir, 'acme-prod-data');
      cpSync(GCP_PROJECT, project, { recursive: true });
      const n = 1 + rng.int(3);
      for (let k = 0; k < n; k++) {
        if (rng.chance(0.75)) {
          const files = jsonFiles(project);
          if (files.length === 0) break;
          const f = rng.pick(files);
          let doc: unknown;
          try {
            doc = JSON.parse(read(f));
          } catch {
            continue;
          }
          writeFileSync(f, rng.chance(0.9) ? JSON.stringify(mutateJson(rng, doc)) : mutatedJsonText(rng, doc));
        } else damageFolder(rng, rng.chance(0.8) ? project : dir);
      }
      const fromDir = rng.chance(0.5) ? dir : project;
      return { jobs: [{ connector: gcpConnector, options: { fromDir } }], args: ['--from-file', fromDir] };
    },
  },
  {
    kind: 'workflow-yaml',
    gen: (rng, { dir }) => {
      const wf = path.join(dir, '.github', 'workflows');
      mkdirSync(wf, { recursive: true });
      writeFileSync(path.join(wf, 'fuzz.yml'), mutateYaml(rng, rng.pick(WORKFLOW_SAMPLES)));
      if (rng.chance(0.3)) copyFileSync(path.join(WORKFLOW_DIRS[0], 'deploy.yml'), path.join(wf, 'deploy.yml'));
      const input: FuzzInput = { jobs: [{ connector: workflowsConnector, options: { path: dir, repo: 'acme/app' } }], args: ['--path', dir, '--repo', 'acme/app'] };
      // sometimes with the demo account the workflows federate into, so the CI rules see real roles
      if (rng.chance(0.2)) {
        input.jobs.push({ connector: awsConnector, options: { fromFile: demoAuthzFile } });
        input.args.push('--from-file', demoAuthzFile);
      }
      return input;
    },
  },
  {
    kind: 'gitlab-ci-yaml',
    gen: (rng, { gitlab }) => {
      gitlab.estate.projects[0].ciConfig = mutateYaml(rng, rng.pick(GITLAB_SAMPLES));
      return { jobs: [{ connector: gitlabConnector, options: { url: gitlab.url, group: 'acme', maxAttempts: 1 } }], args: ['--gitlab-url', gitlab.url, '--gitlab-group', 'acme'] };
    },
  },
];

/** The seed of case `i` of `kind`: stable, distinct per kind and case. */
export function caseSeed(kind: string, i: number, base = SEED): number {
  return base * 1_000_003 + KINDS.findIndex((k) => k.kind === kind) * 10_007 + i;
}
