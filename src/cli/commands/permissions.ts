import { Command, Option } from 'commander';
import { NhiError } from '../../util/errors.js';
import { writeOutput } from '../io.js';

export function registerPermissions(program: Command): void {
  program
    .command('permissions')
    .description('print the least-privilege access a connector needs (json: a ready-to-use policy)')
    .argument('<connector>', 'connector id (aws)')
    .addOption(new Option('-f, --format <format>', 'json: the policy document; text: an explained list').choices(['json', 'text']).default('json'))
    .action(async (id: string, flags: { format: 'json' | 'text' }) => {
      const { findConnector, connectorIds } = await import('../../../connectors/index.js');
      const entry = findConnector(id);
      if (!entry) throw new NhiError('USAGE', `unknown connector '${id}'`, { suggestion: `available: ${connectorIds().join(', ')}` });
      const d = (await entry.load()).describe();
      if (flags.format === 'json') {
        // a platform document given as text (the Kubernetes ClusterRole YAML) is printed as it is
        writeOutput(typeof d.permissionsDocument === 'string' ? d.permissionsDocument.trimEnd() : JSON.stringify(d.permissionsDocument ?? { requiredPermissions: d.requiredPermissions }, null, 2));
        return;
      }
      const lines = [`${d.title}: permissions the scan needs`, '', ...d.requiredPermissions.map((p) => `  ${p}`)];
      if (d.optionalPermissions?.length) {
        lines.push('', 'Optional (unlock more data):');
        for (const o of d.optionalPermissions) lines.push(`  ${o.permission}  — ${o.unlocks}`);
      }
      writeOutput(lines.join('\n'));
    });
}
