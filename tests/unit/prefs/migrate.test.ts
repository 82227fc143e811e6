import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { migrateRecord, MIGRATIONS, NewerSchemaError } from '../../../src/prefs/migrate.ts';
import { parseProfileRecord } from '../../../src/prefs/parse-record.ts';
import { openPrefs } from '../../../src/prefs/prefs.ts';
import { SCHEMA_VERSION } from '../../../src/prefs/types.ts';
import { freshDbName, rawGet, rawPut } from './helpers.ts';

const v0 = { id: 'old1', name: 'Work', weights: { expertise: 2, style: -1 }, updatedAt: 1000 };

test('v0 (no v, flat weights) migrates to v1 with weights under the any-model key', () => {
  assert.ok(MIGRATIONS[0], 'a v0→v1 migration is registered');
  const p = parseProfileRecord(v0, 'old1', 5000);
  assert.equal(p.v, SCHEMA_VERSION);
  assert.deepEqual(p.weights, { '*': { expertise: 2, style: -1 } });
  assert.deepEqual(p.feedback, []);
  assert.deepEqual(p.learners, {});
  assert.equal(p.createdAt, 1000); // best available evidence, not "now"
  assert.equal(p.updatedAt, 1000);
});

test('v0 with a recorded base model and no id takes the model key and the id of its storage key', () => {
  const p = parseProfileRecord({ weights: { expertise: 1 }, baseModel: 'qwen', name: 'X' }, 'fromkey', 7);
  assert.equal(p.id, 'fromkey');
  assert.deepEqual(p.weights, { qwen: { expertise: 1 } });
  assert.equal(p.createdAt, 7);
});

test('a v0 record with an out-of-range weight is not silently accepted', () => {
  assert.throws(() => parseProfileRecord({ ...v0, weights: { expertise: 9 } }, 'old1'), /outside/);
});

test('a record from a newer schema is recognised as such', () => {
  assert.throws(() => migrateRecord({ v: SCHEMA_VERSION + 1 }, { now: 0 }), NewerSchemaError);
});

test('a stored v0 profile loads migrated, applies to any model, and is rewritten as v1 on change', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  await rawPut(factory, dbName, 'profile:old1', v0);
  await rawPut(factory, dbName, 'active', { v: 1, id: 'old1' });
  const { prefs, notices } = await openPrefs({ factory, dbName, channel: false });
  assert.deepEqual(notices, []);
  assert.equal(prefs.active()?.id, 'old1');
  assert.deepEqual(prefs.weights('any-model'), { expertise: 2, style: -1 });
  await prefs.setWeight('qwen', 'style', 0.5);
  // The model gets its own entry seeded from the legacy weights; other models still see '*'.
  assert.deepEqual(prefs.weights('qwen'), { expertise: 2, style: 0.5 });
  assert.deepEqual(prefs.weights('other'), { expertise: 2, style: -1 });
  const stored = (await rawGet(factory, dbName, 'profile:old1')) as { v: number };
  assert.equal(stored.v, 1);
  prefs.close();
});

test('a newer-schema record is left in place and reported, not quarantined', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  const future = { v: 99, id: 'fut', whatever: true };
  await rawPut(factory, dbName, 'profile:fut', future);
  const { prefs, notices } = await openPrefs({ factory, dbName, channel: false });
  assert.deepEqual(notices.map((n) => n.kind), ['newer-schema']);
  assert.equal(prefs.get('fut'), undefined);
  assert.deepEqual(await rawGet(factory, dbName, 'profile:fut'), future);
  assert.equal(await rawGet(factory, dbName, 'quarantine:profile:fut'), undefined);
  prefs.close();
});
