import { readFileSync } from 'node:fs';
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
import { CONNECTOR_FLAGS, checkStrayFlags, inferConnectors as inferFromDeclarations, type FlagValues } from '../../../connectors/flags.js';
import { colorEnabled, interactive, writeOutput, writeOutputChunks, writeOutputChunksAsync } from '../io.js';
import { openScanStore, recordSnapshot, snapshotNotStored, storeHelp } from './common.js';
import { createLogger } from '../logger.js';

export const FORMATS = ['terminal', 'json', 'sarif', 'markdown', 'html'] as const;
export const GATES = ['critical', 'high', 'medium', 'low', 'none'] as const;

export interface ScanFlags {
  connector?: string;
  demo?: boolean;
  /** `--no-report`: print no report (a shard's scan, stored for nhi merge) */
  report?: boolean;
  /** nhi merge: the shard stores whose newest snapshots are the sources (not a scan flag) */
  shards?: string[];
  profile?: string;
  roleArn?: string;
  externalId?: string;
  region?: string;
  awsEndpoint?: string;
  awsOrganization?: boolean;
  awsMemberRole?: string;
  awsAccountConcurrency?: string;
  fromFile?: string;
  credentialReport?: string;
  lastAccessed?: string | boolean;
  path?: string;
  repo?: string;
  githubOrg?: string;
  githubEnterprise?: string;
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
  entraTenant?: string;
  kubeCluster?: string;
  kubeContext?: string;
  kubeconfig?: string;
  kubeIssuer?: string;
  azureSubscriptions?: string;
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
  const ids = CONNECTOR_FLAGS.map((d) => d.id).sort();
  const cmd = program
    .command('scan')
    .description('scan one or more sources, store a snapshot and report findings')
    .option('-c, --connector <ids>', `connectors to run, comma-separated: ${ids.join(', ')} (default: inferred from the flags, else aws)`)
    .option('--demo', 'scan the bundled demo estate: an AWS account, a GCP project, a GitHub repository, an EKS cluster and an Entra ID tenant (no credentials needed)');
  // each connector's own flags, as it declares them (connectors/flags.ts)
  for (const d of CONNECTOR_FLAGS) for (const f of d.flags) cmd.option(f.spec, f.help);
  cmd
    .addOption(new Option('-f, --format <format>', 'report format').choices([...FORMATS]).default('terminal'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default none)').choices([...GATES]))
    .option('--sarif-category <category>', 'SARIF runAutomationDetails category (one upload per category)')
    .option('--config <file>', 'configuration file (default ./nhi.config.yaml or ./nhi.config.yml when present)')
    .option('--no-config', 'read no configuration file: every rule on with its defaults, nothing suppressed (CI on pull requests)')
    .option('--store <path>', storeHelp())
    .option('--no-store', 'do not store a snapshot')
    .option('--no-report', 'print no report (a shard scanned for nhi merge: the stored snapshot is the result)')
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

/** Without --connector: the connectors whose flags were given (aws when none were). */
export function inferConnectors(flags: ScanFlags): string[] {
  return inferFromDeclarations(flags as unknown as FlagValues);
}

/** Turn flags into connector jobs. */
export async function buildJobs(flags: ScanFlags, concurrency = parseConcurrency(flags.concurrency)): Promise<{ jobs: ConnectorJob[]; asOf?: Date }> {
  const { findConnector, connectorIds } = await import('../../../connectors/index.js');
  if (flags.shards) {
    // nhi merge: each shard store's newest snapshot is a source; the merged scan is as of the newest shard
    const { shardConnector, shardHead, shardRecord } = await import('../shard.js');
    // a shard that cannot be read fails as a source (a coverage note, exit 3) when the merge runs; the rest go on
    const heads = flags.shards.map((file) => {
      try {
        return { file, head: shardHead(file) };
      } catch {
        return { file, head: undefined };
      }
    });
    const asOf = heads.flatMap((h) => (h.head ? [h.head.asOf] : [])).sort().at(-1);
    // each run records its shard (file name, snapshot, as-of time, targets): the merged snapshot keeps them
    const jobs = heads.map(({ file, head }): ConnectorJob => ({
      connector: shardConnector,
      target: head ? `${path.basename(file)} (snapshot ${head.id})` : path.basename(file),
      options: { file },
      ...(head ? { shard: shardRecord(file, head) } : {}),
    }));
    return { jobs, asOf: asOf ? new Date(asOf) : undefined };
  }
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
    // the demo's EKS cluster (IRSA into the demo AWS account) and Entra ID tenant (federated from acme repositories)
    const kubernetes = findConnector('kubernetes');
    if (kubernetes) jobs.push({ connector: await kubernetes.load(), target: 'demo cluster eks-prod', options: { fromFile: path.join(dir, '..', 'kubernetes', 'eks-prod.json'), issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90' } });
    const entra = findConnector('entra');
    if (entra) jobs.push({ connector: await entra.load(), target: 'demo tenant acme', options: { fromDir: path.join(dir, '..', 'entra', 'acme-tenant') } });
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
  const values = flags as unknown as FlagValues;
  checkStrayFlags(values, new Set(ids));
  const jobs: ConnectorJob[] = [];
  for (const id of [...new Set(ids)]) {
    const connector = await findConnector(id)!.load();
    const declared = CONNECTOR_FLAGS.find((d) => d.id === id);
    const built = declared ? declared.build(values, { concurrency }) : { options: {} as Record<string, unknown>, target: undefined };
    for (const { options, target } of Array.isArray(built) ? built : [built]) {
      for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
      jobs.push({ connector, options, target });
    }
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
  if (flags.report === false && (flags.store === false || flags.output)) {
    throw new NhiError('USAGE', flags.output ? '--no-report and --output: there is no report to write' : '--no-report and --no-store: the scan would keep nothing', { suggestion: 'a shard for nhi merge: nhi scan ... --no-report --store shard.db' });
  }
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
  if (flags.report === false) {
    // --no-report: a shard's scan; the snapshot is what it is for
  } else if (flags.format === 'terminal' && !flags.output) {
    // static text on every path: on a terminal wrapped to its width, so the end of the report and the prompt are
    // what is left on the screen (no ink redraw of a tall report); colour per NO_COLOR / FORCE_COLOR / TTY
    const { renderText, terminalWidth } = await import('../../../reports/terminal/index.js');
    writeOutput(renderText(result, { color: colorEnabled(process.stdout), verbose: flags.verbose, width: terminalWidth(process.stdout) }));
  } else if (flags.format === 'json') {
    // streamed: a report of a large estate never exists as one string
    const { renderJsonChunks } = await import('../../../reports/json/index.js');
    writeOutputChunks(renderJsonChunks(result), flags.output);
  } else if (flags.format === 'sarif') {
    // streamed too: results are written one at a time, GitHub's size limit still applied
    const { renderSarifChunks } = await import('../../../reports/sarif/index.js');
    await writeOutputChunksAsync(renderSarifChunks(result, { category: flags.sarifCategory }), flags.output);
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

