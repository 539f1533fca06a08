/**
 * `nhi export`: the graph of a stored snapshot, with the paths engine's "can become" edges, for other tools:
 * BloodHound (OpenGraph JSON and its kinds), Neo4j (a Cypher script), Mermaid and Graphviz (one identity's
 * neighbourhood), GraphML. Written as it is rendered, to stdout or a 0600 file. docs/commands/export.md.
 */
import { Command, Option } from 'commander';
import { graphAnalysis } from '../../paths/index.js';
import { EXPORT_FORMATS, FOCUS_MAX_NODES, NEEDS_FOCUS, renderExport, focusModel, wholeModel, type ExportFormat } from '../../export/index.js';
import { NhiError } from '../../util/errors.js';
import { safeLabel } from '../../util/text.js';
import { writeOutputChunks } from '../io.js';
import { openSnapshot } from '../query.js';
import { resolveIdentity } from '../resolve.js';
import { storeHelp } from './common.js';
import { startOf } from './paths.js';

interface ExportFlags {
  format: ExportFormat;
  snapshot?: string;
  focus?: string;
  output?: string;
  store?: string;
  config?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export the graph of a snapshot with its "can become" edges: BloodHound OpenGraph, Neo4j Cypher, Mermaid, DOT, GraphML')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .option('-s, --snapshot <id>', 'snapshot id (default: the latest)')
    .option('--focus <identity>', 'only this identity\'s neighbourhood: name, ARN, email or node id, as nhi paths takes (needed for mermaid and dot)')
    .option('-o, --output <file>', 'write to a file (mode 0600) instead of stdout')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (flags: ExportFlags) => {
      if (NEEDS_FOCUS.has(flags.format) && !flags.focus) {
        throw new NhiError('USAGE', `--format ${flags.format} draws one identity's neighbourhood: give --focus IDENTITY`, {
          suggestion: 'e.g. nhi export --format mermaid --focus jenkins-builder; the whole graph: --format opengraph, cypher or graphml',
        });
      }
      const { graph, now } = await openSnapshot(flags);
      const analysis = graphAnalysis(graph, now);
      let model;
      if (flags.focus) {
        const subject = resolveIdentity(graph, flags.focus);
        const focused = focusModel(graph, analysis, subject, startOf(graph, analysis, subject));
        if (focused.truncated) process.stderr.write(`nhi: note: the neighbourhood of ${safeLabel(subject.name, 80)} was cut to its first ${FOCUS_MAX_NODES} nodes\n`);
        model = focused;
      } else model = wholeModel(graph, analysis);
      writeOutputChunks(renderExport(flags.format, model), flags.output);
    });
}
