import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TailorError } from '../../../src/errors.ts';
import { logSoftmax, logSumExp } from '../../../src/engine/logprobs.ts';
import { assertClose } from './fakes.ts';

test('logSoftmax matches the definition', () => {
  const out = logSoftmax(new Float32Array([1, 2, 3]), new Float64Array(3));
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  assertClose(out[0], 1 - lse, 1e-12);
  assertClose(out[1], 2 - lse, 1e-12);
  assertClose(out[2], 3 - lse, 1e-12);
});

test('large logits do not overflow', () => {
  const out = logSoftmax([1000, 1000], new Float64Array(2));
  assertClose(out[0], -Math.LN2, 1e-12);
  assertClose(out[1], -Math.LN2, 1e-12);
  assertClose(logSumExp([-1000, -1000]), -1000 + Math.LN2, 1e-9);
});

test('−Infinity entries get probability 0', () => {
  const out = logSoftmax([0, -Infinity], new Float32Array(2));
  assert.equal(out[0], 0);
  assert.equal(out[1], -Infinity);
});

test('rows that cannot be normalised throw', () => {
  const isInternal = (e: unknown) => e instanceof TailorError && e.code === 'internal';
  assert.throws(() => logSumExp([-Infinity, -Infinity]), isInternal);
  assert.throws(() => logSumExp([0, Number.NaN]), isInternal);
  assert.throws(() => logSoftmax([0, 1], new Float64Array(3)), isInternal);
});
