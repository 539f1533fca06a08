/**
 * Seeded input mutation for the fuzz tests: a small PRNG and mutators for JSON trees, text (CSV, YAML) and YAML
 * structure. Everything is a pure function of the seed, so a failing case is reproduced by its seed alone.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { mulberry32 } from '../support/prng.js';

/** Helpers over the suite's seeded generator. */
export function prng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** Strings that have broken parsers, terminals and Markdown before. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u001b[2J\u001b[H',
  '\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007',
  '\u001b[31mred\u001b[0m',
  'line\nbreak',
  '\r\n# injected heading\r\n',
  '| a | b |\n|---|---|',
  '<script>alert(1)</script>',
  '\u202eevil\u202c',
  '\u0000\u0001\u0007\u007f\u009b',
  '${{ secrets.X }}',
  '$(rm -rf /)',
  '*',
  '?*',
  'arn:aws:iam::123456789012:role/*',
  'arn:aws:iam::000000000000:user/x',
  'roles/owner',
  'user:a@b',
  'serviceAccount:x@p.iam.gserviceaccount.com',
  '..',
  '../../etc/passwd',
  '%00%2e%2e',
  '%',
  '\uFEFF',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 名前',
  'N/A',
  '2022-02-30T25:61:00Z',
  '9999-12-31T23:59:59Z',
  '-1',
  'true',
  'null',
  '{"Statement":[]}',
  '%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D',
];

function hugeString(rng: Rng): string {
  const size = rng.chance(0.1) ? 3 * 1024 * 1024 : 100_000 + rng.int(200_000);
  const unit = rng.pick(['*?', 'a', 'arn:aws:iam::123456789012:role/', '\u001b[1m', '%41', 'é']);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function deepNest(rng: Rng): unknown {
  const depth = 50 + rng.int(3000);
  let v: unknown = rng.pick(['x', 1, null]);
  for (let i = 0; i < depth; i++) v = rng.chance(0.5) ? [v] : { k: v };
  return v;
}

/** A replacement value of a different type (or a nasty one of the same). */
function weirdValue(rng: Rng, old: unknown): unknown {
  switch (rng.int(14)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 12345678901234567890]);
    case 2:
      return rng.pick([true, false]);
    case 3:
      return {};
    case 4:
      return [];
    case 5:
      return rng.pick(NASTY_STRINGS);
    case 6:
      return typeof old === 'string' ? old + rng.pick(NASTY_STRINGS) : rng.pick(NASTY_STRINGS);
    case 7:
      return rng.chance(0.3) ? hugeString(rng) : rng.pick(NASTY_STRINGS);
    case 8:
      return rng.chance(0.3) ? deepNest(rng) : [old];
    case 9:
      return [old, old];
    case 10:
      return { value: old };
    case 11:
      return typeof old === 'string' ? old.slice(0, rng.int(old.length + 1)) : String(old);
    case 12:
      return Array.isArray(old) ? Object.fromEntries(old.map((x, i) => [String(i), x])) : old && typeof old === 'object' ? Object.values(old as object) : [old];
    default:
      return typeof old === 'number' ? -old : rng.pick(NASTY_STRINGS);
  }
}

type Path = Array<string | number>;

/** Up to `max` paths into the tree (breadth first, so records and their fields are both reachable). */
function paths(root: unknown, max = 4000): Path[] {
  const out: Path[] = [];
  const queue: Array<[unknown, Path]> = [[root, []]];
  while (queue.length > 0 && out.length < max) {
    const [v, p] = queue.shift()!;
    if (p.length > 0) out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => queue.push([x, [...p, i]]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) queue.push([x, [...p, k]]);
  }
  return out;
}

function parentOf(root: unknown, p: Path): unknown {
  let v = root;
  for (const k of p.slice(0, -1)) v = (v as Record<string | number, unknown>)[k];
  return v;
}

/** 1 to 4 structural mutations of a JSON tree (the input is not modified). */
export function mutateJson(rng: Rng, value: unknown): unknown {
  const root = structuredClone(value) as unknown;
  const holder = { root };
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const all = paths(holder.root);
    if (all.length === 0) return weirdValue(rng, holder.root);
    // records deep in the tree are where validation matters: prefer longer paths half of the time
    const p = rng.chance(0.5) ? rng.pick(all) : all[all.length - 1 - rng.int(Math.min(all.length, 200))];
    const parent = parentOf(holder.root, p) as Record<string | number, unknown>;
    const key = p[p.length - 1];
    const op = rng.int(10);
    if (op < 2) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (op === 2 && Array.isArray(parent)) {
      parent.splice(key as number, 0, rng.pick([null, 1, 'x', {}, []]));
    } else if (op === 3 && !Array.isArray(parent)) {
      const v = parent[key];
      delete parent[key];
      parent[rng.pick(NASTY_STRINGS) || 'k'] = v;
    } else {
      parent[key] = weirdValue(rng, parent[key]);
    }
  }
  return holder.root;
}

/** JSON text of a mutated tree, sometimes damaged as text (cut, BOM, empty). */
export function mutatedJsonText(rng: Rng, value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(mutateJson(rng, value), null, rng.chance(0.5) ? 2 : undefined);
  } catch {
    text = JSON.stringify(value);
  }
  if (rng.chance(0.08)) text = text.slice(0, rng.int(text.length));
  if (rng.chance(0.03)) text = `\uFEFF${text}`;
  if (rng.chance(0.02)) text = rng.pick(['', '   \n', 'null', '[]', '{}', '"x"']);
  return text;
}

const LINE_POOL = [
  '',
  ',,,,,,',
  '"unterminated',
  '\u001b[2Jclear',
  '#comment',
  '  - *alias',
  '&anchor x',
  '<<: *missing',
  'key: [unclosed',
  'key: {a: 1',
  ': : :',
  '- - - -',
  '\t\ttabs: x',
  'x: !!binary AAAA',
  'x: !!js/function "f"',
  'on: push',
  'jobs: 7',
  'script: ["$SECRET_${{ x }}"]',
  "run: ${{ secrets['a(b'] }}",
  'user,arn\n<root_account>,arn:aws:iam::123456789012:root',
];

/** 1 to 4 line- and character-level mutations of a text. */
export function mutateText(rng: Rng, text: string): string {
  let lines = text.split('\n');
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const at = rng.int(Math.max(1, lines.length));
    switch (rng.int(10)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, lines[rng.int(lines.length)] ?? '');
        break;
      case 2:
        lines.splice(at, 0, rng.pick(LINE_POOL));
        break;
      case 3: {
        const l = lines[at] ?? '';
        const c = rng.int(l.length + 1);
        lines[at] = l.slice(0, c) + rng.pick(NASTY_STRINGS) + l.slice(c);
        break;
      }
      case 4:
        lines[at] = ' '.repeat(rng.int(6)) + (lines[at] ?? '').trimStart();
        break;
      case 5: {
        const j = rng.int(lines.length);
        [lines[at], lines[j]] = [lines[j], lines[at]];
        break;
      }
      case 6:
        lines = lines.slice(0, at);
        break;
      case 7:
        lines[at] = (lines[at] ?? '').split(',').slice(0, 1 + rng.int(4)).join(',');
        break;
      case 8:
        lines[at] = (lines[at] ?? '') + (rng.chance(0.2) ? hugeString(rng).slice(0, 300_000) : rng.pick(NASTY_STRINGS));
        break;
      default:
        lines[at] = (lines[at] ?? '').replace(/[A-Za-z]/g, (ch) => (rng.chance(0.05) ? rng.pick(['"', ',', ':', '\u0000', '\u001b']) : ch));
    }
  }
  let out = lines.join(rng.chance(0.05) ? '\r\n' : '\n');
  if (rng.chance(0.05)) out = out.slice(0, rng.int(out.length));
  return out;
}

/** YAML structure: an alias bomb, deep flow nesting, or a structural JSON-style mutation written back as YAML. */
export function mutateYaml(rng: Rng, text: string): string {
  const r = rng.int(10);
  if (r === 0) {
    const lines = ['x0: &x0 [a, a, a, a, a, a, a, a, a, a]'];
    const levels = 3 + rng.int(15);
    for (let i = 1; i <= levels; i++) lines.push(`x${i}: &x${i} [${Array(10).fill(`*x${i - 1}`).join(', ')}]`);
    return `${lines.join('\n')}\n${text}`;
  }
  if (r === 1) {
    const depth = 50 + rng.int(rng.chance(0.3) ? 200_000 : 2000);
    return `${text}\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  }
  if (r <= 5) return mutateText(rng, text);
  try {
    const tree = parseYaml(text, { maxAliasCount: 100 }) as unknown;
    return stringifyYaml(mutateJson(rng, tree), { aliasDuplicateObjects: rng.chance(0.5) });
  } catch {
    return mutateText(rng, text);
  }
}
