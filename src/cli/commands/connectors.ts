import { Command } from 'commander';
import { writeOutput } from '../io.js';

export function registerConnectors(program: Command): void {
  program
    .command('connectors')
    .description('list the available connectors')
    .action(async () => {
      const { CONNECTORS } = await import('../../../connectors/index.js');
      writeOutput(CONNECTORS.map((c) => `${c.id.padEnd(10)} ${c.title}   (nhi permissions ${c.id})`).join('\n'));
    });
}
