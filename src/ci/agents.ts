/**
 * AI agents in CI: the actions and command-line programs that run an LLM agent inside a job, with whatever the job
 * holds (its GITHUB_TOKEN, its secrets, its cloud credentials). A table, extended by the ai-agent-untrusted-input
 * rule's options. Matching reads only what the workflow analysis keeps of a step: its `uses` reference, the commands its
 * `run:` script calls, and the values of the few inputs that decide who may start the agent.
 */
import type { JobInfo, StepInfo } from './workflow.js';

export interface AgentSpec {
  /** what people call it (`Claude Code`) */
  name: string;
  /** action references, `owner/repo` or `owner/repo/path`, matched case-insensitively before `@` */
  actions?: string[];
  /** programs a `run:` script calls (`claude`, `@anthropic-ai/claude-code` through npx) */
  commands?: string[];
  /**
   * The action itself refuses to run for an actor without write access to the repository, unless one of these inputs
   * is set (to any non-empty value): then anyone the input names may start it.
   */
  writeGate?: { openedBy: string[] };
}

/** The agents nhi knows (see docs/rules/ai-agent-untrusted-input.md for the sources). */
export const DEFAULT_AGENTS: readonly AgentSpec[] = [
  { name: 'Claude Code', actions: ['anthropics/claude-code-action', 'anthropics/claude-code-base-action'], commands: ['claude', '@anthropic-ai/claude-code'], writeGate: { openedBy: ['allowed_non_write_users'] } },
  { name: 'OpenAI Codex', actions: ['openai/codex-action'], commands: ['codex', '@openai/codex'], writeGate: { openedBy: ['allow-users'] } },
  { name: 'Gemini CLI', actions: ['google-github-actions/run-gemini-cli', 'google-gemini/gemini-cli-action'], commands: ['gemini', '@google/gemini-cli'] },
  { name: 'GitHub Copilot CLI', commands: ['copilot', '@github/copilot'] },
  { name: 'Aider', commands: ['aider', 'aider-chat'] },
  { name: 'Cursor agent', commands: ['cursor-agent'] },
  { name: 'opencode', actions: ['sst/opencode/github', 'anomalyco/opencode/github'], commands: ['opencode', 'opencode-ai'] },
  { name: 'Goose', actions: ['block/goose-action'], commands: ['goose'] },
  { name: 'Amp', commands: ['amp', '@sourcegraph/amp'] },
  { name: 'Warp agent (Oz)', actions: ['warpdotdev/oz-agent-action', 'warpdotdev/warp-agent-action'], commands: ['oz'] },
  { name: 'Qwen Code', actions: ['qwenlm/qwen-code-action'], commands: ['qwen', '@qwen-code/qwen-code'] },
];

/** A secret handed to an agent step that is the model provider's key (by its name); any other is a credential it holds. */
export const MODEL_KEY = /ANTHROPIC|CLAUDE|OPENAI|CODEX|GEMINI|GOOGLE_(?:AI|GENAI|API_KEY)|VERTEX|MISTRAL|OPENROUTER|DEEPSEEK|QWEN|DASHSCOPE|GROQ|COPILOT|CURSOR|WARP|AMP_|LLM|MODEL/;

export interface AgentStep {
  agent: string;
  line: number;
  /** how the step calls it: the action reference or the command */
  via: string;
  /** who may start it, as the step or its job restricts it; undefined when anyone who can trigger the workflow may */
  gate?: string;
}

function actionName(uses: string): string {
  const at = uses.indexOf('@');
  return (at < 0 ? uses : uses.slice(0, at)).trim().toLowerCase();
}

/** The agents a job runs, one entry per step that runs one (the first agent of the table that matches). */
export function agentSteps(job: Pick<JobInfo, 'steps' | 'actorGate'>, table: readonly AgentSpec[] = DEFAULT_AGENTS): AgentStep[] {
  const out: AgentStep[] = [];
  for (const step of job.steps ?? []) {
    const hit = matchStep(step, table);
    if (!hit) continue;
    const entry: AgentStep = { agent: hit.spec.name, line: step.line, via: hit.via };
    const gate = job.actorGate ? `the job runs only if ${job.actorGate}` : step.actorGate ? `the step runs only if ${step.actorGate}` : writeGateOf(hit.spec, step, hit.isAction);
    if (gate) entry.gate = gate;
    out.push(entry);
  }
  return out;
}

function matchStep(step: StepInfo, table: readonly AgentSpec[]): { spec: AgentSpec; via: string; isAction: boolean } | undefined {
  if (step.uses) {
    const name = actionName(step.uses);
    for (const spec of table) if (spec.actions?.some((a) => name === a.toLowerCase())) return { spec, via: step.uses, isAction: true };
  }
  for (const cmd of step.commands ?? []) {
    const prog = cmd.split(' ')[0];
    // `npx @anthropic-ai/claude-code@latest`: the package without its version
    const bare = prog.replace(/(.)@[^/@]*$/, '$1');
    for (const spec of table) if (spec.commands?.some((c) => c.toLowerCase() === prog || c.toLowerCase() === bare)) return { spec, via: cmd, isAction: false };
  }
  return undefined;
}

function writeGateOf(spec: AgentSpec, step: StepInfo, isAction: boolean): string | undefined {
  if (!isAction || !spec.writeGate) return undefined;
  const opened = spec.writeGate.openedBy.filter((k) => (step.withKeys ?? []).includes(k) && (step.with?.[k] ?? 'set').trim() !== '');
  if (opened.length > 0) return undefined;
  return `the action runs only for actors with write access to the repository (its default; ${spec.writeGate.openedBy.join(' / ')} would open it)`;
}
