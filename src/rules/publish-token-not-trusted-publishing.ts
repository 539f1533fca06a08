import { z } from 'zod';
import type { Confidence, Severity } from '../model/types.js';
import type { JobInfo, StepInfo } from '../ci/workflow.js';
import type { DraftFinding, Rule } from './types.js';
import { locate, untrustedTriggers, workflowEvidence, workflowLabel, workflows, type WorkflowView } from './ci-helpers.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

/** Public registries that accept GitHub Actions OIDC tokens in place of a stored token (trusted publishing). */
export type Registry = 'npm' | 'pypi' | 'testpypi' | 'rubygems' | 'crates.io' | 'nuget' | 'pub.dev' | 'jsr';

interface RegistryInfo {
  title: string;
  /** the registry's own trusted publishing documentation */
  docs: string;
  /** secret names (upper-cased) taken for this registry's token */
  token: RegExp;
  /** what to use instead, in one clause */
  fix: string;
}

export const REGISTRIES: Record<Registry, RegistryInfo> = {
  npm: {
    title: 'npm',
    docs: 'https://docs.npmjs.com/trusted-publishers',
    token: /NPM|NODE_AUTH/,
    fix: 'add a trusted publisher for this workflow on npmjs.com, grant the job id-token: write and run npm 11.5.1 or later; `--provenance` alone still signs in with the token',
  },
  pypi: {
    title: 'PyPI',
    docs: 'https://docs.pypi.org/trusted-publishers/',
    token: /PYPI|TWINE|UV_PUBLISH|FLIT_PASSWORD|HATCH_INDEX/,
    fix: 'add a trusted publisher for this workflow on pypi.org, grant the job id-token: write and drop the password (pypa/gh-action-pypi-publish without `password:`, or `uv publish --trusted-publishing always`)',
  },
  testpypi: {
    title: 'TestPyPI',
    docs: 'https://docs.pypi.org/trusted-publishers/',
    token: /TEST_?PYPI|PYPI_?TEST/,
    fix: 'add a trusted publisher for this workflow on test.pypi.org, grant the job id-token: write and drop the password',
  },
  rubygems: {
    title: 'RubyGems.org',
    docs: 'https://guides.rubygems.org/trusted-publishing/',
    token: /RUBYGEM|GEM_HOST|(?:^|_)GEMS?_(?:API|TOKEN|KEY|PUSH|AUTH)/,
    fix: 'add a trusted publisher on rubygems.org and publish with rubygems/release-gem (or rubygems/configure-rubygems-credentials) with id-token: write',
  },
  'crates.io': {
    title: 'crates.io',
    docs: 'https://crates.io/docs/trusted-publishing',
    token: /CARGO|(?:^|_)CRATES?(?:_|$)|CRATESIO/,
    fix: 'add a trusted publisher on crates.io and take a short-lived token from rust-lang/crates-io-auth-action (id-token: write) for cargo publish',
  },
  nuget: {
    title: 'NuGet.org',
    docs: 'https://learn.microsoft.com/en-us/nuget/nuget-org/trusted-publishing',
    token: /NUGET/,
    fix: 'add a trusted publishing policy on nuget.org and take a short-lived API key from NuGet/login (id-token: write) for dotnet nuget push',
  },
  'pub.dev': {
    title: 'pub.dev',
    docs: 'https://dart.dev/tools/pub/automated-publishing',
    token: /(?:^|_)PUB(?:_|DEV)|DART_?PUB|FLUTTER_?PUB/,
    fix: 'enable automated publishing from GitHub Actions on pub.dev and publish with id-token: write (dart-lang/setup-dart sets up the OIDC exchange)',
  },
  jsr: {
    title: 'JSR',
    docs: 'https://jsr.io/docs/publishing-packages',
    token: /JSR/,
    fix: 'link the package to this repository on jsr.io and run `npx jsr publish` (or `deno publish`) with id-token: write and no token',
  },
};

/** Secrets that name an account rather than hold a credential (`PYPI_USERNAME`, `NUGET_USER`: NuGet/login's input). */
const NOT_A_TOKEN = /(?:USER|USERNAME|LOGIN|EMAIL|OWNER)$/;
/** A secret's name says it is a credential (`CARGO_AUDIT_OPTIONS` is not, `CARGO_REGISTRY_TOKEN` is). */
const CREDENTIAL_WORD = /TOKEN|KEY|PASS|PWD|SECRET|AUTH|CRED|(?:^|_)PAT(?:_|$)/;

const ORDER = Object.keys(REGISTRIES) as Registry[];

/** The registries a secret's name points at (a TestPyPI token is not a PyPI one). */
export function registriesOfSecret(name: string): Registry[] {
  if (NOT_A_TOKEN.test(name) || !CREDENTIAL_WORD.test(name)) return [];
  const out = ORDER.filter((r) => REGISTRIES[r].token.test(name));
  return out.includes('testpypi') ? out.filter((r) => r !== 'pypi') : out;
}

/**
 * How a step publishes: to one registry (`registry`), to PyPI or TestPyPI as its token says (`pypi-or-test`), or to
 * whichever registry its token is for (`any`: a release tool or a script called publish). `inputTokens`: secrets in
 * the action input that carries the token (any name); `tokenFromInputsOnly`: the action reads no other credential.
 */
interface Indicator {
  target: { registry: Registry } | { kind: 'pypi-or-test' } | { kind: 'any' };
  via: string;
  /** the registry and the tool are certain (not a generic script name, an ambiguous subcommand or an expression URL) */
  certain: boolean;
  inputTokens?: string[];
  tokenFromInputsOnly?: boolean;
  /**
   * Known only by a name (the step's, or the action's): job- and workflow-level env tokens count only for a registry the
   * name mentions (`Publish to PyPI`; a `Publish docs` step in a workflow whose env holds NPM_TOKEN publishes nothing
   * to npm).
   */
  byName?: string;
}

const PYPI_COMMANDS = new Set(['twine upload', 'uv publish', 'poetry publish', 'flit publish', 'hatch publish', 'pdm publish', 'maturin publish', 'maturin upload']);
const NPM_COMMANDS = new Set(['npm publish', 'pnpm publish', 'yarn publish', 'bun publish', 'lerna publish', 'changeset publish', '@changesets/cli publish']);
/** release tools that publish to whichever registry they are given a token for */
const RELEASE_TOOLS = new Set(['semantic-release', 'release-it', 'nx release', 'cargo workspaces', 'cargo ws']);
/** a step name saying it publishes (`push` also names git and image pushes) */
const PUBLISH_NAME = /\b(?:publish|upload|release)/i;
/** Registry command-line tools: a step running one of them is judged by its commands, never by its name (`npm dist-tag` in a step called `Tag release`). */
const REGISTRY_CLIS = new Set(['npm', 'pnpm', 'pn', 'yarn', 'bun', 'twine', 'uv', 'poetry', 'flit', 'hatch', 'pdm', 'maturin', 'gem', 'cargo', 'dotnet', 'nuget', 'dart', 'flutter', 'deno', 'jsr']);
/** `publish` as a word of a script or target name (`publish.sh`, `make publish`, `publish-crates.py`), not `prepublish` */
const PUBLISH_WORD = /(?:^|[^a-z])publish(?:$|[^a-z=])/;
const NOT_A_PUBLISHER = new Set(['echo', 'printf', 'cat', 'test', '[', 'grep', 'if', 'export', 'git', 'gh']);
/** Commands that store a registry token for later steps (`cargo login $TOKEN`, `npm config set //registry...:_authToken`). */
const LOGIN_COMMANDS = new Set(['cargo login', 'npm config', 'npm set', 'npm login', 'pnpm config', 'pn config', 'yarn config', 'poetry config', 'gem signin']);
/** A step name mentioning the registry (for tokens that reach a step named `Publish ...` only through env:). */
const NAMED_IN_STEP: Record<Registry, RegExp> = {
  npm: /\bnpm|npmjs/i,
  pypi: /pypi/i,
  testpypi: /test\.?pypi/i,
  rubygems: /rubygems|\bgems?\b/i,
  'crates.io': /\bcrates?\b|crates\.io|\bcargo\b/i,
  nuget: /nuget/i,
  'pub.dev': /pub\.dev|\bpub\b/i,
  jsr: /\bjsr\b/i,
};

/** A kept command (`./node_modules/.bin/semantic-release`, `cargo publish`) as program base name and first argument. */
function splitCommand(c: string): { prog: string; arg: string; cmd: string } {
  const [path, arg = ''] = c.split(' ');
  const prog = path.split('/').pop() || path;
  return { prog, arg, cmd: arg ? `${prog} ${arg}` : prog };
}

const ownerRepo = (uses: string | undefined): string => (uses ? uses.trim().split('@')[0].toLowerCase() : '');
const withSecretsBut = (s: StepInfo): string[] => s.withSecrets.filter((n) => !NOT_A_TOKEN.test(n));

/** Where a `repository-url` sends a Python package. */
function pypiTarget(url: string | undefined): { registry?: Registry; certain: boolean } {
  if (url === undefined || url.trim() === '') return { registry: 'pypi', certain: true };
  if (url.includes('${{')) return { registry: 'pypi', certain: false };
  if (/^https?:\/\/test\.pypi\.org(?:[/:]|$)/i.test(url.trim())) return { registry: 'testpypi', certain: true };
  if (/^https?:\/\/(?:upload\.)?pypi\.org(?:[/:]|$)/i.test(url.trim())) return { registry: 'pypi', certain: true };
  return { certain: true }; // a private index: not this rule's concern
}

/** What in a step publishes a package, by action reference and by the commands of its script. */
export function indicatorsOf(s: StepInfo): Indicator[] {
  const out: Indicator[] = [];
  const action = ownerRepo(s.uses);
  const keys = new Set((s.withKeys ?? []).map((k) => k.toLowerCase()));
  if (action === 'pypa/gh-action-pypi-publish') {
    // without a password the action uses trusted publishing (it reads no other credential)
    const t = pypiTarget(s.with?.['repository-url'] ?? s.with?.repository_url);
    // a private index (no registry) is not this rule's concern
    if (keys.has('password') && t.registry) {
      out.push({ target: { registry: t.registry }, via: s.uses!.trim(), certain: t.certain, inputTokens: withSecretsBut(s), tokenFromInputsOnly: true });
    }
  } else if (action === 'js-devtools/npm-publish') {
    // the action writes its own .npmrc from the `token` input (without one it tries OIDC)
    out.push({ target: { registry: 'npm' }, via: s.uses!.trim(), certain: true, inputTokens: keys.has('token') ? withSecretsBut(s) : [], tokenFromInputsOnly: true });
  } else if (action === 'rubygems/release-gem' || action === 'cadwallion/publish-rubygems-action' || action === 'dawidd6/action-publish-gem' || action === 'fac/ruby-gem-push-action') {
    // release-gem uses trusted publishing by default: only a token secret in reach (GEM_HOST_API_KEY wins) counts
    out.push({ target: { registry: 'rubygems' }, via: s.uses!.trim(), certain: true, inputTokens: action === 'dawidd6/action-publish-gem' ? withSecretsBut(s) : [] });
  } else if (action === 'katyo/publish-crates' || action === 'release-plz/action') {
    out.push({ target: { registry: 'crates.io' }, via: s.uses!.trim(), certain: true, inputTokens: keys.has('registry-token') ? withSecretsBut(s) : [] });
  } else if (/(?:^|\/)publish-nuget$/.test(action)) {
    out.push({ target: { registry: 'nuget' }, via: s.uses!.trim(), certain: true, inputTokens: withSecretsBut(s), tokenFromInputsOnly: true });
  } else if (action === 'k-paxian/dart-package-publisher' || action === 'sakebook/actions-flutter-pub-publisher') {
    out.push({ target: { registry: 'pub.dev' }, via: s.uses!.trim(), certain: true, inputTokens: withSecretsBut(s), tokenFromInputsOnly: true });
  } else if (action === 'changesets/action' && keys.has('publish')) {
    out.push({ target: { kind: 'any' }, via: s.uses!.trim(), certain: false });
  } else if (/publish|semantic-release/.test(action.split('/')[1] ?? '')) {
    // semantic-release actions, `someone/publish-rubygem`: the token handed to the step says where (known by its name
    // only, like a step name: `release` is left out, it names GitHub-release and install-from-release actions)
    out.push({ target: { kind: 'any' }, via: s.uses!.trim(), certain: false, byName: action });
  }
  for (const c of s.commands ?? []) {
    const { prog, arg, cmd } = splitCommand(c);
    if (PYPI_COMMANDS.has(cmd)) out.push({ target: { kind: 'pypi-or-test' }, via: cmd, certain: true });
    else if (NPM_COMMANDS.has(cmd) || NPM_COMMANDS.has(c)) out.push({ target: { registry: 'npm' }, via: cmd, certain: true });
    // `yarn npm publish` (the analysis keeps two words): only when the step says it publishes
    else if (cmd === 'yarn npm' && PUBLISH_NAME.test(s.name ?? '')) out.push({ target: { registry: 'npm' }, via: 'yarn npm publish', certain: false });
    else if (cmd === 'gem push' || cmd === 'gem release' || cmd === 'rake release') out.push({ target: { registry: 'rubygems' }, via: cmd, certain: true });
    else if (cmd === 'cargo publish' || cmd === 'cargo release') out.push({ target: { registry: 'crates.io' }, via: cmd, certain: true });
    else if (cmd === 'nuget push') out.push({ target: { registry: 'nuget' }, via: cmd, certain: true });
    // `dotnet nuget push` (or `add source`: the subcommand is not kept) and `dart pub publish` (or `pub get`)
    else if (cmd === 'dotnet nuget') out.push({ target: { registry: 'nuget' }, via: 'dotnet nuget', certain: false });
    else if (cmd === 'dart pub' || cmd === 'flutter pub') out.push({ target: { registry: 'pub.dev' }, via: `${cmd} publish`, certain: false });
    else if (cmd === 'jsr publish' || cmd === 'deno publish') out.push({ target: { registry: 'jsr' }, via: cmd, certain: true });
    // a release tool, or a script or make target called publish (not `prepublish`, not `echo publish=true`)
    else if (RELEASE_TOOLS.has(cmd) || RELEASE_TOOLS.has(prog) || (!NOT_A_PUBLISHER.has(prog) && (PUBLISH_WORD.test(prog) || PUBLISH_WORD.test(arg)))) out.push({ target: { kind: 'any' }, via: cmd, certain: false });
  }
  // a step named for publishing (`Publish to PyPI` running `python -m twine upload`, whose module the analysis does not
  // keep), unless it runs a registry tool the lines above judged (`npm dist-tag` in a step called `Tag release`)
  const registryCli = (s.commands ?? []).some((c) => REGISTRY_CLIS.has(splitCommand(c).prog));
  if (out.length === 0 && !registryCli && action !== 'pypa/gh-action-pypi-publish' && PUBLISH_NAME.test(s.name ?? '') && (s.commands?.length || s.uses)) {
    out.push({ target: { kind: 'any' }, via: `step "${(s.name ?? '').slice(0, 80)}"`, certain: false, byName: s.name });
  }
  return out;
}

/** Secrets a step's process can read: its own with/env/script, the job's and the workflow's env. */
function reaching(w: WorkflowView, j: JobInfo, s: StepInfo): string[] {
  return [...new Set([...s.withSecrets, ...s.envSecrets, ...(s.runSecrets ?? []), ...(j.envSecrets ?? []), ...w.envSecrets])];
}

/** setup-node `registry-url`s of the job all point away from registry.npmjs.org (GitHub Packages, Artifactory...). */
function npmElsewhere(j: JobInfo): boolean {
  const urls = (j.steps ?? []).map((s) => s.with?.['registry-url']).filter((u): u is string => typeof u === 'string' && u.trim() !== '');
  return urls.length > 0 && urls.every((u) => !u.includes('${{') && !/^https?:\/\/registry\.npmjs\.org(?:[/:]|$)/i.test(u.trim()));
}

interface Hit {
  registry: Registry;
  via: string;
  line: number;
  certain: boolean;
  lines: number[];
  tokens: Set<string>;
}

const BUMP: Record<string, Severity> = { low: 'medium', medium: 'high', high: 'high' };

export const rule: Rule<Options> = {
  meta: {
    id: 'publish-token-not-trusted-publishing',
    title: 'Package published with a long-lived registry token',
    severity: 'medium',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI6', 'NHI7'],
    description:
      'A job publishes to npm, PyPI, RubyGems.org, crates.io, NuGet.org, pub.dev or JSR with a registry token stored as a secret, where the registry accepts the workflow\'s OIDC token instead (trusted publishing); high on a trigger anyone can start, low for TestPyPI.',
    risk: 'A publish token does not expire with the run: leaked from a log, a compromised action or a cache, it lets anyone publish a malicious version of the package to everyone who installs it (the npm worms of 2025 spread through such tokens). A trusted publisher is bound to this repository and workflow and lives for minutes.',
    remediation: {
      text: 'Configure a trusted publisher for the workflow on the registry, grant the publishing job `id-token: write`, remove the token from the workflow and revoke it on the registry.',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      const untrusted = untrustedTriggers(w);
      for (const j of w.jobs) {
        const steps = j.steps ?? [];
        if (steps.length === 0) continue;
        const jobWide = new Set(steps.flatMap((s) => reaching(w, j, s)));
        const named = (pool: Iterable<string>, r: Registry) => [...pool].filter((n) => registriesOfSecret(n).includes(r));
        const skipNpm = npmElsewhere(j);
        // tokens stored by an earlier login / config step reach every later publisher of the job
        const configured = new Set<string>();
        const hits = new Map<Registry, Hit>();
        const add = (r: Registry, ind: Indicator, line: number, tokens: string[]) => {
          if (tokens.length === 0 || (r === 'npm' && skipNpm)) return;
          const h = hits.get(r);
          if (!h) {
            hits.set(r, { registry: r, via: ind.via, line, certain: ind.certain, lines: [line], tokens: new Set(tokens) });
            return;
          }
          // the finding points at the first certain publisher; every publishing line is evidence
          if (ind.certain && !h.certain) Object.assign(h, { via: ind.via, line, certain: true });
          if (!h.lines.includes(line)) h.lines.push(line);
          for (const t of tokens) h.tokens.add(t);
        };
        for (const s of steps) {
          const here = reaching(w, j, s);
          const own = [...new Set([...s.withSecrets, ...s.envSecrets, ...(s.runSecrets ?? [])])];
          for (const ind of indicatorsOf(s)) {
            const t = ind.target;
            if ('registry' in t) {
              // a certain publisher reads a token configured anywhere in the job (an .npmrc written by an earlier step);
              // an ambiguous one (`dotnet nuget`, `dart pub`) only what reaches its step or an earlier login stored
              const pool = ind.certain ? jobWide : new Set([...here, ...configured]);
              const tokens = ind.tokenFromInputsOnly ? (ind.inputTokens ?? []) : [...new Set([...(ind.inputTokens ?? []), ...named(pool, t.registry)])];
              add(t.registry, ind, s.line, tokens);
            } else if (t.kind === 'pypi-or-test') {
              // `twine upload` to TestPyPI, then to PyPI, each step given its own token: the step's tokens decide
              // where it uploads; a step given none reads what the job configured
              const mine = [...named(here, 'pypi'), ...named(here, 'testpypi')];
              const pool = mine.length > 0 ? here : [...jobWide];
              add('pypi', ind, s.line, named(pool, 'pypi'));
              add('testpypi', ind, s.line, named(pool, 'testpypi'));
            } else {
              // a release tool or a script: whichever registry a token handed to this step is for
              for (const r of ORDER) {
                const pool = ind.byName !== undefined && !NAMED_IN_STEP[r].test(ind.byName) ? [...own, ...configured] : [...here, ...configured];
                add(r, ind, s.line, [...new Set(named(pool, r))]);
              }
            }
          }
          if ((s.commands ?? []).some((c) => LOGIN_COMMANDS.has(splitCommand(c).cmd))) {
            for (const n of here) if (registriesOfSecret(n).length) configured.add(n);
          }
        }
        for (const h of [...hits.values()].sort((a, b) => ORDER.indexOf(a.registry) - ORDER.indexOf(b.registry))) {
          const info = REGISTRIES[h.registry];
          const tokens = [...h.tokens].sort();
          const base: Severity = h.registry === 'testpypi' ? 'low' : 'medium';
          const severity = untrusted.length > 0 ? BUMP[base] : base;
          const confidence: Confidence = h.certain ? 'high' : 'medium';
          const oidc = j.usesIdToken
            ? ' The job can already request an OIDC token: if the registry trusts this workflow, the token secret is a leftover to delete.'
            : '';
          out.push({
            nodeId: w.node.id,
            discriminator: `job:${j.id}:${h.registry}`,
            severity,
            confidence,
            message: `${workflowLabel(w)}: job ${j.id} publishes to ${info.title} with long-lived ${tokens.length === 1 ? 'token' : 'tokens'} ${tokens.join(', ')} (${h.via}); ${info.title} supports trusted publishing${untrusted.length ? ` (on ${untrusted.join(', ')})` : ''}`,
            location: locate(w, h.line),
            evidence: [
              workflowEvidence(
                w,
                `${h.lines.length > 1 ? 'Lines' : 'Line'} ${h.lines.join(', ')}: job ${j.id} publishes to ${info.title} (${h.via}) and is given ${tokens.join(', ')}.${oidc} Instead: ${info.fix} (${info.docs}), then remove the secret and revoke the token.`,
                {
                  job: j.id,
                  registry: h.registry,
                  via: h.via,
                  secrets: tokens,
                  lines: h.lines,
                  idToken: j.usesIdToken,
                  trustedPublishingDocs: info.docs,
                  triggers: w.triggers,
                },
              ),
            ],
          });
        }
      }
    }
    return out;
  },
};
