import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../src/engine/rng.ts';

// Expected values from an independent (Python, arbitrary-precision) implementation of Mulberry32.
test('mulberry32 seed 1 produces the reference sequence', () => {
  const rng = createRng(1);
  assert.equal(rng.next(), 0.6270739405881613);
  assert.equal(rng.next(), 0.002735721180215478);
  assert.equal(rng.next(), 0.5274470399599522);
});

test('mulberry32 seed 42 produces the reference sequence', () => {
  const rng = createRng(42);
  assert.deepEqual([rng.next(), rng.next(), rng.next()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
});

test('same seed → same sequence; seeds reduce to 32 bits', () => {
  const a = createRng(123);
  const b = createRng(123);
  for (let i = 0; i < 100; i++) assert.equal(a.next(), b.next());
  assert.equal(createRng(-1).next(), 0.8964226141106337);
  assert.equal(createRng(2 ** 32 - 1).next(), 0.8964226141106337);
});

test('draws lie in [0, 1)', () => {
  const rng = createRng(7);
  for (let i = 0; i < 10000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1, `draw ${x}`);
  }
});
