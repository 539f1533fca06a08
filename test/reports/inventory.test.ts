import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { renderInventoryJson, renderInventoryText, type InventoryJson } from '../../reports/inventory/index.js';
import { renderJson } from '../../reports/json/index.js';
import { renderMarkdown } from '../../reports/markdown/index.js';
import { countIdentities, summaryLine } from '../../reports/shared.js';
import { HOSTILE } from './random-results.js';
import { CANARY, DOC_CANARY, IDS, WORKERS, sampleResult } from './sample.js';

const graph = () => sampleResult().graph;
const json = (text: string) => JSON.parse(text) as InventoryJson;

describe('inventory', () => {
  it('lists principals and credentials with key fields in JSON', () => {
    const inv = json(renderInventoryJson(graph(), {}));
    expect(inv.schemaVersion).toBe('1.2.0');
    expect(inv.principals).toHaveLength(6 + WORKERS);
    expect(inv.credentials).toHaveLength(3);
    const bot = inv.principals.find((p) => p.id === IDS.ciBot)!;
    expect(bot).toMatchObject({ name: 'ci-bot', type: 'iam-user', accountType: 'service', scope: '123456789012', owner: 'platform-team', credentialCount: 2 });
    expect(bot.lastActivityAt).toBe('2026-02-27T12:00:00.000Z');
    const key = inv.credentials.find((c) => c.id === IDS.key1)!;
    expect(key).toMatchObject({ credentialType: 'access-key', active: true, lastUsedAt: null, holder: { id: IDS.ciBot, name: 'ci-bot', type: 'iam-user' } });
  });

  it('filters by kind, platform and type', () => {
    const onlyCreds = json(renderInventoryJson(graph(), { kind: 'credential' }));
    expect(onlyCreds.principals).toEqual([]);
    expect(onlyCreds.credentials).toHaveLength(3);
    const onlyPrincipals = json(renderInventoryJson(graph(), { kind: 'principal' }));
    expect(onlyPrincipals.credentials).toEqual([]);
    const roles = json(renderInventoryJson(graph(), { type: 'iam-role' }));
    expect(roles.principals.every((p) => p.type === 'iam-role')).toBe(true);
    expect(roles.principals).toHaveLength(2 + WORKERS);
    expect(roles.credentials).toEqual([]);
    const keys = json(renderInventoryJson(graph(), { kind: 'credential', type: 'access-key' }));
    expect(keys.credentials.map((c) => c.name).sort()).toEqual(['AKIAI44QH8DHBEXAMPLE', 'AKIAIOSFODNN7EXAMPLE']);
    const gcp = json(renderInventoryJson(graph(), { platform: 'gcp' }));
    expect(gcp.principals).toEqual([]);
    expect(gcp.credentials).toEqual([]);
    expect(json(renderInventoryJson(graph(), { platform: 'AWS' })).principals.length).toBe(6 + WORKERS);
  });

  it('sorts stably, independent of insertion order', () => {
    const a = json(renderInventoryJson(graph(), {}));
    const names = a.principals.map((p) => `${p.type}/${p.name}`);
    // within one platform and scope: by type, then name
    expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y)));
    expect(renderInventoryJson(graph(), {})).toBe(renderInventoryJson(graph(), {}));
  });

  it('prints never for null dates and unknown for missing ones in text', () => {
    const text = renderInventoryText(graph(), { kind: 'credential' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Credentials (3)');
    expect(lines[1]).toMatch(/^NAME\s+TYPE\s+HOLDER\s+ACTIVE\s+CREATED\s+LAST ROTATED\s+LAST USED$/);
    const key1 = lines.find((l) => l.startsWith('AKIAIOSFODNN7EXAMPLE'))!;
    expect(key1.split(/\s{2,}/)).toEqual(['AKIAIOSFODNN7EXAMPLE', 'access-key', 'ci-bot (iam-user)', 'yes', '2019-12-18', '2019-12-18', 'never']);
    const pwd = lines.find((l) => l.startsWith('alice console password'))!;
    expect(pwd.split(/\s{2,}/).slice(-3)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(text).not.toContain('Principals');
  });

  it('prints principals with owner and credential count; aligned columns', () => {
    const text = renderInventoryText(graph(), { kind: 'principal', type: 'iam-user' });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Identities (2)');
    const header = lines[1];
    const ownerCol = header.indexOf('OWNER');
    const bot = lines.find((l) => l.startsWith('ci-bot'))!;
    expect(bot.slice(ownerCol).startsWith('platform-team')).toBe(true);
    expect(bot.trimEnd().endsWith('2')).toBe(true);
    const alice = lines.find((l) => l.startsWith('alice'))!;
    expect(alice.slice(ownerCol).startsWith('-')).toBe(true);
  });

  it('says when nothing matches', () => {
    expect(renderInventoryText(graph(), { platform: 'github' })).toBe('Identities (0)\n  none match\n\nCredentials (0)\n  none match\n');
  });

  it('never prints attributes or policy documents', () => {
    for (const text of [renderInventoryText(graph(), {}), renderInventoryJson(graph(), {})]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(DOC_CANARY);
      expect(text).not.toContain('AdministratorAccess');
    }
  });

  it('counts identities the way the scan summary, the JSON report and the Markdown do', () => {
    const r = sampleResult();
    const { identities, principals } = countIdentities(r.graph);
    const text = renderInventoryText(r.graph, {});
    // groups and identity providers are listed apart, so the number next to "Identities" is the scan's number
    expect(text.split('\n')[0]).toBe(`Identities (${identities})`);
    expect(text).toContain(`Groups and trust anchors (${principals - identities}, not counted as identities)`);
    expect(summaryLine(r)).toContain(`Scanned ${identities} identities`);
    expect((JSON.parse(renderJson(r)) as { summary: { identities: number } }).summary.identities).toBe(identities);
    expect(renderMarkdown(r)).toContain(`across ${identities} identities`);
    const inv = json(renderInventoryJson(r.graph, {}));
    expect(inv.summary).toEqual({ identities, principals, credentials: 3 });
    expect(inv.principals).toHaveLength(principals);
    const groups = renderInventoryText(r.graph, { type: 'iam-group' });
    expect(groups.split('\n').slice(0, 4)).toEqual(['Identities (0)', '  none match', '', 'Groups and trust anchors (1, not counted as identities)']);
  });

  it('prints hostile names as one safe line each: no escape sequences, OSC 8 links, control characters or line breaks', () => {
    const g = graph();
    for (const [i, evil] of HOSTILE.entries()) {
      g.addNode({ id: `aws:iam-user:evil-${i}`, kind: 'principal', platform: 'aws', type: evil, name: evil, scope: evil, accountType: 'service', provenance: [] });
      g.addNode({ id: `aws:access-key:evil-${i}`, kind: 'credential', platform: 'aws', type: 'access-key', credentialType: evil, name: evil, active: true, provenance: [] });
      g.addEdge({ type: 'HAS_CREDENTIAL', from: `aws:iam-user:evil-${i}`, to: `aws:access-key:evil-${i}`, provenance: [] });
    }
    g.addNode({ id: 'aws:iam-user:long', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'n'.repeat(50_000), accountType: 'service', provenance: [] });
    const text = renderInventoryText(g, {});
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    // the OSC 8 link is gone, its text stays
    const osc = text.split('\n').find((l) => l.includes('EVILOSC8'))!;
    expect(osc).not.toContain('evil.example');
    // one line per row: the header line count matches the rows
    const principalsBlock = text.split('\n\n')[0].split('\n');
    expect(principalsBlock[0]).toMatch(/^Identities \((\d+)\)$/);
    expect(principalsBlock.length - 2).toBe(Number(/\((\d+)\)/.exec(principalsBlock[0])![1]));
    // long values are cut in text (the JSON keeps them)
    expect(text.split('\n').every((l) => l.length < 2_000)).toBe(true);
    expect(renderInventoryJson(g, {})).toContain('n'.repeat(9_000));
  });

  it('renders an estate too large to spread into Math.max', () => {
    const g = new IdentityGraph();
    for (let i = 0; i < 150_000; i++) g.addNode({ id: `aws:iam-role:r${i}`, kind: 'principal', platform: 'aws', type: 'iam-role', name: `r${i}`, accountType: 'service', provenance: [] });
    const text = renderInventoryText(g, { kind: 'principal' });
    expect(text.startsWith('Identities (150000)\n')).toBe(true);
  });
});
