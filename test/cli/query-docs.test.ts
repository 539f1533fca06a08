/**
 * The query commands are documented where a user looks: every flag in docs/commands/<command>.md and in the README's
 * section for the command, the JSON schema definitions the pages name exist, and the fixture the tests use is what
 * its generator writes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const readme = read('README.md');

/** The README's section for a command: from its `### \`nhi <name>` heading to the next heading. */
function readmeSection(name: string): string {
  const start = readme.indexOf(`### \`nhi ${name}`);
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n#', start + 4);
  return readme.slice(start, end);
}

describe.each([
  ['paths', 'paths'],
  ['can', 'can'],
  ['who-can', 'whoCan'],
])('nhi %s is documented', (name, definition) => {
  const cmd = buildProgram().commands.find((c) => c.name() === name)!;
  const page = read(`docs/commands/${name}.md`);

  it('is registered, with a description', () => {
    expect(cmd).toBeDefined();
    expect(cmd.description()).not.toBe('');
  });

  // as --help prints it: `-f, --format <format>`, `--max-hops <n>`
  it.each(cmd.options.map((o) => [o.flags]))('flag %s is in its page and in the README', (flags) => {
    expect(page).toContain(`\`${flags}\``);
    expect(readmeSection(name)).toContain(`\`${flags}\``);
  });

  it('its page names its JSON schema definition, which exists, and says what the exit codes mean', () => {
    expect(page).toContain(`#/definitions/${definition}`);
    const schema = JSON.parse(read('docs/commands/query-v1.schema.json')) as { definitions: Record<string, unknown> };
    expect(schema.definitions[definition]).toBeDefined();
    expect(page).toMatch(/## Exit codes/);
    expect(readmeSection(name)).toContain(`docs/commands/${name}.md`);
  });
});

describe('nhi export is documented', () => {
  const cmd = buildProgram().commands.find((c) => c.name() === 'export')!;
  const page = read('docs/commands/export.md');

  it('is registered, with a description, and its page says what the exit codes mean', () => {
    expect(cmd.description()).not.toBe('');
    expect(page).toMatch(/## Exit codes/);
    expect(readmeSection('export')).toContain('docs/commands/export.md');
  });

  it.each(cmd.options.map((o) => [o.flags]))('flag %s is in its page and in the README', (flags) => {
    expect(page).toContain(`\`${flags}\``);
    expect(readmeSection('export')).toContain(`\`${flags}\``);
  });

  it('every format has a section in its page', () => {
    const formats = cmd.options.find((o) => o.long === '--format')!.argChoices!;
    for (const f of formats) expect(page).toContain(`### \`${f}\``);
  });
});

describe('the query fixture', () => {
  it('is exactly what test/fixtures/query/generate.mjs writes', () => {
    expect(() => execFileSync(process.execPath, [path.join(root, 'test', 'fixtures', 'query', 'generate.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('nhi mcp is documented', () => {
  const cmd = buildProgram().commands.find((c) => c.name() === 'mcp')!;
  const page = read('docs/commands/mcp.md');

  it.each(cmd.options.map((o) => [o.flags]))('flag %s is in its page and in the README', (flags) => {
    expect(page).toContain(`\`${flags}\``);
    expect(readmeSection('mcp')).toContain(`\`${flags}\``);
  });

  it('its page and the README name every tool, and the page says what the exit codes mean', () => {
    for (const tool of ['list_identities', 'get_identity', 'list_findings', 'explain_finding', 'paths', 'can', 'who_can', 'diff_snapshots', 'coverage']) {
      expect(page).toContain(`### \`${tool}\``);
      expect(readmeSection('mcp')).toContain(`\`${tool}\``);
    }
    expect(page).toMatch(/## Exit codes/);
    expect(readmeSection('mcp')).toContain('docs/commands/mcp.md');
  });
});
