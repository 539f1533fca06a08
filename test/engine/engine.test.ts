import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runScan } from '../../src/engine/engine.js';
import type { Connector, ProgressEvent } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import type { Rule } from '../../src/rules/types.js';
import { exitCodeFor } from '../../src/cli/commands/scan.js';
import { NhiError } from '../../src/util/errors.js';

const observedAt = '2026-01-01T00:00:00.000Z';
const silent = { debug: () => {}, info: () => {}, warn: () => {} };

function principal(id: string, tags?: Record<string, string>): GraphRecord {
  return { type: 'node', node: { id, kind: 'principal', platform: 'test', type: 'iam-user', name: id, accountType: 'service', tags, provenance: [{ connector: 'test', source: 'list', observedAt }] } };
}

function connector(id: string, records: GraphRecord[], opts: { throwAfter?: number; validateError?: NhiError } = {}): Connector {
  return {
    id,
    describe: () => ({ title: `Test ${id}`, requiredPermissions: [], options: z.object({ flag: z.boolean().optional() }).strict() }),
    validate: async () => {
      if (opts.validateError) throw opts.validateError;
    },
    async *scan(ctx) {
      let i = 0;
      for (const r of records) {
        if (opts.throwAfter !== undefined && i === opts.throwAfter) throw new Error('socket hang up\n    at stack frame');
        ctx.calls.count(`${id}:List`);
        yield r;
        i++;
      }
    },
  };
}

// flags every principal without tags; lets the test see rules ran over the merged graph
const untagged: Rule<{ }> = {
  meta: { id: 'untagged', title: 'u', severity: 'high', confidence: 'high', category: 'ownership', platforms: ['*'], owasp: ['NHI1'], description: 'd', risk: 'r', remediation: { text: 'x' }, options: z.object({}) },
  check: (g) => [...g.principals()].filter((p) => !p.tags).map((p) => ({ nodeId: p.id, message: `${p.name} untagged`, evidence: [] })),
};

describe('engine', () => {
  it('a connector failing mid-scan keeps its records, becomes a coverage note, and the others complete', async () => {
    const events: ProgressEvent[] = [];
    const result = await runScan({
      jobs: [
        { connector: connector('good', [principal('a'), principal('b', { owner: 'x' })]), options: {} },
        { connector: connector('flaky', [principal('c'), principal('d')], { throwAfter: 1 }), options: {} },
      ],
      now: new Date('2026-06-01T00:00:00Z'),
      rules: [untagged],
      log: silent,
      onProgress: (e) => events.push(e),
    });
    expect([...result.graph.nodes.keys()].filter((k) => !k.startsWith('meta:')).sort()).toEqual(['a', 'b', 'c']);
    expect(result.connectors.map((c) => [c.id, c.status, c.apiCalls])).toEqual([
      ['good', 'complete', 2],
      ['flaky', 'partial', 1],
    ]);
    expect(result.incomplete).toBe(true);
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0].message).toBe('Test flaky scan stopped: socket hang up');
    expect(result.findings.map((f) => f.nodeId)).toEqual(['a', 'c']);
    expect(result.graph.out('b', 'OWNED_BY')[0].to).toBe('meta:owner:x');
    expect(events.filter((e) => e.type === 'failed').map((e) => e.connector)).toEqual(['flaky']);
    expect(exitCodeFor(result, 'none')).toBe(3);
    expect(exitCodeFor(result, 'high')).toBe(1);
    expect(exitCodeFor(result, 'critical')).toBe(3);
  });

  it('an incomplete coverage note marks the scan partial; rule settings and suppressions apply', async () => {
    const note: GraphRecord = { type: 'coverage', coverage: { connector: 'good', source: 'iam:ListAccessKeys', reason: 'permission-denied', message: 'denied', impact: 'no key ids', incomplete: true } };
    const result = await runScan({
      jobs: [{ connector: connector('good', [principal('a'), principal('legacy-b'), note]), options: {} }],
      now: new Date('2026-06-01T00:00:00Z'),
      rules: [untagged],
      ruleSettings: { untagged: { severity: 'low' } },
      suppressions: [
        { identity: 'legacy-*', reason: 'known' },
        { rule: 'untagged', identity: 'a', reason: 'expired', until: '2026-01-01' },
      ],
      log: silent,
    });
    expect(result.connectors[0].status).toBe('partial');
    expect(result.findings.map((f) => [f.nodeId, f.severity])).toEqual([['a', 'low']]);
    expect(result.suppressed.map((f) => f.nodeId)).toEqual(['legacy-b']);
    expect(exitCodeFor(result, 'high')).toBe(3);
    expect(exitCodeFor({ findings: result.findings, incomplete: false }, 'low')).toBe(1);
    expect(exitCodeFor({ findings: [], incomplete: false }, 'low')).toBe(0);
  });

  it('bad connector options and failed validation stop the scan before anything runs', async () => {
    const base = { now: new Date(), rules: [], log: silent };
    await expect(runScan({ ...base, jobs: [{ connector: connector('x', []), options: { nope: 1 } }] })).rejects.toMatchObject({ code: 'USAGE' });
    const err = new NhiError('INPUT', 'authz.json: not JSON');
    await expect(runScan({ ...base, jobs: [{ connector: connector('x', [], { validateError: err }), options: {} }] })).rejects.toBe(err);
  });
});
