import { test } from 'node:test';
import assert from 'node:assert/strict';
import { btUpdate, sigmoid } from '../../../src/prefs/learning-bt.ts';
import { clampWeight, learnFromFeedback } from '../../../src/prefs/learning.ts';
import { emptyLearner } from '../../../src/prefs/learning-state.ts';
import { weightMoves } from '../../../src/prefs/learning-moves.ts';
import type { LearnerState } from '../../../src/prefs/types.ts';

const close = (actual: number, expected: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected}, got ${actual}`);

test('1-D: one Newton step equals the hand-computed step', () => {
  // Prior N(0, 1), x = 1, A chosen. Negative log posterior L(w) = −log σ(w) + w²/2.
  // L'(0) = −(1 − σ(0)) = −0.5,  L''(0) = σ(0)(1 − σ(0)) + 1 = 1.25  →  w₁ = 0.5 / 1.25 = 0.4.
  const one = btUpdate({ mean: [0], cov: [1] }, [1], 1, { iterations: 1 });
  close(one.mean[0], 0.4, 1e-12, 'mean');
  // Laplace variance at w₁: 1 / (1 + σ(0.4)(1 − σ(0.4)))
  const s = sigmoid(0.4);
  close(one.cov[0], 1 / (1 + s * (1 - s)), 1e-12, 'variance');
});

test('1-D: iterated to convergence, the mean solves the MAP equation and scales with the prior', () => {
  // Stationarity: w − m = Σ·x·(1 − σ(w·x))  with m = 0.5, Σ = 2, x = 2, B chosen (y = −1).
  const post = btUpdate({ mean: [0.5], cov: [2] }, [2], -1);
  const w = post.mean[0];
  close(w - 0.5, 2 * 2 * -(1 - sigmoid(-w * 2)), 1e-10, 'MAP equation');
  assert.ok(w < 0.5, 'B chosen with x = f_A − f_B > 0 → weight goes down');
  // A wider prior lets the same observation move the weight further.
  const wide = btUpdate({ mean: [0.5], cov: [8] }, [2], -1).mean[0];
  assert.ok(wide < w);
});

test('D-dim: the update moves along Σx only, and shrinks variance along x', () => {
  const cov = [2, 0.5, 0, 0.5, 1, 0, 0, 0, 3];
  const x = [1, -1, 0];
  const post = btUpdate({ mean: [0, 0, 0], cov }, x, 1);
  const sx = [2 - 0.5, 0.5 - 1, 0];
  const c = post.mean[0] / sx[0];
  post.mean.forEach((m, i) => close(m, c * sx[i], 1e-12, `mean[${i}]`));
  assert.ok(c > 0);
  assert.equal(post.cov[8], 3, 'an uncorrelated dimension the observation does not involve is untouched');
  const varAlongX = (m: readonly number[]) => x.reduce((s, xi, i) => s + xi * x.reduce((t, xj, j) => t + m[i * 3 + j] * xj, 0), 0);
  assert.ok(varAlongX(post.cov) < varAlongX(cov));
});

test('choice feedback: weights move toward the chosen response’s features, by the exact Laplace amount', () => {
  const fb = { kind: 'choice' as const, a: { features: { e: 1.5, s: 0 }, weights: { e: 1 } }, b: { features: { e: 0.5, s: 0 }, weights: { e: -1 } }, chosen: 'a' as const };
  const r = learnFromFeedback({}, undefined, fb, { priorStd: 1, driftStd: 0 });
  // Reduces to the 1-D case: x = (1, 0), prior N(0, I).
  const expected = btUpdate({ mean: [0], cov: [1] }, [1], 1).mean[0];
  close(r.weights.e, expected, 1e-12, 'e');
  close(r.weights.s, 0, 0, 's');
  assert.deepEqual(r.moves.map((m) => m.dimension), ['e', 's']);
  close(r.moves[0].delta, expected, 1e-12);
  assert.equal(r.learner.observations, 1);
});

test('the prior is centred on the current weights (a manual edit re-centres it)', () => {
  const fb = { kind: 'choice' as const, a: { features: { e: 1 }, weights: {} }, b: { features: { e: 0 }, weights: {} }, chosen: 'a' as const };
  const learner = emptyLearner(['e'], 1);
  const from0 = learnFromFeedback({ e: 0 }, learner, fb, { driftStd: 0 }).weights.e;
  const from2 = learnFromFeedback({ e: 2 }, learner, fb, { driftStd: 0 }).weights.e;
  close(from2, btUpdate({ mean: [2], cov: [1] }, [1], 1).mean[0], 1e-12, 'centred on 2');
  assert.ok(from2 > 2 && from2 - 2 < from0, 'confidently predicted already → smaller step');
  // Uninformative feedback (identical features) leaves the current weights exactly as they are.
  const same = { ...fb, b: { features: { e: 1 }, weights: {} } };
  assert.deepEqual(learnFromFeedback({ e: 2 }, learner, same).weights, { e: 2 });
});

test('learned weights are clamped to [-3, 3]', () => {
  const confident: LearnerState = { ...emptyLearner(['e']), cov: [100] };
  const fb = { kind: 'choice' as const, a: { features: { e: 1 }, weights: {} }, b: { features: { e: 0 }, weights: {} }, chosen: 'a' as const };
  const r = learnFromFeedback({ e: 2.9 }, confident, fb);
  assert.ok(btUpdate({ mean: [2.9], cov: [100] }, [1], 1).mean[0] > 3, 'precondition: unclamped would exceed');
  assert.equal(r.weights.e, 3);
  assert.equal(clampWeight(-7), -3);
  assert.equal(clampWeight(1.5), 1.5);
});

test('thumbs: compared against the running mean of past responses', () => {
  let learner: LearnerState | undefined;
  let weights = {};
  // First response: no reference yet → only seeds the mean.
  let r = learnFromFeedback(weights, learner, { kind: 'thumb', up: true, features: { e: 1 }, weights: {} });
  assert.deepEqual(r.weights, { e: 0 });
  assert.equal(r.learner.observations, 0);
  assert.deepEqual(r.learner.meanFeature, [1]);
  learner = r.learner;
  weights = r.weights;
  // Thumbs down on a response more "e" than usual → e goes down, by the BT step on x = 3 − 1.
  r = learnFromFeedback(weights, learner, { kind: 'thumb', up: false, features: { e: 3 }, weights: {} }, { driftStd: 0 });
  close(r.weights.e, btUpdate({ mean: [0], cov: [1] }, [2], -1).mean[0], 1e-12, 'thumb step');
  assert.ok(r.weights.e < 0);
  assert.deepEqual(r.learner.meanFeature, [2]);
});

test('new dimensions join the learner with the prior variance', () => {
  const fb = { kind: 'choice' as const, a: { features: { a: 1 }, weights: {} }, b: { features: { a: 0 }, weights: {} }, chosen: 'a' as const };
  const r1 = learnFromFeedback({}, undefined, fb);
  const fb2 = { kind: 'choice' as const, a: { features: { a: 0, b: 1 }, weights: {} }, b: { features: { a: 0, b: 0 }, weights: {} }, chosen: 'b' as const };
  const r2 = learnFromFeedback(r1.weights, r1.learner, fb2, { driftStd: 0 });
  assert.deepEqual(r2.learner.dims, ['a', 'b']);
  close(r2.weights.a, r1.weights.a, 1e-12, 'a untouched by a b-only observation');
  assert.ok(r2.weights.b < 0);
});

test('weightMoves lists every dimension of either side with its delta', () => {
  assert.deepEqual(weightMoves({ b: 1, a: 0.5 }, { a: 1, c: -1 }), [
    { dimension: 'a', before: 0.5, after: 1, delta: 0.5 },
    { dimension: 'b', before: 1, after: 0, delta: -1 },
    { dimension: 'c', before: 0, after: -1, delta: -1 },
  ]);
});

test('drift never makes a dimension more uncertain than the prior', () => {
  const fb = { kind: 'choice' as const, a: { features: { a: 1, b: 0 }, weights: {} }, b: { features: { a: 0, b: 0 }, weights: {} }, chosen: 'a' as const };
  let weights = {};
  let learner: LearnerState | undefined;
  for (let i = 0; i < 200; i++) {
    const r = learnFromFeedback(weights, learner, fb, { priorStd: 1, driftStd: 0.05 });
    weights = r.weights;
    learner = r.learner;
  }
  assert.ok(learner!.cov[3] <= 1 + 1e-12, `var(b) = ${learner!.cov[3]}`);
  assert.ok(learner!.cov[0] < 0.5, 'the observed dimension did get more certain');
});
