/**
 * Picks one candidate from its combined scores:
 *   1. repetition penalty on already generated ids (CTRL rule, see `penalizeScore`);
 *   2. temperature 0 → greedy argmax (ties → lowest id), no RNG draw;
 *   3. otherwise softmax(score / T) over the candidates ranked by score (desc, ties by id),
 *      top-k keeps the first k, top-p keeps the shortest prefix whose mass — renormalised over
 *      the top-k survivors, as in the usual top-k-then-top-p pipeline — reaches p;
 *   4. exactly ONE rng draw, inverse CDF over the survivors in rank order.
 * Inputs are never mutated; scratch buffers are reused across calls and only grow.
 */
import { TailorError } from '../errors.ts';
import type { Rng } from './rng.ts';
import type { SamplingOptions } from './types.ts';

export type SamplerOptions = Pick<SamplingOptions, 'temperature' | 'topK' | 'topP' | 'repetitionPenalty'>;

/**
 * CTRL-style penalty (Keskar et al. 2019) applied to a log-space score: s > 0 → s / p, else s · p.
 * With p > 1 both branches lower the score. Combined scores are mostly ≤ 0 (log-prob plus
 * rewards), so the usual effect is ×p: the penalty grows with how unlikely the token already
 * was, and a near-certain repeat (score ≈ 0) is barely touched. This is the documented rule,
 * applied uniformly to the combined score rather than to raw logits, so it does not depend on a
 * model's logit offset.
 */
export function penalizeScore(score: number, penalty: number): number {
  return score > 0 ? score / penalty : score * penalty;
}

export class Sampler {
  private adjusted = new Float64Array(0);
  private order = new Int32Array(0);
  private probs = new Float64Array(0);

  /**
   * Returns the chosen index j into `ids` / `scores` (the token is ids[j]).
   * @param generated ids already generated in this answer (for the repetition penalty)
   */
  choose(
    ids: ArrayLike<number>,
    scores: ArrayLike<number>,
    count: number,
    options: SamplerOptions,
    rng: Rng,
    generated: ReadonlySet<number>,
  ): number {
    this.penalize(ids, scores, count, options.repetitionPenalty, generated);
    if (options.temperature === 0) return this.argmax(ids, count);
    const keep = this.truncate(ids, count, options);
    const probs = this.probs;
    const order = this.order;
    let total = 0;
    for (let r = 0; r < keep; r++) total += probs[r];
    const u = rng.next() * total;
    let cum = 0;
    for (let r = 0; r < keep; r++) {
      cum += probs[r];
      if (u < cum) return order[r];
    }
    // u < total always, but rounding in the running sum can leave it just above `cum`.
    return order[keep - 1];
  }

  /**
   * The final sampling distribution over the candidates: out[j] = probability of index j (0 for
   * candidates removed by top-k / top-p; one-hot for greedy). For tests and for showing
   * alternatives; not needed by `choose`.
   */
  distribution(
    ids: ArrayLike<number>,
    scores: ArrayLike<number>,
    count: number,
    options: SamplerOptions,
    generated: ReadonlySet<number>,
    out: Float64Array,
  ): void {
    out.fill(0, 0, count);
    this.penalize(ids, scores, count, options.repetitionPenalty, generated);
    if (options.temperature === 0) {
      out[this.argmax(ids, count)] = 1;
      return;
    }
    const keep = this.truncate(ids, count, options);
    let total = 0;
    for (let r = 0; r < keep; r++) total += this.probs[r];
    for (let r = 0; r < keep; r++) out[this.order[r]] = this.probs[r] / total;
  }

  /** adjusted[j] = penalised scores[j]. */
  private penalize(
    ids: ArrayLike<number>,
    scores: ArrayLike<number>,
    count: number,
    penalty: number,
    generated: ReadonlySet<number>,
  ): void {
    if (count <= 0) throw new TailorError('internal', 'sampler called with no candidates');
    if (this.adjusted.length < count) {
      this.adjusted = new Float64Array(count);
      this.order = new Int32Array(count);
      this.probs = new Float64Array(count);
    }
    const adjusted = this.adjusted;
    for (let j = 0; j < count; j++) {
      const s = scores[j];
      adjusted[j] = penalty !== 1 && generated.has(ids[j]) ? penalizeScore(s, penalty) : s;
    }
  }

  private argmax(ids: ArrayLike<number>, count: number): number {
    const adjusted = this.adjusted;
    let best = 0;
    for (let j = 1; j < count; j++) {
      if (adjusted[j] > adjusted[best] || (adjusted[j] === adjusted[best] && ids[j] < ids[best])) best = j;
    }
    return best;
  }

  /**
   * Ranks candidates, fills probs[r] (unnormalised tempered softmax of rank r) and returns how
   * many ranks survive top-k / top-p.
   */
  private truncate(ids: ArrayLike<number>, count: number, options: SamplerOptions): number {
    const adjusted = this.adjusted;
    const order = this.order.subarray(0, count);
    for (let j = 0; j < count; j++) order[j] = j;
    order.sort((a, b) => adjusted[b] - adjusted[a] || ids[a] - ids[b]);
    const probs = this.probs;
    const max = adjusted[order[0]];
    const invT = 1 / options.temperature;
    for (let r = 0; r < count; r++) probs[r] = Math.exp((adjusted[order[r]] - max) * invT);

    let keep = options.topK > 0 ? Math.min(options.topK, count) : count;
    if (options.topP < 1) {
      let total = 0;
      for (let r = 0; r < keep; r++) total += probs[r];
      const target = options.topP * total;
      let cum = 0;
      for (let r = 0; r < keep; r++) {
        cum += probs[r];
        if (cum >= target) {
          keep = r + 1;
          break;
        }
      }
    }
    return keep;
  }
}
