/**
 * A URL as it may be shown or stored: user name and password (`https://oauth2:glpat-…@gitlab.example.com`) are
 * removed, as are query strings and fragments, which can carry tokens too. Text that does not parse as a URL is
 * returned with anything up to an `@` before the first `/` removed, so a token never survives either way.
 */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return fallback(value);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    const s = u.toString();
    // URL adds a trailing slash to a bare origin: keep what the user wrote
    return !value.endsWith('/') && s.endsWith('/') && u.pathname === '/' ? s.slice(0, -1) : s;
  } catch {
    return fallback(value);
  }
}

function fallback(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/\s]*@/i, '$1').replace(/[?#].*$/, '');
}

/** Whether the URL carries credentials (user info) that must not be used silently or echoed. */
export function hasUserinfo(value: string): boolean {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.username !== '' || u.password !== '';
  } catch {
    // not a URL: judged by its shape below
  }
  return /^([a-z][a-z0-9+.-]*:\/\/)?[^/\s]*@/i.test(value);
}

/** A URL's parts for naming a request (call counts): path and host, or undefined when it does not parse. */
export function urlParts(value: string): { path: string; host: string } | undefined {
  try {
    const u = new URL(value);
    return { path: u.pathname, host: u.host };
  } catch {
    return undefined;
  }
}
