import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/io.js';
import { terminalWidth } from '../../reports/terminal/index.js';

describe('colorEnabled (the report on stdout and the progress on stderr)', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    // [env, on a terminal, piped]
    [{}, true, false],
    [{ NO_COLOR: '1' }, false, false],
    [{ NO_COLOR: 'yes please' }, false, false],
    [{ NO_COLOR: '' }, true, false],
    [{ FORCE_COLOR: '1' }, true, true],
    [{ FORCE_COLOR: '2' }, true, true],
    [{ FORCE_COLOR: '3' }, true, true],
    [{ FORCE_COLOR: 'true' }, true, true],
    [{ FORCE_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '0' }, false, false],
    [{ FORCE_COLOR: 'false' }, false, false],
    [{ FORCE_COLOR: 'FALSE' }, false, false],
    [{ FORCE_COLOR: 'sometimes' }, true, false],
    // NO_COLOR wins: the user asked for none
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, false, false],
  ] as Array<[NodeJS.ProcessEnv, boolean, boolean]>)('%o: terminal %s, piped %s', (env, onTty, piped) => {
    expect(colorEnabled(tty, env)).toBe(onTty);
    expect(colorEnabled(pipe, env)).toBe(piped);
  });
});

describe('terminalWidth', () => {
  it('wraps to the columns of a terminal, and not at all when piped', () => {
    expect(terminalWidth({ isTTY: true, columns: 80 })).toBe(80);
    expect(terminalWidth({ isTTY: true, columns: 0 })).toBeUndefined();
    expect(terminalWidth({ isTTY: false, columns: 80 })).toBeUndefined();
    expect(terminalWidth({})).toBeUndefined();
  });
});
