import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { openPrefs } from '../../../src/prefs/prefs.ts';
import type { Profile } from '../../../src/prefs/types.ts';
import { choice, freshDbName, rawGet } from './helpers.ts';

// Two "tabs": two store instances (two IndexedDB connections) over one database. No
// BroadcastChannel, so neither ever refreshes its cache from the other: only the atomic,
// function-of-the-stored-value updates can keep both sets of changes.
test('two instances interleaving updates of one profile lose nothing', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  const a = (await openPrefs({ factory, dbName, channel: false })).prefs;
  const b = (await openPrefs({ factory, dbName, channel: false })).prefs;
  const id = a.active()!.id;
  assert.equal(b.active()?.id, id, 'both tabs share the (idempotently created) default profile');

  const N = 25;
  const work: Array<Promise<unknown>> = [];
  for (let i = 0; i < N; i++) {
    work.push(a.setWeight('m1', `a${i}`, 1));
    work.push(b.setWeight('m1', `b${i}`, -1));
    work.push(a.addFeedback(choice(`pa${i}`, { x: 1 }, { x: 0 }, 'a'), { learn: false }));
    work.push(b.addFeedback(choice(`pb${i}`, { x: 0 }, { x: 1 }, 'b'), { learn: false }));
  }
  await Promise.all(work);

  const stored = (await rawGet(factory, dbName, `profile:${id}`)) as Profile;
  const w = stored.weights.m1;
  for (let i = 0; i < N; i++) {
    assert.equal(w[`a${i}`], 1, `a${i} kept`);
    assert.equal(w[`b${i}`], -1, `b${i} kept`);
  }
  assert.equal(Object.keys(w).length, 2 * N);
  const prompts = new Set(stored.feedback.map((f) => f.prompt));
  assert.equal(stored.feedback.length, 2 * N);
  for (let i = 0; i < N; i++) assert.ok(prompts.has(`pa${i}`) && prompts.has(`pb${i}`));
  // Each tab's cache holds what storage returned after its last write: the last writer sees all.
  a.close();
  b.close();
});

test('concurrent learning updates from two tabs both count', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  const a = (await openPrefs({ factory, dbName, channel: false })).prefs;
  const b = (await openPrefs({ factory, dbName, channel: false })).prefs;
  await Promise.all([a.addFeedback(choice('p1', { x: 1 }, { x: 0 }, 'a')), b.addFeedback(choice('p2', { x: 1 }, { x: 0 }, 'a'))]);
  const stored = (await rawGet(factory, dbName, `profile:${a.active()!.id}`)) as Profile;
  assert.equal(stored.learners.m1.observations, 2);
  assert.equal(stored.feedback.length, 2);
  a.close();
  b.close();
});
