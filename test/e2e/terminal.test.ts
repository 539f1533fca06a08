/**
 * The terminal report on a real terminal: bin/nhi runs under a pseudo-terminal (util-linux `script`) of a fixed
 * size, the way a user sees it. Skipped where `script` is missing (it is part of util-linux on Linux).
 */
import { spawn, spawnSync } from 'node:child_process';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { bin, nhi, repoRoot } from './run.js';

const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/** All CSI / OSC sequences (colours, cursor moves, erases) and carriage returns. */
const CONTROL = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\r/g;
const SGR = /\u001b\[[0-9;]*m/;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run `nhi ARGS` with stdout on a COLSxROWS pseudo-terminal (stderr discarded); resolves with what the terminal got. */
function onTerminal(args: string[], env: Record<string, string | undefined>, cols = 80, rows = 24): Promise<{ code: number; out: string }> {
  const full: Record<string, string | undefined> = { ...process.env, CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, NHI_DEBUG: undefined, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  const cmd = `stty cols ${cols} rows ${rows}; exec ${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')} 2>/dev/null`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { cwd: repoRoot, env: full as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe.skipIf(!hasScript)('terminal report on a real terminal', () => {
  const args = ['scan', '--demo', '--no-store'];

  it('at 80x24 with NO_COLOR: no colour, no line wider than the terminal, the same words as piped, and the report ends the output', async () => {
    const [tty, piped] = await Promise.all([onTerminal(args, { NO_COLOR: '1' }), nhi(args)]);
    expect(tty.code).toBe(0);
    expect(tty.out).not.toMatch(SGR);
    const text = tty.out.replace(CONTROL, '');
    const lines = text.replace(/\n$/, '').split('\n');
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
    expect(text.replace(/\s+/g, '')).toBe(piped.stdout.replace(/\s+/g, ''));
    // nothing after the report: no blank screen of padding, no redraw, no cursor games
    expect(tty.out).toMatch(/\S\r?\n$/);
    expect(lines[lines.length - 1]).toMatch(/\S/);
    expect(lines.length).toBeLessThan(piped.stdout.split('\n').length * 2);
  });

  it('colours on a terminal by default and with FORCE_COLOR=1, never with FORCE_COLOR=0', async () => {
    const [plainTty, forced, off] = await Promise.all([onTerminal(args, {}, 120, 40), onTerminal(args, { FORCE_COLOR: '1' }, 250, 50), onTerminal(args, { FORCE_COLOR: '0' }, 120, 40)]);
    expect(plainTty.out).toMatch(SGR);
    expect(forced.out).toMatch(SGR);
    expect(off.out).not.toMatch(SGR);
    for (const [r, cols] of [[plainTty, 120], [off, 120], [forced, 250]] as const) {
      for (const line of r.out.replace(CONTROL, '').split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(cols);
    }
  });
});

describe('terminal report piped', () => {
  it('FORCE_COLOR colours it even when piped; NO_COLOR wins; piped lines are not wrapped', async () => {
    const args = ['scan', '--demo', '--no-store'];
    const [forced, both] = await Promise.all([nhi(args, { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }), nhi(args, { env: { NO_COLOR: '1', FORCE_COLOR: '1' } })]);
    expect(forced.stdout).toMatch(SGR);
    expect(both.stdout).not.toMatch(SGR);
    expect(both.stdout.split('\n').some((l) => l.length > 120)).toBe(true);
  });
});
