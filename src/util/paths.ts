import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The package's root folder (holds package.json), found from this file whether run from src/ or dist/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'nhi-drift') return (cached = dir);
      } catch {
        // keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('nhi-drift package root not found');
    dir = up;
  }
}

export function demoDir(): string {
  return path.join(packageRoot(), 'examples', 'demo', 'aws');
}
