import { closeSync, fstatSync, openSync, readSync, statSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Rule } from '../rules/types.js';
import type { RuleSettings } from '../rules/runner.js';
import { NhiError } from '../util/errors.js';

export const DEFAULT_CONFIG_FILE = 'nhi.config.yaml';
/** Looked for in this order in the current directory when --config is not given. */
export const DEFAULT_CONFIG_FILES = ['nhi.config.yaml', 'nhi.config.yml'] as const;
/** A configuration file is a few kilobytes; anything this large is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases expanded while reading the config (the yaml library's own guard against alias bombs). */
const MAX_ALIASES = 100;

const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const gate = z.enum(['critical', 'high', 'medium', 'low', 'none']);

const suppression = z
  .object({
    rule: z.string().min(1).optional(),
    /** glob over node id, ARN or name: `*` matches any run of characters */
    identity: z.string().min(1).optional(),
    fingerprint: z.string().min(1).optional(),
    reason: z.string().min(1),
    /** the suppression stops applying after this date (YYYY-MM-DD) */
    until: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like 2027-01-31')
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a real date')
      .optional(),
  })
  .strict()
  .refine((s) => s.rule || s.identity || s.fingerprint, { message: 'needs at least one of rule, identity, fingerprint' });

const configSchema = z
  .object({
    version: z.literal(1).optional(),
    /** snapshot store path (relative to the config file) */
    store: z.string().min(1).optional(),
    failOn: gate.optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    rules: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).optional(),
    ignore: z.array(suppression).optional(),
  })
  .strict();

export type Suppression = z.infer<typeof suppression>;

/**
 * Rules folded into another one: a config that still names them keeps working (its settings are ignored, its
 * suppressions move to the replacement) and the scan says so once.
 */
export const RETIRED_RULES: Readonly<Record<string, string>> = {
  'path-to-admin': 'privilege-escalation',
  'sa-impersonation-to-privileged': 'privilege-escalation',
};

export interface NhiConfig {
  /** things worth saying about the file that do not stop the scan (retired rule ids) */
  warnings?: string[];
  /** the file it came from, undefined = defaults */
  file?: string;
  /** --no-config: a file may exist but was not read */
  ignored?: boolean;
  store?: string;
  failOn?: z.infer<typeof gate>;
  concurrency?: number;
  rules: Record<string, RuleSettings>;
  ignore: Suppression[];
}

function formatIssuePath(p: ReadonlyArray<PropertyKey>): string {
  return p.map((k) => String(k)).join('.');
}

function zodMessage(file: string, err: z.ZodError, prefix: string[] = []): string {
  const issue = err.issues[0];
  const where = formatIssuePath([...prefix, ...issue.path]);
  let msg = issue.message;
  if (issue.code === 'unrecognized_keys') msg = `unknown key ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return `${file}: ${where ? `${where}: ` : ''}${msg}`;
}

/** Read a config file as text: a regular file of at most MAX_CONFIG_BYTES, opened without blocking (a FIFO or a
 * device named as the config must not hang the CLI). */
function readConfigText(file: string, shown: string): string {
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new NhiError('CONFIG', `${shown}: cannot be read (${code})`, { suggestion: code === 'EACCES' ? 'check the file permissions' : 'check the --config path' });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new NhiError('CONFIG', `${shown}: is a directory, not a configuration file`, { suggestion: 'pass the YAML file with --config' });
    if (!st.isFile()) throw new NhiError('CONFIG', `${shown}: is not a regular file`, { suggestion: 'pass a YAML file with --config' });
    if (st.size > MAX_CONFIG_BYTES) {
      throw new NhiError('CONFIG', `${shown}: is ${st.size} bytes; a configuration file is at most ${MAX_CONFIG_BYTES} bytes`, { suggestion: 'check that --config names the nhi configuration file' });
    }
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    const text = buf.subarray(0, off).toString('utf8');
    if (text.includes('\u0000')) throw new NhiError('CONFIG', `${shown}: is not a text file`, { suggestion: 'check that --config names the nhi configuration file' });
    return text;
  } catch (err) {
    if (err instanceof NhiError) throw err;
    throw new NhiError('CONFIG', `${shown}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}

/** The config file to read: --config, else the first of DEFAULT_CONFIG_FILES present in `cwd`. */
export function findConfigFile(explicitPath: string | undefined, cwd = process.cwd()): { file: string; shown: string } | undefined {
  if (explicitPath) return { file: path.resolve(cwd, explicitPath), shown: explicitPath };
  for (const name of DEFAULT_CONFIG_FILES) {
    const file = path.resolve(cwd, name);
    try {
      statSync(file);
      return { file, shown: name };
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}

/**
 * Load and validate the configuration. `explicitPath` (--config) must exist; otherwise ./nhi.config.yaml or
 * ./nhi.config.yml is used when present. `noConfig` (--no-config) reads nothing. Every rule's options are validated
 * against its schema (user regular expressions included), unknown rule ids and keys are errors.
 */
export function loadConfig(explicitPath: string | undefined, rules: readonly Rule<any>[], cwd = process.cwd(), opts: { noConfig?: boolean } = {}): NhiConfig {
  if (opts.noConfig) {
    if (explicitPath) throw new NhiError('USAGE', '--config and --no-config contradict each other', { suggestion: 'give one of them' });
    return { rules: {}, ignore: [], ignored: true };
  }
  const found = findConfigFile(explicitPath, cwd);
  if (!found) return { rules: {}, ignore: [] };
  let exists = true;
  try {
    statSync(found.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') exists = false;
  }
  if (!exists) throw new NhiError('CONFIG', `${found.shown}: no such file`, { suggestion: 'check the --config path' });
  const text = readConfigText(found.file, found.shown);
  return parseConfig(text, found.shown, rules, path.dirname(found.file));
}

export function parseConfig(text: string, shown: string, rules: readonly Rule<any>[], baseDir: string): NhiConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new NhiError('CONFIG', `${shown}: invalid YAML${line ? ` at line ${line}` : ''}: ${e.message.split('\n')[0]}`, {
      suggestion: 'fix the YAML syntax (see docs/configuration.md)',
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (err) {
    // the yaml library refuses alias bombs (and aliases to nothing) while building the value
    throw new NhiError('CONFIG', `${shown}: invalid YAML: ${(err as Error).message.split('\n')[0]}`, {
      suggestion: `a configuration needs no more than ${MAX_ALIASES} alias expansions; write the values out`,
    });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new NhiError('CONFIG', `${shown}: expected a mapping of keys (version, failOn, rules, ignore, ...) at the top level`, {
      suggestion: 'see docs/configuration.md for the keys',
    });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new NhiError('CONFIG', zodMessage(shown, parsed.error), { suggestion: 'see docs/configuration.md for the keys' });
  }
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const ruleSettings: Record<string, RuleSettings> = {};
  const warnings: string[] = [];
  for (const [id, value] of Object.entries(parsed.data.rules ?? {})) {
    if (RETIRED_RULES[id] && !byId.has(id)) {
      warnings.push(`${shown}: rules.${id}: the rule is now part of ${RETIRED_RULES[id]}; its settings are ignored (configure rules.${RETIRED_RULES[id]})`);
      continue;
    }
    const rule = byId.get(id);
    if (!rule) {
      throw new NhiError('CONFIG', `${shown}: rules.${id}: unknown rule`, { suggestion: 'nhi rules lists the rule ids' });
    }
    const { enabled, severity: sev, ...options } = value ?? {};
    if (enabled !== undefined && typeof enabled !== 'boolean') {
      throw new NhiError('CONFIG', `${shown}: rules.${id}.enabled: expected true or false`);
    }
    let sevParsed: RuleSettings['severity'];
    if (sev !== undefined) {
      const s = severity.safeParse(sev);
      if (!s.success) throw new NhiError('CONFIG', `${shown}: rules.${id}.severity: expected one of ${severity.options.join(', ')}`);
      sevParsed = s.data;
    }
    const known = new Set(Object.keys(rule.meta.options.shape));
    const unknown = Object.keys(options).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      const allowed = [...known].join(', ') || 'none';
      throw new NhiError('CONFIG', `${shown}: rules.${id}: unknown option '${unknown[0]}' (options: ${allowed}; plus enabled, severity)`);
    }
    const opt = rule.meta.options.safeParse(options);
    if (!opt.success) throw new NhiError('CONFIG', zodMessage(shown, opt.error, ['rules', id]));
    ruleSettings[id] = { enabled: enabled as boolean | undefined, severity: sevParsed, options: opt.data as Record<string, unknown> };
  }
  const ignore = (parsed.data.ignore ?? []).map((entry, i) => {
    const to = entry.rule ? RETIRED_RULES[entry.rule] : undefined;
    if (!to || byId.has(entry.rule!)) return entry;
    warnings.push(`${shown}: ignore.${i}: rule ${entry.rule} is now part of ${to}; the entry applies to ${to}`);
    return { ...entry, rule: to };
  });
  return {
    ...(warnings.length ? { warnings } : {}),
    file: shown,
    store: parsed.data.store ? path.resolve(baseDir, parsed.data.store) : undefined,
    failOn: parsed.data.failOn,
    concurrency: parsed.data.concurrency,
    rules: ruleSettings,
    ignore,
  };
}
