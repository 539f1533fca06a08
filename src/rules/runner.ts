import { createHash } from 'node:crypto';
import type { IdentityGraph } from '../graph/graph.js';
import type { Finding, Severity } from '../model/types.js';
import { SEVERITY_RANK } from '../model/types.js';
import type { Rule } from './types.js';

export interface RuleSettings {
  enabled?: boolean;
  severity?: Severity;
  options?: Record<string, unknown>;
}

export interface RunRulesOptions {
  now: Date;
  /** per rule id */
  settings?: Record<string, RuleSettings>;
}

/** Stable across scans of the same estate: rule + subject + discriminator, nothing time-dependent. */
export function fingerprint(ruleId: string, nodeId: string, discriminator?: string): string {
  return createHash('sha256')
    .update(`${ruleId}\u0000${nodeId}\u0000${discriminator ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

/** Parse a rule's options with its zod schema (defaults filled in). Throws ZodError on bad options. */
export function ruleOptions<O>(rule: Rule<O>, raw: Record<string, unknown> | undefined): O {
  return rule.meta.options.parse(raw ?? {}) as O;
}

/**
 * Run rules over a graph. Pure: same graph + same `now` + same settings = same findings, in a stable order
 * (severity, rule, subject, discriminator).
 */
export function runRules(graph: IdentityGraph, rules: readonly Rule<any>[], opts: RunRulesOptions): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const s = opts.settings?.[rule.meta.id];
    if (s?.enabled === false) continue;
    const options = ruleOptions(rule, s?.options);
    for (const d of rule.check(graph, { options, now: opts.now })) {
      findings.push({
        ...d,
        ruleId: rule.meta.id,
        severity: s?.severity ?? d.severity ?? rule.meta.severity,
        confidence: d.confidence ?? rule.meta.confidence,
        fingerprint: fingerprint(rule.meta.id, d.nodeId, d.discriminator),
      });
    }
  }
  return sortFindings(findings);
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.nodeId.localeCompare(b.nodeId) ||
      (a.discriminator ?? '').localeCompare(b.discriminator ?? ''),
  );
}
