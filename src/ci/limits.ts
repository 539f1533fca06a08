/**
 * Bounds for CI definition files (GitHub Actions workflows, .gitlab-ci.yml), whoever fetched them: a local checkout,
 * the GitHub contents API, the GitLab repository files API.
 *
 * - 1 MiB of text: GitLab refuses a CI file over 1 MB (`max_yaml_size_bytes`), GitHub serves file contents through
 *   its contents API up to 1 MB, and real workflows are a few KiB. A bigger file is reported, not parsed, so a
 *   120 MB "workflow" costs a stat, not gigabytes.
 * - 100 levels of nesting: GitLab's own `max_yaml_depth`; no workflow comes close. Deeper documents are reported
 *   instead of walked, so no recursion can exhaust the stack.
 */
import { isMap, isPair, isSeq, type Document } from 'yaml';

export const MAX_CI_FILE_CHARS = 1024 * 1024;
export const MAX_CI_DEPTH = 100;

/**
 * Flow brackets open at once beyond which a file is not parsed at all: the YAML parser spends seconds on such input
 * before its composer runs out of stack (near 1,000 levels). Counted naively (brackets inside strings count too):
 * no real CI file has a thousand unclosed `[` or `{`.
 */
const MAX_OPEN_BRACKETS = 1000;

/** The reason a CI file is too large (or too deeply bracketed) to analyse, or undefined. */
export function tooLarge(text: string): string | undefined {
  if (text.length > MAX_CI_FILE_CHARS) return `is ${(text.length / (1024 * 1024)).toFixed(1)} MiB, more than the 1 MiB a CI file may be`;
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++open > MAX_OPEN_BRACKETS) return `nests deeper than ${MAX_CI_DEPTH} levels`;
    } else if ((c === 0x5d || c === 0x7d) && open > 0) open--;
  }
  return undefined;
}

/** Whether the document nests deeper than MAX_CI_DEPTH (checked without recursion). */
export function tooDeep(doc: Pick<Document, 'contents'>): boolean {
  const stack: Array<[unknown, number]> = [[doc.contents, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (isMap(n) || isSeq(n)) {
      if (d > MAX_CI_DEPTH) return true;
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, d + 1], [item.value, d + 1]);
        } else stack.push([item, d + 1]);
      }
    }
  }
  return false;
}

/** A parser message made fit for a report: the parser's own stack exhaustion is reported as nesting. */
export function parserMessage(message: string): string {
  const first = message.split('\n')[0].trim();
  return /call stack|too much recursion/i.test(first) ? `nests deeper than ${MAX_CI_DEPTH} levels` : first;
}

export const TOO_DEEP = `nests deeper than ${MAX_CI_DEPTH} levels`;
