import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { openPrefs } from '../../../src/prefs/prefs.ts';
import { freshDbName } from './helpers.ts';

/** A factory whose open() fails the way a given browser situation does. */
function brokenFactory(mode: 'throws' | 'error' | 'blocked'): IDBFactory {
  return {
    open() {
      if (mode === 'throws') throw new DOMException('access denied', 'SecurityError');
      const req = {} as { onerror?: () => void; onblocked?: () => void; error?: DOMException };
      setTimeout(() => {
        if (mode === 'error') {
          req.error = new DOMException('no IndexedDB in private mode', 'InvalidStateError');
          req.onerror?.();
        } else req.onblocked?.();
      });
      return req;
    },
  } as unknown as IDBFactory;
}

async function assertWorksInMemory(opts: Parameters<typeof openPrefs>[0], reason: RegExp): Promise<void> {
  const { prefs, notices } = await openPrefs(opts);
  assert.equal(prefs.storage, 'memory');
  assert.equal(notices.length, 1);
  assert.equal(notices[0].kind, 'in-memory');
  assert.match(notices[0].message, reason);
  // Same API, working: the default profile, weights, feedback, export/import.
  assert.ok(prefs.active());
  await prefs.setWeight('m1', 'style', 1.25);
  assert.deepEqual(prefs.weights('m1'), { style: 1.25 });
  const p2 = await prefs.create('Second');
  await prefs.setActive(p2.id);
  assert.deepEqual(prefs.weights('m1'), {});
  const text = await prefs.exportJson();
  await prefs.removeAll();
  assert.deepEqual(prefs.list(), []);
  await prefs.importJson(text);
  assert.equal(prefs.list().length, 2);
  prefs.close();
}

test('no indexedDB at all (as in Node) → in-memory store with a notice', async () => {
  assert.equal((globalThis as { indexedDB?: unknown }).indexedDB, undefined, 'precondition: this file does not load fake-indexeddb/auto');
  await assertWorksInMemory({ dbName: freshDbName() }, /IndexedDB is not available/);
});

test('open() throws SecurityError → in-memory', async () => {
  await assertWorksInMemory({ factory: brokenFactory('throws'), dbName: freshDbName() }, /SecurityError|access denied/);
});

test('open() fails with an error event → in-memory', async () => {
  await assertWorksInMemory({ factory: brokenFactory('error'), dbName: freshDbName() }, /private mode/);
});

test('open() is blocked → in-memory', async () => {
  await assertWorksInMemory({ factory: brokenFactory('blocked'), dbName: freshDbName() }, /blocked/);
});

test('open() never answers → in-memory after the timeout', async () => {
  const silent = { open: () => ({}) } as unknown as IDBFactory;
  const t0 = Date.now();
  await assertWorksInMemory({ factory: silent, dbName: freshDbName(), openTimeoutMs: 50 }, /no answer within 50 ms/);
  assert.ok(Date.now() - t0 < 2000);
});

test('a working IndexedDB gives no notice and persists across instances', async () => {
  const factory = new IDBFactory();
  const dbName = freshDbName();
  const first = await openPrefs({ factory, dbName, channel: false });
  assert.equal(first.prefs.storage, 'indexeddb');
  assert.deepEqual(first.notices, []);
  await first.prefs.setWeight('m1', 'style', -0.5);
  first.prefs.close();
  const second = await openPrefs({ factory, dbName, channel: false });
  assert.deepEqual(second.prefs.weights('m1'), { style: -0.5 });
  second.prefs.close();
});
