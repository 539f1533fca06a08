import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsConnector } from '../../connectors/aws/index.js';
import { awsOptionsSchema } from '../../connectors/aws/options.js';
import { Counter } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedFixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'aws');

export const NOW = new Date('2026-06-01T00:00:00.000Z');

export const silent = { debug: () => {}, info: () => {}, warn: () => {} };

/** Fake credentials for the SDK's default chain (the fake server does not check signatures). */
export function useFakeCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-tests-only';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

export function makeCtx(options: Record<string, unknown>, extra: Partial<ScanContext> = {}): ScanContext & { calls: Counter; steps: string[] } {
  const steps: string[] = [];
  const calls = new Counter();
  return {
    options: awsOptionsSchema.parse(options) as Record<string, unknown>,
    now: NOW,
    log: silent,
    calls,
    concurrency: 4,
    progress: (m: string) => steps.push(m),
    ...extra,
    steps,
  } as ScanContext & { calls: Counter; steps: string[] };
}

export async function scanAll(ctx: ScanContext): Promise<{ records: GraphRecord[]; graph: IdentityGraph }> {
  const records: GraphRecord[] = [];
  for await (const r of awsConnector.scan(ctx)) records.push(r);
  return { records, graph: IdentityGraph.from(records) };
}

export function idsOfType(g: IdentityGraph, type: string): string[] {
  return [...g.nodes.values()].filter((n) => n.type === type).map((n) => n.id).sort();
}

/** Options for a live scan against the fake: fast polls, no back-off surprises. */
export function liveOptions(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { endpoint: url, pollIntervalMs: 5, pollTimeoutMs: 5000, ...extra };
}
