import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { ConnectorJob } from '../../engine/engine.js';
import type { ProgressEvent } from '../../engine/types.js';
import type { ScanResult } from '../../model/result.js';
import type { ConfigEffect } from '../../model/result.js';
import type { NhiConfig } from '../../config/config.js';
import type { Finding, Severity } from '../../model/types.js';
import { SEVERITY_RANK } from '../../model/types.js';
import { EXIT, NhiError } from '../../util/errors.js';
import { demoDir } from '../../util/paths.js';
import { toIso } from '../../util/dates.js';
import { hasUserinfo, redactUrl } from '../../util/url.js';
import { colorEnabled, interactive, writeOutput, writeOutputChunks } from '../io.js';
import { openScanStore, recordSnapshot, snapshotNotStored, storeHelp } from './common.js';
import { createLogger } from '../logger.js';

export const FORMATS = ['terminal', 'json', 'sarif', 'markdown'] as const;
export const GATES = ['critical', 'high', 'medium', 'low', 'none'] as const;

export interface ScanFlags {
  connector?: string;
  demo?: boolean;
  profile?: string;
  roleArn?: string;
  externalId?: string;
  region?: string;
  awsEndpoint?: string;
  fromFile?: string;
  credentialReport?: string;
  lastAccessed?: string | boolean;
  path?: string;
  repo?: string;
  githubOrg?: string;
  githubUrl?: string;
  githubRepos?: string;
  githubAppId?: string;
  githubPrivateKey?: string;
  githubInstallationId?: string;
  githubWorkflows?: boolean;
  gitlabUrl?: string;
  gitlabGroup?: string;
  gitlabProjects?: string;
  gcpProject?: string;
  gcpOrganization?: string;
  gcpImpersonateServiceAccount?: string;
  gcpEndpoint?: string;
  format: (typeof FORMATS)[number];
  output?: string;
  failOn?: (typeof GATES)[number];
  sarifCategory?: string;
  config?: string | boolean;
  store?: string | boolean;
  asOf?: string;
  baseline?: string;
  concurrency?: string;
  timeout?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('scan one or more sources, store a snapshot and report findings')
    .option('-c, --connector <ids>', 'connectors to run, comma-separated: aws, gcp, github, gitlab, workflows (default: inferred from the flags, else aws)')
    .option('--demo', 'scan the bundled demo estate: an AWS account, a GCP project and a GitHub repository (no credentials needed)')
    .option('--profile <name>', 'AWS: named profile from ~/.aws/config')
    .option('--role-arn <arn>', 'AWS: assume this (read-only audit) role first')
    .option('--external-id <id>', 'AWS: external id for --role-arn')
    .option('--region <region>', 'AWS: region for API calls (IAM is global)', undefined)
    .option('--aws-endpoint <url>', 'AWS: IAM endpoint override (LocalStack, proxies)')
    .option('--from-file <file>', 'AWS offline: output of `aws iam get-account-authorization-details`; GCP offline: a folder of gcloud exports')
    .option('--credential-report <file>', 'AWS offline: the IAM credential report CSV (decoded)')
    .option('--last-accessed <file>', 'AWS offline: service last-accessed JSON (see docs/offline.md)')
    .option('--no-last-accessed', 'AWS live: skip service last-accessed jobs (faster, no unused-service-grants)')
    .option('--github-org <org>', 'GitHub: organisation to scan (token from GITHUB_TOKEN or GH_TOKEN)')
    .option('--github-url <url>', 'GitHub: API base URL (GitHub Enterprise Server: https://HOST/api/v3)')
    .option('--github-repos <globs>', 'GitHub: only these repositories, comma-separated names or globs')
    .option('--github-app-id <id>', 'GitHub: authenticate as this GitHub App (with --github-private-key)')
    .option('--github-private-key <file>', 'GitHub: the App private key (PEM)')
    .option('--github-installation-id <id>', 'GitHub: App installation id (default: discovered from the org)')
    .option('--no-github-workflows', 'GitHub: do not fetch and analyse workflow files')
    .option('--gitlab-url <url>', 'GitLab: instance URL (default https://gitlab.com; token from GITLAB_TOKEN)')
    .option('--gitlab-group <path>', 'GitLab: group full path to scan (with subgroups)')
    .option('--gitlab-projects <globs>', 'GitLab: only these projects, comma-separated paths or globs')
    .option('--gcp-project <ids>', 'GCP: project ids to scan, comma-separated (Application Default Credentials, or GOOGLE_OAUTH_ACCESS_TOKEN)')
    .option('--gcp-organization <id>', 'GCP: scan every active project under this organization (numeric id)')
    .option('--gcp-impersonate-service-account <email>', 'GCP: impersonate this read-only audit service account for the scan')
    .option('--gcp-endpoint <url>', 'GCP: send every Google API call to this base URL (emulators, proxies)')
    .option('--path <dir>', 'workflows: a local checkout (or its .github/workflows folder) to analyse, no token needed')
    .option('--repo <owner/name>', 'workflows: the repository, owner/name or host/owner/name (default: from the origin remote in .git/config)')
    .addOption(new Option('-f, --format <format>', 'report format').choices([...FORMATS]).default('terminal'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default none)').choices([...GATES]))
    .option('--sarif-category <category>', 'SARIF runAutomationDetails category (one upload per category)')
    .option('--config <file>', 'configuration file (default ./nhi.config.yaml or ./nhi.config.yml when present)')
    .option('--no-config', 'read no configuration file: every rule on with its defaults, nothing suppressed (CI on pull requests)')
    .option('--store <path>', storeHelp())
    .option('--no-store', 'do not store a snapshot')
    .option('--baseline <file>', 'a previous JSON report: --fail-on counts only findings that are not in it')
    .option('--as-of <date>', 'evaluate ages and usage as of this date (default now; --demo: the demo capture date)')
    .option('--concurrency <n>', 'API calls in flight per connector, 1-64 (default 5, or the config\'s concurrency)')
    .option('--timeout <seconds>', 'whole-scan deadline: sources not finished by then end as coverage notes (exit 3); default none')
    .option('-v, --verbose', 'more detail on stderr: API calls per operation, timings')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (flags: ScanFlags) => {
      process.exitCode = await scanCommand(flags);
    });
}

function parseAsOf(value: string): Date {
  const iso = toIso(value);
  if (!iso) throw new NhiError('USAGE', `--as-of: '${value}' is not a date`, { suggestion: 'use e.g. 2026-11-01 or 2026-11-01T06:00:00Z' });
  return new Date(iso);
}

/** Fingerprints of the findings in a previous JSON report (--baseline). */
export function readBaseline(file: string): { file: string; fingerprints: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NhiError('INPUT', `--baseline ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new NhiError('INPUT', `--baseline ${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`, {
      suggestion: 'pass a report written by nhi scan --format json',
    });
  }
  const findings = (doc as { schemaVersion?: unknown; findings?: unknown }).findings;
  if (typeof (doc as { schemaVersion?: unknown }).schemaVersion !== 'string' || !Array.isArray(findings)) {
    throw new NhiError('INPUT', `--baseline ${file}: not an nhi JSON report (no schemaVersion / findings)`, {
      suggestion: 'pass a report written by nhi scan --format json',
    });
  }
  const fingerprints = findings
    .map((f) => (f && typeof f === 'object' ? (f as { fingerprint?: unknown }).fingerprint : undefined))
    .filter((x): x is string => typeof x === 'string');
  return { file, fingerprints };
}

/** --timeout: seconds (a whole or decimal number, at least 1, at most a week). */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || n < 1 || n > 7 * 24 * 3600) {
    throw new NhiError('USAGE', `--timeout: expected a number of seconds from 1 to 604800, got '${value}'`, { suggestion: 'e.g. --timeout 900 ends the scan after 15 minutes' });
  }
  return Math.round(n * 1000);
}

function parseConcurrency(value: string | number | undefined): number {
  const n = Number(value ?? 5);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new NhiError('USAGE', `--concurrency: expected a whole number from 1 to 64, got '${value}'`);
  return n;
}

interface DemoManifest {
  capturedAt: string;
  name?: string;
}

function readDemoManifest(dir: string): DemoManifest {
  const file = path.join(dir, 'manifest.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoManifest;
  } catch {
    throw new NhiError('INTERNAL', 'the bundled demo estate is missing or damaged', { suggestion: 'reinstall nhi-drift' });
  }
}

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

const AWS_FLAGS = ['profile', 'roleArn', 'externalId', 'region', 'awsEndpoint', 'fromFile', 'credentialReport'] as const;
const GITHUB_FLAGS = ['githubOrg', 'githubUrl', 'githubRepos', 'githubAppId', 'githubPrivateKey', 'githubInstallationId'] as const;
const GITLAB_FLAGS = ['gitlabUrl', 'gitlabGroup', 'gitlabProjects'] as const;
const WORKFLOW_FLAGS = ['path', 'repo'] as const;
const GCP_FLAGS = ['gcpProject', 'gcpOrganization', 'gcpImpersonateServiceAccount', 'gcpEndpoint'] as const;
const FLAG_NAME: Record<string, string> = {
  profile: '--profile', roleArn: '--role-arn', externalId: '--external-id', region: '--region', awsEndpoint: '--aws-endpoint',
  fromFile: '--from-file', credentialReport: '--credential-report', githubOrg: '--github-org', githubUrl: '--github-url',
  githubRepos: '--github-repos', githubAppId: '--github-app-id', githubPrivateKey: '--github-private-key',
  githubInstallationId: '--github-installation-id', gitlabUrl: '--gitlab-url', gitlabGroup: '--gitlab-group',
  gitlabProjects: '--gitlab-projects', path: '--path', repo: '--repo', gcpProject: '--gcp-project',
  gcpOrganization: '--gcp-organization', gcpImpersonateServiceAccount: '--gcp-impersonate-service-account', gcpEndpoint: '--gcp-endpoint',
};

/** Without --connector: the connectors whose flags were given (aws when none were). */
function isDir(p: string | undefined): boolean {
  try {
    return p !== undefined && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function inferConnectors(flags: ScanFlags): string[] {
  const ids: string[] = [];
  // --from-file DIR is a folder of gcloud exports; a file is an AWS export
  if (isDir(flags.fromFile) || GCP_FLAGS.some((k) => flags[k] !== undefined)) {
    ids.push('gcp');
    if (AWS_FLAGS.some((k) => k !== 'fromFile' && flags[k] !== undefined)) ids.push('aws');
  } else if (AWS_FLAGS.some((k) => flags[k] !== undefined) || typeof flags.lastAccessed === 'string') ids.push('aws');
  if (GITHUB_FLAGS.some((k) => flags[k] !== undefined)) ids.push('github');
  if (GITLAB_FLAGS.some((k) => flags[k] !== undefined)) ids.push('gitlab');
  if (WORKFLOW_FLAGS.some((k) => flags[k] !== undefined)) ids.push('workflows');
  return ids.length > 0 ? ids : ['aws'];
}

/** A flag for a connector that is not running is a mistake worth one clear line. */
function checkStrayFlags(flags: ScanFlags, ids: Set<string>): void {
  const groups: Array<[string, readonly (keyof ScanFlags)[]]> = [
    ['aws', AWS_FLAGS],
    ['github', GITHUB_FLAGS],
    ['gitlab', GITLAB_FLAGS],
    ['workflows', WORKFLOW_FLAGS],
    ['gcp', GCP_FLAGS],
  ];
  for (const [id, keys] of groups) {
    if (ids.has(id)) continue;
    if (id === 'aws' && ids.has('gcp') && keys.every((k) => k === 'fromFile' || flags[k] === undefined)) continue; // --from-file DIR belongs to gcp
    const stray = keys.find((k) => flags[k] !== undefined);
    if (stray) throw new NhiError('USAGE', `${FLAG_NAME[stray]} is a ${id} option, but the ${id} connector is not selected`, { suggestion: `add ${id} to --connector, or drop ${FLAG_NAME[stray]}` });
  }
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new NhiError('USAGE', `${flag}: expected a positive whole number, got '${value}'`);
  return n;
}

/**
 * A URL flag must not carry credentials (`https://oauth2:glpat-…@host`): they would end up in shell history, process
 * lists, reports and the store. Refuse it without echoing the secret part.
 */
export function checkUrlFlag(flag: string, value: string | undefined, tokenHint: string): void {
  if (value === undefined) return;
  if (hasUserinfo(value)) {
    throw new NhiError('USAGE', `${flag} ${redactUrl(value)}: the URL carries a user name or password; nhi never takes credentials on the command line`, {
      suggestion: tokenHint,
    });
  }
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new NhiError('USAGE', `${flag}: '${redactUrl(value)}' is not a URL`, { suggestion: 'e.g. https://gitlab.example.com' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new NhiError('USAGE', `${flag}: only http and https URLs are supported, got ${u.protocol}`);
  if (u.search || u.hash) throw new NhiError('USAGE', `${flag} ${redactUrl(value)}: drop the query string; tokens go in the environment`, { suggestion: tokenHint });
}

/** The options and report target of one connector, from the flags. */
function connectorOptions(id: string, flags: ScanFlags, concurrency: number): { options: Record<string, unknown>; target?: string } {
  switch (id) {
    case 'aws': {
      if (isDir(flags.fromFile)) throw new NhiError('USAGE', `--from-file ${flags.fromFile} is a folder: for AWS pass the get-account-authorization-details JSON file (a folder is read by the gcp connector)`);
      const offline = Boolean(flags.fromFile || flags.credentialReport);
      const lastAccessedFile = typeof flags.lastAccessed === 'string' ? flags.lastAccessed : undefined;
      if (!offline && lastAccessedFile) {
        throw new NhiError('USAGE', '--last-accessed FILE is for offline scans', { suggestion: 'add --from-file, or drop --last-accessed for a live scan' });
      }
      if (offline && (flags.profile || flags.roleArn || flags.awsEndpoint)) {
        throw new NhiError('USAGE', '--from-file / --credential-report scan offline: --profile, --role-arn and --aws-endpoint do not apply');
      }
      if (flags.externalId && !flags.roleArn) throw new NhiError('USAGE', '--external-id needs --role-arn');
      checkUrlFlag('--aws-endpoint', flags.awsEndpoint, 'credentials come from the AWS credential chain (--profile, --role-arn, environment)');
      const options: Record<string, unknown> = offline
        ? { fromFile: flags.fromFile, credentialReport: flags.credentialReport, lastAccessed: lastAccessedFile }
        : {
            profile: flags.profile,
            roleArn: flags.roleArn,
            externalId: flags.externalId,
            region: flags.region,
            endpoint: flags.awsEndpoint,
            serviceLastAccessed: flags.lastAccessed !== false,
            lastAccessedConcurrency: concurrency,
          };
      const target = offline
        ? [flags.fromFile, flags.credentialReport, lastAccessedFile].filter(Boolean).map((f) => path.basename(f!)).join(', ')
        : flags.roleArn ?? (flags.profile ? `profile ${flags.profile}` : 'default credentials');
      return { options, target };
    }
    case 'github': {
      if (!flags.githubOrg) throw new NhiError('USAGE', 'the github connector needs --github-org ORG');
      checkUrlFlag('--github-url', flags.githubUrl, 'put the token in GITHUB_TOKEN (or GH_TOKEN), or use --github-app-id with --github-private-key');
      if (Boolean(flags.githubAppId) !== Boolean(flags.githubPrivateKey)) {
        throw new NhiError('USAGE', '--github-app-id and --github-private-key go together');
      }
      return {
        options: {
          org: flags.githubOrg,
          url: flags.githubUrl,
          repos: list(flags.githubRepos),
          appId: flags.githubAppId,
          privateKeyFile: flags.githubPrivateKey,
          installationId: positiveInt('--github-installation-id', flags.githubInstallationId),
          workflows: flags.githubWorkflows !== false,
        },
        target: `${flags.githubOrg}${flags.githubUrl ? ` on ${redactUrl(flags.githubUrl)}` : ''}`,
      };
    }
    case 'gitlab': {
      if (!flags.gitlabGroup) throw new NhiError('USAGE', 'the gitlab connector needs --gitlab-group PATH');
      checkUrlFlag('--gitlab-url', flags.gitlabUrl, 'put the token in GITLAB_TOKEN');
      return {
        options: { url: flags.gitlabUrl, group: flags.gitlabGroup, projects: list(flags.gitlabProjects) },
        target: `${flags.gitlabGroup}${flags.gitlabUrl ? ` on ${redactUrl(flags.gitlabUrl)}` : ''}`,
      };
    }
    case 'workflows':
      return { options: { path: flags.path ?? '.', repo: flags.repo }, target: flags.repo ?? path.resolve(flags.path ?? '.') };
    case 'gcp': {
      const live = GCP_FLAGS.some((k) => flags[k] !== undefined);
      if (flags.fromFile !== undefined && !isDir(flags.fromFile)) {
        throw new NhiError('USAGE', `--from-file ${flags.fromFile}: the gcp connector reads a folder of gcloud JSON exports`, { suggestion: 'see docs/connectors/gcp.md for the export commands' });
      }
      if (isDir(flags.fromFile)) {
        if (live) throw new NhiError('USAGE', '--from-file DIR scans GCP offline: --gcp-project, --gcp-organization, --gcp-impersonate-service-account and --gcp-endpoint do not apply');
        return { options: { fromDir: flags.fromFile }, target: path.basename(path.resolve(flags.fromFile!)) };
      }
      if (flags.gcpProject && flags.gcpOrganization) throw new NhiError('USAGE', '--gcp-project and --gcp-organization: give one of them');
      checkUrlFlag('--gcp-endpoint', flags.gcpEndpoint, 'credentials come from Application Default Credentials or GOOGLE_OAUTH_ACCESS_TOKEN');
      const projects = list(flags.gcpProject);
      return {
        options: { projects: projects?.length ? projects : undefined, organization: flags.gcpOrganization, impersonateServiceAccount: flags.gcpImpersonateServiceAccount, endpoint: flags.gcpEndpoint },
        target: flags.gcpOrganization ? `organizations/${flags.gcpOrganization}` : (projects?.join(', ') ?? process.env.GOOGLE_CLOUD_PROJECT ?? process.env.CLOUDSDK_CORE_PROJECT ?? 'default project'),
      };
    }
    default:
      return { options: {} };
  }
}

/** Turn flags into connector jobs. */
export async function buildJobs(flags: ScanFlags, concurrency = parseConcurrency(flags.concurrency)): Promise<{ jobs: ConnectorJob[]; asOf?: Date }> {
  const { findConnector, connectorIds } = await import('../../../connectors/index.js');
  if (flags.demo) {
    const dir = demoDir();
    const manifest = readDemoManifest(dir);
    const jobs: ConnectorJob[] = [
      {
        connector: await findConnector('aws')!.load(),
        target: `demo estate (${manifest.name ?? 'acme-prod'})`,
        options: {
          fromFile: path.join(dir, 'authz.json'),
          credentialReport: path.join(dir, 'credential-report.csv'),
          lastAccessed: path.join(dir, 'last-accessed.json'),
        },
      },
    ];
    // the demo's GitHub repository: workflow files that federate into the demo AWS roles
    const workflows = findConnector('workflows');
    if (workflows) {
      jobs.push({ connector: await workflows.load(), target: 'demo repository acme/app', options: { path: path.join(dir, '..', 'github', 'acme-app'), repo: 'acme/app' } });
    }
    const gcp = findConnector('gcp');
    if (gcp) jobs.push({ connector: await gcp.load(), target: 'demo project acme-prod-data', options: { fromDir: path.join(dir, '..', 'gcp') } });
    return { jobs, asOf: new Date(manifest.capturedAt) };
  }
  const ids = (flags.connector ?? inferConnectors(flags).join(','))
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new NhiError('USAGE', '--connector: name at least one connector', { suggestion: `one of ${connectorIds().join(', ')}` });
  for (const id of ids) {
    if (!findConnector(id)) throw new NhiError('USAGE', `--connector: unknown connector '${id}'`, { suggestion: `available: ${connectorIds().join(', ')}` });
  }
  checkStrayFlags(flags, new Set(ids));
  const jobs: ConnectorJob[] = [];
  for (const id of [...new Set(ids)]) {
    const connector = await findConnector(id)!.load();
    const { options, target } = connectorOptions(id, flags, concurrency);
    for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
    jobs.push({ connector, options, target });
  }
  return { jobs, asOf: undefined };
}

export function gateTripped(findings: Finding[], failOn: Severity | 'none', known?: ReadonlySet<string>): boolean {
  if (failOn === 'none') return false;
  const min = SEVERITY_RANK[failOn];
  return findings.some((f) => SEVERITY_RANK[f.severity] >= min && !known?.has(f.fingerprint));
}

/**
 * Why the gate tripped, for stderr: how many findings are at or above the threshold (by severity) and, with a
 * baseline, how many of those are new. Undefined when the gate did not trip.
 */
export function gateReason(
  findings: readonly Finding[],
  failOn: Severity | 'none',
  baseline?: { file: string; fingerprints: readonly string[] },
  label = `--fail-on ${failOn}`,
): string | undefined {
  if (failOn === 'none') return undefined;
  const min = SEVERITY_RANK[failOn];
  const atOrAbove = findings.filter((f) => SEVERITY_RANK[f.severity] >= min);
  const known = baseline ? new Set(baseline.fingerprints) : undefined;
  const counted = known ? atOrAbove.filter((f) => !known.has(f.fingerprint)) : atOrAbove;
  if (counted.length === 0) return undefined;
  const bySeverity = (['critical', 'high', 'medium', 'low', 'info'] as const)
    .map((s) => [s, counted.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const noun = (n: number) => (n === 1 ? 'finding' : 'findings');
  if (known) {
    return `${label} tripped: ${counted.length} new ${noun(counted.length)} at or above ${failOn} (${bySeverity}) not in the baseline ${baseline!.file}; ${atOrAbove.length} at or above ${failOn} in all`;
  }
  return `${label} tripped: ${counted.length} ${noun(counted.length)} at or above ${failOn} (${bySeverity})`;
}

/** What the configuration file did to this scan, for every report format (a PR cannot quietly switch its gate off). */
export function configEffect(config: NhiConfig, suppressedFindings: number, failOnFromConfig: boolean, now: Date): ConfigEffect | undefined {
  if (config.ignored) {
    return { ignored: true, disabledRules: [], severityOverrides: {}, ignoreEntries: 0, activeIgnoreEntries: 0, suppressedFindings: 0 };
  }
  if (!config.file) return undefined;
  const disabledRules = Object.entries(config.rules)
    .filter(([, s]) => s.enabled === false)
    .map(([id]) => id)
    .sort();
  const severityOverrides = Object.fromEntries(
    Object.entries(config.rules)
      .filter(([, s]) => s.severity !== undefined)
      .map(([id, s]) => [id, s.severity as string])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const active = config.ignore.filter((s) => !s.until || Date.parse(`${s.until.slice(0, 10)}T23:59:59Z`) >= now.getTime()).length;
  return {
    file: config.file,
    disabledRules,
    severityOverrides,
    ignoreEntries: config.ignore.length,
    activeIgnoreEntries: active,
    suppressedFindings,
    ...(failOnFromConfig && config.failOn ? { failOn: config.failOn } : {}),
  };
}

/**
 * Exit code: 1 when the gate trips (wins, so a CI that tolerates 3 still blocks on findings), else 3 when incomplete.
 * With a baseline, only findings whose fingerprint is not in it count for the gate.
 */
export function exitCodeFor(result: Pick<ScanResult, 'findings' | 'incomplete' | 'baseline'>, failOn: Severity | 'none'): number {
  const known = result.baseline ? new Set(result.baseline.fingerprints) : undefined;
  if (gateTripped(result.findings, failOn, known)) return EXIT.FINDINGS;
  if (result.incomplete) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

async function progressSink(flags: ScanFlags): Promise<{ onProgress?: (e: ProgressEvent) => void; stop: () => void }> {
  if (flags.quiet) return { stop: () => {} };
  const { createLineProgress, deferredProgress } = await import('../../../reports/terminal/index.js');
  if (interactive(process.stderr)) {
    // ink is loaded only when the scan is still running after a second: a quick scan draws no spinner
    return deferredProgress(async () => (await import('../progress.js')).startInkProgress);
  }
  const onProgress = createLineProgress((s: string) => process.stderr.write(s));
  return { onProgress, stop: () => {} };
}

export async function scanCommand(flags: ScanFlags): Promise<number> {
  const log = createLogger({ verbose: flags.verbose, quiet: flags.quiet });
  const { RULES } = await import('../../rules/index.js');
  const { loadConfig } = await import('../../config/config.js');
  const config = loadConfig(typeof flags.config === 'string' ? flags.config : undefined, RULES, process.cwd(), { noConfig: flags.config === false });
  for (const w of config.warnings ?? []) log.warn(w);
  const failOn = flags.failOn ?? config.failOn ?? 'none';
  const asOfFlag = flags.asOf ? parseAsOf(flags.asOf) : undefined;
  const concurrency = parseConcurrency(flags.concurrency ?? config.concurrency);
  const baseline = flags.baseline ? readBaseline(flags.baseline) : undefined;
  const deadlineMs = parseTimeout(flags.timeout);
  const { jobs, asOf: demoAsOf } = await buildJobs(flags, concurrency);
  const now = asOfFlag ?? demoAsOf ?? new Date();

  // open the store before scanning: a store that cannot be used (not a store, damaged, locked, read-only) is a usage
  // error, found before any API call
  const opened = await openScanStore(flags.store, config.store, { quiet: flags.quiet });
  const store = opened?.store;
  const storePath = opened?.storePath;

  const { runScan } = await import('../../engine/engine.js');
  const { getRule } = await import('../../rules/index.js');
  const unowned = getRule('identity-unowned');
  const ownerTagKeys = unowned
    ? ((config.rules['identity-unowned']?.options ?? unowned.meta.options.parse({})) as { ownerTagKeys?: string[] }).ownerTagKeys
    : undefined;
  // GCP service accounts have no labels: owner tags come from their descriptions, with the same keys
  if (ownerTagKeys) {
    const keys = [...new Set(ownerTagKeys.map((k) => k.toLowerCase()))];
    for (const j of jobs) if (j.connector.id === 'gcp') j.options = { ...j.options, ownerKeys: keys };
  }

  const progress = await progressSink(flags);
  let result;
  try {
    result = await runScan({
      jobs,
      now,
      rules: RULES,
      ruleSettings: config.rules,
      suppressions: config.ignore,
      ownerTagKeys,
      connectorConcurrency: concurrency,
      log,
      onProgress: progress.onProgress,
      deadlineMs,
    });
  } finally {
    progress.stop();
  }

  if (baseline) result.baseline = baseline;
  const effect = configEffect(config, result.suppressed.length, flags.failOn === undefined, now);
  if (effect) result.config = effect;
  // drift against the newest earlier snapshot of the same targets, then the snapshot itself; a store failure here is
  // reported after the report (which is always written) and makes the exit code 2 unless the gate trips
  let storeFailed: NhiError | undefined;
  if (store) {
    try {
      storeFailed = await recordSnapshot(store, result);
    } finally {
      store.close();
    }
    if (result.snapshotId !== undefined) log.debug(`stored snapshot ${result.snapshotId} in ${storePath}`);
  }

  const tRender = performance.now();
  if (flags.format === 'terminal' && !flags.output) {
    // static text on every path: on a terminal wrapped to its width, so the end of the report and the prompt are
    // what is left on the screen (no ink redraw of a tall report); colour per NO_COLOR / FORCE_COLOR / TTY
    const { renderText, terminalWidth } = await import('../../../reports/terminal/index.js');
    writeOutput(renderText(result, { color: colorEnabled(process.stdout), verbose: flags.verbose, width: terminalWidth(process.stdout) }));
  } else if (flags.format === 'json') {
    // streamed: a report of a large estate never exists as one string
    const { renderJsonChunks } = await import('../../../reports/json/index.js');
    writeOutputChunks(renderJsonChunks(result), flags.output);
  } else {
    const { render } = await import('../../../reports/index.js');
    const text = render(flags.format, result, { color: false, verbose: flags.verbose, category: flags.sarifCategory });
    writeOutput(text, flags.output);
  }
  if (result.timings) result.timings.renderMs = Math.round(performance.now() - tRender);

  if (flags.verbose) {
    for (const run of result.connectors) {
      log.debug(`${run.id}: ${run.status}, ${run.records} records, ${run.apiCalls} API calls in ${run.durationMs} ms`);
      for (const [op, n] of Object.entries(run.callsByOperation)) log.debug(`  ${op}: ${n}`);
    }
    const t = result.timings!;
    log.debug(`timings: connectors ${t.connectorsMs} ms, graph ${t.graphMs} ms, paths ${t.pathsMs ?? 0} ms, rules ${t.rulesMs} ms, render ${t.renderMs} ms`);
  }
  if (effect && !flags.quiet) {
    const bits: string[] = [];
    if (effect.ignored) bits.push('--no-config: no configuration file read');
    else {
      if (effect.disabledRules.length) bits.push(`${effect.disabledRules.length} rule(s) off (${effect.disabledRules.join(', ')})`);
      const sev = Object.keys(effect.severityOverrides).length;
      if (sev) bits.push(`${sev} severity override(s)`);
      if (effect.ignoreEntries) bits.push(`${effect.suppressedFindings} finding(s) suppressed by ${effect.activeIgnoreEntries} active ignore entr${effect.activeIgnoreEntries === 1 ? 'y' : 'ies'}`);
      if (effect.failOn) bits.push(`failOn: ${effect.failOn}`);
    }
    if (bits.length) log.info(effect.ignored ? bits[0] : `config ${effect.file}: ${bits.join('; ')}`);
  }
  if (baseline && !flags.quiet) {
    const known = new Set(baseline.fingerprints);
    const fresh = result.findings.filter((f) => !known.has(f.fingerprint)).length;
    log.info(`baseline ${baseline.file}: ${fresh} of ${result.findings.length} finding(s) are new; --fail-on counts only those`);
  }
  if (flags.output && !flags.quiet) log.info(`report written to ${flags.output}`);
  if (result.incomplete && !flags.quiet) log.warn('scan incomplete: some sources could not be read (see Coverage in the report)');
  const code = exitCodeFor(result, failOn);
  // a CI job that fails must say why, even with --quiet
  const why = gateReason(result.findings, failOn, baseline, flags.failOn === undefined && config.file ? `failOn: ${failOn} (${config.file})` : `--fail-on ${failOn}`);
  if (code === EXIT.FINDINGS && why) process.stderr.write(`nhi: ${why}\n`);
  if (storeFailed) {
    process.stderr.write(snapshotNotStored(storeFailed));
    // the gate (1) still wins; an unusable store (2) outranks an incomplete scan (3): it repeats on every run
    return code === EXIT.FINDINGS ? code : EXIT.USAGE;
  }
  return code;
}

