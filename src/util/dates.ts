const DAY_MS = 86_400_000;

/**
 * Parse the date forms platforms and their exports use into ISO-8601 UTC, or undefined:
 * `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.000+00:00`, boto3's `2022-08-07 12:56:48+00:00`, epoch millis,
 * Date objects. Sentinels such as `N/A`, `no_information`, `not_supported` and empty strings give undefined.
 */
export function toIso(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number') {
    // outside the Date range (±8.64e15 ms) toISOString throws: such a number is not a date
    const d = Number.isFinite(value) ? new Date(value) : undefined;
    return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!s || /^(n\/a|no_information|not_supported|none|null|false|true)$/i.test(s)) return undefined;
  // boto3 style: "2022-08-07 12:56:48+00:00" -> put the T in; a bare date gets midnight UTC
  let norm = s.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})/, '$1T$2');
  if (/^\d{4}-\d{2}-\d{2}$/.test(norm)) norm += 'T00:00:00Z';
  const ymd = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}/.exec(norm);
  if (!ymd) return undefined;
  // a day that does not exist (30 February) is not a date: Date would quietly roll it over to March
  const [y, m, d0] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  if (m < 1 || m > 12 || d0 < 1 || d0 > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  // no zone designator: the platforms mean UTC
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(norm)) norm += 'Z';
  const d = new Date(norm);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Whole days from `iso` to `now` (floored); undefined when iso is missing. */
export function daysSince(iso: string | null | undefined, now: Date): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return Math.floor((now.getTime() - t) / DAY_MS);
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** `2024-05-01` */
export function isoDay(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : 'never';
}
