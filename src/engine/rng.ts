/**
 * Seeded PRNG for sampling. Mulberry32: 32-bit state, one multiply-xorshift round per draw.
 * Chosen because it is tiny, fast in JS (Math.imul, no BigInt) and its stream is fully
 * determined by the seed, so a generation can be reproduced exactly from `SamplingOptions.seed`.
 * Not cryptographic, which sampling does not need.
 */
export interface Rng {
  /** Uniform draw in [0, 1). */
  next(): number;
}

/** Any finite number is accepted as a seed; it is reduced to its low 32 bits (ToUint32). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      // 2^32: maps the 32-bit output onto [0, 1) without ever reaching 1.
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
