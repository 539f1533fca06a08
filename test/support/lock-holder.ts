/**
 * A child process that opens the store at `file`, starts a write transaction and holds it until killed: `spill`
 * writes enough that SQLite spills changed pages into the database file (its journal then holds the originals);
 * `exclusive` takes the lock that keeps readers out too. Resolves once the transaction is open. Killing it with
 * SIGKILL leaves what a killed scan leaves: a hot journal.
 */
import { spawn } from 'node:child_process';
import { repoRoot } from '../e2e/run.js';

export async function holdWrite(file: string, mode: 'immediate' | 'exclusive' | 'spill') {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('cache_size = 4');
    db.exec(${JSON.stringify(mode === 'exclusive' ? 'BEGIN EXCLUSIVE' : 'BEGIN IMMEDIATE')});
    if (${JSON.stringify(mode)} === 'spill') {
      db.prepare('DELETE FROM snapshot_chunks').run();
      db.prepare('DELETE FROM chunks').run();
      const ins = db.prepare('INSERT INTO chunks (hash, data) VALUES (?, ?)');
      for (let i = 0; i < 400; i++) ins.run(Buffer.from('junk-' + i), Buffer.alloc(2000, 120));
    }
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  return {
    kill: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
