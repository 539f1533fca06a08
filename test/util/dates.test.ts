import { describe, expect, it } from 'vitest';
import { toIso } from '../../src/util/dates.js';

describe('toIso', () => {
  it.each([
    ['2022-08-07 12:56:48+00:00', '2022-08-07T12:56:48.000Z'],
    ['2026-01-02', '2026-01-02T00:00:00.000Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    // regression: a number outside the Date range made toISOString throw a RangeError
    [1e20, undefined],
    [-1e20, undefined],
    [Number.NaN, undefined],
    ['N/A', undefined],
    ['2026-02-30T00:00:00Z', undefined],
    ['2024-02-29T10:00:00Z', '2024-02-29T10:00:00.000Z'],
    ['2026-13-01', undefined],
    [{}, undefined],
  ])('%j -> %j', (input, expected) => {
    expect(toIso(input)).toBe(expected);
  });
});
