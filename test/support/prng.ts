/**
 * The one seeded generator of the test suite, the fakes and the benchmark (mulberry32): small, well mixed, and the
 * same sequence for the same seed everywhere, so a failing fuzz case or fault plan is reproduced by its seed alone.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
