/**
 * A small seeded pseudo-random generator (mulberry32) for property and fuzz tests: numbers in
 * [0, 1), the same sequence for the same seed, so that a failure replays from its seed.
 *
 * @example
 * const next = seededRandom(42);
 * const length = Math.floor(next() * 100);
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
