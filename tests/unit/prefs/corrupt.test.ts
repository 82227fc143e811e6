import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { openPrefs } from '../../../src/prefs/prefs.ts';
import type { QuarantinedRecord } from '../../../src/prefs/quarantine.ts';
import { freshDbName, rawGet, rawKeys, rawPut } from './helpers.ts';

test('corrupt records are quarantined (kept), reported, and the rest still loads', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  const first = (await openPrefs({ factory, dbName, channel: false })).prefs;
  await first.setWeight('m1', 'style', 1);
  const good = await first.create('Good');
  first.close();

  const nanWeight = { v: 1, id: 'nan', name: 'N', createdAt: 0, updatedAt: 0, weights: { m1: { style: Number.NaN } }, feedback: [], learners: {} };
  await rawPut(factory, dbName, 'profile:nan', nanWeight);
  await rawPut(factory, dbName, 'profile:text', '{"v":1,"id":"text", trunc');
  await rawPut(factory, dbName, 'profile:num', 42);
  await rawPut(factory, dbName, 'active', { v: 1 }); // pointer without id
  await rawPut(factory, dbName, 'someone-else', { keep: 'me' });

  const { prefs, notices } = await openPrefs({ factory, dbName, channel: false });
  const corrupt = notices.find((n) => n.kind === 'corrupt');
  assert.ok(corrupt && corrupt.kind === 'corrupt', 'a corrupt notice is returned');
  assert.deepEqual([...corrupt.keys].sort(), ['active', 'profile:nan', 'profile:num', 'profile:text']);
  assert.match(corrupt.message, /4 damaged/);

  // The good profiles are all there, with their data.
  assert.deepEqual(prefs.list().map((p) => p.id).sort(), ['default', good.id].sort());
  assert.deepEqual(prefs.get('default')!.weights, { m1: { style: 1 } });
  assert.ok(prefs.active(), 'an active profile is chosen again');

  // Bad records were moved, not deleted; foreign keys are untouched.
  const keys = await rawKeys(factory, dbName);
  for (const k of ['profile:nan', 'profile:text', 'profile:num']) {
    assert.ok(!keys.includes(k), `${k} moved away`);
    assert.ok(keys.includes(`quarantine:${k}`), `${k} kept in quarantine`);
  }
  const q = (await rawGet(factory, dbName, 'quarantine:profile:nan')) as QuarantinedRecord;
  assert.deepEqual(q.value, nanWeight);
  assert.match(q.reason, /style: expected a finite number, got NaN/);
  assert.equal(((await rawGet(factory, dbName, 'quarantine:profile:text')) as QuarantinedRecord).value, '{"v":1,"id":"text", trunc');
  assert.deepEqual(await rawGet(factory, dbName, 'someone-else'), { keep: 'me' });
  prefs.close();

  // Next start: nothing left to complain about.
  const again = await openPrefs({ factory, dbName, channel: false });
  assert.deepEqual(again.notices, []);
  again.prefs.close();
});

test('a second corruption of the same key does not overwrite the first quarantined copy', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  await rawPut(factory, dbName, 'profile:x', 'first');
  (await openPrefs({ factory, dbName, channel: false })).prefs.close();
  await rawPut(factory, dbName, 'profile:x', 'second');
  (await openPrefs({ factory, dbName, channel: false })).prefs.close();
  const keys = (await rawKeys(factory, dbName)).filter((k) => k.startsWith('quarantine:profile:x'));
  assert.equal(keys.length, 2);
  const values = await Promise.all(keys.map(async (k) => ((await rawGet(factory, dbName, k)) as QuarantinedRecord).value));
  assert.deepEqual(values.sort(), ['first', 'second']);
});

test('a record whose id does not match its key is corrupt', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  await rawPut(factory, dbName, 'profile:a', { v: 1, id: 'b', name: 'N', createdAt: 0, updatedAt: 0, weights: {}, feedback: [], learners: {} });
  const { prefs, notices } = await openPrefs({ factory, dbName, channel: false });
  assert.deepEqual(notices.flatMap((n) => (n.kind === 'corrupt' ? n.keys : [])), ['profile:a']);
  assert.equal(prefs.get('a'), undefined);
  assert.equal(prefs.get('b'), undefined);
  prefs.close();
});
