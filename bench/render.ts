/**
 * Two benchmarks of large outputs (`npm run bench -- --render 100000`, `npm run bench -- --merge 100x1000`).
 *
 * `--render SIZE`: one seeded escalation estate of SIZE identities (bench/escalation-estate.ts) is scanned offline in a
 child process per output (the AWS connector on the export files, every rule, no store), which then writes the
 * output to a file twice: streamed, as `nhi scan -f json|sarif -o` and `nhi export -f opengraph -o` write it, then as
 * one string (`render()` or the export's pieces joined, then written), the way the reports were written before they
 * streamed. Outputs: the JSON report, the SARIF file, the OpenGraph export of the graph with its "can become" edges.
 * The child reports the scan's time, each render's time, its resident set size before the render (garbage collected)
 * and the highest RSS seen while rendering (sampled at every piece written, and once the whole string exists), and its
 * peak RSS so far (getrusage: the scan's own peak may hide a render's; the string rendering comes second).
 *
 * `--merge NxM`: N shard stores of M identities each (escalation estates with distinct account ids, scanned offline
 * and stored in process), then the real CLI as a child process: `nhi merge SHARD... --no-store -f json -o FILE` and
 * `nhi merge SHARD... --store ORG.db --no-report`, each with its wall time, peak RSS (bench/rss-probe.ts) and, with
 * the store, the size of the merged store.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const RENDER_OUTPUTS = ['json', 'sarif', 'opengraph'] as const;
type Output = (typeof RENDER_OUTPUTS)[number];
type Mode = 'streamed' | 'string';

interface RenderRow {
  output: Output;
  mode: Mode;
  scanMs: number;
  renderMs: number;
  bytes: number;
  rssBeforeMb: number;
  renderPeakRssMb: number;
  peakRssMb: number;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * The child: scan the estate once, then write one output streamed and then as one string (garbage collected before
 * each), printing one JSON line per way.
 */
export async function renderChild(args: { authz: string; credentialReport: string; asOf: string; output: Output; file: string }): Promise<void> {
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { awsConnector } = await import('../connectors/aws/index.js');
  const { writeOutputChunks, writeOutputChunksAsync } = await import('../src/cli/io.js');
  const silent = { debug: () => {}, info: () => {}, warn: () => {} };
  const t0 = performance.now();
  const now = new Date(args.asOf);
  const result = await runScan({
    jobs: [{ connector: awsConnector, target: 'bench', options: { fromFile: args.authz, credentialReport: args.credentialReport } }],
    now,
    rules: RULES,
    log: silent,
  });
  const scanMs = Math.round(performance.now() - t0);
  let model: import('../src/export/model.js').ExportModel | undefined;
  if (args.output === 'opengraph') {
    // the analysis the export draws its "can become" edges from, as nhi export computes it
    const { graphAnalysis } = await import('../src/paths/index.js');
    const { wholeModel } = await import('../src/export/index.js');
    model = wholeModel(result.graph, graphAnalysis(result.graph, now));
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const mode of ['streamed', 'string'] as const) {
    gc?.();
    const rssBefore = process.memoryUsage.rss();
    let peak = rssBefore;
    const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
    const sampled = function* (pieces: Iterable<string>): Iterable<string> {
      for (const p of pieces) {
        sample();
        yield p;
      }
      sample();
    };
    const t1 = performance.now();
    if (model) {
      const { renderExport } = await import('../src/export/index.js');
      if (mode === 'streamed') writeOutputChunks(sampled(renderExport('opengraph', model)), args.file);
      else writeOutputChunks(sampled([[...renderExport('opengraph', model)].join('')]), args.file);
    } else if (mode === 'streamed' && args.output === 'json') {
      const { renderJsonChunks } = await import('../reports/json/index.js');
      writeOutputChunks(sampled(renderJsonChunks(result)), args.file);
    } else if (mode === 'streamed') {
      const { renderSarifChunks } = await import('../reports/sarif/index.js');
      const pieces = renderSarifChunks(result);
      await writeOutputChunksAsync(
        (async function* () {
          for await (const p of pieces) {
            sample();
            yield p;
          }
          sample();
        })(),
        args.file,
      );
    } else {
      const { render } = await import('../reports/index.js');
      writeOutputChunks(sampled([render(args.output as 'json' | 'sarif', result)]), args.file);
    }
    const row: RenderRow = {
      output: args.output,
      mode,
      scanMs,
      renderMs: Math.round(performance.now() - t1),
      bytes: statSync(args.file).size,
      rssBeforeMb: mb(rssBefore),
      renderPeakRssMb: mb(peak),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}

function runSelf(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(new URL('./run.js', import.meta.url));
    const c = spawn(process.execPath, [...process.execArgv, '--expose-gc', self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`bench child exited with ${code}`))));
  });
}

export async function benchRender(sizeArg: string, seed: number, json: boolean, only?: string): Promise<void> {
  const { writeEscalationEstate, ESCALATION_ESTATE_AS_OF } = await import('./escalation-estate.js');
  const size = Number(sizeArg);
  if (!Number.isInteger(size) || size < 100) throw new Error(`--render: '${sizeArg}' is not a whole number of at least 100 identities`);
  const outputs = only ? only.split(',').map((s) => s.trim()) : [...RENDER_OUTPUTS];
  for (const o of outputs) if (!(RENDER_OUTPUTS as readonly string[]).includes(o)) throw new Error(`--outputs: '${o}' is not one of ${RENDER_OUTPUTS.join(', ')}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-bench-render-'));
  const rows: RenderRow[] = [];
  try {
    process.stderr.write(`bench: escalation estate of ${size} identities: generating…\n`);
    const { files } = writeEscalationEstate(dir, { identities: size, seed });
    for (const output of outputs as Output[]) {
      process.stderr.write(`bench: ${output}: scanning, then writing it streamed and as one string, in a child process…\n`);
      const file = path.join(dir, `out-${output}`);
      const spec = JSON.stringify({ authz: files.authz, credentialReport: files.credentialReport, asOf: ESCALATION_ESTATE_AS_OF, output, file });
      for (const line of (await runSelf(['--render-child', spec])).split('\n')) rows.push(JSON.parse(line) as RenderRow);
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ identities: size, seed, rows }, null, 2)}\n`);
    return;
  }
  const lines = [
    `nhi-drift benchmark: outputs of an offline scan of ${size} identities (escalation estate, seed ${seed}), each written in its own child process`,
    '',
    'output     mode      scan s  render s  file MB  RSS before MB  RSS while rendering MB  peak RSS MB',
    ...rows.map((r) =>
      [
        r.output.padEnd(9),
        r.mode.padEnd(8),
        (r.scanMs / 1000).toFixed(1).padStart(6),
        (r.renderMs / 1000).toFixed(1).padStart(8),
        String(mb(r.bytes)).padStart(7),
        String(r.rssBeforeMb).padStart(13),
        String(r.renderPeakRssMb).padStart(22),
        String(r.peakRssMb).padStart(11),
      ].join('  '),
    ),
    '',
    'streamed: as nhi scan -o and nhi export -o write it; string: the whole output built as one string, then written.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface MergeRow {
  mode: 'no-store' | 'store';
  exitCode: number;
  wallMs: number;
  peakRssMb: number | null;
  storeMb?: number;
}

/** A bench child running the built CLI with the RSS probe preloaded. */
export function runCli(args: string[], rssFile: string): Promise<{ code: number; stderr: string; wallMs: number; peakRssMb: number | null }> {
  return new Promise((resolve, reject) => {
    const probe = pathToFileURL(fileURLToPath(new URL('./rss-probe.js', import.meta.url))).href;
    const bin = fileURLToPath(new URL('../../bin/nhi', import.meta.url));
    const t0 = performance.now();
    const c = spawn(process.execPath, [...process.execArgv, '--import', probe, bin, ...args], {
      env: { ...process.env, NHI_BENCH_RSS_FILE: rssFile, NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => {
      let peakRssMb: number | null = null;
      try {
        peakRssMb = Math.round(Number(readFileSync(rssFile, 'utf8')) / 1024);
      } catch {
        // no probe output
      }
      resolve({ code: code ?? -1, stderr, wallMs: performance.now() - t0, peakRssMb });
    });
  });
}

export async function benchMerge(spec: string, seed: number, json: boolean, keep: boolean): Promise<void> {
  const m = /^(\d+)x(\d+)$/.exec(spec.trim());
  const shards = m ? Number(m[1]) : NaN;
  const per = m ? Number(m[2]) : NaN;
  if (!m || shards < 1 || shards > 10_000 || per < 100) throw new Error(`--merge: expected SHARDSxIDENTITIES (e.g. 100x1000, at least 100 identities a shard), got '${spec}'`);
  const { writeEscalationEstate, ESCALATION_ESTATE_AS_OF } = await import('./escalation-estate.js');
  const { runScan } = await import('../src/engine/engine.js');
  const { RULES } = await import('../src/rules/index.js');
  const { awsConnector } = await import('../connectors/aws/index.js');
  const { openStore } = await import('../src/store/index.js');
  const silent = { debug: () => {}, info: () => {}, warn: () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-bench-merge-'));
  const rows: MergeRow[] = [];
  let shardMs = 0;
  let shardBytes = 0;
  try {
    process.stderr.write(`bench: ${shards} shard stores of ${per} identities: generating and scanning…\n`);
    const files: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < shards; i++) {
      const estateDir = path.join(dir, `estate-${i}`);
      mkdirSync(estateDir);
      // distinct accounts: the shards are different targets
      const { files: ex } = writeEscalationEstate(estateDir, { identities: per, seed: seed + i, accountId: String(100_000_000_000 + i) });
      const result = await runScan({
        jobs: [{ connector: awsConnector, target: `shard ${i}`, options: { fromFile: ex.authz, credentialReport: ex.credentialReport } }],
        now: new Date(ESCALATION_ESTATE_AS_OF),
        rules: RULES,
        log: silent,
      });
      const file = path.join(dir, `shard-${String(i).padStart(4, '0')}.db`);
      const store = openStore(file);
      try {
        store.saveSnapshot(result);
      } finally {
        store.close();
      }
      rmSync(estateDir, { recursive: true, force: true });
      shardBytes += statSync(file).size;
      files.push(file);
      if ((i + 1) % 10 === 0) process.stderr.write(`bench: ${i + 1} of ${shards} shards stored\n`);
    }
    shardMs = Math.round(performance.now() - t0);
    const rssFile = path.join(dir, 'rss');
    for (const mode of ['no-store', 'store'] as const) {
      process.stderr.write(`bench: nhi merge (${mode === 'store' ? '--store' : '--no-store -f json'})…\n`);
      const org = path.join(dir, 'org.db');
      const args =
        mode === 'store'
          ? ['merge', ...files, '--store', org, '--no-report', '--no-config', '-q']
          : ['merge', ...files, '--no-store', '-f', 'json', '-o', path.join(dir, 'merged.json'), '--no-config', '-q'];
      const r = await runCli(args, rssFile);
      if (r.code !== 0 && r.code !== 1) throw new Error(`nhi merge exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      rows.push({ mode, exitCode: r.code, wallMs: Math.round(r.wallMs), peakRssMb: r.peakRssMb, ...(mode === 'store' ? { storeMb: mb(statSync(org).size) } : {}) });
      rmSync(path.join(dir, 'merged.json'), { force: true });
    }
    if (keep) process.stderr.write(`bench: kept ${dir}\n`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ shards, identitiesPerShard: per, seed, shardSetupMs: shardMs, shardStoresMb: mb(shardBytes), rows }, null, 2)}\n`);
    return;
  }
  const lines = [
    `nhi-drift benchmark: nhi merge of ${shards} shard stores of ${per} identities each (escalation estates, seed ${seed}; the built CLI as a child process)`,
    `shards generated, scanned and stored in ${(shardMs / 1000).toFixed(1)} s; ${mb(shardBytes)} MB of shard stores`,
    '',
    'merge                          exit   wall s  peak RSS MB  merged store MB',
    ...rows.map((r) =>
      [
        (r.mode === 'store' ? '--store ORG.db --no-report' : '--no-store -f json -o FILE').padEnd(29),
        String(r.exitCode).padStart(4),
        (r.wallMs / 1000).toFixed(1).padStart(8),
        String(r.peakRssMb ?? '?').padStart(11),
        (r.storeMb === undefined ? '-' : String(r.storeMb)).padStart(15),
      ].join('  '),
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** For the child: the spec the parent passed. */
export function parseRenderSpec(spec: string): Parameters<typeof renderChild>[0] {
  return JSON.parse(spec) as Parameters<typeof renderChild>[0];
}
