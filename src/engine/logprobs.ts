/**
 * Numerically stable log-softmax. The decode loop mostly uses `logSumExp` alone: a row's
 * log-probability is `logits[t] - logSumExp(logits)`, so a vocab-sized output array never has to
 * be written per token. `logSoftmax` is for callers that do want the full row in a buffer.
 */
import { TailorError } from '../errors.ts';

/** A read-only numeric row (Float32Array logits from a model, Float64Array, or number[]). */
export type NumericRow = ArrayLike<number>;

/**
 * log Σ exp(x_i), computed as max + log Σ exp(x_i − max) so large logits cannot overflow.
 * Accumulates in float64 even for Float32Array input. Throws if the row has no finite maximum
 * (all −Infinity, or +Infinity) or contains NaN: a distribution cannot be formed from it.
 */
export function logSumExp(row: NumericRow): number {
  const n = row.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = row[i];
    if (x > max) max = x;
  }
  if (!Number.isFinite(max)) {
    throw new TailorError('internal', `cannot normalise a logit row whose maximum is ${max}`);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(row[i] - max);
  // NaN logits are skipped by the max scan but poison the sum; catching it here costs nothing.
  if (Number.isNaN(sum)) throw new TailorError('internal', 'logit row contains NaN');
  return max + Math.log(sum);
}

/** Writes log-softmax(logits) into `out` (same length) and returns `out`. */
export function logSoftmax<T extends Float32Array | Float64Array>(logits: NumericRow, out: T): T {
  if (out.length !== logits.length) {
    throw new TailorError('internal', `logSoftmax output length ${out.length} != input length ${logits.length}`);
  }
  const lse = logSumExp(logits);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}
