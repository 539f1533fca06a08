import { setTimeout as wait } from 'node:timers/promises';

/** Wait `ms` milliseconds, or reject (AbortError) as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return wait(ms, undefined, signal ? { signal } : undefined);
}
