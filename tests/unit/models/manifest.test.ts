import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/models/manifest.ts';
import { ProgressTracker, type LoadProgress } from '../../../src/models/progress.ts';
import { TailorError } from '../../../src/errors.ts';

const good = {
  schema: 1,
  base: 'tailor-base',
  dimensions: [
    {
      name: 'style',
      poles: { negative: 'friendly', positive: 'formal' },
      sources: { 'reward-model': { kind: 'reward-model', model: 'tailor-rm-style' }, prompted: { kind: 'prompted', text: 'Answer in a formal style.' } },
      defaultSource: 'reward-model',
    },
  ],
};

test('a valid manifest parses, with reference defaulting to the base', () => {
  const m = parseManifest(good, 'tailor-base');
  assert.deepEqual(m.dimensions[0].sources['reward-model'], { kind: 'reward-model', model: 'tailor-rm-style', reference: 'base', scale: 1 });
  assert.equal(m.dimensions[0].sources.prompted?.text, 'Answer in a formal style.');
});

test('invalid manifests are refused with a message naming the problem', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...good, schema: 2 }, /schema/],
    [{ ...good, dimensions: [{ ...good.dimensions[0], poles: { negative: 'x' } }] }, /poles/],
    [{ ...good, dimensions: [good.dimensions[0], good.dimensions[0]] }, /twice/],
    [{ ...good, dimensions: [{ ...good.dimensions[0], defaultSource: 'oracle' }] }, /defaultSource/],
    [{ ...good, dimensions: [{ ...good.dimensions[0], sources: { 'reward-model': { kind: 'reward-model', model: 'm', scale: Number.NaN } } }] }, /scale/],
    [{ ...good, dimensions: [{ ...good.dimensions[0], sources: { prompted: good.dimensions[0].sources.prompted } }] }, /default source "reward-model" is not declared/],
  ];
  for (const [raw, why] of cases) {
    assert.throws(() => parseManifest(raw, 'b'), (e: unknown) => e instanceof TailorError && e.code === 'corrupt-model' && why.test(e.message));
  }
});

test('progress sums bytes over files and reaches 1 only when every file is done', () => {
  const seen: LoadProgress[] = [];
  const t = new ProgressTracker((p) => seen.push(p));
  t.onEvent({ status: 'initiate', name: 'm', file: 'a' });
  t.onEvent({ status: 'progress', name: 'm', file: 'a', loaded: 50, total: 100 });
  t.onEvent({ status: 'progress', name: 'm', file: 'b', loaded: 100, total: 300 });
  assert.equal(seen.at(-1)!.fraction, 150 / 400);
  t.onEvent({ status: 'done', name: 'm', file: 'b' });
  assert.equal(seen.at(-1)!.fraction, 350 / 400);
  t.onEvent({ status: 'progress', name: 'm', file: 'a', loaded: 99, total: 100 });
  assert.ok(seen.at(-1)!.fraction < 1);
  t.onEvent({ status: 'done', name: 'm', file: 'a' });
  assert.deepEqual([seen.at(-1)!.loaded, seen.at(-1)!.total, seen.at(-1)!.fraction], [400, 400, 1]);
});
