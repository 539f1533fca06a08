import type { z } from 'zod';
import type { IdentityGraph } from '../graph/graph.js';
import type { Confidence, Finding, Severity } from '../model/types.js';
import type { OwaspNhi } from './owasp.js';

export type RuleCategory = 'credential-hygiene' | 'usage' | 'ownership' | 'privilege' | 'trust' | 'ci' | (string & {});

export interface RuleMeta {
  /** kebab-case, equals the file name and the docs/rules/<id>.md file */
  id: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  category: RuleCategory;
  /** platforms it applies to (for `nhi rules`), `*` for neutral rules */
  platforms: string[];
  /**
   * a CI rule that reads repository or organisation settings only the platform's API gives (default permissions,
   * visibility, runners): workflow files alone do not let it run, so a files-only scan does not count it as coverage
   */
  needsApi?: boolean;
  /** the OWASP Non-Human Identities Top 10 (2025) risks it detects: non-empty, unique, NHI1..NHI10 order */
  owasp: OwaspNhi[];
  /** one sentence: what it catches */
  description: string;
  /** why it matters */
  risk: string;
  remediation: { text: string; cli?: string; terraform?: string };
  /** options with defaults; configured under `rules.<id>` in nhi.config.yaml */
  options: z.ZodObject<z.ZodRawShape>;
}

export interface RuleContext<O> {
  options: O;
  /** evaluation time: rules never call Date.now() */
  now: Date;
}

/** A finding before the runner adds the fingerprint and applies severity overrides. */
export type DraftFinding = Omit<Finding, 'fingerprint' | 'severity' | 'confidence' | 'ruleId'> &
  Partial<Pick<Finding, 'severity' | 'confidence'>>;

export interface Rule<O = Record<string, unknown>> {
  meta: RuleMeta;
  /** pure: no I/O, no clock, no randomness */
  check(graph: IdentityGraph, ctx: RuleContext<O>): DraftFinding[];
}
