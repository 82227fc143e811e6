import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TailorError } from '../../../src/errors.ts';
import { MAX_WEIGHT, validateWeights } from '../../../src/engine/weights.ts';
import { validateSamplingOptions } from '../../../src/engine/sampling-options.ts';
import type { SamplingOptions } from '../../../src/engine/types.ts';

const known = ['formal', 'concise'];

function rejects(weights: unknown, pattern: RegExp): void {
  assert.throws(
    () => validateWeights(weights, known),
    (e: unknown) => e instanceof TailorError && e.code === 'invalid-weights' && pattern.test(e.message),
  );
}

test('valid weights pass, including the bounds and missing dimensions', () => {
  assert.equal(MAX_WEIGHT, 3);
  validateWeights({ formal: 3, concise: -3 }, known);
  validateWeights({ formal: 0 }, known);
  validateWeights({}, known);
});

test('non-finite and out-of-range weights name the dimension and the value', () => {
  rejects({ formal: Number.NaN }, /"formal".*NaN/);
  rejects({ formal: Infinity }, /"formal".*Infinity/);
  rejects({ concise: -Infinity }, /"concise".*-Infinity/);
  rejects({ formal: 3.0001 }, /"formal".*3\.0001.*outside/);
  rejects({ concise: -3.5 }, /"concise".*-3\.5/);
  rejects({ formal: '1' }, /"formal".*"1"/);
  rejects({ formal: null }, /"formal".*null/);
});

test('unknown dimension is rejected by name', () => {
  rejects({ formal: 1, funny: 0.5 }, /unknown dimension "funny"/);
});

test('non-object weights are rejected', () => {
  rejects(null, /object/);
  rejects([1, 2], /object/);
  rejects(2, /object/);
});

const good: SamplingOptions = { temperature: 0.7, topK: 0, topP: 1, seed: 1, candidateTopK: 40, candidateTopP: 0.95, repetitionPenalty: 1 };

test('sampling options: valid passes, each bad field is named', () => {
  validateSamplingOptions(good);
  validateSamplingOptions({ ...good, temperature: 0, topP: 1e-3, seed: -5 });
  const bad: [Partial<Record<keyof SamplingOptions, unknown>>, RegExp][] = [
    [{ temperature: -0.1 }, /temperature/],
    [{ temperature: Number.NaN }, /temperature/],
    [{ topK: 1.5 }, /topK/],
    [{ topK: -1 }, /topK/],
    [{ topP: 0 }, /topP/],
    [{ topP: 1.01 }, /topP/],
    [{ seed: Number.NaN }, /seed/],
    [{ seed: 0.5 }, /seed/],
    [{ candidateTopK: -2 }, /candidateTopK/],
    [{ candidateTopP: 2 }, /candidateTopP/],
    [{ repetitionPenalty: 0 }, /repetitionPenalty/],
  ];
  for (const [patch, pattern] of bad) {
    assert.throws(
      () => validateSamplingOptions({ ...good, ...patch }),
      (e: unknown) => e instanceof TailorError && e.code === 'invalid-options' && pattern.test(e.message),
      JSON.stringify(patch),
    );
  }
});
