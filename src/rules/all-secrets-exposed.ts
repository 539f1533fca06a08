import { z } from 'zod';
import type { DraftFinding, Rule } from './types.js';
import { locate, UNTRUSTED_TRIGGERS, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'all-secrets-exposed',
    title: 'Every secret handed to a step',
    severity: 'high',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI2'],
    description: 'A workflow expands `toJSON(secrets)` (every secret the repository can see, as one JSON object) or reads `secrets[...]` with a name computed at run time; critical on a trigger anyone can start.',
    risk: 'Every repository, environment and organisation secret the workflow can see reaches one step, its logs and every action it calls; with a computed index, whoever controls the index chooses the secret.',
    remediation: {
      text: 'Pass each step the secrets it needs by name (`env: { NPM_TOKEN: ${{ secrets.NPM_TOKEN }} }`); for a matrix, map each entry to a named secret instead of computing the name.',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      const untrusted = w.triggers.filter((t) => UNTRUSTED_TRIGGERS.has(t));
      const seen = new Set<string>();
      for (const a of w.anySecret) {
        if (a.kind === 'secrets: inherit') continue; // secrets-inherit reports those
        // one finding per job and kind: stable when lines move, distinct per job
        const discriminator = `${a.kind === 'toJSON(secrets)' ? 'tojson' : 'computed-index'}:${a.job ?? '(workflow)'}`;
        if (seen.has(discriminator)) continue;
        seen.add(discriminator);
        const all = a.kind === 'toJSON(secrets)';
        const where = a.job ? `job ${a.job}` : 'the workflow';
        out.push({
          nodeId: w.node.id,
          discriminator,
          severity: untrusted.length > 0 ? 'critical' : all ? 'high' : 'medium',
          message: `${workflowLabel(w)}: ${where} ${all ? 'expands toJSON(secrets), handing every secret to one step' : 'reads secrets[...] with a name computed at run time'}${untrusted.length ? ` on ${untrusted.join(', ')}` : ''}`,
          location: locate(w, a.line),
          evidence: [
            workflowEvidence(w, `Line ${a.line}: ${all ? '${{ toJSON(secrets) }}' : 'a secrets[...] index that is not a single quoted name'}${a.job ? ` in job ${a.job}` : ''}.`, {
              kind: a.kind,
              line: a.line,
              ...(a.job ? { job: a.job } : {}),
              triggers: w.triggers,
            }),
          ],
        });
      }
    }
    return out;
  },
};
