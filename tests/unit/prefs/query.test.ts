import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topEigen } from '../../../src/prefs/learning-linalg.ts';
import { learnFromFeedback } from '../../../src/prefs/learning.ts';
import { MAX_DELTA, MIN_DELTA, proposeComparison } from '../../../src/prefs/learning-query.ts';
import { emptyLearner } from '../../../src/prefs/learning-state.ts';
import type { LearnerState } from '../../../src/prefs/types.ts';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what}: expected ${b}, got ${a}`);

test('power iteration finds the top eigenpair of a known covariance', () => {
  // [[2,1],[1,2]]: eigenvalues 3 (along (1,1)/√2) and 1.
  const e = topEigen([2, 1, 1, 2], 2);
  close(e.value, 3, 1e-9, 'eigenvalue');
  close(e.vector[0], Math.SQRT1_2, 1e-6, 'v0');
  close(e.vector[1], Math.SQRT1_2, 1e-6, 'v1');
  // 3×3 with a known spectrum: Q diag(5, 2, 1) Qᵀ, top eigenvector q = (1, 2, 2)/3.
  const q = [1 / 3, 2 / 3, 2 / 3];
  const u = [2 / 3, 1 / 3, -2 / 3];
  const w = [2 / 3, -2 / 3, 1 / 3];
  const m = Array.from({ length: 9 }, (_, k) => {
    const i = Math.floor(k / 3);
    const j = k % 3;
    return 5 * q[i] * q[j] + 2 * u[i] * u[j] + 1 * w[i] * w[j];
  });
  const e3 = topEigen(m, 3);
  close(e3.value, 5, 1e-9, 'eigenvalue');
  e3.vector.forEach((x, i) => close(x, q[i], 1e-6, `v${i}`));
});

test('with no weights yet, the pair is w ± δv along the covariance’s top eigenvector', () => {
  const learner: LearnerState = { ...emptyLearner(['a', 'b']), cov: [0.5, 0.3, 0.3, 0.5] }; // top: (1,1)/√2, λ = 0.8
  const q = proposeComparison({}, learner);
  close(Math.abs(q.direction.a), Math.SQRT1_2, 1e-6, 'v.a');
  close(q.direction.a, q.direction.b, 1e-6, 'v.b');
  close(q.variance, 0.8, 1e-9, 'variance');
  close(q.delta, Math.min(MAX_DELTA, 3 * Math.sqrt(0.8)), 1e-9, 'δ = 3σ (capped)');
  for (const d of ['a', 'b']) {
    close(q.a[d], q.delta * q.direction[d], 1e-12, `a.${d}`);
    close(q.b[d], -q.delta * q.direction[d], 1e-12, `b.${d}`);
  }
});

test('δ shrinks with the posterior but stays visible', () => {
  const tight: LearnerState = { ...emptyLearner(['a']), cov: [0.01] };
  assert.equal(proposeComparison({}, tight).delta, MIN_DELTA);
  const mid: LearnerState = { ...emptyLearner(['a']), cov: [0.09] };
  close(proposeComparison({}, mid).delta, 0.9, 1e-9, 'δ');
});

test('all of the model’s dimensions are explored, untouched ones at the prior', () => {
  const q = proposeComparison({}, undefined, { dims: ['x', 'y', 'z'] });
  assert.deepEqual(Object.keys(q.a).sort(), ['x', 'y', 'z']);
  close(q.variance, 1, 1e-9, 'isotropic prior variance');
});

test('with a current estimate, the pair is one it predicts as a tie (orthogonal to Jᵀm)', () => {
  // Learn from a few pairs so the feature-response estimate J exists (here J ≈ diag(1, 4)).
  let weights = {};
  let learner: LearnerState | undefined;
  const pairs: Array<[number, number]> = [[1, 0], [0, 1], [1, 1], [1, -1]];
  for (const [da, db] of pairs) {
    const fb = {
      kind: 'choice' as const,
      a: { features: { a: da, b: 4 * db }, weights: { a: da / 2, b: db / 2 } },
      b: { features: { a: 0, b: 0 }, weights: { a: -da / 2, b: -db / 2 } },
      chosen: 'a' as const,
    };
    const r = learnFromFeedback(weights, learner, fb);
    weights = r.weights;
    learner = r.learner;
  }
  const m = weights as Record<string, number>;
  const q = proposeComparison(m, learner);
  const g = [m.a * 1, m.b * 4]; // Jᵀm with J = diag(1, 4)
  const v = [q.direction.a, q.direction.b];
  close(v[0] * g[0] + v[1] * g[1], 0, 1e-3 * Math.hypot(...g), 'v ⊥ Jᵀm');
  close(Math.hypot(...v), 1, 1e-9, '|v|');
});

test('proposals are clamped into the weight range', () => {
  const q = proposeComparison({ a: 2.9, b: -2.9 }, { ...emptyLearner(['a', 'b']), cov: [4, 0, 0, 1] });
  for (const w of [q.a, q.b]) for (const x of Object.values(w)) assert.ok(x >= -3 && x <= 3, `${x} in range`);
  assert.equal(q.a.a, 3); // 2.9 + 1.5 clamped
  assert.notEqual(q.a.a, q.b.a);
});
