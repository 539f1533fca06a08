/**
 * Who can make a job run on a trigger anyone can start, read from its `if:` (as `&&` / `||` with parentheses, quotes
 * respected): only branches of the repository itself, a trusted or named author, a merged pull request, a named or
 * trusted actor, the label just added; or the job runs on other events only. Expressions are not evaluated: a test
 * the patterns do not know is no gate, and a negated test admits everyone it does not name.
 */
/** Triggers anyone who can open a pull request, an issue or a comment starts (with secrets and a token that may write). */
export const UNTRUSTED_EVENTS: ReadonlySet<string> = new Set(['pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment', 'pull_request_review_comment']);
const UNTRUSTED_TRIGGERS = UNTRUSTED_EVENTS;

export type GateKind = 'same-repository' | 'author' | 'merged' | 'actor' | 'label';
/** How much a gate keeps strangers out: the weakest alternative of a condition decides. */
export const GATE_STRENGTH: Record<GateKind, number> = { 'same-repository': 3, author: 2, merged: 2, actor: 1, label: 1 };

const EXPR_WRAPPER = /^\s*\$\{\{([\s\S]*)\}\}\s*$/;
const EVENT_EQ = /github\.event_name\s*==\s*'([^']+)'|'([^']+)'\s*==\s*github\.event_name/gi;
const EVENT_NE = /github\.event_name\s*!=\s*'([^']+)'|'([^']+)'\s*!=\s*github\.event_name/gi;
/** `!`, `!(` before a test: the negation admits everyone the test names not. */
const NOT = String.raw`(?<!!\s*\(?\s*)`;
/** Only branches of the base repository (their authors can push, and could read the secrets anyway). */
const SAME_REPO = [
  /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository(?![\w.])/i,
  /github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name/i,
  /github\.event\.workflow_run\.head_repository\.full_name\s*==\s*github\.repository(?![\w.])/i,
  /github\.repository\s*==\s*github\.event\.workflow_run\.head_repository\.full_name/i,
  /head\.repo\.owner\.login\s*==\s*github\.repository_owner/i,
  /\.head\.repo\.fork\s*==\s*false|head_repository\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork\b/i,
  /github\.event\.workflow_run\.event\s*==\s*'(?:push|schedule|workflow_dispatch|release|merge_group)'/i,
];
/** The pull request's (or issue's) author must be named or trusted: the code and text are theirs. */
const AUTHOR = [
  /github\.event\.(?:pull_request|issue)\.(?:user\.login|author_association)\s*==/i,
  /==\s*github\.event\.(?:pull_request|issue)\.(?:user\.login|author_association)\b/i,
  new RegExp(`${NOT}contains\\(\\s*(?:fromjson\\(\\s*)?(?:'[^']*'|"[^"]*")\\s*\\)?\\s*,\\s*github\\.event\\.(?:pull_request|issue)\\.(?:user\\.login|author_association)\\b`, 'i'),
];
/** A positive test of who acts: an author association or login that must equal (or be in) a list. `!=` admits everyone else. */
const ACTOR_POSITIVE = [
  /(?:author_association|github\.(?:triggering_)?actor|\.user\.login|sender\.login|actor\.login)\s*==/i,
  /==\s*github\.(?:triggering_)?actor\b|==\s*github\.event\.[\w.]*(?:author_association|\.login)\b/i,
  new RegExp(`${NOT}contains\\(\\s*(?:fromjson\\(\\s*)?(?:'[^']*'|"[^"]*")\\s*\\)?\\s*,\\s*github\\.(?:event\\.[\\w.]*?(?:author_association|login)|(?:triggering_)?actor)\\b`, 'i'),
];
/**
 * The label just added (a `labeled` event): only people with triage access add labels. A label already on the pull
 * request or issue (`contains(...labels.*.name, x)`) is no gate: it stays through the author's next push or comment.
 */
const LABEL_GATE = /github\.event\.label\.name\s*==|==\s*github\.event\.label\.name\b|(?<!!\s*\(?\s*)contains\(\s*github\.event\.label\.name\b/i;
/** The pull request was merged: its code is the base repository's now. */
const MERGED_GATE = /(?<![!\w.])github\.event\.pull_request\.merged(?!\s*(?:==\s*false|!=))/i;
/** Jobs of a tag push only: on the untrusted triggers github.ref is a branch, so the job does not run. */
const TAGS_ONLY = /startsWith\(\s*github\.ref\s*,\s*'refs\/tags\/?'\s*\)|github\.ref_type\s*==\s*'tag'/i;

const exprOf = (cond: string) => EXPR_WRAPPER.exec(cond)?.[1] ?? cond;
const namesIn = (re: RegExp, text: string) => new Set([...text.matchAll(re)].map((m) => (m[1] ?? m[2]).toLowerCase()));

/** The untrusted triggers a job's `if:` still lets it run on (event-name tests, tag-only jobs). */
export function jobTriggers(untrusted: string[], cond: string | undefined): string[] {
  if (!cond) return untrusted;
  const c = exprOf(cond);
  const eq = namesIn(EVENT_EQ, c);
  const parts = c.split('||');
  if (parts.length === 1) {
    if (TAGS_ONLY.test(c)) return [];
    const ne = namesIn(EVENT_NE, c);
    return untrusted.filter((t) => (eq.size === 0 || eq.has(t)) && !ne.has(t));
  }
  // every alternative names the event it runs on: the job runs on those only
  if (parts.every((p) => namesIn(EVENT_EQ, p).size > 0)) return untrusted.filter((t) => eq.has(t));
  return untrusted;
}

/** Split an expression at `&&` or `||` outside parentheses and quotes. */
function splitTop(expr: string, op: '&&' | '||'): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && expr.startsWith(op, i)) {
      out.push(expr.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(expr.slice(start));
  return out.map((x) => x.trim()).filter(Boolean);
}

/** `(a && b)` → `a && b`, when the outer parentheses enclose the whole expression. */
function unwrap(expr: string): string {
  let e = expr.trim();
  while (e.startsWith('(') && e.endsWith(')')) {
    let depth = 0;
    let whole = true;
    for (let i = 0; i < e.length - 1; i++) {
      if (e[i] === '(') depth++;
      else if (e[i] === ')') depth--;
      if (depth === 0) {
        whole = false;
        break;
      }
    }
    if (!whole) break;
    e = e.slice(1, -1).trim();
  }
  return e;
}

export type GateResult = GateKind | 'other-event' | undefined;

function gateIn(expr: string, depth: number): GateResult {
  if (depth > 20) return undefined;
  const e = unwrap(expr);
  const alts = splitTop(e, '||');
  if (alts.length > 1) {
    // every alternative must be gated (or be another event); the weakest decides
    let weakest: GateKind | undefined;
    for (const a of alts) {
      const g = gateIn(a, depth + 1);
      if (g === 'other-event') continue;
      if (!g) return undefined;
      if (!weakest || GATE_STRENGTH[g] < GATE_STRENGTH[weakest]) weakest = g;
    }
    return weakest ?? 'other-event';
  }
  const conj = splitTop(e, '&&');
  if (conj.length > 1) {
    // every conjunct must hold: the strongest gate among them decides
    let strongest: GateKind | undefined;
    for (const c of conj) {
      const g = gateIn(c, depth + 1);
      if (g === 'other-event') return 'other-event';
      if (g && (!strongest || GATE_STRENGTH[g] > GATE_STRENGTH[strongest])) strongest = g;
    }
    return strongest;
  }
  if (SAME_REPO.some((re) => re.test(e))) return 'same-repository';
  if (e.startsWith('!')) return undefined; // a negated test admits everyone it does not name
  const eq = namesIn(EVENT_EQ, e);
  if (eq.size > 0 && [...eq].every((x) => !UNTRUSTED_TRIGGERS.has(x))) return 'other-event';
  if (TAGS_ONLY.test(e)) return 'other-event';
  if (AUTHOR.some((re) => re.test(e))) return 'author';
  if (MERGED_GATE.test(e)) return 'merged';
  if (ACTOR_POSITIVE.some((re) => re.test(e))) return 'actor';
  if (LABEL_GATE.test(e)) return 'label';
  return undefined;
}

/**
 * Who can make the job run on an untrusted trigger, from its `if:` (read as `&&` / `||` with parentheses): every
 * alternative must carry a gate or run on another event only; within one, the strongest conjunct decides.
 * `other-event` when the job does not run on an untrusted trigger at all.
 */
export function gateOf(cond: string | undefined): GateResult {
  if (!cond) return undefined;
  return gateIn(exprOf(cond), 0);
}


/**
 * Some alternative of the condition carries a gate. For the jobs a job needs: a job that waits for a dispatcher
 * usually runs for one branch of the dispatcher's condition (chosen through its outputs, which the scan does not
 * evaluate), so a gate on any branch counts there.
 */
export function gateInSomeBranch(cond: string | undefined): GateKind | undefined {
  if (!cond) return undefined;
  const whole = gateOf(cond);
  if (whole && whole !== 'other-event') return whole;
  for (const alt of splitTop(unwrap(exprOf(cond)), '||')) {
    const g = gateIn(alt, 1);
    if (g && g !== 'other-event') return g;
  }
  return undefined;
}

/**
 * Activity types only people with triage or write access cause (a label, an assignee, a milestone, a transfer, a pin,
 * a lock): a trigger limited to them is not one anyone can start, though the text of the issue or pull request is
 * still whoever wrote it.
 */
const TRIAGER_ACTIONS = new Set(['labeled', 'unlabeled', 'assigned', 'unassigned', 'milestoned', 'demilestoned', 'transferred', 'pinned', 'unpinned', 'locked', 'unlocked', 'review_requested', 'review_request_removed', 'auto_merge_enabled', 'auto_merge_disabled', 'enqueued', 'dequeued', 'category_changed', 'answered', 'unanswered']);

/** The untrusted triggers of a workflow that only triagers start (their `types:` are all triager actions). */
export function triagerOnlyTriggers(triggers: readonly string[], types: Record<string, string[]> | undefined): string[] {
  return triggers.filter((t) => UNTRUSTED_EVENTS.has(t) && t !== 'workflow_run' && (types?.[t]?.length ?? 0) > 0 && types![t].every((x) => TRIAGER_ACTIONS.has(x)));
}
