import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CandidateSelector, type CandidateSet } from '../../../src/engine/candidates.ts';
import { createRng } from '../../../src/engine/rng.ts';

const ids = (c: CandidateSet): number[] => Array.from(c.ids.subarray(0, c.count));
const lp = (c: CandidateSet): number[] => Array.from(c.baseLogProbs.subarray(0, c.count));

test('top-k keeps the k best, ties to the lower id, ranked', () => {
  const sel = new CandidateSelector();
  const c = sel.select([1, 3, 3, 0, 2], 0, 3, 1);
  assert.deepEqual(ids(c), [1, 2, 4]);
  assert.deepEqual(lp(c), [3, 3, 2]);
  assert.equal(c.ranked, true);
});

test('log-probs are logits minus the normaliser', () => {
  const c = new CandidateSelector().select([1, 3, 3, 0, 2], 0.5, 2, 1);
  assert.deepEqual(lp(c), [2.5, 2.5]);
});

test('nucleus: shortest prefix whose base mass reaches top-p', () => {
  const logp = [0.5, 0.25, 0.125, 0.125].map(Math.log);
  const sel = new CandidateSelector();
  assert.deepEqual(ids(sel.select(logp, 0, 0, 0.5)), [0]);
  assert.deepEqual(ids(sel.select(logp, 0, 0, 0.7)), [0, 1]);
  assert.deepEqual(ids(sel.select(logp, 0, 0, 0.75)), [0, 1]);
  // 0.875 needs the third token; the 0.125 tie goes to id 2.
  assert.deepEqual(ids(sel.select(logp, 0, 0, 0.76)), [0, 1, 2]);
  assert.deepEqual(ids(sel.select(logp, 0, 0, 0.99)), [0, 1, 2, 3]);
});

test('top-k and top-p intersect (nucleus uses the base mass, not renormalised)', () => {
  const logp = [0.5, 0.25, 0.125, 0.125].map(Math.log);
  const sel = new CandidateSelector();
  assert.deepEqual(ids(sel.select(logp, 0, 1, 0.9)), [0]);
  // top-2 holds 0.75 < 0.9: both kept, no widening beyond k.
  assert.deepEqual(ids(sel.select(logp, 0, 2, 0.9)), [0, 1]);
  assert.deepEqual(ids(sel.select(logp, 0, 3, 0.6)), [0, 1]);
});

test('nucleus search widens past its initial window when top-k is off', () => {
  const vocab = 300;
  const logits = new Float32Array(vocab); // uniform: each token 1/300
  const c = new CandidateSelector().select(logits, Math.log(vocab), 0, 0.505);
  // 151/300 = 0.50333 < 0.505 ≤ 152/300
  assert.equal(c.count, 152);
  assert.deepEqual(ids(c), Array.from({ length: 152 }, (_, i) => i));
});

test('masked (−Infinity) tokens are never candidates', () => {
  const sel = new CandidateSelector();
  assert.deepEqual(ids(sel.select([0, -Infinity, -Infinity, 0], 0, 3, 1)), [0, 3]);
  assert.deepEqual(ids(sel.select([0, -Infinity, -Infinity, 0], 0, 0, 1)), [0, 3]);
});

test('both restrictions off: every id in id order, no ranking', () => {
  const c = new CandidateSelector().select([0, 2, 1], 1, 0, 1);
  assert.deepEqual(ids(c), [0, 1, 2]);
  assert.deepEqual(lp(c), [-1, 1, 0]);
  assert.equal(c.ranked, false);
});

test('heap selection equals a full sort on a large vocab with many ties', () => {
  const rng = createRng(99);
  const vocab = 5000;
  const logits = new Float32Array(vocab);
  for (let i = 0; i < vocab; i++) logits[i] = Math.floor(rng.next() * 20) / 4;
  const expected = Array.from({ length: vocab }, (_, i) => i)
    .sort((a, b) => logits[b] - logits[a] || a - b)
    .slice(0, 37);
  const sel = new CandidateSelector();
  assert.deepEqual(ids(sel.select(logits, 0, 37, 1)), expected);
  // Buffers are reused: a second, smaller call is still exact.
  assert.deepEqual(ids(sel.select(logits, 0, 5, 1)), expected.slice(0, 5));
});
