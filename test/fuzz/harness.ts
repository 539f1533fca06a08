/**
 * One fuzz case, in process: connector jobs -> runScan (the engine with every rule) -> every renderer, with the JSON
 * report validated against its schema and the SARIF log against the OASIS 2.1.0 schema. Failures are sorted by where
 * they come from: the scan (connectors, engine: an exception other than NhiError would be exit 4 from the CLI) or a
 * renderer (reports/, owned elsewhere).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { render, type ReportFormat } from '../../reports/index.js';
import { runScan, type ConnectorJob } from '../../src/engine/engine.js';
import { RULES } from '../../src/rules/index.js';
import { NhiError } from '../../src/util/errors.js';

const jsonSchema = JSON.parse(readFileSync(new URL('../../reports/json/report-v1.schema.json', import.meta.url), 'utf8')) as object;
const sarifSchema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const validateJson = new Ajv({ allErrors: false }).compile(jsonSchema);
// ajv-draft-04 is CommonJS: its class is the module and also its `default` export
const validateSarif = new AjvDraft04.default({ strict: false, allErrors: false, validateFormats: false }).compile(sarifSchema);

export const NOW = new Date('2026-11-01T06:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const FORMATS: ReportFormat[] = ['terminal', 'json', 'sarif', 'markdown'];

/** What JavaScript runtime errors say; never what a note about an input should say. */
const JS_ERROR = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not an object|Cannot convert|Maximum call stack|Invalid time value|Invalid array length|Invalid string length|Unexpected token|in JSON at position|RangeError|TypeError|ReferenceError|SyntaxError/;

export interface CaseOutcome {
  /** the scan ended with a usage error (NhiError): what the CLI reports as exit 2 */
  usageError?: string;
  /** the scan threw something else: exit 4 from the CLI, always a bug */
  scanFailure?: string;
  /** a renderer threw or produced a document its schema rejects (format: first problem) */
  renderFailures: Array<{ format: ReportFormat; problem: string }>;
  incomplete?: boolean;
  records?: number;
}

function firstLine(err: unknown): string {
  const e = err as { name?: string; message?: string; stack?: string };
  const where = (e?.stack ?? '').split('\n').find((l) => /^\s+at /.test(l))?.trim() ?? '';
  return `${e?.name ?? 'Error'}: ${String(e?.message ?? err).split('\n')[0].slice(0, 200)} ${where}`;
}

export async function runCase(jobs: ConnectorJob[]): Promise<CaseOutcome> {
  let result: Awaited<ReturnType<typeof runScan>>;
  try {
    // the deadline keeps a case that would hang from stalling the whole suite (it then fails as a timeout note)
    result = await runScan({ jobs, now: NOW, rules: RULES, log: silent, deadlineMs: 20_000 });
  } catch (err) {
    if (err instanceof NhiError && err.code !== 'INTERNAL') return { usageError: err.message, renderFailures: [] };
    return { scanFailure: firstLine(err), renderFailures: [] };
  }
  const outcome: CaseOutcome = { renderFailures: [], incomplete: result.incomplete, records: result.connectors.reduce((n, c) => n + c.records, 0) };
  if (result.coverage.some((c) => c.reason === 'timeout')) outcome.scanFailure = 'the scan hit the 20 s fuzz deadline';
  // a connector that threw a JavaScript error: the engine keeps going, but the report would show the error text as
  // if it were a finding about the input ("AWS IAM scan stopped: Cannot read properties of null")
  const crashed = result.coverage.find((c) => / scan stopped: /.test(c.message) && JS_ERROR.test(c.message));
  if (crashed) outcome.scanFailure = `a connector threw: ${crashed.message.slice(0, 200)}`;
  for (const format of FORMATS) {
    let text: string;
    try {
      text = render(format, result, { verbose: format === 'terminal' });
    } catch (err) {
      outcome.renderFailures.push({ format, problem: firstLine(err) });
      continue;
    }
    if (format === 'json' || format === 'sarif') {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        outcome.renderFailures.push({ format, problem: `not JSON: ${firstLine(err)}` });
        continue;
      }
      const validate = format === 'json' ? validateJson : validateSarif;
      if (!validate(doc)) {
        const e = validate.errors?.[0];
        outcome.renderFailures.push({ format, problem: `schema: ${e?.instancePath ?? ''} ${e?.message ?? ''}`.slice(0, 300) });
      }
    }
  }
  return outcome;
}

export { validateJson, validateSarif };
