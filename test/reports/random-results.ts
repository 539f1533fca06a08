/**
 * Random ScanResults for the renderer property tests: a seeded PRNG (mulberry32, so every failure replays from its
 * seed) puts values of random types (numbers, null, objects, arrays, bigints, huge and hostile strings, impossible
 * dates) into every field the renderers read, next to well-formed values, and builds the graph the same way the
 * engine does (IdentityGraph.from).
 */
import { IdentityGraph } from '../../src/graph/graph.js';
import type { ScanResult } from '../../src/model/result.js';
import type { Finding, GraphRecord } from '../../src/model/types.js';
import { SEVERITIES } from '../../src/model/types.js';

export { mulberry32, type Rng } from '../support/prng.js';
import { type Rng } from '../support/prng.js';

/**
 * Markdown and terminal attacks, each tagged with a word starting with EVIL so a test can find what is left of it.
 * Newlines and separators put a heading, list, quote, fence or table row at the start of a line; the rest try links,
 * images, HTML, autolinks, mentions, issue references, emphasis, math and terminal escape sequences.
 */
export const HOSTILE = [
  'x\n# EVILHEAD owned',
  'x\r\n## EVILHEAD2',
  'x\u2028# EVILHEAD3',
  'x\u0085# EVILHEAD4',
  '# EVILHEAD5 at the start',
  'x\n- EVILLIST item',
  '- EVILLIST2',
  '1. EVILLIST3',
  'x\n> EVILQUOTE',
  'x\n```\nEVILFENCE\n```',
  '```EVILFENCE2',
  'x\n    EVILINDENT code',
  '| EVILCELL | x |',
  '[EVILLINK](https://evil.example/phish)',
  '![EVILIMG](https://evil.example/x.png)',
  '<img src=x onerror=alert(1)>EVILHTML',
  '<script>EVILSCRIPT</script>',
  '<https://evil.example/EVILAUTO>',
  'see https://evil.example/EVILURL now',
  'www.evil.example/EVILWWW',
  'mail me EVILMAIL@evil.example',
  'ping @EVILMENTION and @acme/admins',
  'fixes #12345 EVILISSUE',
  '*EVILBOLD* _EVILIT_ ~~EVILSTRIKE~~ `EVILCODE` $EVILMATH$',
  '\u001b]8;;https://evil.example\u0007EVILOSC8\u001b]8;;\u0007',
  '\u001b[2J\u001b[HEVILCLEAR',
  '\u202eEVILBIDI',
  'EVILNUL\u0000\u0007\u0008',
  '---',
  '===',
];

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function word(rng: Rng): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-_./: é漢😀%#?';
  let s = '';
  for (let i = int(rng, 1, 12); i > 0; i--) s += chars[int(rng, 0, chars.length - 1)];
  return s;
}

/** A value of any type a JSON-ish record could hold, and some it could not. */
export function oddValue(rng: Rng, depth = 0): unknown {
  switch (int(rng, 0, 17)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return int(rng, -1_000_000, 1_000_000);
    case 3:
      return pick(rng, [NaN, Infinity, -Infinity, -0, 0.5, 1e308, -1, 2 ** 53 + 2]);
    case 4:
      return rng() < 0.5;
    case 5:
      return BigInt(int(rng, -1000, 1000)) * 10n ** 20n;
    case 6:
      return {};
    case 7:
      return [];
    case 8:
      return depth > 2 ? 'deep' : { a: oddValue(rng, depth + 1), b: [oddValue(rng, depth + 1)], toString: 'x' };
    case 9:
      return depth > 2 ? [] : [oddValue(rng, depth + 1), oddValue(rng, depth + 1)];
    case 10:
      return pick(rng, HOSTILE);
    case 11:
      return 'x'.repeat(int(rng, 10_000, 30_000)) + pick(rng, HOSTILE);
    case 12:
      return '';
    case 13:
      return pick(rng, ['2026-02-30T00:00:00Z', '2026-13-01', 'yesterday', '1/2/2026', '2022-08-07 12:56:48+00:00', '+010000-01-01T00:00:00Z', '2026-03-01', '2026-03-01T06:00:00']);
    case 14:
      return new Date(pick(rng, [0, NaN, 1e16, Date.UTC(2025, 5, 1)]));
    case 15:
      return '\ud800lone surrogate';
    case 16: {
      const cyclic: Record<string, unknown> = { name: 'cycle' };
      cyclic.self = cyclic;
      return cyclic;
    }
    default:
      return word(rng);
  }
}

/** Mostly the well-formed value, sometimes anything. */
function maybe<T>(rng: Rng, good: T, oddRate = 0.3): T {
  return (rng() < oddRate ? oddValue(rng) : good) as T;
}

const PLATFORMS = ['aws', 'gcp', 'github', 'gitlab', 'workflows'];
const PRINCIPAL_TYPES = ['iam-user', 'iam-role', 'iam-group', 'service-account', 'oidc-provider', 'app-installation', 'anyone'];

function isoDate(rng: Rng): string {
  return new Date(Date.UTC(int(rng, 2015, 2026), int(rng, 0, 11), int(rng, 1, 28), int(rng, 0, 23))).toISOString();
}

/** One random result. Node, finding and note counts stay small: the variety is in the types, not the size. */
export function randomResult(rng: Rng): ScanResult & { suppressed: Finding[] } {
  const records: GraphRecord[] = [];
  const prov = [{ connector: 'aws', source: 'iam:List', observedAt: isoDate(rng) }];
  const principals: unknown[] = [];
  const credentials: unknown[] = [];
  const nodeCount = int(rng, 0, 12);
  for (let i = 0; i < nodeCount; i++) {
    const kind = pick(rng, ['principal', 'principal', 'credential', 'credential', 'entitlement', 'resource', 'weird']);
    // odd ids stay distinct (the graph merges nodes with equal ids; that is not what this test is about)
    const id: unknown = rng() < 0.1 ? pick(rng, [i, { i }, [i], BigInt(i)]) : `${pick(rng, PLATFORMS)}:${kind}:${word(rng)}-${i}`;
    const node: Record<string, unknown> = {
      id,
      kind,
      platform: maybe(rng, pick(rng, PLATFORMS)),
      type: maybe(rng, kind === 'credential' ? 'access-key' : pick(rng, PRINCIPAL_TYPES)),
      name: maybe(rng, rng() < 0.3 ? pick(rng, HOSTILE) : word(rng), 0.4),
      scope: maybe(rng, rng() < 0.2 ? pick(rng, HOSTILE) : '123456789012'),
      externalId: maybe(rng, `arn:aws:iam::123456789012:x/${word(rng)}`),
      tags: maybe(rng, { owner: rng() < 0.3 ? pick(rng, HOSTILE) : word(rng) }),
      attributes: maybe(rng, { canary: 'x' }),
      provenance: prov,
    };
    if (kind === 'principal') {
      node.accountType = maybe(rng, pick(rng, ['human', 'service', 'system', 'unknown']));
      node.createdAt = maybe(rng, isoDate(rng));
      node.disabled = maybe(rng, rng() < 0.2);
      principals.push(id);
    }
    if (kind === 'credential') {
      node.credentialType = maybe(rng, 'access-key');
      node.active = maybe(rng, rng() < 0.8);
      node.createdAt = maybe(rng, isoDate(rng));
      node.lastRotatedAt = maybe(rng, isoDate(rng));
      node.lastUsedAt = maybe(rng, rng() < 0.3 ? null : isoDate(rng));
      node.expiresAt = maybe(rng, rng() < 0.5 ? null : isoDate(rng));
      credentials.push(id);
    }
    records.push({ type: 'node', node: node as never });
  }
  for (const c of credentials) {
    if (principals.length && rng() < 0.8) records.push({ type: 'edge', edge: { type: 'HAS_CREDENTIAL', from: pick(rng, principals) as string, to: c as string, provenance: prov } });
  }
  for (const p of principals) {
    if (rng() < 0.3) {
      const ownerId = `meta:owner:${word(rng)}`;
      records.push({ type: 'node', node: { id: ownerId, kind: 'resource', platform: 'meta', type: 'owner', name: maybe(rng, pick(rng, HOSTILE), 0.6), provenance: prov } as never });
      records.push({ type: 'edge', edge: { type: 'OWNED_BY', from: p as string, to: ownerId, provenance: prov } });
    }
    if (rng() < 0.4) {
      records.push({
        type: 'usage',
        usage: {
          nodeId: p as string,
          scope: maybe(rng, { kind: 'any' }),
          lastUsedAt: maybe(rng, rng() < 0.3 ? null : isoDate(rng)),
          window: maybe(rng, { start: maybe(rng, isoDate(rng)), end: isoDate(rng) }),
          provenance: prov[0],
        } as never,
      });
    }
  }
  const graph = IdentityGraph.from(records);
  const nodeIds = [...graph.nodes.keys()];

  const ruleIds = ['credential-not-rotated', 'identity-unowned', 'oidc-trust-without-sub', 'Not A Kebab Id', ''];
  const finding = (): Finding =>
    ({
      ruleId: maybe(rng, pick(rng, ruleIds)),
      severity: maybe(rng, pick(rng, SEVERITIES)),
      confidence: maybe(rng, pick(rng, ['high', 'medium', 'low'])),
      nodeId: rng() < 0.7 && nodeIds.length ? pick(rng, nodeIds) : maybe(rng, `aws:iam-role:missing/${word(rng)}`),
      message: maybe(rng, rng() < 0.3 ? pick(rng, HOSTILE) : `message ${word(rng)}`, 0.4),
      evidence: maybe(rng, [
        { description: maybe(rng, pick(rng, HOSTILE)), source: maybe(rng, prov[0]), data: maybe(rng, { n: oddValue(rng), nested: { deep: oddValue(rng) } }, 0.6) },
        maybe(rng, { description: 'second' }),
      ]),
      discriminator: maybe(rng, rng() < 0.5 ? undefined : word(rng)),
      fingerprint: maybe(rng, word(rng) + word(rng), 0.2),
      path: maybe(rng, rng() < 0.5 ? undefined : [pick(rng, nodeIds.length ? nodeIds : ['x']), oddValue(rng), 'aws:iam-role:gone']),
      location: maybe(
        rng,
        rng() < 0.5
          ? undefined
          : {
              uri: maybe(rng, pick(rng, ['.github/workflows/deploy.yml', 'dir with space/a%b#c?d.yml', './x//y\\z.yml', '//host/share.yml', 'C:\\ci\\é.yml', 'a:b/c.yml', 'line\nbreak.yml'])),
              startLine: maybe(rng, pick(rng, [0, -3, 2.5, 12, '7', 1e21]), 0.6),
              startColumn: maybe(rng, pick(rng, [0, 3, -1, 1.5]), 0.5),
              endLine: maybe(rng, pick(rng, [1, 14, 0]), 0.5),
              endColumn: maybe(rng, pick(rng, [2, 0, 9.9]), 0.5),
            },
      ),
    }) as unknown as Finding;
  const findings = Array.from({ length: int(rng, 0, 12) }, finding);
  const suppressed = Array.from({ length: int(rng, 0, 3) }, () => {
    const f = finding() as Finding & { suppression?: unknown };
    if (rng() < 0.5) f.suppression = maybe(rng, { reason: maybe(rng, pick(rng, HOSTILE)), until: maybe(rng, '2027-01-31') });
    return f;
  });

  const target = () => maybe(rng, { id: maybe(rng, `aws:account:${int(rng, 1e11, 1e12 - 1)}`), platform: maybe(rng, pick(rng, PLATFORMS)), kind: maybe(rng, 'account'), name: maybe(rng, pick(rng, HOSTILE)) });
  const connectors = Array.from({ length: int(rng, 0, 3) }, () =>
    maybe(rng, {
      id: maybe(rng, pick(rng, PLATFORMS)),
      title: maybe(rng, 'AWS IAM'),
      status: maybe(rng, pick(rng, ['complete', 'partial', 'failed'])),
      apiCalls: maybe(rng, int(rng, 0, 99)),
      callsByOperation: maybe(rng, { 'iam:List': maybe(rng, 3) }),
      records: maybe(rng, int(rng, 0, 999)),
      durationMs: maybe(rng, int(rng, 0, 9999)),
      target: maybe(rng, pick(rng, HOSTILE)),
      // runs from old snapshots have no targets at all
      targets: rng() < 0.2 ? undefined : maybe(rng, [target(), target()]),
      error: maybe(rng, rng() < 0.5 ? undefined : pick(rng, HOSTILE)),
    }),
  );
  const coverage = Array.from({ length: int(rng, 0, 4) }, () =>
    maybe(rng, {
      connector: maybe(rng, 'aws'),
      source: maybe(rng, pick(rng, HOSTILE)),
      scope: maybe(rng, pick(rng, HOSTILE)),
      reason: maybe(rng, pick(rng, ['permission-denied', 'timeout', 'made-up-reason'])),
      message: maybe(rng, pick(rng, HOSTILE)),
      impact: maybe(rng, pick(rng, HOSTILE)),
      incomplete: maybe(rng, rng() < 0.5),
    }),
  );
  const rules = Array.from({ length: int(rng, 0, 4) }, () =>
    maybe(rng, {
      id: maybe(rng, pick(rng, ruleIds)),
      title: maybe(rng, 'A title'),
      severity: maybe(rng, pick(rng, SEVERITIES)),
      confidence: maybe(rng, 'high'),
      category: maybe(rng, 'usage'),
      platforms: maybe(rng, ['aws', '*', oddValue(rng)]),
      description: maybe(rng, 'What it catches.'),
      risk: maybe(rng, 'Why.'),
      remediation: maybe(rng, { text: maybe(rng, 'Fix.'), cli: maybe(rng, 'aws iam x ```'), terraform: maybe(rng, undefined) }),
    }),
  );
  const refOf = () => maybe(rng, { id: maybe(rng, word(rng)), kind: maybe(rng, 'principal'), type: maybe(rng, 'iam-role'), name: maybe(rng, pick(rng, HOSTILE)), scope: maybe(rng, '1') });
  const drift =
    rng() < 0.4
      ? maybe(rng, {
          base: maybe(rng, { snapshotId: maybe(rng, 3), asOf: maybe(rng, isoDate(rng)) }),
          findings: maybe(rng, { new: maybe(rng, [finding(), finding()]), resolved: maybe(rng, [finding()]), unchanged: maybe(rng, 2) }),
          identities: maybe(rng, { added: maybe(rng, [refOf()]), removed: maybe(rng, [refOf()]) }),
          credentials: maybe(rng, { added: [refOf()], removed: [], changed: maybe(rng, [refOf()]) }),
          grants: maybe(rng, { added: maybe(rng, [{ type: 'GRANTED', from: maybe(rng, 'a'), to: 'b', fromName: maybe(rng, pick(rng, HOSTILE)), toName: 'b' }]), removed: [] }),
          ownersGone: maybe(rng, [refOf()]),
        })
      : undefined;
  const fps = findings.map((f) => (f as { fingerprint?: unknown }).fingerprint);
  const baseline = rng() < 0.4 ? maybe(rng, { file: maybe(rng, pick(rng, HOSTILE)), fingerprints: maybe(rng, [...fps.filter(() => rng() < 0.5), oddValue(rng)]) }) : undefined;
  const config =
    rng() < 0.4
      ? maybe(rng, {
          file: maybe(rng, pick(rng, HOSTILE)),
          ignored: maybe(rng, rng() < 0.2),
          disabledRules: maybe(rng, [pick(rng, HOSTILE), oddValue(rng)]),
          severityOverrides: maybe(rng, { [pick(rng, HOSTILE)]: maybe(rng, 'low') }),
          ignoreEntries: maybe(rng, 2),
          activeIgnoreEntries: maybe(rng, 1),
          suppressedFindings: maybe(rng, suppressed.length),
          failOn: maybe(rng, 'high'),
        })
      : undefined;

  return {
    tool: maybe(rng, { name: 'nhi-drift', version: maybe(rng, '0.1.0') }, 0.1),
    snapshotId: maybe(rng, rng() < 0.5 ? undefined : int(rng, 1, 99)),
    startedAt: maybe(rng, isoDate(rng)),
    finishedAt: maybe(rng, isoDate(rng)),
    asOf: maybe(rng, isoDate(rng)),
    connectors,
    incomplete: maybe(rng, rng() < 0.5),
    graph,
    findings,
    suppressed,
    coverage,
    rules,
    drift,
    baseline,
    config,
    deadlineSeconds: maybe(rng, rng() < 0.5 ? undefined : 30),
  } as unknown as ScanResult & { suppressed: Finding[] };
}
