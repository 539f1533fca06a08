import { Command, Option } from 'commander';
import { writeOutput } from '../io.js';

export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('list the rules with their severity, category, OWASP NHI Top 10 risks and options')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { format: 'text' | 'json' }) => {
      const { RULES } = await import('../../rules/index.js');
      const { z } = await import('zod');
      const { owaspLabel } = await import('../../rules/owasp.js');
      if (flags.format === 'json') {
        const rules = RULES.map((r) => ({
          id: r.meta.id,
          title: r.meta.title,
          severity: r.meta.severity,
          confidence: r.meta.confidence,
          category: r.meta.category,
          platforms: r.meta.platforms,
          owasp: r.meta.owasp,
          description: r.meta.description,
          risk: r.meta.risk,
          remediation: r.meta.remediation,
          defaults: r.meta.options.parse({}),
          optionsSchema: z.toJSONSchema(r.meta.options, { io: 'input', unrepresentable: 'any' }),
          docs: `docs/rules/${r.meta.id}.md`,
        }));
        writeOutput(JSON.stringify({ rules }, null, 2));
        return;
      }
      const idW = Math.max(...RULES.map((r) => r.meta.id.length));
      const lines = RULES.map((r) => {
        const defaults = r.meta.options.parse({}) as Record<string, unknown>;
        const opts = Object.entries(defaults)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') || '[]' : String(v)}`)
          .join(' ');
        const indent = ' '.repeat(idW + 2);
        return `${r.meta.id.padEnd(idW)}  ${r.meta.severity.padEnd(8)}  ${r.meta.category.padEnd(18)}  ${r.meta.description}\n${indent}OWASP NHI: ${r.meta.owasp.map(owaspLabel).join(', ')}${opts ? `\n${indent}options: ${opts}` : ''}`;
      });
      writeOutput(`${'RULE'.padEnd(idW)}  SEVERITY  CATEGORY            DESCRIPTION\n${lines.join('\n')}\n\nDocs: docs/rules/<rule>.md. Configure in nhi.config.yaml under rules.<rule>.\nOWASP NHI: the OWASP Non-Human Identities Top 10 (2025) risks each rule detects.`);
    });
}
