import { z } from 'zod';
import type { Severity } from '../model/types.js';
import type { DraftFinding, Rule } from './types.js';
import { locate, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';

const options = z.object({
  /**
   * Owners whose actions and reusable workflows count as your own (the repository's owner always does). Setting it
   * replaces the default: keep `actions` and `github` in the list to go on trusting GitHub's own actions.
   */
  trustedOwners: z.array(z.string()).default(['actions', 'github']),
});
export type Options = z.infer<typeof options>;

/** How an action or reusable workflow is referenced, as far as pinning goes. */
export type RefKind = 'commit SHA' | 'image digest' | 'tag' | 'branch-looking' | 'short SHA' | 'docker tag' | 'no tag (latest)';

export interface ActionRef {
  /** the reference as written (trimmed) */
  uses: string;
  /** lower-cased owner: the GitHub owner, or for a `docker://ghcr.io/<owner>/...` image that owner; none for other images */
  owner?: string;
  pinned: boolean;
  refKind: RefKind;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{7,39}$/i;
/**
 * `v4`, `v4.2.2`, `1.0`, `v1.2.3-beta.1`, `covector-v0`: a version tag (a branch can have such a name, but rarely does);
 * `main`, `master`, `release/v1` (a branch of pypa/gh-action-pypi-publish) look like branches.
 */
const VERSION = /^(?:[\w.]+[-_])?v?\d+(?:\.\d+)*(?:[-+.][\w.-]*)?$/i;
const DIGEST = /@sha256:[0-9a-f]{64}$/i;

/**
 * Parse a step's or job's `uses:`. Undefined for what is not another repository's code at a ref: a local `./` action
 * or workflow, an expression (GitHub rejects those), a reference without `@ref` (GitHub rejects it too).
 */
export function parseUses(raw: string): ActionRef | undefined {
  const uses = raw.trim();
  if (!uses || uses.startsWith('./') || uses.startsWith('.\\') || uses.includes('${{')) return undefined;
  if (/^docker:\/\//i.test(uses)) {
    const image = uses.slice('docker://'.length);
    const ghcr = /^ghcr\.io\/([^/]+)\//i.exec(image);
    const owner = ghcr ? ghcr[1].toLowerCase() : undefined;
    if (DIGEST.test(image)) return { uses, owner, pinned: true, refKind: 'image digest' };
    const last = image.split('/').pop() ?? '';
    return { uses, owner, pinned: false, refKind: last.includes(':') ? 'docker tag' : 'no tag (latest)' };
  }
  const m = /^([^/@\s]+)\/[^@\s]+@(\S+)$/.exec(uses);
  if (!m) return undefined;
  const owner = m[1].toLowerCase();
  const ref = m[2];
  if (FULL_SHA.test(ref)) return { uses, owner, pinned: true, refKind: 'commit SHA' };
  if (SHORT_SHA.test(ref) && /\d/.test(ref) && /[a-f]/i.test(ref)) return { uses, owner, pinned: false, refKind: 'short SHA' };
  return { uses, owner, pinned: false, refKind: VERSION.test(ref) ? 'tag' : 'branch-looking' };
}

const REF_TEXT: Record<RefKind, string> = {
  'commit SHA': 'a full commit SHA',
  'image digest': 'an image digest',
  tag: 'a tag',
  'branch-looking': 'a branch-looking ref',
  'short SHA': 'a short SHA (resolved like a branch or tag name, not a pin)',
  'docker tag': 'an image tag',
  'no tag (latest)': 'an image name without tag (latest)',
};

const plural = (names: string[]) => (names.length === 1 ? 'secret' : 'secrets');

interface Hit {
  ref: ActionRef;
  job: string;
  /** secrets in the step's `with:` / own `env:`, or passed to the reusable workflow */
  direct: Set<string>;
  /** secrets reaching the action only through job- or workflow-level `env:` */
  inherited: Set<string>;
  inherit: boolean;
  lines: number[];
  /** where the finding points: the first step given secrets directly, else the first step */
  line: number;
  reusable: boolean;
}

export const rule: Rule<Options> = {
  meta: {
    id: 'secret-to-unpinned-action',
    title: 'Secret handed to a third-party action not pinned to a commit',
    severity: 'high',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI2', 'NHI3'],
    description:
      'A step passes secrets (in `with:` or its own `env:`) to a third-party action referenced by tag or branch instead of a full commit SHA, or a job passes secrets to such a reusable workflow; medium when the secrets reach the action only through job- or workflow-level `env:`.',
    risk: 'Whoever can move that tag or push to that branch (the action\'s maintainers, or anyone who compromises their repository, as with tj-actions/changed-files in 2025) runs code with your secrets on the next run, without any change to your repository.',
    remediation: {
      text: 'Pin third-party actions and reusable workflows to a full 40-character commit SHA (keep the version in a comment: `uses: owner/action@<sha> # v4.2.1`) and let Dependabot or Renovate update the pin; pass each step only the secrets it needs, in the step rather than in job- or workflow-level `env:`.',
    },
    options,
  },
  check(graph, { options: o }) {
    const trusted = new Set(o.trustedOwners.map((x) => x.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      const self = w.repo.split('/')[0].toLowerCase();
      const thirdPartyUnpinned = (uses: string | undefined): ActionRef | undefined => {
        const ref = uses ? parseUses(uses) : undefined;
        if (!ref || ref.pinned) return undefined;
        if (ref.owner !== undefined && (ref.owner === self || trusted.has(ref.owner))) return undefined;
        return ref;
      };
      for (const j of w.jobs) {
        // one finding per job and reference: stable when lines move, distinct per job and per action
        const hits = new Map<string, Hit>();
        const reusable = thirdPartyUnpinned(j.uses);
        if (reusable && ((j.passesSecrets?.length ?? 0) > 0 || j.secretsInherit)) {
          hits.set(reusable.uses, { ref: reusable, job: j.id, direct: new Set(j.passesSecrets ?? []), inherited: new Set(), inherit: j.secretsInherit, lines: [j.line], line: j.line, reusable: true });
        }
        const envAround = [...new Set([...(j.envSecrets ?? []), ...w.envSecrets])];
        for (const s of j.steps ?? []) {
          const ref = thirdPartyUnpinned(s.uses);
          if (!ref) continue;
          const direct = [...new Set([...s.withSecrets, ...s.envSecrets])];
          const inherited = envAround.filter((n) => !direct.includes(n));
          if (direct.length === 0 && inherited.length === 0) continue;
          const hit = hits.get(ref.uses);
          if (!hit) {
            hits.set(ref.uses, { ref, job: j.id, direct: new Set(direct), inherited: new Set(inherited), inherit: false, lines: [s.line], line: s.line, reusable: false });
            continue;
          }
          if (direct.length > 0 && hit.direct.size === 0) hit.line = s.line;
          for (const n of direct) hit.direct.add(n);
          for (const n of inherited) hit.inherited.add(n);
          hit.lines.push(s.line);
        }
        for (const h of hits.values()) {
          for (const n of h.direct) h.inherited.delete(n);
          const direct = [...h.direct].sort();
          const inherited = [...h.inherited].sort();
          const severity: Severity = direct.length > 0 || h.inherit ? 'high' : 'medium';
          const what = h.inherit ? `every secret (secrets: inherit)${direct.length ? `, ${direct.join(', ')}` : ''}` : direct.length > 0 ? `${plural(direct)} ${direct.join(', ')}` : `${plural(inherited)} ${inherited.join(', ')} (through job- or workflow-level env:)`;
          const kind = h.reusable ? 'reusable workflow' : 'action';
          out.push({
            nodeId: w.node.id,
            discriminator: `job:${h.job}:${h.ref.uses}`,
            severity,
            message: `${workflowLabel(w)}: job ${h.job} hands ${what} to third-party ${kind} ${h.ref.uses}, referenced by ${REF_TEXT[h.ref.refKind]} rather than a commit SHA`,
            location: locate(w, h.line),
            evidence: [
              workflowEvidence(
                w,
                `${h.lines.length > 1 ? 'Lines' : 'Line'} ${h.lines.join(', ')}: job ${h.job} uses ${h.ref.uses} (${REF_TEXT[h.ref.refKind]})${direct.length ? `; passes ${direct.join(', ')}${h.reusable ? ' in secrets:' : ' in with: or the step\'s env:'}` : ''}${h.inherit ? '; passes secrets: inherit' : ''}${inherited.length ? `; ${inherited.join(', ')} reach it through job- or workflow-level env:` : ''}. Whoever controls that ${/^docker:\/\//i.test(h.ref.uses) ? 'image tag' : 'ref'} gets these secrets on the next run.`,
                {
                  job: h.job,
                  uses: h.ref.uses,
                  refKind: h.ref.refKind,
                  ...(h.ref.owner ? { owner: h.ref.owner } : {}),
                  secrets: direct,
                  ...(inherited.length ? { inheritedSecrets: inherited } : {}),
                  ...(h.inherit ? { secretsInherit: true } : {}),
                  lines: h.lines,
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
