import { Command } from 'commander';
import { writeOutput } from '../io.js';

/** `nhi connectors`: each connector, what it scans, and the `nhi scan` flags it declares (connectors/flags.ts). */
export function registerConnectors(program: Command): void {
  program
    .command('connectors')
    .description('list the available connectors and the scan flags each takes')
    .action(async () => {
      const { CONNECTORS } = await import('../../../connectors/index.js');
      const { CONNECTOR_FLAGS } = await import('../../../connectors/flags.js');
      const lines: string[] = [];
      for (const c of CONNECTORS) {
        lines.push(`${c.id.padEnd(10)} ${c.title}   (nhi permissions ${c.id})`);
        const flags = CONNECTOR_FLAGS.find((d) => d.id === c.id)?.flags ?? [];
        if (flags.length) lines.push(`${' '.repeat(11)}flags: ${flags.map((f) => f.spec.split(' ')[0]).join(', ')}`);
      }
      writeOutput(lines.join('\n'));
    });
}
