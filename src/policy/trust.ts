/**
 * Helpers over role trust policies and the CAN_ASSUME edges built from them (`attributes.conditions` is the
 * statement's Condition block). Condition keys compare case-insensitively, as IAM does; operators keep their case.
 */
import type { IdentityEdge, IdentityNode } from '../model/types.js';
import type { Conditions } from './document.js';
import { globRegExp } from './document.js';

/** A Condition block as normalised by parsePolicy, or raw (scalar or array values) as found on CAN_ASSUME edges. */
export type ConditionsLike = Conditions | Record<string, Record<string, unknown>> | undefined;

export interface ConditionEntry {
  operator: string;
  key: string;
  values: string[];
}

/** Read `attributes.conditions` of a CAN_ASSUME edge (or any Condition-shaped value) into normalised form. */
export function edgeConditions(edge: Pick<IdentityEdge, 'attributes'>): Conditions | undefined {
  return toConditions(edge.attributes?.conditions);
}

export function toConditions(raw: unknown): Conditions | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Conditions = {};
  for (const [op, block] of Object.entries(raw as Record<string, unknown>)) {
    if (!block || typeof block !== 'object' || Array.isArray(block)) continue;
    const keys: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(block as Record<string, unknown>)) {
      const arr = Array.isArray(v) ? v : [v];
      keys[k] = arr.filter((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean').map(String);
    }
    out[op] = keys;
  }
  return out;
}

/** Every (operator, key, values) triple of a Condition block. */
export function conditionEntries(conds: ConditionsLike): ConditionEntry[] {
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(toConditions(conds) ?? {})) {
    for (const [key, values] of Object.entries(block)) out.push({ operator, key, values });
  }
  return out;
}

/** Entries for one condition key (case-insensitive), across every operator. */
export function conditionsFor(conds: ConditionsLike, key: string): ConditionEntry[] {
  const k = key.toLowerCase();
  return conditionEntries(conds).filter((e) => e.key.toLowerCase() === k);
}

export function hasCondition(conds: ConditionsLike, key: string): boolean {
  return conditionsFor(conds, key).length > 0;
}

/**
 * Values required for a key by positive operators (StringEquals, StringLike, ArnLike, ForAnyValue:StringLike, ...).
 * Negated operators (`...Not...`) and `Null` are left out: they exclude values rather than require them.
 */
export function conditionValues(conds: ConditionsLike, key: string): string[] {
  const out: string[] = [];
  for (const e of conditionsFor(conds, key)) if (isPositiveOperator(e.operator)) out.push(...e.values);
  return out;
}

/** An operator that requires the key to match its values (not negated, not Null). IfExists variants included. */
export function isPositiveOperator(operator: string): boolean {
  const base = operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
  return !/not/i.test(base) && !/^null$/i.test(base);
}

/** Condition keys that pin down who may call: the caller's org, account or ARN, or the calling service's source. */
export const RESTRICTING_KEYS: readonly string[] = [
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
  'sts:ExternalId',
];

const RESTRICTING_LOWER = new Set(RESTRICTING_KEYS.map((k) => k.toLowerCase()));

function isWildcardOnly(v: string): boolean {
  return /^[*?]*$/.test(v.trim()) || /^arn:aws:[^:]*:[^:]*:\*/.test(v) || /^arn:\*/.test(v);
}

/**
 * Conditions that restrict the caller: a restricting key under a positive operator (not `...IfExists`, which
 * passes when the key is absent, as it is for an anonymous caller), with at least one value that is not a bare
 * wildcard. `ForAllValues:` is not restricting either: it holds vacuously when the key is missing.
 */
export function restrictingConditions(conds: ConditionsLike): ConditionEntry[] {
  return conditionEntries(conds).filter(
    (e) =>
      RESTRICTING_LOWER.has(e.key.toLowerCase()) &&
      isPositiveOperator(e.operator) &&
      !/ifexists$/i.test(e.operator) &&
      !/^forallvalues:/i.test(e.operator) &&
      e.values.length > 0 &&
      e.values.every((v) => !isWildcardOnly(v)),
  );
}

export function restrictsCaller(conds: ConditionsLike): boolean {
  return restrictingConditions(conds).length > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub Actions OIDC

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The issuer (host[/path]) of an OIDC provider node or id, e.g. `token.actions.githubusercontent.com`. */
export function oidcIssuer(node: IdentityNode | undefined, nodeId: string): string {
  const url = node?.attributes?.url;
  if (typeof url === 'string' && url) return url.replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  const i = nodeId.indexOf('oidc-provider/');
  return i >= 0 ? nodeId.slice(i + 'oidc-provider/'.length).toLowerCase() : '';
}

/** An OIDC issuer as cloud trusts name it: no scheme, no trailing slash, lower case. */
export function normalizeIssuer(issuer: string): string {
  return issuer.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

/** GitHub's issuer, including enterprise-specific issuers (`token.actions.githubusercontent.com/<enterprise>`). */
export function isGitHubIssuer(issuer: string): boolean {
  const i = issuer.toLowerCase();
  return i === GITHUB_OIDC_HOST || i.startsWith(`${GITHUB_OIDC_HOST}/`);
}

export type SubScope = 'any' | 'org' | 'repo' | 'other';

/**
 * How wide a `sub` condition value is:
 * - `any`: any repository of any owner (a bare wildcard, `repo:` + wildcard, or a wildcard in the owner part)
 * - `org`: any repository of one owner (`repo:acme/` + wildcard)
 * - `repo`: one repository (any ref / environment / event is still `repo`)
 * - `other`: something else (custom claim layouts); not judged
 */
export function classifySub(value: string): SubScope {
  const v = value.trim();
  if (v === '' || /^[*?]+$/.test(v)) return 'any';
  const m = /^repo:([^/]*)(?:\/([^:]*))?(?::.*)?$/i.exec(v);
  if (!m) {
    // a wildcard before "repo:" is complete (e.g. "*:ref:...") matches any repository too
    if (/^[^:]*[*?]/.test(v) && !/^repo:/i.test(v)) return 'any';
    return 'other';
  }
  const owner = m[1];
  const repo = m[2];
  if (/[*?]/.test(owner)) return 'any';
  if (repo === undefined) return 'other';
  if (repo === '' || /[*?]/.test(repo)) return 'org';
  return 'repo';
}

/** Does a trust-policy `sub` pattern (StringLike glob) match a concrete subject such as `repo:acme/app:ref:refs/heads/main`? */
export function subMatches(pattern: string, subject: string): boolean {
  return globRegExp(pattern).test(subject);
}

/** Is a trust `sub` value accepted by one of the configured patterns (equal, or matched as a glob)? */
export function subAllowed(value: string, allowedPatterns: readonly string[]): boolean {
  return allowedPatterns.some((p) => p.toLowerCase() === value.toLowerCase() || globRegExp(p).test(value));
}
