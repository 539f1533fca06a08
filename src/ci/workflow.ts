/**
 * Pure analysis of one GitHub Actions workflow file: the workflow as a workload node with its triggers, token
 * permissions, jobs, secret references (names and positions only), and the cloud identities it authenticates as.
 * Used by the `workflows` connector (local checkout) and the `github` connector (files fetched through the API).
 * Never throws: a file that cannot be parsed becomes a node with `attributes.parseError`.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { entraAppRef, type GraphRecord, type IdentityEdge, type Provenance, type WorkloadNode } from '../model/types.js';
import { parserMessage, TOO_DEEP, tooDeep, tooLarge } from './limits.js';
import { gateOf } from './gates.js';

export interface SecretRef {
  /** upper-cased: GitHub secret names are case-insensitive */
  name: string;
  job?: string;
  line: number;
  column: number;
}

export type Permissions = 'read-all' | 'write-all' | Record<string, string>;

export interface JobInfo {
  id: string;
  line: number;
  permissions?: Permissions;
  permissionsLine?: number;
  environment?: string;
  runsOn?: string[];
  /** the job's token can request an OIDC token (id-token: write at job level, or inherited) */
  usesIdToken: boolean;
  /** reusable workflow reference (`owner/repo/.github/workflows/x.yml@ref` or `./.github/workflows/x.yml`) */
  uses?: string;
  secretsInherit: boolean;
  /**
   * How code or text from outside can reach the job's steps (on triggers anyone can start): a checkout of the pull
   * request's head, or a `run:` script that pastes attacker-controlled event fields (titles, bodies, branch names).
   */
  untrustedReach?: string[];
  /** the job's steps, in order (metadata only: names of secrets, never values) */
  steps?: StepInfo[];
  /** secrets passed in the job-level `env:` (every step's process sees them) */
  envSecrets?: string[];
  /** secrets a job-level `uses:` (reusable workflow) passes in `secrets:` (explicit mapping; `inherit` is secretsInherit) */
  passesSecrets?: string[];
  /** the job's `if:` limits who can start it (author association, actor names): the condition as written, bounded */
  actorGate?: string;
  /** the job's `if:` condition as written (bounded to 2000 characters) */
  if?: string;
  /** the jobs this one waits for (`needs:`): skipped when one of them is, unless its `if:` says otherwise */
  needs?: string[];
}

/**
 * One step of a job, as the rules read it. `uses` is the action reference as written. `with` keeps only the inputs the
 * rules read (SAFE_INPUTS: who may trigger an agent, where a package goes); values of other inputs are never kept.
 */
export interface StepInfo {
  line: number;
  name?: string;
  uses?: string;
  /** secrets referenced in the step's `with:` inputs */
  withSecrets: string[];
  /** secrets referenced in the step's own `env:` */
  envSecrets: string[];
  /** the names of the step's `with:` inputs */
  withKeys?: string[];
  /** values of the inputs in SAFE_INPUTS (expressions and plain words, bounded) */
  with?: Record<string, string>;
  /** what a `run:` script calls: the program and its first argument, per command (`npm publish`, `claude -p`) */
  commands?: string[];
  /** secrets referenced in the step's `run:` script itself */
  runSecrets?: string[];
  /** the step's `if:` condition limits who can start it (author association, actor names) */
  actorGate?: string;
}

/** Inputs whose values the rules read (never credentials): who may trigger an agent, where a package is published. */
export const SAFE_INPUTS = new Set([
  'allowed_non_write_users',
  'allowed_bots',
  'allow-users',
  'allow-bots',
  'allow-bot-users',
  'repository-url',
  'repository_url',
  'registry-url',
  'attestations',
  'skip-existing',
  // the ref a checkout takes (a branch, a sha or an expression: which code runs next to the secrets)
  'ref',
]);

export interface CloudAuth {
  provider: 'aws' | 'gcp' | 'azure';
  job: string;
  line: number;
  column: number;
  /** a literal role ARN (not an expression) */
  roleArn?: string;
  /** the role input when it is an expression (`${{ secrets.ROLE }}`): no edge can be drawn */
  roleExpression?: string;
  serviceAccount?: string;
  workloadIdentityProvider?: string;
  /** azure/login: the Entra application's client id (appId), when literal */
  clientId?: string;
  /** azure/login: the client id input when it is an expression (`${{ secrets.AZURE_CLIENT_ID }}`) */
  clientIdExpression?: string;
  /** names of secrets passed as static cloud credentials (access keys, service account key JSON) */
  staticSecrets: string[];
}

export interface WorkflowAnalysis {
  name?: string;
  triggers: string[];
  /** `on.<event>.types` when given (the activity types that start the run) */
  triggerTypes?: Record<string, string[]>;
  /** `on.push.branches` when given */
  pushBranches?: string[];
  pushTags: boolean;
  permissions?: Permissions;
  permissionsLine?: number;
  jobs: JobInfo[];
  secretRefs: SecretRef[];
  cloudAuth: CloudAuth[];
  /**
   * Places where the workflow may read any secret, so no secret visible to it can be called unused:
   * `toJSON(secrets)`, a computed `secrets[...]` index, `secrets: inherit` into a workflow of another repository.
   */
  anySecret: Array<{ kind: 'toJSON(secrets)' | 'computed secrets[...] index' | 'secrets: inherit'; line: number; job?: string }>;
  /** secrets passed in the workflow-level `env:` (every step of every job sees them) */
  envSecrets?: string[];
  parseError?: string;
}

const EXPR = /\$\{\{([\s\S]*?)\}\}/g;
const SECRET_IN_EXPR = /\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['"]([^'"]+)['"]\s*\])/g;
/** `toJSON(secrets)` (every secret, as one JSON object) */
const ANY_SECRET_JSON = /\btojson\s*\(\s*secrets\s*\)/i;
/** `secrets[ <anything but one quoted literal> ]`: a name computed at run time */
const ANY_SECRET_INDEX = /\bsecrets\s*\[(?!\s*(?:'[^']*'|"[^"]*")\s*\])/i;
/** A checkout of the pull request's own code (head ref or sha, the merge ref). */
const HEAD_REF = /github\.event\.pull_request\.head\.(?:ref|sha)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)|refs\/pull\//i;
const HEAD_CHECKOUT_CMD = /\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull\/|\bgit\s+checkout\b[^\n]*\$\{\{\s*github\.(?:head_ref|event\.pull_request\.head)/i;
/** Event fields a stranger writes: pasted into a script, they run as code (script injection). */
const ATTACKER_FIELD =
  /\$\{\{[^}]*github\.(?:event\.(?:issue\.(?:title|body)|comment\.body|review\.body|review_comment\.body|discussion\.(?:title|body)|pull_request\.(?:title|body|head\.ref|head\.label)|workflow_run\.(?:head_branch|head_commit\.message|display_title)|head_commit\.(?:message|author\.(?:name|email))|commits\b)|head_ref)/i;

/** What lets outside code or text into a job's steps (see JobInfo.untrustedReach). */
function untrustedReachOf(steps: unknown[]): string[] {
  const out = new Set<string>();
  for (const raw of steps) {
    const step = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
    if (!step) continue;
    const uses = typeof step.uses === 'string' ? step.uses.toLowerCase() : '';
    const w = step.with && typeof step.with === 'object' && !Array.isArray(step.with) ? (step.with as Record<string, unknown>) : {};
    if (uses.startsWith('actions/checkout') && typeof w.ref === 'string' && HEAD_REF.test(w.ref)) out.add('checks out the pull request head');
    if (uses.startsWith('actions/checkout') && typeof w.repository === 'string' && /github\.event\.pull_request\.head\.repo/i.test(w.repository)) out.add('checks out the pull request head');
    const run = typeof step.run === 'string' ? step.run : '';
    if (run && HEAD_CHECKOUT_CMD.test(run)) out.add('checks out the pull request head');
    if (run && ATTACKER_FIELD.test(run)) out.add('pastes attacker-controlled event text into a script');
    const script = typeof w.script === 'string' ? w.script : '';
    if (uses.startsWith('actions/github-script') && ATTACKER_FIELD.test(script)) out.add('pastes attacker-controlled event text into a script');
  }
  return [...out];
}

/**
 * An `if:` that keeps strangers from starting the job on a trigger anyone can start (src/ci/gates.ts: every
 * alternative of the condition tests a trusted author or actor, a merged pull request, the label just added, a branch
 * of the repository itself, or another event): the condition as written, bounded.
 */
function actorGateOf(cond: unknown): string | undefined {
  if (typeof cond !== 'string' || !gateOf(cond)) return undefined;
  return cond.length > 300 ? `${cond.slice(0, 297)}...` : cond;
}

const SHELL_NOISE = new Set(['sudo', 'env', 'exec', 'time', 'nohup', 'then', 'do', 'else', 'if', '!', '{', '(', 'npx', 'bunx', 'pnpx', 'uvx', 'pipx']);

/**
 * What a `run:` script calls: for each command (split at newlines, `;`, `&&`, `||`, `|`), the program and its first
 * argument, lower-cased, with `sudo`, `npx` and variable assignments stepped over (`npx -y @anthropic-ai/claude-code -p`
 * → `@anthropic-ai/claude-code -p`). Bounded: at most 64 distinct commands, 80 characters each.
 */
export function commandsOf(script: string): string[] {
  const out = new Set<string>();
  for (const part of script.split(/\r?\n|;|&&|\|\||\|/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length && (SHELL_NOISE.has(words[i].toLowerCase()) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]) || (i > 0 && SHELL_NOISE.has(words[i - 1].toLowerCase()) && /^-/.test(words[i])))) i++;
    if (i >= words.length || words[i].startsWith('#')) continue;
    const prog = words[i].replace(/^["']|["']$/g, '').toLowerCase();
    if (!/^[\w@./+-]+$/.test(prog)) continue;
    const arg = words[i + 1] && !words[i + 1].startsWith('$') ? ` ${words[i + 1].replace(/^["']|["']$/g, '').toLowerCase()}` : '';
    out.add(`${prog}${arg}`.slice(0, 80));
    if (out.size >= 64) break;
  }
  return [...out];
}

/** Secret names in every string value of a mapping (an env or with block). */
function secretsInBlock(block: unknown): string[] {
  const o = obj(block);
  if (!o) return [];
  const out = new Set<string>();
  for (const v of Object.values(o)) if (typeof v === 'string') for (const n of secretNamesIn(v)) out.add(n);
  return [...out];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AWS_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** Environment variables that carry static cloud keys, by provider (`AWS_ACCESS_KEY`/`AWS_SECRET_KEY`: the older names some tools read). */
const STATIC_ENV: Record<'aws' | 'gcp', ReadonlySet<string>> = {
  aws: new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY']),
  gcp: new Set(['GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CREDENTIALS', 'GCP_SA_KEY', 'GCLOUD_SERVICE_KEY', 'GOOGLE_CLOUD_KEYFILE_JSON']),
};

/** The secrets an env block passes as static cloud keys, per provider (a block may hold both). */
function staticByProvider(block: unknown): { aws: string[]; gcp: string[] } {
  const out = { aws: [] as string[], gcp: [] as string[] };
  const o = block && typeof block === 'object' && !Array.isArray(block) ? (block as Record<string, unknown>) : undefined;
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'string') continue;
    const key = k.toUpperCase();
    for (const provider of ['aws', 'gcp'] as const) if (STATIC_ENV[provider].has(key)) out[provider].push(...secretNamesIn(v));
  }
  return out;
}

/**
 * GitHub reads workflows as YAML 1.2 whatever the file says. A `%YAML 1.1` directive would make the parser read
 * `on:` as the boolean true (and the workflow as no workflow at all): read such a file as 1.2, offsets unchanged.
 */
function asYaml12(text: string): string {
  const docStart = /^---/m.exec(text);
  const head = docStart ? text.slice(0, docStart.index) : '';
  if (!/^%YAML[ \t]+1\.1\b/m.test(head)) return text;
  return head.replace(/^(%YAML[ \t]+1\.)1\b/m, '$12') + text.slice(head.length);
}

/** Secret names referenced inside `${{ }}` expressions of a string. */
export function secretNamesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(EXPR)) {
    for (const s of m[1].matchAll(SECRET_IN_EXPR)) {
      const name = (s[1] ?? s[2]).toUpperCase();
      if (name !== 'GITHUB_TOKEN') out.push(name);
    }
  }
  return out;
}

function asPermissions(v: unknown): Permissions | undefined {
  if (v === 'read-all' || v === 'write-all') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === 'string') out[k] = x;
    return out;
  }
  return undefined;
}

function grantsIdToken(p: Permissions | undefined): boolean {
  return p === 'write-all' || (typeof p === 'object' && p['id-token'] === 'write');
}

function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * Analyse a workflow's text. Positions are 1-based lines and columns of the file. Bounded (limits.ts): a file over
 * 1 MiB or nesting deeper than 100 levels is a parse error, and no input makes this throw.
 */
export function analyzeWorkflow(text: string): WorkflowAnalysis {
  const empty: WorkflowAnalysis = { triggers: [], pushTags: false, jobs: [], secretRefs: [], cloudAuth: [], anySecret: [] };
  const large = tooLarge(text);
  if (large) return { ...empty, parseError: large };
  try {
    return analyze(text, empty);
  } catch (err) {
    return { ...empty, parseError: err instanceof RangeError ? TOO_DEEP : 'cannot be analysed: unexpected structure' };
  }
}

function analyze(text: string, empty: WorkflowAnalysis): WorkflowAnalysis {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(asYaml12(text), { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    return { ...empty, parseError: `cannot be parsed: ${parserMessage(String((err as Error).message))}` };
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = lc.linePos(e.pos[0]);
    return { ...empty, parseError: `invalid YAML at line ${at.line}: ${parserMessage(e.message)}` };
  }
  if (tooDeep(doc)) return { ...empty, parseError: TOO_DEEP };
  let root: Obj | undefined;
  try {
    root = obj(doc.toJS({ maxAliasCount: 1000 }));
  } catch (err) {
    return { ...empty, parseError: `cannot be read: ${parserMessage(String((err as Error).message))}` };
  }
  if (!root) return { ...empty, parseError: 'not a workflow: the file is not a YAML mapping' };
  const jobsJs = obj(root.jobs);
  if (!jobsJs || root.on === undefined) return { ...empty, parseError: 'not a workflow: no `on:` or no `jobs:` mapping' };

  /**
   * A key a mapping gets through a merge (`<<: *defaults`): the line of that `<<` key in the mapping, which is where
   * this job (say) takes the value from; undefined when no merge brings the key.
   */
  const mergedKeyLine = (map: unknown, key: string | number, depth = 0): number | undefined => {
    if (!isMap(map) || depth > 20) return undefined;
    for (const pair of map.items) {
      // the merge key: a scalar whose value is the parser's merge symbol (its source text is `<<`)
      const k = pair.key as { value?: unknown; source?: unknown } | null;
      if (!(k?.source === '<<' || k?.value === '<<' || (typeof k?.value === 'symbol' && k.value.description === '<<'))) continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const src of sources) {
        const target = isAlias(src) ? src.resolve(doc) : src;
        if (!isMap(target)) continue;
        const has = target.items.some((p) => (p.key as { value?: unknown } | null)?.value === key) || mergedKeyLine(target, key, depth + 1) !== undefined;
        const range = (pair.key as { range?: [number, number, number] } | null)?.range;
        if (has && range) return lc.linePos(range[0]).line;
      }
    }
    return undefined;
  };
  const lineOf = (path: Array<string | number>): number => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lc.linePos(node.range[0]).line;
    // keys: the pair's key position (the value may be an alias)
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[path.length - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
      if (range) return lc.linePos(range[0]).line;
      const merged = mergedKeyLine(parent, path[path.length - 1]);
      if (merged !== undefined) return merged;
    }
    return 1;
  };
  const keyLineOf = (path: Array<string | number>): number => {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[path.length - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
      if (range) return lc.linePos(range[0]).line;
    }
    return lineOf(path);
  };

  // triggers
  const on = root.on;
  let triggers: string[] = [];
  let pushBranches: string[] | undefined;
  let pushTags = false;
  let triggerTypes: Record<string, string[]> | undefined;
  if (typeof on === 'string') triggers = [on];
  else if (Array.isArray(on)) triggers = on.filter((x): x is string => typeof x === 'string');
  else if (obj(on)) {
    triggers = Object.keys(on as Obj);
    for (const t of triggers) {
      const types = strings(obj((on as Obj)[t])?.types);
      if (types?.length) (triggerTypes ??= {})[t] = types.slice(0, 50);
    }
    const push = obj((on as Obj).push);
    if (push) {
      pushBranches = strings(push.branches);
      pushTags = push.tags !== undefined;
    }
  }

  const permissions = asPermissions(root.permissions);
  const jobs: JobInfo[] = [];
  const jobRanges: Array<{ id: string; start: number; end: number }> = [];
  const jobsNode = doc.getIn(['jobs'], true);
  if (isMap(jobsNode)) {
    for (const pair of jobsNode.items) {
      const id = String((pair.key as { value?: unknown } | null)?.value ?? '');
      const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
      const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
      if (keyRange) jobRanges.push({ id, start: lc.linePos(keyRange[0]).line, end: lc.linePos((valueRange ?? keyRange)[1]).line });
    }
  }
  const cloudAuth: CloudAuth[] = [];
  for (const [id, raw] of Object.entries(jobsJs)) {
    const job = obj(raw) ?? {};
    const jobPerms = asPermissions(job.permissions);
    const env = typeof job.environment === 'string' ? job.environment : typeof obj(job.environment)?.name === 'string' ? (obj(job.environment)!.name as string) : undefined;
    const info: JobInfo = {
      id,
      line: keyLineOf(['jobs', id]),
      usesIdToken: jobPerms !== undefined ? grantsIdToken(jobPerms) : grantsIdToken(permissions),
      secretsInherit: job.secrets === 'inherit',
    };
    const reach = untrustedReachOf(Array.isArray(job.steps) ? job.steps : []);
    if (reach.length) info.untrustedReach = reach;
    if (jobPerms !== undefined) {
      info.permissions = jobPerms;
      info.permissionsLine = keyLineOf(['jobs', id, 'permissions']);
    }
    if (env) info.environment = env;
    const runsOn = strings(job['runs-on']) ?? strings(obj(job['runs-on'])?.labels);
    if (runsOn) info.runsOn = runsOn;
    if (typeof job.uses === 'string') info.uses = job.uses;
    const jobEnvSecrets = secretsInBlock(job.env);
    if (jobEnvSecrets.length) info.envSecrets = jobEnvSecrets;
    const passed = secretsInBlock(job.secrets);
    if (passed.length) info.passesSecrets = passed;
    if (typeof job.if === 'string') info.if = job.if.length > 2000 ? `${job.if.slice(0, 1997)}...` : job.if;
    const gate = actorGateOf(job.if);
    if (gate) info.actorGate = gate;
    const needs = strings(job.needs);
    if (needs?.length) info.needs = needs.slice(0, 100);
    if (Array.isArray(job.steps)) {
      const steps: StepInfo[] = [];
      job.steps.forEach((rawStep, i) => {
        const step = obj(rawStep);
        if (!step) return;
        const w = obj(step.with);
        const si: StepInfo = { line: lineOf(['jobs', id, 'steps', i]), withSecrets: secretsInBlock(w), envSecrets: secretsInBlock(step.env) };
        if (typeof step.name === 'string') si.name = step.name.slice(0, 200);
        if (typeof step.uses === 'string') si.uses = step.uses.trim().slice(0, 300);
        if (w) {
          si.withKeys = Object.keys(w).slice(0, 100);
          const safe: Record<string, string> = {};
          for (const [k, v] of Object.entries(w)) if (SAFE_INPUTS.has(k) && (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number')) safe[k] = String(v).slice(0, 300);
          if (Object.keys(safe).length) si.with = safe;
        }
        if (typeof step.run === 'string') {
          const cmds = commandsOf(step.run);
          if (cmds.length) si.commands = cmds;
          const rs = [...new Set(secretNamesIn(step.run))];
          if (rs.length) si.runSecrets = rs;
        }
        const sg = actorGateOf(step.if);
        if (sg) si.actorGate = sg;
        steps.push(si);
      });
      info.steps = steps;
    }
    jobs.push(info);

    // cloud authentication in steps, and static keys in env blocks
    const jobLevel = staticByProvider(job.env);
    const steps = Array.isArray(job.steps) ? job.steps : [];
    let sawAwsAuth = false;
    steps.forEach((rawStep, i) => {
      const step = obj(rawStep);
      if (!step) return;
      const uses = typeof step.uses === 'string' ? step.uses.toLowerCase() : '';
      const w = obj(step.with) ?? {};
      const stepStatic = staticByProvider(step.env);
      const line = lineOf(['jobs', id, 'steps', i]);
      if (uses.startsWith('aws-actions/configure-aws-credentials')) {
        sawAwsAuth = true;
        const role = typeof w['role-to-assume'] === 'string' ? (w['role-to-assume'] as string).trim() : undefined;
        const keys = [w['aws-access-key-id'], w['aws-secret-access-key'], w['aws-session-token']].filter((x): x is string => typeof x === 'string').flatMap(secretNamesIn);
        const a: CloudAuth = { provider: 'aws', job: id, line, column: 1, staticSecrets: [...new Set([...keys, ...stepStatic.aws, ...jobLevel.aws])] };
        if (role && AWS_ROLE_ARN.test(role)) a.roleArn = role;
        else if (role) a.roleExpression = role;
        cloudAuth.push(a);
      } else if (uses.startsWith('google-github-actions/auth')) {
        const cred = typeof w.credentials_json === 'string' ? secretNamesIn(w.credentials_json) : [];
        const a: CloudAuth = { provider: 'gcp', job: id, line, column: 1, staticSecrets: [...new Set([...cred, ...stepStatic.gcp])] };
        if (typeof w.service_account === 'string' && /^[^$\s]+@[^$\s]+$/.test(w.service_account)) a.serviceAccount = w.service_account.trim().toLowerCase();
        if (typeof w.workload_identity_provider === 'string') a.workloadIdentityProvider = w.workload_identity_provider.trim();
        cloudAuth.push(a);
      } else if (uses.startsWith('azure/login')) {
        // `creds`: a service principal's secret as JSON (long-lived); `client-id` without it: OIDC federation
        const creds = typeof w.creds === 'string' ? secretNamesIn(w.creds) : [];
        const a: CloudAuth = { provider: 'azure', job: id, line, column: 1, staticSecrets: [...new Set(creds)] };
        const clientId = typeof w['client-id'] === 'string' ? (w['client-id'] as string).trim() : undefined;
        if (clientId && GUID.test(clientId)) a.clientId = clientId.toLowerCase();
        else if (clientId) a.clientIdExpression = clientId;
        cloudAuth.push(a);
      } else {
        // each provider on its own: a step may pass AWS keys and a Google key side by side
        for (const provider of ['aws', 'gcp'] as const) {
          if (stepStatic[provider].length > 0) cloudAuth.push({ provider, job: id, line, column: 1, staticSecrets: [...new Set(stepStatic[provider])] });
        }
      }
    });
    for (const provider of ['aws', 'gcp'] as const) {
      // job-level AWS keys are already counted on the job's configure-aws-credentials step, when it has one
      if (jobLevel[provider].length === 0 || (provider === 'aws' && sawAwsAuth)) continue;
      cloudAuth.push({ provider, job: id, line: keyLineOf(['jobs', id, 'env']), column: 1, staticSecrets: [...new Set(jobLevel[provider])] });
    }
  }
  // static keys in the workflow-level env reach every job
  const rootStatic = staticByProvider(root.env);
  for (const provider of ['aws', 'gcp'] as const) {
    if (rootStatic[provider].length > 0) cloudAuth.push({ provider, job: '(all jobs)', line: keyLineOf(['env']), column: 1, staticSecrets: [...new Set(rootStatic[provider])] });
  }

  // secret references with exact positions, from every string scalar of the document (an anchored value is counted
  // once, where it is written; YAML comments are not values and never count)
  const secretRefs: SecretRef[] = [];
  const anySecret: WorkflowAnalysis['anySecret'] = [];
  for (const j of jobs) {
    // a reusable workflow of this repository is scanned itself (its references count); one elsewhere is not
    if (j.secretsInherit && j.uses && !j.uses.startsWith('./')) anySecret.push({ kind: 'secrets: inherit', line: j.line ?? 1, job: j.id });
  }
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('secrets') || !node.range) return;
      for (const m of node.value.matchAll(EXPR)) {
        const kind = ANY_SECRET_JSON.test(m[1]) ? 'toJSON(secrets)' : ANY_SECRET_INDEX.test(m[1]) ? 'computed secrets[...] index' : undefined;
        if (!kind) continue;
        const line = lc.linePos(node.range[0]).line;
        const job = jobRanges.find((r) => line >= r.start && line <= r.end)?.id;
        anySecret.push({ kind, line, ...(job ? { job } : {}) });
        break;
      }
      const raw = text.slice(node.range[0], node.range[1]);
      let from = 0;
      const patterns = new Map<string, RegExp>();
      for (const name of secretNamesIn(node.value)) {
        // find the reference in the source to report its own line and column (searching on from the last one:
        // linear in the scalar, however many references it holds)
        let re = patterns.get(name);
        if (!re) {
          const n = escapeRegExp(name);
          re = new RegExp(`secrets\\s*(?:\\.\\s*${n}\\b|\\[\\s*['"]${n}['"])`, 'gi');
          patterns.set(name, re);
        }
        re.lastIndex = from;
        const m = re.exec(raw);
        const offset = node.range[0] + (m ? m.index : 0);
        if (m) from = m.index + m[0].length;
        const pos = lc.linePos(offset);
        const job = jobRanges.find((r) => pos.line >= r.start && pos.line <= r.end)?.id;
        secretRefs.push({ name, line: pos.line, column: pos.col, ...(job ? { job } : {}) });
      }
    },
  });
  secretRefs.sort((a, b) => a.line - b.line || a.column - b.column);

  anySecret.sort((a, b) => a.line - b.line);
  const out: WorkflowAnalysis = { triggers, pushTags, jobs, secretRefs, cloudAuth, anySecret };
  if (typeof root.name === 'string') out.name = root.name;
  const rootEnvSecrets = secretsInBlock(root.env);
  if (rootEnvSecrets.length) out.envSecrets = rootEnvSecrets;
  if (pushBranches) out.pushBranches = pushBranches;
  if (triggerTypes) out.triggerTypes = triggerTypes;
  if (permissions !== undefined) {
    out.permissions = permissions;
    out.permissionsLine = keyLineOf(['permissions']);
  }
  return out;
}

/** Events whose runs use the default branch's workflow and ref (their OIDC tokens carry `ref:refs/heads/<default>`). */
export const DEFAULT_BRANCH_EVENTS = new Set(['issue_comment', 'issues', 'discussion', 'discussion_comment', 'schedule', 'workflow_run', 'repository_dispatch', 'check_run', 'check_suite', 'label', 'milestone', 'project', 'project_card', 'watch', 'fork', 'gollum', 'member', 'public', 'status', 'page_build', 'deployment', 'deployment_status', 'branch_protection_rule', 'merge_group', 'registry_package', 'create', 'delete']);
/** Pull-request events: their tokens carry `pull_request` instead of a ref (unless the job names an environment). */
const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

export interface JobSubject {
  /** the `sub` claim as a pattern (`*` = any run) */
  subject: string;
  /** the trigger that yields it (`environment` for a job with an environment) */
  trigger: string;
  /** the default branch was not known: `refs/heads/*` stands for it */
  defaultBranchUnknown?: boolean;
}

/**
 * The OIDC `sub` claims (GitHub's default format) one job can present, with the trigger behind each. A job with an
 * environment presents the environment form; otherwise the form follows the trigger: a push names its branches or
 * tags, a pull-request event `pull_request`, an event that runs on the default branch (comments, issues, schedule,
 * workflow_run) that branch (`*` when the scan does not know it), a manual dispatch any branch.
 */
export function jobSubjects(a: Pick<WorkflowAnalysis, 'triggers' | 'pushBranches' | 'pushTags'>, repo: string, job: Pick<JobInfo, 'environment'> | undefined, defaultBranch?: string): JobSubject[] {
  if (job?.environment) return [{ subject: `repo:${repo}:environment:${job.environment}`, trigger: 'environment' }];
  const out: JobSubject[] = [];
  for (const t of a.triggers) {
    if (t === 'push') {
      for (const b of a.pushBranches ?? ['*']) out.push({ subject: `repo:${repo}:ref:refs/heads/${b}`, trigger: t });
      if (a.pushTags) out.push({ subject: `repo:${repo}:ref:refs/tags/*`, trigger: t });
    } else if (PR_EVENTS.has(t)) out.push({ subject: `repo:${repo}:pull_request`, trigger: t });
    else if (t === 'release') out.push({ subject: `repo:${repo}:ref:refs/tags/*`, trigger: t });
    else if (DEFAULT_BRANCH_EVENTS.has(t)) out.push(defaultBranch ? { subject: `repo:${repo}:ref:refs/heads/${defaultBranch}`, trigger: t } : { subject: `repo:${repo}:ref:refs/heads/*`, trigger: t, defaultBranchUnknown: true });
    else out.push({ subject: `repo:${repo}:ref:refs/heads/*`, trigger: t });
  }
  return out;
}

/**
 * The OIDC `sub` claims (GitHub's default format) the given jobs of a workflow can present, as patterns (`*` = any).
 * A job with an environment presents the environment form; otherwise the form follows the trigger.
 */
export function subjectsOf(a: Pick<WorkflowAnalysis, 'triggers' | 'pushBranches' | 'pushTags' | 'jobs'>, repo: string, jobIds?: string[]): string[] {
  const jobs = jobIds ? a.jobs.filter((j) => jobIds.includes(j.id)) : a.jobs;
  const out = new Set<string>();
  for (const j of jobs.length ? jobs : [undefined]) for (const s of jobSubjects(a, repo, j)) out.add(s.subject);
  return [...out].sort();
}

export interface WorkflowInput {
  /** `owner/name` */
  repo: string;
  /** repository-relative path, e.g. `.github/workflows/deploy.yml` */
  path: string;
  text: string;
  connector: string;
  source: string;
  observedAt: string;
  /** read from a local checkout (findings can point at the file) */
  local?: boolean;
}

export function workflowId(repo: string, path: string): string {
  return `github:workflow:${repo}/${path}`;
}

/** The workflow's graph records: its workload node, IN_SCOPE to the repository, FEDERATES_TO the cloud identities. */
export function workflowRecords(input: WorkflowInput): GraphRecord[] {
  const a = analyzeWorkflow(input.text);
  const prov: Provenance = { connector: input.connector, source: input.source, observedAt: input.observedAt };
  const id = workflowId(input.repo, input.path);
  const owner = input.repo.split('/')[0];
  const attributes: Record<string, unknown> = {
    repo: input.repo,
    path: input.path,
    triggers: a.triggers,
    jobs: a.jobs,
    secretRefs: a.secretRefs,
    anySecret: a.anySecret,
    cloudAuth: a.cloudAuth,
    pushTags: a.pushTags,
  };
  if (a.name) attributes.name = a.name;
  if (a.envSecrets) attributes.envSecrets = a.envSecrets;
  if (a.pushBranches) attributes.pushBranches = a.pushBranches;
  if (a.triggerTypes) attributes.triggerTypes = a.triggerTypes;
  if (a.permissions !== undefined) attributes.permissions = a.permissions;
  if (a.permissionsLine !== undefined) attributes.permissionsLine = a.permissionsLine;
  if (a.parseError) attributes.parseError = a.parseError;
  if (input.local) attributes.file = input.path;
  const node: WorkloadNode = { id, kind: 'workload', platform: 'github', type: 'workflow', name: `${input.repo} ${input.path}`, scope: owner, attributes, provenance: [prov] };
  const records: GraphRecord[] = [{ type: 'node', node }, { type: 'edge', edge: { type: 'IN_SCOPE', from: id, to: `github:repo:${input.repo}`, provenance: [prov] } }];
  const federations = new Map<string, { jobs: string[]; lines: number[]; provider: CloudAuth['provider'] }>();
  for (const c of a.cloudAuth) {
    const target = c.roleArn ? `aws:iam-role:${c.roleArn}` : c.serviceAccount ? `gcp:service-account:${c.serviceAccount}` : c.clientId && c.staticSecrets.length === 0 ? entraAppRef(c.clientId) : undefined;
    if (!target) continue;
    const f = federations.get(target) ?? { jobs: [], lines: [], provider: c.provider };
    if (!f.jobs.includes(c.job)) f.jobs.push(c.job);
    f.lines.push(c.line);
    federations.set(target, f);
  }
  for (const [to, f] of federations) {
    const edge: IdentityEdge = {
      type: 'FEDERATES_TO',
      from: id,
      to,
      attributes: { provider: f.provider, jobs: f.jobs, lines: f.lines, subjects: subjectsOf(a, input.repo, f.jobs) },
      provenance: [prov],
    };
    records.push({ type: 'edge', edge });
  }
  return records;
}
