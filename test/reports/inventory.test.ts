import { describe, expect, it } from 'vitest';
import { renderInventoryJson, renderInventoryText, type InventoryJson } from '../../reports/inventory/index.js';
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
});
