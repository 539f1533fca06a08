/**
 * Checks shared by the renderer tests: the JSON report schema, the OASIS SARIF 2.1.0 schema with its `date-time`,
 * `uri` and `uri-reference` formats really checked, the rules GitHub code scanning adds to the schema, and what must
 * never survive the Markdown escaping.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { MAX_SARIF_RESULTS } from '../../reports/sarif/index.js';

const jsonSchema = JSON.parse(readFileSync(new URL('../../reports/json/report-v1.schema.json', import.meta.url), 'utf8')) as object;
export const validateJson = new Ajv({ allErrors: true }).compile(jsonSchema);

/** RFC 3339 date-time (what SARIF's `format: date-time` means). */
export function isDateTime(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && Number.isFinite(Date.parse(s));
}

const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
const URI_REFERENCE = new RegExp(`^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:${PCHAR}|/)*(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`);

/** RFC 3986 URI-reference; a colon before the first `/` makes the first part a scheme, which must then be valid. */
export function isUriReference(s: string): boolean {
  if (!URI_REFERENCE.test(s)) return false;
  const firstSegment = s.split(/[/?#]/)[0];
  return !firstSegment.includes(':') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
}

export function isUri(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && isUriReference(s);
}

// ajv-draft-04 is CommonJS: its class is the module and also its `default` export
export const validateSarif = new AjvDraft04.default({
  strict: false,
  allErrors: true,
  formats: { 'date-time': isDateTime, uri: isUri, 'uri-reference': isUriReference },
}).compile(JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object);

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Record<string, unknown> } }>;
  partialFingerprints: Record<string, unknown>;
  baselineState?: string;
  suppressions?: Array<{ kind: string; justification?: string }>;
}
export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  properties: { tags: unknown[]; 'security-severity': unknown };
}

/** What GitHub code scanning requires beyond the schema (docs/sarif.md). */
export interface SarifLogShape {
  runs: Array<{ tool: { driver: { rules: SarifRule[] } }; results: SarifResult[] }>;
}

export function githubProblems(log: SarifLogShape): string[] {
  const problems: string[] = [];
  if (log.runs.length > 20) problems.push('more than 20 runs');
  for (const run of log.runs) {
    const rules = run.tool.driver.rules;
    if (run.results.length > MAX_SARIF_RESULTS) problems.push('more than 25,000 results');
    if (rules.length > 25_000) problems.push('more than 25,000 rules');
    if (new Set(rules.map((r) => r.id)).size !== rules.length) problems.push('duplicate rule ids');
    for (const r of rules) {
      if (!r.id) problems.push('empty rule id');
      if (!r.shortDescription.text.trim() || !r.fullDescription.text.trim() || !r.help.text.trim()) problems.push(`rule ${r.id}: empty description`);
      if (r.fullDescription.text.length > 1000) problems.push(`rule ${r.id}: fullDescription over 1,000 characters`);
      if (r.properties.tags.length > 20 || r.properties.tags.some((t) => typeof t !== 'string')) problems.push(`rule ${r.id}: tags`);
      const sev = r.properties['security-severity'];
      if (typeof sev !== 'string' || !/^\d+(\.\d+)?$/.test(sev) || Number(sev) > 10) problems.push(`rule ${r.id}: security-severity ${String(sev)}`);
    }
    for (const res of run.results) {
      if (rules[res.ruleIndex]?.id !== res.ruleId) problems.push(`result ${res.ruleId}: ruleIndex ${res.ruleIndex} points elsewhere`);
      if (!res.message.text.trim()) problems.push('empty message text');
      if (res.locations.length !== 1) problems.push('not exactly one location');
      const { artifactLocation, region } = res.locations[0].physicalLocation;
      // stricter than a URI reference: no scheme, no query or fragment, no authority
      if (!/^(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})+$/.test(artifactLocation.uri) || artifactLocation.uri.startsWith('//')) {
        problems.push(`artifact uri ${JSON.stringify(artifactLocation.uri)}`);
      }
      for (const [k, v] of Object.entries(region)) if (!Number.isSafeInteger(v) || (v as number) < 1) problems.push(`region.${k} = ${String(v)}`);
      for (const v of Object.values(res.partialFingerprints)) if (typeof v !== 'string' || v === '') problems.push('partialFingerprints value');
      if (typeof res.partialFingerprints.primaryLocationLineHash !== 'string') problems.push('no primaryLocationLineHash');
    }
  }
  return problems;
}

/** Lines our Markdown may start with; anything else at the start of a line came from the estate. */
const MD_LINE = [
  /^$/,
  /^## \S.* report$/,
  /^### (Findings|Top \d+ findings|Coverage|OWASP NHI Top 10 \(2025\)|Changes since (snapshot \d+|the previous scan))$/,
  /^\*\*Scanned:\*\* /,
  /^\*\*\d+ findings?\*\* across /,
  /^\*\*\d+ new\*\* of \d+ against baseline /,
  /^Configuration /,
  /^\d+ findings? suppressed by the configuration\.$/,
  /^> \*\*Scan incomplete:\*\* /,
  /^\| /,
  /^\|---/,
  /^- (new: \*\*|\*\*missing\*\*: |note: |and \d+ more|covered \(\d+ of 10\): |not covered: )/,
  /^_and \d+ more: /,
  /^---$/,
  /^<sub>Generated by /,
];

/** What must never survive escaping (see HOSTILE in random-results.ts). */
export function markdownProblems(md: string): string[] {
  const problems: string[] = [];
  const lines = md.split('\n');
  for (const line of lines) if (!MD_LINE.some((re) => re.test(line))) problems.push(`unexpected line: ${JSON.stringify(line.slice(0, 120))}`);
  const checks: Array<[RegExp, string]> = [
    [/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/, 'control, separator or bidi character'],
    [/(^|[^\\])!?\[EVIL/, 'link or image'],
    [/<(?!\/?sub>)/, 'raw <'],
    [/(^|[^\\])`+EVIL/, 'code span or fence'],
    [/(^|[^\\])[*_~$]+EVIL/, 'emphasis, strikethrough or math'],
    [/https?:\/\//, 'URL autolink'],
    [/www\.evil/i, 'www autolink'],
    [/@(EVIL|acme)/, 'mention or e-mail link'],
    [/(?<!&)#\d/, 'issue reference'],
  ];
  for (const [re, what] of checks) if (re.test(md)) problems.push(what);
  // table rows keep their column count: the escaped pipes from the estate do not split cells
  let columns = 0;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      columns = 0;
      continue;
    }
    const n = line.split(/(?<!\\)\|/).length;
    if (columns === 0) columns = n;
    else if (n !== columns) problems.push(`table row with ${n - 2} cells instead of ${columns - 2}: ${line.slice(0, 120)}`);
  }
  return problems;
}
