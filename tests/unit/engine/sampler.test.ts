import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sampler, penalizeScore, type SamplerOptions } from '../../../src/engine/sampler.ts';
import { FixedRng, assertClose } from './fakes.ts';

// Known distribution over ids 0..3: p = [0.1, 0.4, 0.2, 0.3] → ranked 1, 3, 2, 0; CDF 0.4, 0.7, 0.9, 1.
const IDS = [0, 1, 2, 3];
const SCORES = [0.1, 0.4, 0.2, 0.3].map(Math.log);
const plain: SamplerOptions = { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };
const none = new Set<number>();

function pick(options: Partial<SamplerOptions>, u: number, scores = SCORES, ids = IDS): number {
  const rng = new FixedRng([u]);
  const j = new Sampler().choose(ids, scores, ids.length, { ...plain, ...options }, rng, none);
  assert.equal(rng.draws, 1, 'exactly one draw per token');
  return ids[j];
}

test('temperature 1: inverse CDF in score order', () => {
  assert.equal(pick({}, 0), 1);
  assert.equal(pick({}, 0.39), 1);
  assert.equal(pick({}, 0.41), 3);
  assert.equal(pick({}, 0.69), 3);
  assert.equal(pick({}, 0.71), 2);
  assert.equal(pick({}, 0.89), 2);
  assert.equal(pick({}, 0.91), 0);
  assert.equal(pick({}, 0.999999), 0);
});

test('CDF intervals are half-open: u on a boundary selects the next token', () => {
  // Two equal scores: token 4 owns [0, 0.5), token 9 owns [0.5, 1).
  assert.equal(pick({}, 0.5, [-1, -1], [4, 9]), 9);
  assert.equal(pick({}, 0.4999999, [-1, -1], [4, 9]), 4);
  assert.equal(pick({}, 0, [-1, -1], [4, 9]), 4);
});

test('distribution() is the softmax of the scores', () => {
  const out = new Float64Array(4);
  new Sampler().distribution(IDS, SCORES, 4, plain, none, out);
  [0.1, 0.4, 0.2, 0.3].forEach((p, j) => assertClose(out[j], p, 1e-12));
});

test('temperature 2 flattens: p ∝ sqrt(p)', () => {
  const roots = [0.1, 0.4, 0.2, 0.3].map(Math.sqrt);
  const z = roots.reduce((a, b) => a + b, 0);
  const out = new Float64Array(4);
  new Sampler().distribution(IDS, SCORES, 4, { ...plain, temperature: 2 }, none, out);
  roots.forEach((r, j) => assertClose(out[j], r / z, 1e-12));
  // CDF boundary after id 1 is sqrt(.4)/z ≈ 0.3254 (vs 0.4 at T=1).
  const b1 = roots[1] / z;
  assert.equal(pick({ temperature: 2 }, b1 - 1e-9), 1);
  assert.equal(pick({ temperature: 2 }, b1 + 1e-9), 3);
});

test('top-k keeps the k best, renormalised', () => {
  // Survivors 1 (0.4) and 3 (0.3): boundary 0.4 / 0.7 = 0.5714…
  assert.equal(pick({ topK: 2 }, 0.571), 1);
  assert.equal(pick({ topK: 2 }, 0.572), 3);
  assert.equal(pick({ topK: 2 }, 0.99), 3);
  assert.equal(pick({ topK: 1 }, 0.99), 1);
});

test('top-p keeps the shortest prefix reaching p', () => {
  // p = 0.75: 0.4, 0.7, 0.9 → keep 3, total 0.9; u·0.9 vs CDF 0.4, 0.7.
  assert.equal(pick({ topP: 0.75 }, 0.77), 3); // 0.693
  assert.equal(pick({ topP: 0.75 }, 0.78), 2); // 0.702
  assert.equal(pick({ topP: 0.75 }, 0.99), 2);
  // Just below / above the two-token mass 0.7.
  assert.equal(pick({ topP: 0.69 }, 0.99), 3);
  assert.equal(pick({ topP: 0.71 }, 0.99), 2);
  assert.equal(pick({ topP: 0.3 }, 0.99), 1);
});

test('top-p applies to the top-k survivors renormalised', () => {
  // top-k 3: 0.4, 0.3, 0.2 over 0.9 → 0.444, 0.778 ≥ 0.75 → keep 2.
  assert.equal(pick({ topK: 3, topP: 0.75 }, 0.99), 3);
});

test('greedy: argmax, ties to the lowest id, no RNG draw', () => {
  const rng = new FixedRng([]);
  const s = new Sampler();
  const greedy = { ...plain, temperature: 0 };
  assert.equal(IDS[s.choose(IDS, SCORES, 4, greedy, rng, none)], 1);
  const ids = [5, 3, 1, 7];
  assert.equal(ids[s.choose(ids, [1, 2, 2, 0], 4, greedy, rng, none)], 1);
  assert.equal(rng.draws, 0);
});

test('repetition penalty (CTRL): negative ×p, positive ÷p, only on generated ids', () => {
  assert.equal(penalizeScore(-1, 1.2), -1.2);
  assert.equal(penalizeScore(2, 2), 1);
  const s = new Sampler();
  const greedy = { ...plain, temperature: 0, repetitionPenalty: 1.2 };
  const rng = new FixedRng([]);
  assert.equal(s.choose([0, 1], [-1, -1.1], 2, greedy, rng, none), 0);
  assert.equal(s.choose([0, 1], [-1, -1.1], 2, greedy, rng, new Set([0])), 1); // -1.2 < -1.1
  assert.equal(s.choose([0, 1], [2, 1.5], 2, { ...greedy, repetitionPenalty: 2 }, rng, new Set([0])), 1); // 1 < 1.5
  // Penalty 1 is off.
  assert.equal(s.choose([0, 1], [-1, -1.1], 2, { ...greedy, repetitionPenalty: 1 }, rng, new Set([0])), 0);
});

test('penalised distribution: p ∝ exp(score·1.5) for the repeated id', () => {
  const out = new Float64Array(2);
  new Sampler().distribution([4, 9], [-1, -2], 2, { ...plain, repetitionPenalty: 1.5 }, new Set([4]), out);
  const a = Math.exp(-1.5);
  const b = Math.exp(-2);
  assertClose(out[0], a / (a + b), 1e-12);
  assertClose(out[1], b / (a + b), 1e-12);
});

test('inputs are not mutated', () => {
  const scores = Float64Array.from(SCORES);
  new Sampler().choose(IDS, scores, 4, { ...plain, repetitionPenalty: 2 }, new FixedRng([0.5]), new Set([1]));
  assert.deepEqual(Array.from(scores), SCORES);
});
