/**
 * `npm run bench`: how fast and how lean is a live AWS scan?
 *
 * For each size, the parent process builds a seeded synthetic estate and serves it from the loopback fake IAM server
 * (real AWS Query/XML protocol, per-call latency); a child process then scans it through the real @aws-sdk/client-iam
 * with the normal engine, rules, renderers and store, and reports API calls, wall time, peak RSS and phase timings.
 * Running the scan in its own process makes peak RSS the scan's own, not the fake's. After storing the scan, the child
 * scans the same estate twice more (a day later, unchanged; two days later, with 1% of its nodes changed), stores
 * both in the same store and reports the bytes each added and the time to load the first snapshot back.
 *
 *   npm run bench                                   # 1,000 and 10,000 identities, 5 ms per call
 *   npm run bench -- --sizes 1000 --latency 20 --concurrency 8 --seed 7 --json
 *   npm run bench -- --sizes demo                   # the bundled demo estate, served live by the fake
 *   npm run bench -- --github 50                    # a synthetic GitHub org of 50 repositories through the fake GitHub
 *   npm run bench -- --gcp 200                      # a synthetic GCP project of 200 service accounts through the fake Google APIs
 *   npm run bench -- --kubernetes 5000              # a synthetic cluster of 5,000 service accounts through the fake API server
 *   npm run bench -- --entra 2000                   # a synthetic Entra tenant of 2,000 applications through the fake Graph / ARM
 *   npm run bench -- --aws-organization 200         # an AWS organisation of 200 accounts (20 identities each), 20 ms per call
 *   npm run bench -- --evaluator                    # the authorization engine alone (bench/evaluator.ts)
 *   npm run bench -- --escalation 1000,10000,100000 # offline scans of generated estates with escalation grants (below)
 *   npm run bench -- --workflows 1000,10000          # workflow files joined to cloud trusts (bench/workflows.ts)
 *   npm run bench -- --render 100000                # JSON, SARIF and OpenGraph of a large scan: streamed vs one string (bench/render.ts)
 *   npm run bench -- --render 100000 --outputs sarif # ... only some of them
 *   npm run bench -- --merge 100x1000               # nhi merge of 100 shard stores of 1,000 identities, with and without --store
 *
 * `--escalation SIZES` writes a seeded authorization-details export and credential report per size
 * (bench/escalation-estate.ts) to a temporary folder and runs the real CLI on it as a child process
 * (`nhi scan --from-file ... --no-store -f json -v`), reporting generation time, wall time, the child's peak RSS, the
 * phase timings the CLI prints with -v (`timings: connectors N ms, graph N ms, rules N ms, render N ms`), identities and
 * findings by rule. Every phase in that line is shown, so a new phase (the path analysis: add `paths N ms` to the
 * timings line in src/cli/commands/scan.ts and `pathsMs` to ScanResult.timings) appears without changing this file.
 * `--keep` leaves the generated files in place and prints where.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
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
  /** the privilege-escalation path analysis (who can become whom) */
  pathsMs: number;
  rulesMs: number;
  renderMs: Record<string, number>;
  storeMs: number;
  /** the store after the first snapshot, and what an unchanged re-scan (same estate, a day later) and a re-scan with
   * about 1% of the nodes changed add to it (file bytes, after each write) */
  storeBytes?: { first: number; unchanged: number; changed: number };
  /** reading the first snapshot back (loadSnapshot) from a store holding all three */
  loadMs?: number;
  peakRssMb: number;
  incomplete: boolean;
}

const FAKE_CREDS = { AWS_ACCESS_KEY_ID: 'AKIABENCHFAKE0000000', AWS_SECRET_ACCESS_KEY: 'bench-fake-secret-not-real', AWS_REGION: 'us-east-1' };

async function child(url: string, concurrency: number, accountConcurrency?: number): Promise<void> {
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { awsConnector } = await import('../connectors/aws/index.js');
  const { render } = await import('../reports/index.js');
  const { openStore } = await import('../src/store/index.js');
  const silent = { debug: () => {}, info: () => {}, warn: () => {} };
  const scan = (now: string) =>
    runScan({
      jobs: [
        {
          connector: awsConnector,
          target: 'bench',
          options: { endpoint: url, region: 'us-east-1', pollIntervalMs: 20, lastAccessedConcurrency: concurrency, ...(accountConcurrency ? { organization: true, accountConcurrency } : {}) },
        },
      ],
      now: new Date(now),
      rules: RULES,
      connectorConcurrency: concurrency,
      log: silent,
    });
  const t0 = performance.now();
  const result = await scan('2026-11-01T06:00:00Z');
  const scanMs = performance.now() - t0;
  const renderMs: Record<string, number> = {};
  for (const format of ['terminal', 'json', 'sarif', 'markdown', 'html'] as const) {
    const t = performance.now();
    render(format, result, { color: false });
    renderMs[format] = Math.round(performance.now() - t);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-bench-'));
  const ts = performance.now();
  const dbFile = path.join(dir, 'nhi.db');
  const store = openStore(dbFile);
  const firstId = store.saveSnapshot(result);
  store.close();
  const storeMs = Math.round(performance.now() - ts);
  const first = statSync(dbFile).size;
  // the same estate scanned again a day later: only observation times and as-of dependent values differ
  const again = await scan('2026-11-02T06:00:00Z');
  const s2 = openStore(dbFile);
  s2.saveSnapshot(again);
  s2.close();
  const unchanged = statSync(dbFile).size;
  // and once more with about 1% of the nodes changed (an attribute added to every hundredth node)
  const later = await scan('2026-11-03T06:00:00Z');
  let i = 0;
  for (const n of later.graph.nodes.values()) if (i++ % 100 === 0) n.attributes = { ...n.attributes, benchChanged: true };
  const s3 = openStore(dbFile);
  s3.saveSnapshot(later);
  s3.close();
  const changed = statSync(dbFile).size;
  const ro = openStore(dbFile, { readonly: true });
  const tl = performance.now();
  ro.loadSnapshot(firstId);
  const loadMs = Math.round(performance.now() - tl);
  ro.close();
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
    pathsMs: result.timings?.pathsMs ?? 0,
    rulesMs: result.timings?.rulesMs ?? 0,
    renderMs,
    storeMs,
    storeBytes: { first, unchanged: unchanged - first, changed: changed - unchanged },
    loadMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    incomplete: result.incomplete || stats.nodes === 0,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function runChild(url: string, concurrency: number, accountConcurrency?: number): Promise<Omit<Measurement, 'identities'>> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    // the child runs with the parent's Node flags (node --cpu-prof dist/bench/run.js profiles the scan too)
    const org = accountConcurrency ? ['--account-concurrency', String(accountConcurrency)] : [];
    const c = spawn(process.execPath, [...process.execArgv, self, '--child', url, '--concurrency', String(concurrency), ...org], {
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
    'identities  principals  credentials  findings  API calls   wall s  connector s  graph ms  paths ms  rules ms  render ms (term/json/sarif/md/html)  store ms  peak RSS MB',
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
        String(r.pathsMs).padStart(8),
        String(r.rulesMs).padStart(8),
        `${r.renderMs.terminal}/${r.renderMs.json}/${r.renderMs.sarif}/${r.renderMs.markdown}/${r.renderMs.html}`.padStart(36),
        String(r.storeMs).padStart(8),
        String(r.peakRssMb).padStart(11),
      ].join('  '),
    );
  }
  const mb = (b: number) => (b / 1e6).toFixed(b < 1e7 ? 2 : 1);
  lines.push('');
  for (const r of rows) {
    if (!r.storeBytes) continue;
    const n = typeof r.identities === 'number' ? r.identities : r.principals;
    const { first, unchanged, changed } = r.storeBytes;
    lines.push(
      `${r.identities}: store: first snapshot ${mb(first)} MB, unchanged re-scan +${mb(unchanged)} MB (${Math.round(unchanged / n)} bytes per identity), ` +
        `re-scan with 1% of nodes changed +${mb(changed)} MB (${Math.round(changed / n)} bytes per identity); loading a snapshot ${r.loadMs} ms`,
    );
  }
  lines.push('', 'API calls by operation:');
  for (const r of rows) lines.push(`  ${r.identities}: ${Object.entries(r.callsByOperation).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (rows.some((r) => r.incomplete)) lines.push('', 'WARNING: a scan was incomplete; its numbers are not comparable.');
  return lines.join('\n');
}

const USAGE = `npm run bench -- [options]: how fast and how lean is nhi-drift? (each mode prints a table, --json for JSON)

  (default)                  live AWS scans through the real SDK and the fake IAM server
    --sizes 1000,10000|demo  estates to scan   --latency MS  per call   --concurrency N   --seed N
  --github REPOS | --gcp ACCOUNTS | --kubernetes ACCOUNTS | --entra APPS   other live connectors through their fakes
  --evaluator                the authorization engine alone (--principals N --policies N --calls N)
  --escalation SIZES         offline scans of generated escalation estates (nhi scan as a child process; --keep)
  --workflows SIZES          workflow files joined to cloud trusts
  --render SIZE              JSON report, SARIF file and OpenGraph export of an offline scan of SIZE identities, each
                             streamed and as one string, in its own child: scan and render time, RSS (--outputs json,sarif,opengraph)
  --aws-organization N       a live organisation scan of N accounts through the fake Organizations, STS and IAM faces
                             (--org-identities N per account, --account-concurrency N, 20 ms per call unless --latency)
  --merge NxM                nhi merge of N shard stores of M identities each, with --no-store -f json and with --store:
                             wall time, peak RSS, the merged store's size (--keep leaves the files)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      sizes: { type: 'string', default: '1000,10000' },
      latency: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: '42' },
      json: { type: 'boolean', default: false },
      github: { type: 'string' },
      gcp: { type: 'string' },
      kubernetes: { type: 'string' },
      entra: { type: 'string' },
      evaluator: { type: 'boolean', default: false },
      principals: { type: 'string', default: '10000' },
      policies: { type: 'string', default: '50' },
      calls: { type: 'string', default: '1000000' },
      escalation: { type: 'string' },
      workflows: { type: 'string' },
      keep: { type: 'boolean', default: false },
      render: { type: 'string' },
      outputs: { type: 'string' },
      'render-child': { type: 'string' },
      merge: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'aws-organization': { type: 'string' },
      'org-identities': { type: 'string', default: '20' },
      'account-concurrency': { type: 'string', default: '4' },
    },
  });
  // 5 ms per call, 20 for an organisation (the issue's figure)
  values.latency ??= values['aws-organization'] ? '20' : '5';
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values['render-child']) {
    const { renderChild, parseRenderSpec } = await import('./render.js');
    return renderChild(parseRenderSpec(values['render-child']));
  }
  if (values.render) {
    const { benchRender } = await import('./render.js');
    return benchRender(values.render, Number(values.seed), values.json ?? false, values.outputs);
  }
  if (values.merge) {
    const { benchMerge } = await import('./render.js');
    return benchMerge(values.merge, Number(values.seed), values.json ?? false, values.keep ?? false);
  }
  if (values.evaluator) {
    const { benchEvaluator } = await import('./evaluator.js');
    return benchEvaluator({ principals: Number(values.principals), policies: Number(values.policies), calls: Number(values.calls), seed: Number(values.seed), json: values.json ?? false });
  }
  if (values.workflows) {
    const { benchWorkflows } = await import('./workflows.js');
    return benchWorkflows(values.workflows, values.json ?? false);
  }
  if (values.escalation) return benchEscalation(values.escalation, Number(values.seed), values.json ?? false, values.keep ?? false);
  if (values.kubernetes) return benchKubernetes(Number(values.kubernetes), Number(values.latency), Number(values.concurrency), Number(values.seed), values.json ?? false);
  if (values.entra) return benchEntra(Number(values.entra), Number(values.latency), Number(values.concurrency), values.json ?? false);
  if (values.gcp) return benchGcp(Number(values.gcp), Number(values.latency), Number(values.concurrency), values.json ?? false);
  if (values.github) return benchGitHub(Number(values.github), Number(values.latency), Number(values.concurrency), Number(values.seed), values.json ?? false);
  const concurrency = Number(values.concurrency);
  if (values.child) return child(values.child, concurrency, values['aws-organization'] || process.argv.includes('--account-concurrency') ? Number(values['account-concurrency']) : undefined);
  if (values['aws-organization']) {
    return benchOrganization(Number(values['aws-organization']), Number(values['org-identities']), Number(values.latency), concurrency, Number(values['account-concurrency']), Number(values.seed), values.json ?? false);
  }

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
    // last-accessed jobs take time (100 ms, twenty calls' latency), as IAM's do: polling too early costs extra calls
    const fake = await startFakeIam(estate, { latencyMs: latency, lastAccessedMs: 100 });
    try {
      rows.push({ identities: size, ...(await runChild(fake.url, concurrency)) });
    } finally {
      await fake.close();
    }
  }
  process.stdout.write(values.json ? `${JSON.stringify({ latencyMs: latency, concurrency, seed: Number(values.seed), rows }, null, 2)}\n` : `${table(rows, latency, concurrency)}\n`);
}

/**
 * An AWS organisation of N accounts, each a small synthetic estate, served by the fake IAM server's Organizations and
 * STS faces (AssumeRole credentials route each account's IAM calls to its estate), scanned with --aws-organization
 * in a child process (peak RSS is the scan's own).
 */
async function benchOrganization(accounts: number, identities: number, latency: number, concurrency: number, accountConcurrency: number, seed: number, json: boolean): Promise<void> {
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error('--aws-organization: expected a number of accounts');
  const { startFakeIam } = await import('../test/fakes/aws-iam/server.js');
  const { makeSyntheticOrganization } = await import('../test/fakes/aws-iam/synthetic.js');
  process.stderr.write(`bench: organisation of ${accounts} accounts (${identities} identities each): building and scanning…\n`);
  const { management, organization } = makeSyntheticOrganization({ accounts, identities, seed, ous: Math.max(1, Math.round(Math.sqrt(accounts))) });
  const fake = await startFakeIam(management, { latencyMs: latency, lastAccessedMs: 100, organization });
  try {
    const m = await runChild(fake.url, concurrency, accountConcurrency);
    const row = { accounts, identitiesPerAccount: identities, latencyMs: latency, concurrency, accountConcurrency, ...m };
    if (json) process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    else {
      process.stdout.write(`nhi-drift benchmark: AWS organisation of ${accounts} accounts (${identities} identities each) through the fake Organizations/STS/IAM (latency ${latency} ms/call, ${accountConcurrency} accounts at a time, concurrency ${concurrency})\n`);
      process.stdout.write(`API calls ${m.apiCalls}, wall ${(m.wallMs / 1000).toFixed(1)} s (connector ${(m.connectorMs / 1000).toFixed(1)} s), ${m.principals} principals, ${m.findings} findings, peak RSS ${m.peakRssMb} MB${m.incomplete ? ' (INCOMPLETE)' : ''}\n`);
      for (const [op, n] of Object.entries(m.callsByOperation).sort()) process.stdout.write(`  ${op}: ${n}\n`);
    }
  } finally {
    await fake.close();
  }
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

/**
 * A synthetic tenant of N applications (each with its service principal, secrets, owners, federated credentials,
 * permissions; two subscriptions of RBAC) served by the fake Graph / ARM / managed-identity server with per-call
 * latency, scanned by the real connector: the token comes from @azure/identity's DefaultAzureCredential (App Service
 * managed identity pointed at the fake). Peak RSS is the process's (scan and fake together).
 */
async function benchEntra(apps: number, latency: number, concurrency: number, json: boolean): Promise<void> {
  if (!Number.isInteger(apps) || apps < 1) throw new Error('--entra: expected a number of applications');
  const { startFakeEntra, IDENTITY_HEADER } = await import('../test/fakes/entra/server.js');
  const { syntheticEntraTenant } = await import('../test/fakes/entra/synthetic.js');
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { entraConnector } = await import('../connectors/entra/index.js');
  const fake = await startFakeEntra(syntheticEntraTenant(apps), { latencyMs: latency });
  for (const k of ['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE']) delete process.env[k];
  process.env.IDENTITY_ENDPOINT = fake.identityEndpoint;
  process.env.IDENTITY_HEADER = IDENTITY_HEADER;
  try {
    const t0 = performance.now();
    const result = await runScan({
      jobs: [{ connector: entraConnector, target: 'bench', options: { graphEndpoint: fake.url, armEndpoint: fake.url, subscriptions: 'all' } }],
      now: new Date('2026-12-01T00:00:00Z'),
      rules: RULES,
      connectorConcurrency: concurrency,
      log: { debug: () => {}, info: () => {}, warn: () => {} },
    });
    const run = result.connectors[0];
    const row = {
      applications: apps,
      latencyMs: latency,
      concurrency,
      apiCalls: run.apiCalls,
      batchedRequests: fake.batchItems.length,
      wallMs: Math.round(performance.now() - t0),
      findings: result.findings.length,
      nodes: result.graph.stats().nodes,
      incomplete: result.incomplete,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      callsByOperation: run.callsByOperation,
    };
    if (json) process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    else {
      process.stdout.write(`nhi-drift benchmark: Entra tenant of ${apps} applications through the fake Microsoft Graph / ARM (latency ${latency} ms/call, concurrency ${concurrency})\n`);
      process.stdout.write(`API calls ${row.apiCalls} (${row.batchedRequests} Graph requests inside $batch), wall ${(row.wallMs / 1000).toFixed(1)} s, ${row.nodes} nodes, ${row.findings} findings, peak RSS ${row.peakRssMb} MB${row.incomplete ? ' (INCOMPLETE)' : ''}\n`);
      for (const [op, n] of Object.entries(row.callsByOperation).sort()) process.stdout.write(`  ${op}: ${n}\n`);
    }
  } finally {
    await fake.close();
  }
}

/**
 * A synthetic cluster of N service accounts (with their pods, RBAC and some legacy token Secrets) served by the fake
 * API server with per-call latency, scanned through the real client, connector and engine (default page size 500).
 * RSS is the process's peak (the fake and its cluster live in the same process).
 */
async function benchKubernetes(accounts: number, latency: number, concurrency: number, seed: number, json: boolean): Promise<void> {
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error('--kubernetes: expected a number of service accounts');
  const { startFakeKube, writeKubeconfig } = await import('../test/fakes/kubernetes/server.js');
  const { syntheticCluster } = await import('../test/fakes/kubernetes/synthetic.js');
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { kubernetesConnector } = await import('../connectors/kubernetes/index.js');
  const cluster = syntheticCluster({ serviceAccounts: accounts, seed });
  const fake = await startFakeKube(cluster.items, { latencyMs: latency });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-bench-k8s-'));
  try {
    const kubeconfig = writeKubeconfig(dir, fake);
    const t0 = performance.now();
    const result = await runScan({
      jobs: [{ connector: kubernetesConnector, target: 'bench', options: { kubeconfig } }],
      now: new Date('2026-11-01T00:00:00Z'),
      rules: RULES,
      connectorConcurrency: concurrency,
      log: { debug: () => {}, info: () => {}, warn: () => {} },
    });
    const run = result.connectors[0];
    const row = { serviceAccounts: accounts, objects: cluster.items.length, latencyMs: latency, concurrency, apiCalls: run.apiCalls, wallMs: Math.round(performance.now() - t0), findings: result.findings.length, nodes: result.graph.stats().nodes, incomplete: result.incomplete, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), callsByOperation: run.callsByOperation };
    if (json) process.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    else {
      process.stdout.write(`nhi-drift benchmark: Kubernetes cluster of ${accounts} service accounts (${row.objects} objects) through the fake API server (latency ${latency} ms/call, concurrency ${concurrency})\n`);
      process.stdout.write(`API calls ${row.apiCalls}, wall ${(row.wallMs / 1000).toFixed(1)} s, ${row.nodes} nodes, ${row.findings} findings, peak RSS ${row.peakRssMb} MB${row.incomplete ? ' (INCOMPLETE)' : ''}\n`);
      for (const [op, n] of Object.entries(row.callsByOperation).sort()) process.stdout.write(`  ${op}: ${n}\n`);
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface EscalationRow {
  identities: number;
  estate: Omit<import('./escalation-estate.js').EscalationEstateSummary, 'files'>;
  generateMs: number;
  exitCode: number;
  wallMs: number;
  /** the child's peak resident set size */
  peakRssMb: number | null;
  /** phase timings the CLI printed with -v, in its order (connectors, graph, rules, render, and any later phase) */
  phasesMs: Record<string, number>;
  summary: { identities: number; principals: number; credentials: number; findings: { total: number; byRule: Record<string, number> }; coverageGaps: number } | null;
}

/**
 * The `summary` member of a JSON report, read from the head of the file: the report puts it before the findings, which
 * at 100,000 identities make the file far larger than anything the parent needs to parse.
 */
function reportSummary(file: string): EscalationRow['summary'] {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const text = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    const at = text.indexOf('"summary":');
    if (at < 0) return null;
    const start = text.indexOf('{', at);
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1)) as EscalationRow['summary'];
    }
    return null;
  } finally {
    closeSync(fd);
  }
}


async function benchEscalation(sizesArg: string, seed: number, json: boolean, keep: boolean): Promise<void> {
  const { writeEscalationEstate, ESCALATION_ESTATE_AS_OF } = await import('./escalation-estate.js');
  const rows: EscalationRow[] = [];
  for (const raw of sizesArg.split(',')) {
    const size = Number(raw.trim());
    if (!Number.isInteger(size) || size < 100) throw new Error(`--escalation: '${raw}' is not a whole number of at least 100 identities`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-bench-escalation-'));
    try {
      process.stderr.write(`bench: escalation estate of ${size} identities: generating…\n`);
      const tg = performance.now();
      const { files, ...estate } = writeEscalationEstate(dir, { identities: size, seed });
      const generateMs = Math.round(performance.now() - tg);
      process.stderr.write(`bench: ${(estate.bytes.authz / 1048576).toFixed(1)} MB export written in ${(generateMs / 1000).toFixed(1)} s; scanning it offline…\n`);
      const out = path.join(dir, 'report.json');
      const rssFile = path.join(dir, 'rss');
      const args = ['scan', '--from-file', files.authz, '--credential-report', files.credentialReport, '--no-store', '--no-config', '-f', 'json', '-o', out, '--as-of', ESCALATION_ESTATE_AS_OF, '-v', '-q'];
      const r = await (await import('./render.js')).runCli(args, rssFile);
      if (r.code !== 0 && r.code !== 1) throw new Error(`nhi scan exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const phasesMs: Record<string, number> = {};
      const line = /timings: (.*)$/m.exec(r.stderr)?.[1] ?? '';
      for (const m of line.matchAll(/([a-z][a-z -]*?) (\d+) ms/g)) phasesMs[m[1].trim()] = Number(m[2]);
      let peakRssMb: number | null = null;
      try {
        peakRssMb = Math.round(Number(readFileSync(rssFile, 'utf8')) / 1024);
      } catch {
        // no probe output
      }
      rows.push({ identities: size, estate, generateMs, exitCode: r.code, wallMs: Math.round(r.wallMs), peakRssMb, phasesMs, summary: reportSummary(out) });
      if (keep) process.stderr.write(`bench: kept ${dir}\n`);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ seed, asOf: (await import('./escalation-estate.js')).ESCALATION_ESTATE_AS_OF, rows }, null, 2)}\n`);
    return;
  }
  const phases = [...new Set(rows.flatMap((r) => Object.keys(r.phasesMs)))];
  const lines = [
    `nhi-drift benchmark: offline scans of generated escalation estates (seed ${seed}; nhi scan --from-file ... --no-store -f json as a child process)`,
    '',
    `identities   users   roles  groups  policies  inline  boundaries  export MB  gen s  exit   wall s  ${phases.map((p) => `${p} ms`.padStart(Math.max(8, p.length + 3))).join('  ')}  peak RSS MB  findings`,
  ];
  for (const r of rows) {
    lines.push(
      [
        String(r.identities).padStart(10),
        String(r.estate.users).padStart(7),
        String(r.estate.roles).padStart(7),
        String(r.estate.groups).padStart(6),
        String(r.estate.customerPolicies + r.estate.awsPolicies).padStart(8),
        String(r.estate.inlinePolicies).padStart(6),
        String(r.estate.boundaries).padStart(10),
        (r.estate.bytes.authz / 1048576).toFixed(1).padStart(9),
        (r.generateMs / 1000).toFixed(1).padStart(5),
        String(r.exitCode).padStart(4),
        (r.wallMs / 1000).toFixed(1).padStart(8),
        ...phases.map((p) => String(r.phasesMs[p] ?? '-').padStart(Math.max(8, p.length + 3))),
        String(r.peakRssMb ?? '?').padStart(11),
        String(r.summary?.findings.total ?? '?').padStart(8),
      ].join('  '),
    );
  }
  lines.push('', 'identities in the report, escalation-relevant grants generated, and findings by rule:');
  for (const r of rows) {
    const s = r.summary;
    lines.push(`  ${r.identities}: ${s ? `${s.identities} identities, ${s.principals} principals, ${s.credentials} credentials${s.coverageGaps ? `, ${s.coverageGaps} coverage gaps (INCOMPLETE)` : ''}` : 'no summary'}`);
    lines.push(`    grants: ${Object.entries(r.estate.grants).map(([k, v]) => `${k} ${v}`).join(', ')}; admins: ${r.estate.adminUsers} users, ${r.estate.adminRoles} roles; ${r.estate.chains} trust chains`);
    if (s) lines.push(`    findings: ${Object.entries(s.findings.byRule).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
