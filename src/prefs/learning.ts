/**
 * Learning weights from feedback (pure). Model: a response's per-dimension sequence rewards
 * f ∈ R^D; the user prefers A over B with P = σ(w·(f_A − f_B)) (Bradley–Terry), w the decoding
 * weights. Each feedback is one BT observation folded into a Gaussian posterior (learning-bt.ts)
 * whose prior mean is the profile's *current* weights — so manual slider edits re-centre it — and
 * whose covariance is kept in the learner state.
 *
 *  - choice: x = f_A − f_B, y = +1 if A was chosen. Only dimensions both responses report count.
 *  - thumb:  x = f − f̄ with f̄ the running mean of past responses' features, y = +1 for up:
 *    "thumbs up" reads as "better than what I usually get". The first response ever has no
 *    reference and only seeds f̄.
 *
 * Scales: features are used in raw units. The exact MAP/Laplace solve below is invariant to any
 * per-dimension rescaling of the features (it is a reparametrisation of the same model), so
 * normalising them would change nothing but the prior — and the prior belongs in decoding-weight
 * units, where every dimension has the same range [-3, 3]. Where scale does matter — relating a
 * weight change to the feature change it causes, for query selection — the learner keeps a running
 * least-squares estimate of that response (per-dimension scale and cross-talk, learning-state.ts).
 * Caveat: with very large sequence rewards a BT fit yields small weights (the user looks nearly
 * deterministic); the weight's magnitude is tied to the user's choice noise, its direction is not.
 * The new mean is clamped to [-MAX_WEIGHT, MAX_WEIGHT] (projection; the covariance is kept).
 */
import type { Weights } from '../engine/types.ts';
import { btUpdate, type BtOptions } from './learning-bt.ts';
import { emptyLearner, extendLearner, PRIOR_STD, toVector, toWeights } from './learning-state.ts';
import { weightMoves } from './learning-moves.ts';
import { MAX_WEIGHT } from './limits.ts';
import type { LearnerState, ResponseObs, WeightMove } from './types.ts';

export type LearnableFeedback =
  | { readonly kind: 'choice'; readonly a: ResponseObs; readonly b: ResponseObs; readonly chosen: 'a' | 'b' }
  | ({ readonly kind: 'thumb'; readonly up: boolean } & ResponseObs);

export interface LearnOptions extends BtOptions {
  /** Prior std of dimensions the learner has not seen yet. */
  readonly priorStd?: number;
  /** Std of the random walk assumed per observation: keeps the learner able to follow a user
   * whose taste drifts, instead of freezing after a few hundred answers. */
  readonly driftStd?: number;
  /** f̄ is a plain mean for the first `meanWindow` responses, then an exponential moving average. */
  readonly meanWindow?: number;
}

export interface LearnResult {
  readonly weights: Weights;
  readonly learner: LearnerState;
  readonly moves: WeightMove[];
}

export const DRIFT_STD = 0.03;
export const MEAN_WINDOW = 50;

export const clampWeight = (x: number): number => Math.min(MAX_WEIGHT, Math.max(-MAX_WEIGHT, x));

function withResponseMean(s: LearnerState, f: Readonly<Record<string, number>>, window: number): LearnerState {
  const meanFeature = [...s.meanFeature];
  const featureCount = [...s.featureCount];
  s.dims.forEach((d, i) => {
    const v = f[d];
    if (v === undefined) return;
    featureCount[i] += 1;
    meanFeature[i] += (v - meanFeature[i]) * Math.max(1 / featureCount[i], 1 / window);
  });
  return { ...s, meanFeature, featureCount };
}

interface Observation {
  x: number[];
  y: 1 | -1;
  state: LearnerState;
}

function observeChoice(s: LearnerState, fb: Extract<LearnableFeedback, { kind: 'choice' }>, window: number): Observation {
  const fa = fb.a.features;
  const fbb = fb.b.features;
  const x = s.dims.map((d) => (fa[d] !== undefined && fbb[d] !== undefined ? fa[d] - fbb[d] : 0));
  // Running least-squares statistics of Δf ≈ J·Δw (learning-state.ts); dimensions a response
  // did not report contribute Δf = 0 rather than a made-up value.
  const D = s.dims.length;
  const dw = s.dims.map((d) => (fb.a.weights[d] ?? 0) - (fb.b.weights[d] ?? 0));
  const sensXW = s.sensXW.map((v, k) => v + x[Math.floor(k / D)] * dw[k % D]);
  const sensWW = s.sensWW.map((v, k) => v + dw[Math.floor(k / D)] * dw[k % D]);
  const state = withResponseMean(withResponseMean({ ...s, sensXW, sensWW }, fa, window), fbb, window);
  return { x, y: fb.chosen === 'a' ? 1 : -1, state };
}

function observeThumb(s: LearnerState, fb: Extract<LearnableFeedback, { kind: 'thumb' }>, window: number): Observation {
  const x = s.dims.map((d, i) => (fb.features[d] !== undefined && s.featureCount[i] > 0 ? fb.features[d] - s.meanFeature[i] : 0));
  return { x, y: fb.up ? 1 : -1, state: withResponseMean(s, fb.features, window) };
}

function namesOf(weights: Weights, fb: LearnableFeedback): Set<string> {
  const rs = fb.kind === 'choice' ? [fb.a, fb.b] : [fb];
  return new Set([...Object.keys(weights), ...rs.flatMap((r) => [...Object.keys(r.features), ...Object.keys(r.weights)])]);
}

export function learnFromFeedback(weights: Weights, learner: LearnerState | undefined, fb: LearnableFeedback, opts: LearnOptions = {}): LearnResult {
  const priorStd = opts.priorStd ?? PRIOR_STD;
  const drift = (opts.driftStd ?? DRIFT_STD) ** 2;
  const window = opts.meanWindow ?? MEAN_WINDOW;
  const s0 = extendLearner(learner ?? emptyLearner([], priorStd), [...namesOf(weights, fb)].sort(), priorStd);
  const { x, y, state } = fb.kind === 'choice' ? observeChoice(s0, fb, window) : observeThumb(s0, fb, window);
  const D = state.dims.length;
  const mean = toVector(weights, state.dims);
  if (!x.some((v) => v !== 0)) {
    const same = toWeights(mean, state.dims); // nothing comparable: only the bookkeeping changed
    return { weights: same, learner: state, moves: weightMoves(weights, same) };
  }
  // Drift inflates the variances, but never beyond the prior's: an unobserved direction must not
  // become *more* uncertain than knowing nothing. (Adding a non-negative diagonal keeps Σ PSD.)
  const priorVar = priorStd * priorStd;
  const cov = state.cov.map((v, k) => (k % (D + 1) === 0 ? v + Math.min(drift, Math.max(0, priorVar - v)) : v));
  const post = btUpdate({ mean, cov }, x, y, opts);
  const after = toWeights(post.mean.map(clampWeight), state.dims);
  return { weights: after, learner: { ...state, cov: [...post.cov], observations: state.observations + 1 }, moves: weightMoves(weights, after) };
}
