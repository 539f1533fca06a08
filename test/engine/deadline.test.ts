import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ABORT_GRACE_MS, runScan } from '../../src/engine/engine.js';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { GraphRecord, ScanTarget } from '../../src/model/types.js';

const observedAt = '2026-01-01T00:00:00.000Z';
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const now = new Date('2026-06-01T00:00:00Z');

function principal(id: string): GraphRecord {
  return { type: 'node', node: { id, kind: 'principal', platform: 'test', type: 'iam-user', name: id, accountType: 'service', provenance: [{ connector: 'test', source: 'list', observedAt }] } };
}
const target = (id: string): GraphRecord => ({ type: 'target', target: { id, platform: 'test', kind: 'account', name: id.split(':').pop()! } });

function make(id: string, scan: (ctx: ScanContext) => AsyncIterable<GraphRecord>, validate: (ctx: ScanContext) => Promise<void> = async () => {}): Connector {
  return { id, describe: () => ({ title: `Test ${id}`, requiredPermissions: [], options: z.object({}) }), validate, scan };
}

const never = () => new Promise<never>(() => {});
const abortable = (signal: AbortSignal | undefined) =>
  new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true }));

describe('engine: scan targets', () => {
  it('collects target records into ConnectorRun.targets, sorted and deduplicated, and keeps them out of the graph', async () => {
    const result = await runScan({
      jobs: [{ connector: make('a', async function* () {
        yield target('test:account:2');
        yield principal('p');
        yield target('test:account:1');
        yield target('test:account:2');
      }), options: {} }],
      now,
      rules: [],
      log: silent,
    });
    expect(result.connectors[0].targets.map((t: ScanTarget) => t.id)).toEqual(['test:account:1', 'test:account:2']);
    expect(result.connectors[0].records).toBe(1);
    expect([...result.graph.nodes.keys()].filter((k) => k.startsWith('test:'))).toEqual([]);
  });
});

describe('engine: the --timeout deadline', () => {
  it('a connector stuck on a call that ignores the signal ends as a timeout note after the deadline; what it read and the other sources are kept', { timeout: 15_000 }, async () => {
    const t0 = Date.now();
    const result = await runScan({
      jobs: [
        { connector: make('stuck', async function* () {
          yield target('test:account:1');
          yield principal('read-before');
          await never();
        }), options: {} },
        { connector: make('quick', async function* () {
          yield principal('other');
        }), options: {} },
      ],
      now,
      rules: [],
      log: silent,
      deadlineMs: 300,
    });
    const took = Date.now() - t0;
    // bounded: the deadline plus the grace period, with slack for a loaded machine (a hang would hit the test timeout)
    expect(took).toBeLessThan(300 + ABORT_GRACE_MS + 5_000);
    const stuck = result.connectors.find((c) => c.id === 'stuck')!;
    expect(stuck.status).toBe('partial');
    expect(stuck.targets.map((t) => t.id)).toEqual(['test:account:1']);
    expect(result.graph.node('read-before')).toBeDefined();
    expect(result.connectors.find((c) => c.id === 'quick')!.status).toBe('complete');
    const note = result.coverage.find((c) => c.connector === 'stuck')!;
    expect(note).toMatchObject({ reason: 'timeout', incomplete: true });
    expect(note.message).toMatch(/Test stuck scan stopped: the scan deadline \(--timeout 0 s\) passed/);
    expect(result.incomplete).toBe(true);
    expect(result.deadlineSeconds).toBe(0);
  });

  it('a connector that honours the signal may hand on what it has during the grace period', { timeout: 15_000 }, async () => {
    const result = await runScan({
      jobs: [{ connector: make('polite', async function* (ctx) {
        yield principal('first');
        try {
          await abortable(ctx.signal);
        } catch {
          yield principal('handed-on-after-abort');
        }
      }), options: {} }],
      now,
      rules: [],
      log: silent,
      deadlineMs: 200,
    });
    expect(result.graph.node('handed-on-after-abort')).toBeDefined();
    expect(result.connectors[0].status).toBe('partial');
    expect(result.coverage.map((c) => c.reason)).toEqual(['timeout']);
  });

  // the deadline is for the whole scan: a credential check that never answers holds the start of scanning (checks run
  // at once, so their waits overlap) until it passes; then every source ends as a timeout note and the CLI exits 3
  it('a credential check that never answers ends in timeout notes at the deadline, not a hang', { timeout: 15_000 }, async () => {
    const result = await runScan({
      jobs: [
        { connector: make('novalidate', async function* () { yield principal('never-seen'); }, never), options: {} },
        { connector: make('fine', async function* () { yield principal('seen'); }), options: {} },
      ],
      now,
      rules: [],
      log: silent,
      deadlineMs: 200,
    });
    expect(result.connectors.map((c) => [c.id, c.status])).toEqual([['novalidate', 'failed'], ['fine', 'failed']]);
    expect(result.graph.node('never-seen')).toBeUndefined();
    expect(result.coverage.map((c) => [c.connector, c.reason])).toEqual([['novalidate', 'timeout'], ['fine', 'timeout']]);
    expect(result.incomplete).toBe(true);
  });

  it('a source that fails with a TimeoutError is a timeout note, not a generic error', async () => {
    const result = await runScan({
      jobs: [{ connector: make('slow', async function* () {
        yield principal('x');
        throw Object.assign(new Error('Request timed out after 60000 ms'), { name: 'TimeoutError' });
      }), options: {} }],
      now,
      rules: [],
      log: silent,
    });
    expect(result.coverage[0]).toMatchObject({ reason: 'timeout', incomplete: true });
    expect(result.coverage[0].message).toContain('Request timed out');
  });

  it('without a deadline nothing is cut and deadlineSeconds is absent', async () => {
    const result = await runScan({ jobs: [{ connector: make('a', async function* () { yield principal('x'); }), options: {} }], now, rules: [], log: silent });
    expect(result.connectors[0].status).toBe('complete');
    expect(result.deadlineSeconds).toBeUndefined();
  });
});
