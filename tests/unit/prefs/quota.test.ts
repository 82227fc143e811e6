import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { TailorError } from '../../../src/errors.ts';
import { openPrefs } from '../../../src/prefs/prefs.ts';
import type { Profile } from '../../../src/prefs/types.ts';
import { choice, freshDbName, rawGet } from './helpers.ts';

const originalPut = IDBObjectStore.prototype.put;
afterEach(() => {
  IDBObjectStore.prototype.put = originalPut;
});

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** put() itself throws, as a wrapper around IDBObjectStore.prototype.put. */
function failPutSync(): void {
  IDBObjectStore.prototype.put = function put(): IDBRequest<IDBValidKey> {
    throw quotaError();
  };
}

/**
 * put() returns a request, the write then fails asynchronously: the request gets an error event
 * and the transaction aborts. Done by making fake-indexeddb's record write (an internal it binds
 * inside put) throw for this one call.
 */
function failRequest(): void {
  IDBObjectStore.prototype.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    const raw = (this as unknown as { _rawObjectStore: { storeRecord?: () => never } })._rawObjectStore;
    raw.storeRecord = () => {
      throw quotaError();
    };
    try {
      return originalPut.apply(this, args);
    } finally {
      delete raw.storeRecord;
    }
  };
}

/**
 * The way browsers usually report it: the requests succeed, then committing fails and the
 * transaction aborts with error QuotaExceededError (fake-indexeddb's internal _abort does exactly
 * that: sets transaction.error, fails pending requests with AbortError, fires abort).
 */
function failCommit(): void {
  IDBObjectStore.prototype.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    const req = originalPut.apply(this, args);
    (this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
    return req;
  };
}

const isQuota = (e: unknown) => e instanceof TailorError && e.code === 'storage-quota';

for (const [how, fail] of [
  ['put throws', failPutSync],
  ['write request fails', failRequest],
  ['transaction aborts at commit', failCommit],
] as const) {
  test(`quota exceeded (${how}) → storage-quota, previous data and cache intact`, async () => {
    const factory = new IDBFactory();
    const dbName = freshDbName();
    const { prefs } = await openPrefs({ factory, dbName, channel: false });
    await prefs.setWeight('m1', 'style', 1);
    const other = await prefs.create('Other');
    const id = prefs.active()!.id;
    const before = (await rawGet(factory, dbName, `profile:${id}`)) as Profile;
    const cached = prefs.active();

    fail();
    await assert.rejects(prefs.setWeight('m1', 'style', 2), isQuota);
    await assert.rejects(prefs.addFeedback(choice('p', { style: 1 }, { style: 0 }, 'a')), isQuota);
    await assert.rejects(prefs.rename(id, 'New name'), isQuota);
    await assert.rejects(prefs.importJson(await prefs.exportJson()), isQuota);
    // Switching is applied at once and rolled back when it cannot be saved.
    const switching = prefs.setActive(other.id);
    assert.equal(prefs.active()?.id, other.id);
    await assert.rejects(switching, isQuota);
    assert.equal(prefs.active()?.id, id);
    IDBObjectStore.prototype.put = originalPut;

    assert.deepEqual(prefs.active(), cached, 'cache unchanged');
    assert.deepEqual(prefs.weights('m1'), { style: 1 });
    assert.deepEqual(await rawGet(factory, dbName, `profile:${id}`), before, 'stored record unchanged');
    assert.deepEqual(await rawGet(factory, dbName, 'active'), { v: 1, id });
    assert.equal(prefs.list().length, 2, 'the failed import added nothing');

    // And the store keeps working once space is available again.
    await prefs.setWeight('m1', 'style', 2);
    assert.deepEqual(prefs.weights('m1'), { style: 2 });
    prefs.close();
  });
}
