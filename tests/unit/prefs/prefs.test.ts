// Uses the global fake IndexedDB, i.e. the production path (idb-keyval's own createStore).
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TailorError } from '../../../src/errors.ts';
import { MAX_FEEDBACK } from '../../../src/prefs/limits.ts';
import { openPrefs, type Prefs } from '../../../src/prefs/prefs.ts';
import type { FeedbackInput } from '../../../src/prefs/types.ts';
import { choice, freshDbName, rawGet } from './helpers.ts';

/** Resolves once `pred` holds for `prefs` (checked on every change notification). */
function until(prefs: Prefs, pred: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a cross-tab refresh')), 5000);
    const check = () => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = prefs.subscribe(check);
    check();
  });
}

const code = (c: string) => (e: unknown) => e instanceof TailorError && e.code === c;

test('first open creates one active Default profile; data persists across opens', async () => {
  const dbName = freshDbName();
  const { prefs, notices } = await openPrefs({ dbName, channel: false });
  assert.equal(prefs.storage, 'indexeddb');
  assert.deepEqual(notices, []);
  assert.deepEqual(prefs.list().map((p) => [p.id, p.name]), [['default', 'Default']]);
  assert.equal(prefs.active()?.id, 'default');
  await prefs.setWeights('m1', { expertise: 1, style: -2 });
  prefs.close();
  const again = await openPrefs({ dbName, channel: false });
  assert.deepEqual(again.prefs.weights('m1'), { expertise: 1, style: -2 });
  assert.equal(again.prefs.list().length, 1);
  assert.deepEqual(await rawGet(indexedDB, dbName, 'active'), { v: 1, id: 'default' });
  again.prefs.close();
});

test('profiles: create, rename, switch (instant), per-profile per-model weights', async () => {
  const { prefs } = await openPrefs({ dbName: freshDbName(), channel: false });
  await prefs.setWeight('m1', 'style', 1);
  const work = await prefs.create('  Work  ');
  assert.equal(work.name, 'Work');
  assert.equal(prefs.active()?.id, 'default', 'creating does not switch when one is active');
  const switching = prefs.setActive(work.id);
  assert.equal(prefs.active()?.id, work.id, 'visible before the write completes');
  await switching;
  assert.deepEqual(prefs.weights('m1'), {});
  await prefs.setWeight('m1', 'style', -1);
  await prefs.setWeight('m2', 'style', 2);
  assert.deepEqual(prefs.weights('m1'), { style: -1 });
  assert.deepEqual(prefs.weights('m2'), { style: 2 });
  await prefs.setActive('default');
  assert.deepEqual(prefs.weights('m1'), { style: 1 });
  const renamed = await prefs.rename(work.id, 'Office');
  assert.equal(renamed.name, 'Office');
  await assert.rejects(prefs.rename(work.id, '   '), code('invalid-options'));
  await assert.rejects(prefs.setActive('missing'), code('invalid-options'));
  prefs.close();
});

test('invalid weights are refused before anything is written', async () => {
  const { prefs } = await openPrefs({ dbName: freshDbName(), channel: false });
  await prefs.setWeight('m1', 'style', 1);
  await assert.rejects(prefs.setWeight('m1', 'style', Number.NaN), code('invalid-weights'));
  await assert.rejects(prefs.setWeight('m1', 'style', 3.5), code('invalid-weights'));
  await assert.rejects(prefs.setWeight('m1', '__proto__', 1), code('invalid-weights'));
  await assert.rejects(prefs.setWeights('m1', { a: 1, b: Number.POSITIVE_INFINITY }), code('invalid-weights'));
  const nanFeature: FeedbackInput = { kind: 'choice', baseModel: 'm1', prompt: 'p', a: { features: { x: Number.NaN }, weights: {} }, b: { features: { x: 0 }, weights: {} }, chosen: 'a' };
  await assert.rejects(prefs.addFeedback(nanFeature), code('invalid-options'));
  await assert.rejects(prefs.addFeedback({ ...nanFeature, a: { features: { x: 1 }, weights: { x: 5 } } }), code('invalid-weights'));
  assert.deepEqual(prefs.weights('m1'), { style: 1 });
  assert.equal(prefs.active()!.feedback.length, 0);
  prefs.close();
});

test('addFeedback stores the entry (prompt kept), learns, and reports how the weights moved', async () => {
  const { prefs } = await openPrefs({ dbName: freshDbName(), channel: false, now: () => 1234 });
  const moves = await prefs.addFeedback(choice('explain tides', { expertise: 2, style: 0 }, { expertise: 0, style: 0 }, 'a'));
  const fb = prefs.active()!.feedback[0];
  assert.equal(fb.prompt, 'explain tides');
  assert.equal(fb.at, 1234);
  assert.match(fb.id, /^[A-Za-z0-9_-]+$/);
  const e = moves.find((m) => m.dimension === 'expertise')!;
  assert.equal(e.before, 0);
  assert.ok(e.after > 0, 'chose the more expert answer → expertise up');
  assert.equal(prefs.weights('m1').expertise, e.after);
  assert.equal(prefs.learner('m1')?.observations, 1);
  // learn: false only records
  const none = await prefs.addFeedback(choice('p', { expertise: 2 }, { expertise: 0 }, 'a'), { learn: false });
  assert.deepEqual(none, []);
  assert.equal(prefs.learner('m1')?.observations, 1);
  // The next comparison pair comes from the updated posterior.
  const q = prefs.proposeComparison('m1', { dims: ['expertise', 'style'] });
  assert.ok(q.delta > 0);
  prefs.close();
});

test(`feedback history is capped at ${MAX_FEEDBACK} entries, oldest dropped`, async () => {
  const { prefs } = await openPrefs({ dbName: freshDbName(), channel: false });
  for (let i = 0; i < MAX_FEEDBACK + 3; i++) await prefs.addFeedback(choice(`p${i}`, { x: 1 }, { x: 0 }, 'a'), { learn: false });
  const fb = prefs.active()!.feedback;
  assert.equal(fb.length, MAX_FEEDBACK);
  assert.equal(fb[0].prompt, 'p3');
  assert.equal(fb.at(-1)!.prompt, `p${MAX_FEEDBACK + 2}`);
  prefs.close();
});

test('subscribe: listeners hear local changes until they unsubscribe', async () => {
  const { prefs } = await openPrefs({ dbName: freshDbName(), channel: false });
  let calls = 0;
  const off = prefs.subscribe(() => calls++);
  await prefs.setWeight('m1', 'style', 1);
  assert.ok(calls >= 1);
  const seen = calls;
  off();
  await prefs.setWeight('m1', 'style', 2);
  assert.equal(calls, seen);
  prefs.close();
});

test('another tab’s change arrives over BroadcastChannel and refreshes the cache', async () => {
  const dbName = freshDbName();
  const channel = `tailor-prefs-test-${dbName}`;
  const a = (await openPrefs({ dbName, channel })).prefs;
  const b = (await openPrefs({ dbName, channel })).prefs;
  await a.setWeight('m1', 'style', 2);
  await until(b, () => b.weights('m1').style === 2);
  assert.deepEqual(b.weights('m1'), { style: 2 });
  const other = await a.create('Other');
  await a.setActive(other.id);
  await until(b, () => b.active()?.id === other.id); // the device-wide active profile follows
  assert.equal(b.get(other.id)?.name, 'Other');
  a.close();
  b.close();
});
