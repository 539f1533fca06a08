/**
 * The OWASP Non-Human Identities Top 10 (2025): the ten risk ids every rule maps to (RuleMeta.owasp), and which of them
 * a scan covered. Source: the OWASP project's `2025/docs/top-10-2025.md`.
 */

export const OWASP_NHI_IDS = ['NHI1', 'NHI2', 'NHI3', 'NHI4', 'NHI5', 'NHI6', 'NHI7', 'NHI8', 'NHI9', 'NHI10'] as const;
export type OwaspNhi = (typeof OWASP_NHI_IDS)[number];

export const OWASP_NHI_NAMES: Readonly<Record<OwaspNhi, string>> = {
  NHI1: 'Improper Offboarding',
  NHI2: 'Secret Leakage',
  NHI3: 'Vulnerable Third-Party NHI',
  NHI4: 'Insecure Authentication',
  NHI5: 'Overprivileged NHI',
  NHI6: 'Insecure Cloud Deployment Configurations',
  NHI7: 'Long-Lived Secrets',
  NHI8: 'Environment Isolation',
  NHI9: 'NHI Reuse',
  NHI10: 'Human Use of NHI',
};

export function isOwaspNhi(v: unknown): v is OwaspNhi {
  return typeof v === 'string' && (OWASP_NHI_IDS as readonly string[]).includes(v);
}

/** Valid ids only, deduplicated, in NHI1..NHI10 order. */
export function owaspIds(v: unknown): OwaspNhi[] {
  const given = new Set(Array.isArray(v) ? v.filter(isOwaspNhi) : []);
  return OWASP_NHI_IDS.filter((id) => given.has(id));
}

/** `NHI7 Long-Lived Secrets` */
export function owaspLabel(id: OwaspNhi): string {
  return `${id} ${OWASP_NHI_NAMES[id]}`;
}

/** Connector ids that stand for the platform name rules use. */
const PLATFORM_ALIASES: Readonly<Record<string, readonly string[]>> = {
  kubernetes: ['k8s'],
  // the Entra connector also reads Azure RBAC role assignments
  entra: ['azure'],
};

/**
 * The workflow-file connector: it reads GitHub Actions workflows and GitLab pipelines, not the platforms' identities,
 * so it stands for `github` / `gitlab` only for the rules of category `ci` (the ones that analyse workflows).
 */
export const WORKFLOW_FILES = 'workflows';
const WORKFLOW_PLATFORMS = new Set(['github', 'gitlab']);

/** The platforms a set of connector ids / target platforms stands for (aliases expanded). */
export function expandPlatforms(platforms: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of platforms) {
    out.add(p);
    for (const a of PLATFORM_ALIASES[p] ?? []) out.add(a);
  }
  return out;
}

export interface OwaspRiskCoverage {
  id: OwaspNhi;
  name: string;
  /** some enabled rule maps to the risk and a platform it applies to was scanned */
  covered: boolean;
  /** enabled rules that map to the risk and could run on what was scanned (sorted) */
  rules: string[];
  /** when not covered: `no-rule` (no enabled rule maps to it) or `not-scanned` (its rules need a platform not scanned) */
  reason?: 'no-rule' | 'not-scanned';
  /** when not-scanned: the platforms that would cover it (sorted) */
  platforms?: string[];
}

interface RuleOwasp {
  id: string;
  category?: string;
  platforms: readonly string[];
  owasp?: readonly string[];
  needsApi?: boolean;
}

/**
 * Whether a rule could run on what was scanned: one of its platforms was read (a platform-neutral `*` rule needs some
 * identity source: workflow files alone hold no identities); workflow files count for the `ci` rules of GitHub / GitLab.
 */
function applies(r: RuleOwasp, scanned: ReadonlySet<string>): boolean {
  return r.platforms.some((p) => {
    if (p === '*') return [...scanned].some((s) => s !== WORKFLOW_FILES);
    if (scanned.has(p)) return true;
    // a CI rule runs on workflow files alone, unless it reads settings only the platform's API gives
    return r.category === 'ci' && r.needsApi !== true && WORKFLOW_PLATFORMS.has(p) && scanned.has(WORKFLOW_FILES);
  });
}

/**
 * Which of the ten risks the scan covered: a risk is covered when an enabled rule maps to it and could run on what
 * was scanned (see `applies`). `scanned` holds platform names as rules spell them (see expandPlatforms), plus
 * `workflows` for workflow files. Pure; one entry per risk, NHI1..NHI10.
 */
export function owaspCoverage(rules: readonly RuleOwasp[], scanned: ReadonlySet<string>): OwaspRiskCoverage[] {
  return OWASP_NHI_IDS.map((id) => {
    const mapped = rules.filter((r) => owaspIds(r.owasp).includes(id));
    const runs = mapped.filter((r) => applies(r, scanned));
    const base = { id, name: OWASP_NHI_NAMES[id] };
    if (runs.length > 0) return { ...base, covered: true, rules: runs.map((r) => r.id).sort() };
    if (mapped.length === 0) return { ...base, covered: false, rules: [], reason: 'no-rule' as const };
    const platforms = [...new Set(mapped.flatMap((r) => r.platforms.filter((p) => p !== '*')))].sort();
    return { ...base, covered: false, rules: [], reason: 'not-scanned' as const, platforms };
  });
}

/** `NHI1, NHI2, NHI4-NHI7, NHI10`: ids in order, three or more in a row as a range (compact, for a terminal line). */
export function owaspRanges(ids: readonly OwaspNhi[]): string {
  const nums = owaspIds(ids).map((id) => Number(id.slice(3)));
  const parts: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    if (j - i >= 2) parts.push(`NHI${nums[i]}-NHI${nums[j]}`);
    else for (let k = i; k <= j; k++) parts.push(`NHI${nums[k]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * The coverage of the ten risks in two short lines: `covered` (`8 of 10: NHI1, NHI2, NHI4-NHI7, NHI9, NHI10`) and,
 * when some are not, `notCovered` (`NHI3, NHI8 (no source scanned for their rules); NHI9 (no rule enabled)`).
 */
export function owaspCoverageText(coverage: readonly OwaspRiskCoverage[]): { covered: string; notCovered?: string } {
  const covered = coverage.filter((c) => c.covered).map((c) => c.id);
  const out: { covered: string; notCovered?: string } = {
    covered: `${covered.length} of ${coverage.length}${covered.length ? `: ${owaspRanges(covered)}` : ''}`,
  };
  const unscanned = coverage.filter((c) => c.reason === 'not-scanned').map((c) => c.id);
  const noRule = coverage.filter((c) => c.reason === 'no-rule').map((c) => c.id);
  const parts: string[] = [];
  if (unscanned.length) parts.push(`${owaspRanges(unscanned)} (no source scanned for their rules)`);
  if (noRule.length) parts.push(`${owaspRanges(noRule)} (no rule enabled)`);
  if (parts.length) out.notCovered = parts.join('; ');
  return out;
}
