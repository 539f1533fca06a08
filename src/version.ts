import { readFileSync } from 'node:fs';

/** package.json, read once (works from src/ under vitest and from dist/). */
function readPackage(): Record<string, unknown> | undefined {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as Record<string, unknown>;
      if (pkg.name === 'nhi-drift') return pkg;
    } catch {
      // try the next location
    }
  }
  return undefined;
}

/**
 * The project's home page as package.json states it (`homepage`, an absolute http(s) URL), or undefined when the
 * package names none. Reports link to it only when it exists: they never invent a repository URL.
 */
export function projectHome(pkg: unknown): string | undefined {
  const home = pkg && typeof pkg === 'object' ? (pkg as { homepage?: unknown }).homepage : undefined;
  if (typeof home !== 'string') return undefined;
  try {
    const url = new URL(home);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password ? url.href.replace(/\/$/, '') : undefined;
  } catch {
    return undefined;
  }
}

const PKG = readPackage();

export const VERSION = typeof PKG?.version === 'string' && PKG.version ? PKG.version : '0.0.0';
export const TOOL_NAME = 'nhi-drift';
/** Where people find out about the tool: package.json `homepage`; undefined while the package names none. */
export const INFORMATION_URI: string | undefined = projectHome(PKG);
