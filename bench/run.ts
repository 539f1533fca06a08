/**
 * `npm run bench`: how fast and how lean is a live AWS scan?
 *
 * For each size, the parent process builds a seeded synthetic estate and serves it from the loopback fake IAM server
 * (real AWS Query/XML protocol, per-call latency); a child process then scans it through the real @aws-sdk/client-iam
 * with the normal engine, rules, renderers and store, and reports API calls, wall time, peak RSS and phase timings.
 * Running the scan in its own process makes peak RSS the scan's own, not the fake's.
 *
 *   npm run bench                                   # 1,000 and 10,000 identities, 5 ms per call
 *   npm run bench -- --sizes 1000 --latency 20 --concurrency 8 --seed 7 --json
 *   npm run bench -- --sizes demo                   # the bundled demo estate, served live by the fake
 *   npm run bench -- --github 50                    # a synthetic GitHub org of 50 repositories through the fake GitHub
 *   npm run bench -- --gcp 200                      # a synthetic GCP project of 200 service accounts through the fake Google APIs
 *   npm run bench -- --evaluator                    # the authorization engine alone (bench/evaluator.ts)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Measurement {
  identities: number | 'demo';
  principals: number;
  credentials: number;
  findings: number;
  apiCalls: number;
  callsByOperation: Record<string, number>;
  wallMs: number;
  connectorMs: number;
  graphMs: number;
  rulesMs: number;
  renderMs: Record<string, number>;
  storeMs: number;
  peakRssMb: number;
  incomplete: boolean;
}

const FAKE_CREDS = { AWS_ACCESS_KEY_ID: 'AKIABENCHFAKE0000000', AWS_SECRET_ACCESS_KEY: 'bench-fake-secret-not-real', AWS_REGION: 'us-east-1' };

async function child(url: string, concurrency: number): Promise<void> {
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { awsConnector } = await import('../connectors/aws/index.js');
  const { render } = await import('../reports/index.js');
  const { openStore } = await import('../src/store/index.js');
  const silent = { debug: () => {}, info: () => {}, warn: () => {} };
  const t0 = performance.now();
  const result = await runScan({
    jobs: [{ connector: awsConnector, target: 'bench', options: { endpoint: url, region: 'us-east-1', pollIntervalMs: 20, lastAccessedConcurrency: concurrency } }],
    now: new Date('2026-11-01T06:00:00Z'),
    rules: RULES,
    connectorConcurrency: concurrency,
    log: silent,
  });
  const scanMs = performance.now() - t0;
  const renderMs: Record<string, number> = {};
  for (const format of ['terminal', 'json', 'sarif', 'markdown'] as const) {
    const t = performance.now();
    render(format, result, { color: false });
    renderMs[format] = Math.round(performance.now() - t);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-bench-'));
  const ts = performance.now();
  const store = openStore(path.join(dir, 'nhi.db'));
  store.saveSnapshot(result);
  store.close();
  const storeMs = Math.round(performance.now() - ts);
  rmSync(dir, { recursive: true, force: true });
  const run = result.connectors[0];
  const stats = result.graph.stats();
  const m: Omit<Measurement, 'identities'> = {
    principals: [...result.graph.principals()].length,
    credentials: [...result.graph.credentials()].length,
    findings: result.findings.length,
    apiCalls: run.apiCalls,
    callsByOperation: run.callsByOperation,
    wallMs: Math.round(scanMs),
    connectorMs: result.timings?.connectorsMs ?? 0,
    graphMs: result.timings?.graphMs ?? 0,
    rulesMs: result.timings?.rulesMs ?? 0,
    renderMs,
    storeMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    incomplete: result.incomplete || stats.nodes === 0,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function runChild(url: string, concurrency: number): Promise<Omit<Measurement, 'identities'>> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    // the child runs with the parent's Node flags (node --cpu-prof dist/bench/run.js profiles the scan too)
    const c = spawn(process.execPath, [...process.execArgv, self, '--child', url, '--concurrency', String(concurrency)], {
      env: { ...process.env, ...FAKE_CREDS, AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.on('error', reject);
    c.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Omit<Measurement, 'identities'>);
      } catch (err) {
        reject(err);
      }
    });
  });
}

function table(rows: Measurement[], latency: number, concurrency: number): string {
  const lines = [
    `nhi-drift benchmark: live AWS scan through the real SDK against the loopback fake (latency ${latency} ms/call, concurrency ${concurrency})`,
    '',
    'identities  principals  credentials  findings  API calls   wall s  connector s  graph ms  rules ms  render ms (term/json/sarif/md)  store ms  peak RSS MB',
  ];
  for (const r of rows) {
    lines.push(
      [
        String(r.identities).padStart(10),
        String(r.principals).padStart(10),
        String(r.credentials).padStart(11),
        String(r.findings).padStart(8),
        String(r.apiCalls).padStart(9),
        (r.wallMs / 1000).toFixed(1).padStart(8),
        (r.connectorMs / 1000).toFixed(1).padStart(11),
        String(r.graphMs).padStart(8),
        String(r.rulesMs).padStart(8),
        `${r.renderMs.terminal}/${r.renderMs.json}/${r.renderMs.sarif}/${r.renderMs.markdown}`.padStart(31),
        String(r.storeMs).padStart(8),
        String(r.peakRssMb).padStart(11),
      ].join('  '),
    );
  }
  lines.push('', 'API calls by operation:');
  for (const r of rows) lines.push(`  ${r.identities}: ${Object.entries(r.callsByOperation).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (rows.some((r) => r.incomplete)) lines.push('', 'WARNING: a scan was incomplete; its numbers are not comparable.');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      sizes: { type: 'string', default: '1000,10000' },
      latency: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: '42' },
      json: { type: 'boolean', default: false },
      github: { type: 'string' },
      gcp: { type: 'string' },
      evaluator: { type: 'boolean', default: false },
      principals: { type: 'string', default: '10000' },
      policies: { type: 'string', default: '50' },
      calls: { type: 'string', default: '1000000' },
    },
  });
  if (values.evaluator) {
    const { benchEvaluator } = await import('./evaluator.js');
    return benchEvaluator({ principals: Number(values.principals), policies: Number(values.policies), calls: Number(values.calls), seed: Number(values.seed), json: values.json ?? false });
  }
  if (values.gcp) return benchGcp(Number(values.gcp), Number(values.latency), Number(values.concurrency), values.json ?? false);
  if (values.github) return benchGitHub(Number(values.github), Number(values.latency), Number(values.concurrency), Number(values.seed), values.json ?? false);
  const concurrency = Number(values.concurrency);
  if (values.child) return child(values.child, concurrency);

  const { startFakeIam } = await import('../test/fakes/aws-iam/server.js');
  const { makeSyntheticEstate } = await import('../test/fakes/aws-iam/synthetic.js');
  const { estateFromExports } = await import('../test/fakes/aws-iam/from-exports.js');
  const { demoDir } = await import('../src/util/paths.js');
  const latency = Number(values.latency);
  const rows: Measurement[] = [];
  for (const raw of values.sizes!.split(',')) {
    const size = raw.trim() === 'demo' ? ('demo' as const) : Number(raw);
    if (size !== 'demo' && (!Number.isInteger(size) || size < 1)) throw new Error(`--sizes: '${raw}' is not a whole number or 'demo'`);
    process.stderr.write(`bench: ${size === 'demo' ? 'demo estate' : `${size} identities`}: building the estate and scanning…\n`);
    const dir = demoDir();
    const estate =
      size === 'demo'
        ? estateFromExports({ authz: path.join(dir, 'authz.json'), credentialReport: path.join(dir, 'credential-report.csv'), lastAccessed: path.join(dir, 'last-accessed.json') })
        : makeSyntheticEstate({ identities: size, seed: Number(values.seed) });
    const fake = await startFakeIam(estate, { latencyMs: latency });
    try {
      rows.push({ identities: size, ...(await runChild(fake.url, concurrency)) });
    } finally {
      await fake.close();
    }
  }
  process.stdout.write(values.json ? `${JSON.stringify({ latencyMs: latency, concurrency, seed: Number(values.seed), rows }, null, 2)}\n` : `${table(rows, latency, concurrency)}\n`);
}

async function benchGitHub(repos: number, latency: number, concurrency: number, seed: number, json: boolean): Promise<void> {
  if (!Number.isInteger(repos) || repos < 1) throw new Error('--github: expected a number of repositories');
  const { startFakeGitHub } = await import('../test/fakes/github/server.js');
  const { makeSyntheticOrg } = await import('../test/fakes/github/synthetic.js');
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { githubConnector } = await import('../connectors/github/index.js');
  const fake = await startFakeGitHub(makeSyntheticOrg({ repos, seed }), { latencyMs: latency, pageSize: 100 });
  process.env.GITHUB_TOKEN = 'ghp_BENCHFAKETOKEN00000000000000000000000';
  try {
    const t0 = performance.now();
    const result = await runScan({
      jobs: [{ connector: githubConnector, target: 'bench', options: { org: 'acme', url: fake.url } }],
      now: new Date('2026-11-01T00:00:00Z'),
      rules: RULES,
      connectorConcurrency: concurrency,
      log: { debug: () => {}, info: () => {}, warn: () => {} },
    });
    const run = result.connectors[0];
    const row = { repos, latencyMs: latency, concurrency, apiCalls: run.apiCalls, wallMs: Math.round(performance.now() - t0), findings: result.findings.length, nodes: result.graph.stats().nodes, incomplete: result.incomplete, callsByOperation: run.callsByOperation };
    if (json) process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    else {
      process.stdout.write(`nhi-drift benchmark: GitHub org of ${repos} repositories through the fake GitHub (latency ${latency} ms/call, concurrency ${concurrency})\n`);
      process.stdout.write(`API calls ${row.apiCalls}, wall ${(row.wallMs / 1000).toFixed(1)} s, ${row.nodes} nodes, ${row.findings} findings${row.incomplete ? ' (INCOMPLETE)' : ''}\n`);
      for (const [op, n] of Object.entries(row.callsByOperation)) process.stdout.write(`  ${op}: ${n}\n`);
    }
  } finally {
    await fake.close();
  }
}

async function benchGcp(accounts: number, latency: number, concurrency: number, json: boolean): Promise<void> {
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error('--gcp: expected a number of service accounts');
  const { startFakeGcp } = await import('../test/fakes/gcp/server.js');
  const { syntheticGcpProject, PREDEFINED_ROLES } = await import('../test/fakes/gcp/estate.js');
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { gcpConnector } = await import('../connectors/gcp/index.js');
  // real default page sizes: 100 service accounts per list page
  const fake = await startFakeGcp({ projects: [syntheticGcpProject('bench-project', accounts)], organizations: [{ name: 'organizations/998877665544' }], roles: PREDEFINED_ROLES }, { latencyMs: latency, maxPageSize: 100 });
  process.env.GOOGLE_OAUTH_ACCESS_TOKEN = 'ya29.bench-token';
  try {
    const t0 = performance.now();
    const result = await runScan({
      jobs: [{ connector: gcpConnector, target: 'bench', options: { projects: ['bench-project'], endpoint: fake.url } }],
      now: new Date('2026-11-01T00:00:00Z'),
      rules: RULES,
      connectorConcurrency: concurrency,
      log: { debug: () => {}, info: () => {}, warn: () => {} },
    });
    const run = result.connectors[0];
    const row = { serviceAccounts: accounts, latencyMs: latency, concurrency, apiCalls: run.apiCalls, wallMs: Math.round(performance.now() - t0), findings: result.findings.length, nodes: result.graph.stats().nodes, incomplete: result.incomplete, peakRssMb: Math.round(process.memoryUsage().rss / 1048576), callsByOperation: run.callsByOperation };
    if (json) process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    else {
      process.stdout.write(`nhi-drift benchmark: GCP project of ${accounts} service accounts through the fake Google APIs (latency ${latency} ms/call, concurrency ${concurrency})\n`);
      process.stdout.write(`API calls ${row.apiCalls}, wall ${(row.wallMs / 1000).toFixed(1)} s, ${row.nodes} nodes, ${row.findings} findings, RSS ${row.peakRssMb} MB${row.incomplete ? ' (INCOMPLETE)' : ''}\n`);
      for (const [op, n] of Object.entries(row.callsByOperation).sort()) process.stdout.write(`  ${op}: ${n}\n`);
    }
  } finally {
    await fake.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
