import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { legacyStoreLeft, resolveStorePath } from '../../src/cli/commands/common.js';
import { defaultStorePath, displayPath } from '../../src/cli/io.js';

describe('the default store path', () => {
  it.each([
    ['linux with XDG_DATA_HOME', 'linux', { XDG_DATA_HOME: '/data/me' }, '/data/me/nhi-drift/nhi.db'],
    ['linux without it', 'linux', {}, '/home/me/.local/share/nhi-drift/nhi.db'],
    ['linux with a relative XDG_DATA_HOME (ignored, as the spec says)', 'linux', { XDG_DATA_HOME: 'data' }, '/home/me/.local/share/nhi-drift/nhi.db'],
    ['freebsd', 'freebsd', {}, '/home/me/.local/share/nhi-drift/nhi.db'],
    ['macOS', 'darwin', { XDG_DATA_HOME: '/data/me' }, '/home/me/Library/Application Support/nhi-drift/nhi.db'],
    ['windows', 'win32', { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'C:\\Users\\me\\AppData\\Local\\nhi-drift\\nhi.db'],
  ] as const)('%s', (_label, platform, env, expected) => {
    expect(defaultStorePath(env as NodeJS.ProcessEnv, platform, '/home/me')).toBe(expected);
  });

  it('never lies in the current directory', () => {
    const p = defaultStorePath();
    expect(path.isAbsolute(p)).toBe(true);
    expect(p.startsWith(`${process.cwd()}${path.sep}`)).toBe(false);
  });

  it('is shown with ~ for the home folder', () => {
    expect(displayPath('/home/me/.local/share/nhi-drift/nhi.db', '/home/me')).toBe('~/.local/share/nhi-drift/nhi.db');
    expect(displayPath('/home/meow/x.db', '/home/me')).toBe('/home/meow/x.db');
  });
});

describe('which store a command uses', () => {
  it('--store, then NHI_STORE, then the config, then the default', () => {
    const env = { HOME: '/home/me', XDG_DATA_HOME: '/xdg' };
    expect(resolveStorePath('a.db', 'c.db', { ...env, NHI_STORE: 'e.db' })).toEqual({ path: 'a.db', source: 'flag' });
    expect(resolveStorePath(undefined, 'c.db', { ...env, NHI_STORE: 'e.db' })).toEqual({ path: 'e.db', source: 'env' });
    expect(resolveStorePath(undefined, 'c.db', env)).toEqual({ path: 'c.db', source: 'config' });
    expect(resolveStorePath(undefined, undefined, env)).toEqual({ path: '/xdg/nhi-drift/nhi.db', source: 'default' });
  });

  describe('the store of earlier versions in ./.nhi', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-legacy-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is pointed out only when the default is in use and the old file exists', () => {
      const loc = { path: '/xdg/nhi-drift/nhi.db', source: 'default' as const };
      expect(legacyStoreLeft(loc, dir)).toBeUndefined();
      mkdirSync(path.join(dir, '.nhi'));
      writeFileSync(path.join(dir, '.nhi', 'nhi.db'), '');
      expect(legacyStoreLeft(loc, dir)).toBe(path.join(dir, '.nhi', 'nhi.db'));
      expect(legacyStoreLeft({ ...loc, source: 'flag' }, dir)).toBeUndefined();
      expect(legacyStoreLeft({ ...loc, source: 'config' }, dir)).toBeUndefined();
      expect(legacyStoreLeft({ path: path.join(dir, '.nhi', 'nhi.db'), source: 'default' }, dir)).toBeUndefined();
    });
  });
});
