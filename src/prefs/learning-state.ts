/**
 * Learner state bookkeeping: aligning it with the dimensions at hand, and the running estimate of
 * how features respond to decoding weights. Pure functions; the state is plain data (it is stored
 * in the profile).
 */
import type { Weights } from '../engine/types.ts';
import { identity, matVec, solveSpd } from './learning-linalg.ts';
import type { LearnerState } from './types.ts';

/**
 * Prior std of a weight no feedback has touched yet. Weights live in [-3, 3]; σ = 1 puts that
 * range at ±3σ, so no usable weight is ruled out, while early noisy choices cannot slam a weight
 * to the bound (σ = 1 also beat 1.5 and 2 in bench/learning.ts).
 */
export const PRIOR_STD = 1;

export function emptyLearner(dims: readonly string[] = [], priorStd = PRIOR_STD): LearnerState {
  const D = dims.length;
  const zeros = new Array<number>(D).fill(0);
  const zeros2 = new Array<number>(D * D).fill(0);
  return { dims: [...dims], cov: identity(D, priorStd * priorStd), sensXW: zeros2, sensWW: zeros2, meanFeature: zeros, featureCount: zeros, observations: 0 };
}

/** Copies a D0×D0 matrix into the top-left of a D×D one whose diagonal is otherwise `diag`. */
function padMatrix(m: readonly number[], D0: number, D: number, diag: number): number[] {
  const out = identity(D, diag);
  for (let i = 0; i < D0; i++) for (let j = 0; j < D0; j++) out[i * D + j] = m[i * D0 + j];
  return out;
}

/** Adds any of `names` the state lacks, each with the prior variance and no correlation. */
export function extendLearner(s: LearnerState, names: Iterable<string>, priorStd = PRIOR_STD): LearnerState {
  const dims = [...s.dims];
  for (const n of names) if (!dims.includes(n)) dims.push(n);
  if (dims.length === s.dims.length) return s;
  const D0 = s.dims.length;
  const D = dims.length;
  const pad = (v: readonly number[]) => [...v, ...new Array<number>(D - D0).fill(0)];
  return {
    ...s,
    dims,
    cov: padMatrix(s.cov, D0, D, priorStd * priorStd),
    sensXW: padMatrix(s.sensXW, D0, D, 0),
    sensWW: padMatrix(s.sensWW, D0, D, 0),
    meanFeature: pad(s.meanFeature),
    featureCount: pad(s.featureCount),
  };
}

export const toVector = (w: Readonly<Record<string, number>>, dims: readonly string[]): number[] => dims.map((d) => w[d] ?? 0);

export function toWeights(v: readonly number[], dims: readonly string[]): Weights {
  return Object.fromEntries(dims.map((d, i) => [d, v[i]]));
}

/**
 * Sequence rewards of different dimensions live on very different scales (response length,
 * reward-model calibration) and leak into each other (raising one weight moves other rewards
 * too). Rather than guessing a normalisation, the learner keeps a running least-squares fit
 * Δf ≈ J·Δw over the pairs it has seen, J = (ΣΔfΔwᵀ)(ΣΔwΔwᵀ + ρI)⁻¹ (ρ a tiny ridge, so
 * directions never varied yet get no sensitivity rather than an arbitrary one).
 *
 * Returns Jᵀm: the gradient, with respect to a weight difference Δw, of the margin m·Δf that the
 * current estimate m predicts for a pair. Computed as one SPD solve, J itself is never formed.
 */
export function marginGradient(s: LearnerState, m: readonly number[]): number[] {
  const D = s.dims.length;
  let trace = 0;
  for (let i = 0; i < D; i++) trace += s.sensWW[i * D + i];
  if (!(trace > 0)) return new Array<number>(D).fill(0); // no pair seen yet
  const rho = (1e-3 * trace) / D;
  const regularised = s.sensWW.map((v, k) => (k % (D + 1) === 0 ? v + rho : v));
  // Jᵀm = (B + ρI)⁻¹ Aᵀ m   (B symmetric, so (A(B+ρI)⁻¹)ᵀ = (B+ρI)⁻¹Aᵀ)
  const At = s.sensXW.map((_, k) => s.sensXW[(k % D) * D + Math.floor(k / D)]);
  return solveSpd(regularised, matVec(At, m));
}
