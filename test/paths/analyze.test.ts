import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { analyzePaths, pathStrength } from '../../src/paths/analyze.js';
import type { BecomeEdge, EdgeProducer, PathContext } from '../../src/paths/types.js';
import { adminSinkId } from '../../src/paths/types.js';

function edge(from: string, to: string, method = 'm', extra: Partial<BecomeEdge> = {}): BecomeEdge {
  return { from, to, method, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high', ...extra };
}

function producer(edges: BecomeEdge[], admins: string[] = []): EdgeProducer {
  return { id: 'test', edges: () => edges, admins: () => admins.map((id) => ({ id, why: 'admin' })) };
}

const ctx = { graph: new IdentityGraph(), now: new Date('2026-11-01T00:00:00Z'), evaluator: undefined } as unknown as PathContext;

describe('analyzePaths', () => {
  it('finds the shortest path to an admin through several hops and reports nothing for admins themselves', () => {
    const a = analyzePaths(ctx, [producer([edge('a', 'b'), edge('b', 'c'), edge('c', 'admin'), edge('a', 'd'), edge('d', 'admin')], ['admin'])]);
    expect(a.pathToAdmin('a')?.hops.map((h) => h.to)).toEqual(['d', 'admin']);
    expect(a.pathToAdmin('b')?.hops.map((h) => h.to)).toEqual(['c', 'admin']);
    expect(a.pathToAdmin('admin')).toBeUndefined();
    expect(a.escalating()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('prefers a longer path of certain hops over a shorter one that needs a conditional hop', () => {
    const a = analyzePaths(ctx, [producer([edge('a', 'admin', 'short', { decision: 'conditional', unknownKeys: ['aws:SourceIp'] }), edge('a', 'b'), edge('b', 'admin')], ['admin'])]);
    const p = a.pathToAdmin('a')!;
    expect(p.hops.map((h) => h.edge.method)).toEqual(['m', 'm']);
    expect(pathStrength(p).decision).toBe('allowed');
  });

  it('falls back to a conditional path and says which keys it turns on', () => {
    const a = analyzePaths(ctx, [producer([edge('a', 'b', 'm', { decision: 'conditional', unknownKeys: ['aws:SourceIp'] }), edge('b', 'admin', 'n', { confidence: 'medium', dependsOn: 'an existing function' })], ['admin'])]);
    const s = pathStrength(a.pathToAdmin('a')!);
    expect(s).toEqual({ decision: 'conditional', confidence: 'medium', unknownKeys: ['aws:SourceIp'], dependsOn: ['an existing function'] });
  });

  it('treats an admin sink as an admin and merges repeated edges keeping the surest', () => {
    const sink = adminSinkId('aws', '123456789012');
    const a = analyzePaths(ctx, [producer([edge('a', sink, 'put', { decision: 'conditional' }), edge('a', sink, 'put')])]);
    expect(a.admins.has(sink)).toBe(true);
    expect(a.edges).toHaveLength(1);
    expect(a.edges[0].decision).toBe('allowed');
    expect(a.pathToAdmin('a')?.end).toBe(sink);
  });

  it('handles cycles and self-loops, and lists everything a start can become, nearest first', () => {
    const a = analyzePaths(ctx, [producer([edge('a', 'a'), edge('a', 'b'), edge('b', 'a'), edge('b', 'c'), edge('c', 'd')])]);
    expect(a.pathToAdmin('a')).toBeUndefined();
    expect(a.reachable('a').map((r) => [r.id, r.dist])).toEqual([['b', 1], ['c', 2], ['d', 3]]);
    expect(a.reachable('a', 2).map((r) => r.id)).toEqual(['b', 'c']);
    expect(a.reachable('d')).toEqual([]);
  });

  it('a hub ("every role trusting lambda") costs no hop and is never listed or reported', () => {
    const hub = 'meta:hub:aws:1:passrole-lambda';
    const a = analyzePaths(ctx, [producer([edge('p', hub, 'aws-passrole-lambda'), edge(hub, 'r1', 'aws-passrole-lambda'), edge(hub, 'admin-role', 'aws-passrole-lambda'), edge('q', 'x'), edge('x', 'admin-role')], ['admin-role'])]);
    const viaHub = a.pathToAdmin('p')!;
    expect(viaHub.hops.map((h) => h.to)).toEqual([hub, 'admin-role']);
    expect(a.escalating()).toEqual(['p', 'q', 'x']);
    expect(a.reachable('p').map((r) => [r.id, r.dist])).toEqual([['admin-role', 1], ['r1', 1]]);
    expect(a.reachable('p', 1).map((r) => r.id)).toEqual(['admin-role', 'r1']);
  });

  it('combines producers: a code-host hop followed by a cloud hop', () => {
    const hosts = producer([edge('github:deploy-key:acme/app:1', 'github:repo:acme/app', 'github-push-workflow')]);
    const cloud = producer([edge('github:repo:acme/app', 'aws:iam-role:admin', 'github-oidc-assume-role')], ['aws:iam-role:admin']);
    const a = analyzePaths(ctx, [hosts, cloud]);
    expect(a.pathToAdmin('github:deploy-key:acme/app:1')?.hops.map((h) => h.edge.method)).toEqual(['github-push-workflow', 'github-oidc-assume-role']);
  });

  it('stays linear: a chain and a star of 100,000 nodes are searched without pairwise work', { timeout: 30_000 }, () => {
    const edges: BecomeEdge[] = [];
    for (let i = 0; i < 100_000; i++) edges.push(edge(`n${i}`, `n${i + 1}`));
    for (let i = 0; i < 100_000; i++) edges.push(edge(`s${i}`, 'hub'));
    edges.push(edge('hub', 'n100000'));
    const a = analyzePaths(ctx, [producer(edges, ['n100000'])]);
    expect(a.escalating().length).toBe(200_001);
    expect(a.pathToAdmin('s5')?.hops.length).toBe(2);
    expect(a.pathToAdmin('n0')?.hops.length).toBe(100_000);
  });
});
