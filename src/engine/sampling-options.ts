/**
 * Validation of `SamplingOptions`, done once per request so the per-token code can trust them.
 */
import { TailorError } from '../errors.ts';
import type { SamplingOptions } from './types.ts';

function fail(message: string): never {
  throw new TailorError('invalid-options', message);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isProbability(v: unknown): v is number {
  // 0 would select nothing; the candidate/nucleus code always keeps at least one token, but an
  // explicit 0 is more likely a mistake than "greedy", which is temperature 0.
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1;
}

/** Throws TailorError('invalid-options') naming the first bad field. */
export function validateSamplingOptions(o: unknown): asserts o is SamplingOptions {
  if (typeof o !== 'object' || o === null) fail('sampling options must be an object');
  const s = o as Record<string, unknown>;
  const t = s.temperature;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) fail(`temperature must be a finite number >= 0, got ${String(t)}`);
  if (!isCount(s.topK)) fail(`topK must be an integer >= 0 (0 = off), got ${String(s.topK)}`);
  if (!isProbability(s.topP)) fail(`topP must be in (0, 1] (1 = off), got ${String(s.topP)}`);
  if (typeof s.seed !== 'number' || !Number.isSafeInteger(s.seed)) fail(`seed must be a safe integer, got ${String(s.seed)}`);
  if (!isCount(s.candidateTopK)) fail(`candidateTopK must be an integer >= 0 (0 = off), got ${String(s.candidateTopK)}`);
  if (!isProbability(s.candidateTopP)) fail(`candidateTopP must be in (0, 1] (1 = off), got ${String(s.candidateTopP)}`);
  const rp = s.repetitionPenalty;
  if (typeof rp !== 'number' || !Number.isFinite(rp) || rp <= 0) {
    fail(`repetitionPenalty must be a finite number > 0 (1 = off), got ${String(rp)}`);
  }
}
