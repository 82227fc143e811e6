/**
 * Query selection for "compare two": decode the same prompt with w + δv and w − δv.
 *
 * v is the posterior's most uncertain direction (top eigenvector of the covariance Σ, in
 * decoding-weight units), restricted to pairs the current estimate predicts as a tie: the
 * predicted margin of a pair differing by Δw is m·(f_A − f_B) ≈ (Jᵀm)·Δw, with J the running
 * estimate of how features respond to weights (learning-state.ts), so we take the top
 * eigenvector of PΣP with P = I − ĝĝᵀ, g = Jᵀm. Why: a question whose answer the model already predicts teaches little,
 * and under the Laplace update a confidently-predicted answer barely shrinks Σ, so an unrestricted
 * top eigenvector tends to ask the same question again. With m = 0 (new profile) or no pair seen
 * yet, P = I and v is plainly Σ's top eigenvector. (bench/learning.ts compares this against random directions.)
 *
 * δ = 3 posterior std along v, bounded to [0.75, 1.5]: large while uncertain (more informative),
 * shrinking as the posterior tightens so both answers stay close to the user's taste; at least
 * 0.75 so the two answers visibly differ, at most 1.5 because far-apart weights give degenerate
 * text. Both proposals are clamped into the weight range.
 */
import type { Weights } from '../engine/types.ts';
import { clampWeight } from './learning.ts';
import { dot, topEigen } from './learning-linalg.ts';
import { emptyLearner, extendLearner, marginGradient, PRIOR_STD, toVector, toWeights } from './learning-state.ts';
import type { LearnerState } from './types.ts';

export const DELTA_STDS = 3;
export const MIN_DELTA = 0.75;
export const MAX_DELTA = 1.5;

export interface QueryOptions {
  /** All dimensions of the base model (so dimensions never touched yet are explored too). */
  readonly dims?: readonly string[];
  readonly minDelta?: number;
  readonly maxDelta?: number;
  readonly priorStd?: number;
}

export interface Comparison {
  readonly a: Weights;
  readonly b: Weights;
  /** Unit vector v (by dimension). */
  readonly direction: Weights;
  readonly delta: number;
  /** Posterior variance of the weights along v. */
  readonly variance: number;
}

/** P Σ P with P = I − ĝĝᵀ: Σ seen only within the subspace orthogonal to g. */
function projectOut(cov: readonly number[], g: readonly number[]): number[] {
  const D = g.length;
  const gg = dot(g, g);
  const P = Array.from({ length: D * D }, (_, k) => (k % (D + 1) === 0 ? 1 : 0) - (g[Math.floor(k / D)] * g[k % D]) / gg);
  const mul = (A: readonly number[], B: readonly number[]) =>
    Array.from({ length: D * D }, (_, k) => {
      const i = Math.floor(k / D);
      const j = k % D;
      let s = 0;
      for (let l = 0; l < D; l++) s += A[i * D + l] * B[l * D + j];
      return s;
    });
  return mul(mul(P, cov), P);
}

export function proposeComparison(weights: Weights, learner: LearnerState | undefined, opts: QueryOptions = {}): Comparison {
  const priorStd = opts.priorStd ?? PRIOR_STD;
  const names = [...new Set([...(opts.dims ?? []), ...Object.keys(weights)])].sort();
  const s = extendLearner(learner ?? emptyLearner([], priorStd), names, priorStd);
  const D = s.dims.length;
  const m = toVector(weights, s.dims);
  const g = marginGradient(s, m);
  let eig = dot(g, g) > 1e-18 ? topEigen(projectOut(s.cov, g), D) : topEigen(s.cov, D);
  // D = 1 (or Σ degenerate): no uncertainty left off the tie line; fall back to plain Σ.
  if (!(eig.value > 1e-12)) eig = topEigen(s.cov, D);
  const delta = Math.min(opts.maxDelta ?? MAX_DELTA, Math.max(opts.minDelta ?? MIN_DELTA, DELTA_STDS * Math.sqrt(Math.max(eig.value, 0))));
  const v = eig.vector;
  return {
    a: toWeights(m.map((x, i) => clampWeight(x + delta * v[i])), s.dims),
    b: toWeights(m.map((x, i) => clampWeight(x - delta * v[i])), s.dims),
    direction: toWeights(v, s.dims),
    delta,
    variance: eig.value,
  };
}
