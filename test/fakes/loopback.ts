/**
 * Shared plumbing of the loopback fake servers: listen on a random 127.0.0.1 port, close with open sockets, and
 * transport faults every fake can inject per route and per N-th request (a response cut mid-body, a complete 2xx
 * whose body is not what the API sends, a request that is never answered).
 */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../support/prng.js';

/** Start listening; resolves to the base URL (`http://127.0.0.1:<port>`). */
export async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Close the server, dropping keep-alive connections the clients still hold (and requests left unanswered). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

/**
 * A transport fault:
 * - `cut`: the status line, the headers (with the full Content-Length) and part of the body, then the socket is
 *   destroyed: the client sees a 2xx whose body ends early;
 * - `body`: a complete, well-formed HTTP response with the given body instead of the real one (an empty body, `{}`
 *   where a list belongs, …), status 200 unless given;
 * - `hang`: the request is read, and never answered (the connection stays open until the client gives up);
 * - `stall`: the headers and part of the body are sent, the rest never comes (the connection stays open).
 */
export type Fault = { kind: 'cut'; keep?: number } | { kind: 'body'; body: string; status?: number; contentType?: string } | { kind: 'hang' } | { kind: 'stall'; keep?: number };

/**
 * Which matching requests get the fault: all of them (the default), those whose path contains `where`, the listed
 * ones (`nth`, 1-based, counted per rule), every n-th, a seeded fraction (`rate` 0..1 with `seed`: the same
 * requests every run), at most `times`.
 */
export interface FaultSelector {
  /** only requests whose path contains this (a project id, a repository name) */
  where?: string;
  nth?: number[];
  every?: number;
  rate?: number;
  seed?: number;
  times?: number;
}

/** A small seeded generator (mulberry32): fault plans repeat exactly for a seed. */
export const seeded = mulberry32;

interface FaultRule {
  match: (route: string) => boolean;
  fault: Fault;
  select: FaultSelector;
  seen: number;
  used: number;
  rnd?: () => number;
}

/** The faults of one fake server, by route (the fake's own route names). */
export class FaultPlan {
  private rules: FaultRule[] = [];
  /** requests that got a fault, by route: what a test can hold the client's result against */
  readonly injected: Array<{ route: string; kind: Fault['kind'] }> = [];

  add(route: string | RegExp | ((route: string) => boolean), fault: Fault, select: FaultSelector = {}): void {
    const match = typeof route === 'string' ? (r: string) => r === route : route instanceof RegExp ? (r: string) => route.test(r) : route;
    this.rules.push({ match, fault, select, seen: 0, used: 0, rnd: select.rate !== undefined ? seeded(select.seed ?? 1) : undefined });
  }

  clear(): void {
    this.rules = [];
    this.injected.length = 0;
  }

  /** The fault for the next request on `route` (at `path`), if any (call exactly once per request). */
  next(route: string, path = ''): Fault | undefined {
    let chosen: Fault | undefined;
    for (const r of this.rules) {
      if (!r.match(route)) continue;
      if (r.select.where !== undefined && !path.includes(r.select.where)) continue;
      r.seen++;
      if (chosen) continue;
      const s = r.select;
      if (s.times !== undefined && r.used >= s.times) continue;
      if (s.nth && !s.nth.includes(r.seen)) continue;
      if (s.every && r.seen % s.every !== 0) continue;
      if (r.rnd && r.rnd() >= (s.rate ?? 0)) continue;
      r.used++;
      chosen = r.fault;
    }
    if (chosen) this.injected.push({ route, kind: chosen.kind });
    return chosen;
  }
}

/** Write a response, or the fault in its place. `headers` should carry the content type. */
export function respondWith(res: ServerResponse, fault: Fault | undefined, status: number, headers: Record<string, string>, body: string | Buffer): void {
  if (fault?.kind === 'hang') return; // read, never answered
  if (fault?.kind === 'body') {
    const b = Buffer.from(fault.body);
    res.writeHead(fault.status ?? 200, { ...headers, ...(fault.contentType ? { 'content-type': fault.contentType } : {}), 'content-length': String(b.length) });
    res.end(b);
    return;
  }
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  if (fault?.kind === 'cut' || fault?.kind === 'stall') {
    // the full length is announced, part of it sent, then the connection is dropped (cut) or left hanging (stall)
    const keep = Math.max(0, Math.min(buf.length - 1, fault.keep ?? Math.floor(buf.length / 2)));
    res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
    res.flushHeaders();
    res.write(buf.subarray(0, keep), () => {
      if (fault.kind === 'cut') res.socket?.destroy();
    });
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  res.end(buf);
}
