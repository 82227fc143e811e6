import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { TailorError } from '../../../src/errors.ts';
import { openPrefs, type Prefs } from '../../../src/prefs/prefs.ts';
import { choice, freshDbName, rawKeys } from './helpers.ts';

async function fresh(): Promise<{ prefs: Prefs; factory: IDBFactory; dbName: string }> {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  return { prefs: (await openPrefs({ factory, dbName, channel: false })).prefs, factory, dbName };
}

async function populated(): Promise<Prefs> {
  const { prefs } = await fresh();
  await prefs.setWeight('m1', 'expertise', 1.5);
  await prefs.addFeedback(choice('why is the sky blue', { expertise: 3 }, { expertise: 1 }, 'a'));
  const work = await prefs.create('Work');
  await prefs.setActive(work.id);
  await prefs.setWeights('m2', { style: -2 });
  return prefs;
}

const invalidImport = (pattern: RegExp) => (e: unknown) => e instanceof TailorError && e.code === 'invalid-import' && pattern.test(e.message);

test('export → import into another device reproduces the profiles exactly', async () => {
  const src = await populated();
  const text = await src.exportJson();
  const env = JSON.parse(text) as { format: string; version: number; exportedAt: string; profiles: unknown[] };
  assert.equal(env.format, 'tailor-profiles');
  assert.equal(env.version, 1);
  assert.ok(!Number.isNaN(Date.parse(env.exportedAt)));
  assert.equal(env.profiles.length, 2);

  const { prefs: dst } = await fresh(); // has its own "Default" profile (id 'default')
  const report = await dst.importJson(text);
  assert.equal(report.length, 2);
  for (const original of src.list()) {
    const r = report.find((x) => x.originalId === original.id)!;
    const copy = dst.get(r.id)!;
    // The source's "Default" collides with the destination's own one and gets a new id.
    assert.equal(r.id === original.id, original.id !== 'default');
    assert.deepEqual({ ...copy, id: original.id }, original);
  }
  assert.equal(dst.list().length, 3);
  src.close();
  dst.close();
});

test('exporting one profile exports only that one; an unknown id is refused', async () => {
  const src = await populated();
  const one = src.list()[1];
  const env = JSON.parse(await src.exportJson([one.id])) as { profiles: Array<{ id: string }> };
  assert.deepEqual(env.profiles.map((p) => p.id), [one.id]);
  await assert.rejects(src.exportJson(['nope']), (e: unknown) => e instanceof TailorError && e.code === 'invalid-options');
  src.close();
});

test("'replace' overwrites the profile with the same id instead of copying it", async () => {
  const prefs = await populated();
  const text = await prefs.exportJson();
  const id = prefs.list()[0].id;
  await prefs.rename(id, 'Renamed later');
  const report = await prefs.importJson(text, { onCollision: 'replace' });
  assert.ok(report.every((r) => r.replaced && r.id === r.originalId));
  assert.equal(prefs.list().length, 2);
  assert.notEqual(prefs.get(id)!.name, 'Renamed later');
  prefs.close();
});

test('bad files are refused with a clear message and change nothing', async () => {
  const { prefs, factory, dbName } = await fresh();
  await prefs.setWeight('m1', 'expertise', 1);
  const good = await (await populated()).exportJson();
  const before = await rawKeys(factory, dbName);
  const beforeList = JSON.stringify(prefs.list());

  const envelope = JSON.parse(good) as { profiles: Array<Record<string, unknown>> } & Record<string, unknown>;
  const withProfile = (patch: (p: Record<string, unknown>) => void) => {
    const copy = structuredClone(envelope);
    patch(copy.profiles[1]);
    return JSON.stringify(copy);
  };
  const cases: Array<[string, string, RegExp]> = [
    ['foreign JSON', JSON.stringify({ hello: 'world' }), /not a Tailor profiles export/],
    ['an array', '[1,2,3]', /expected an object/],
    ['wrong version', JSON.stringify({ ...envelope, version: 2 }), /version 2 is from a newer Tailor/],
    ['version as string', JSON.stringify({ ...envelope, version: '1' }), /unsupported export version "1"/],
    ['truncated', good.slice(0, Math.floor(good.length / 2)), /not valid JSON/],
    ['NaN literal', good.replace('"expertise": 1.5', '"expertise": NaN'), /not valid JSON/],
    ['NaN serialised as null', withProfile((p) => ((p.weights as Record<string, Record<string, unknown>>).m2.style = null)), /profiles\[1\]\.weights\.m2\.style: expected a finite number, got null/],
    ['infinite weight', good.replace('"style": -2', '"style": -1e999'), /finite number, got -Infinity/],
    ['weight out of range', good.replace('"style": -2', '"style": -4'), /-4 is outside \[-3, 3\]/],
    ['bad id', withProfile((p) => (p.id = '../../etc')), /profiles\[1\]\.id/],
    ['duplicate ids', withProfile((p) => (p.id = envelope.profiles[0].id)), /duplicate id/],
    ['unknown field', withProfile((p) => (p.extra = 1)), /unexpected field "extra"/],
    ['bad feedback', good.replace('"chosen": "a"', '"chosen": "c"'), /chosen: expected "a" or "b"/],
    ['prototype key', good.replace('"style": -2', '"__proto__": -2'), /reserved name/],
  ];
  for (const [what, text, pattern] of cases) {
    await assert.rejects(prefs.importJson(text), invalidImport(pattern), what);
  }
  assert.deepEqual(await rawKeys(factory, dbName), before);
  assert.equal(JSON.stringify(prefs.list()), beforeList);
  prefs.close();
});

test('an older-schema profile inside an export is migrated on import', async () => {
  const { prefs } = await fresh();
  const text = JSON.stringify({
    format: 'tailor-profiles',
    version: 1,
    exportedAt: new Date(0).toISOString(),
    profiles: [{ id: 'legacy', name: 'Legacy', weights: { style: 1 } }],
  });
  const [r] = await prefs.importJson(text);
  assert.deepEqual(prefs.get(r.id)!.weights, { '*': { style: 1 } });
  prefs.close();
});

test('removeAll forgets every profile; remove of the active one hands over to another', async () => {
  const { prefs, factory, dbName } = await fresh();
  const a = prefs.active()!;
  const b = await prefs.create('B');
  await prefs.remove(a.id);
  assert.equal(prefs.active()?.id, b.id);
  assert.equal(prefs.get(a.id), undefined);
  await prefs.remove(a.id); // idempotent
  await prefs.removeAll();
  assert.deepEqual(prefs.list(), []);
  assert.equal(prefs.active(), undefined);
  assert.deepEqual(await rawKeys(factory, dbName), []);
  prefs.close();
});
