/**
 * Weighted-logit combination over the candidates:
 *   score(t) = log π_base(t) + Σ_i w_i · r_i(t),   r_i(t) = log p⁺_i(t) − log p⁻_i(t).
 * Rows are kept as logits + log-normaliser (`LogProbRow`) so a log-prob is one subtraction and
 * only the candidates' entries are ever read.
 */
import type { NumericRow } from './logprobs.ts';
import type { TokenExplanation } from './types.ts';

/** log π(t) = logits[t] − logNormalizer. Mutable so the decode loop can re-point it each token. */
export interface LogProbRow {
  logits: NumericRow;
  /** logSumExp(logits). */
  logNormalizer: number;
}

/** One dimension's reward for the current position. */
export interface RewardTerm {
  readonly name: string;
  readonly weight: number;
  /** The "plus" distribution: reward model, or base with the preference in the system message. */
  readonly plus: LogProbRow;
  /** The "minus" distribution: the reference (base row 0 unless a separate reference LM). */
  readonly minus: LogProbRow;
}

export function logProbAt(row: LogProbRow, tokenId: number): number {
  return row.logits[tokenId] - row.logNormalizer;
}

/** Unweighted token reward r(t) = log p⁺(t) − log p⁻(t). */
export function tokenReward(term: RewardTerm, tokenId: number): number {
  return logProbAt(term.plus, tokenId) - logProbAt(term.minus, tokenId);
}

/**
 * out[j] = baseLogProbs[j] + Σ_i w_i · r_i(ids[j]) for j < count. Zero-weight terms (computed
 * only for features) are skipped, so they cannot change a score, not even by 0·(−∞) = NaN.
 */
export function combineScores(
  ids: ArrayLike<number>,
  baseLogProbs: ArrayLike<number>,
  count: number,
  terms: readonly RewardTerm[],
  out: Float64Array,
): void {
  for (let j = 0; j < count; j++) out[j] = baseLogProbs[j];
  for (const term of terms) {
    const w = term.weight;
    if (w === 0) continue;
    for (let j = 0; j < count; j++) out[j] += w * tokenReward(term, ids[j]);
  }
}

/**
 * Explanation of one chosen token: contributions of the non-zero-weight terms and their sum with
 * the base log-prob. `score` is the combined score before repetition penalty and temperature.
 */
export function explainToken(tokenId: number, baseLogProb: number, terms: readonly RewardTerm[]): TokenExplanation {
  const contributions: Record<string, number> = {};
  let score = baseLogProb;
  for (const term of terms) {
    if (term.weight === 0) continue;
    const c = term.weight * tokenReward(term, tokenId);
    contributions[term.name] = c;
    score += c;
  }
  return { tokenId, baseLogProb, contributions, score };
}

/** sums[i] += r_i(tokenId) for every term, weighted or not: these are the learning features. */
export function addSequenceRewards(tokenId: number, terms: readonly RewardTerm[], sums: Float64Array): void {
  for (let i = 0; i < terms.length; i++) sums[i] += tokenReward(terms[i], tokenId);
}
