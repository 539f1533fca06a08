import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Rule } from '../rules/types.js';
import type { RuleSettings } from '../rules/runner.js';
import { NhiError } from '../util/errors.js';

export const DEFAULT_CONFIG_FILE = 'nhi.config.yaml';

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
      .regex(/^\d{4}-\d{2}-\d{2}/, 'expected a date like 2027-01-31')
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

export interface NhiConfig {
  /** the file it came from, undefined = defaults */
  file?: string;
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

/**
 * Load and validate nhi.config.yaml. `explicitPath` must exist; otherwise ./nhi.config.yaml is used when present.
 * Every rule's options are validated against its schema, unknown rule ids and keys are errors.
 */
export function loadConfig(explicitPath: string | undefined, rules: readonly Rule<any>[], cwd = process.cwd()): NhiConfig {
  const file = explicitPath ? path.resolve(cwd, explicitPath) : path.resolve(cwd, DEFAULT_CONFIG_FILE);
  const shown = explicitPath ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) {
    if (explicitPath) {
      throw new NhiError('CONFIG', `${shown}: no such file`, { suggestion: 'check the --config path' });
    }
    return { rules: {}, ignore: [] };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NhiError('CONFIG', `${shown}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseConfig(text, shown, rules, path.dirname(file));
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
  const raw = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new NhiError('CONFIG', zodMessage(shown, parsed.error), { suggestion: 'see docs/configuration.md for the keys' });
  }
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const ruleSettings: Record<string, RuleSettings> = {};
  for (const [id, value] of Object.entries(parsed.data.rules ?? {})) {
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
  return {
    file: shown,
    store: parsed.data.store ? path.resolve(baseDir, parsed.data.store) : undefined,
    failOn: parsed.data.failOn,
    concurrency: parsed.data.concurrency,
    rules: ruleSettings,
    ignore: parsed.data.ignore ?? [],
  };
}
