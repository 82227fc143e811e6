/**
 * IndexedDB Kv on idb-keyval. Single-record changes use idb-keyval's `update`, whose get and put
 * share one readwrite transaction; IndexedDB serialises readwrite transactions on a store across
 * all connections (tabs), so concurrent updates of one record cannot lose each other's change.
 */
import { createStore, entries, get, promisifyRequest, update, type UseStore } from 'idb-keyval';
import { DELETE, type Kv, type KvRead, type Write } from './kv.ts';
import { toStorageError } from './storage-errors.ts';

/**
 * Like idb-keyval's createStore, but on an injected factory (tests, other realms) and failing
 * fast when the open is blocked instead of hanging. It also closes on `versionchange` so that this
 * tab never blocks another tab's upgrade.
 */
function storeOn(factory: IDBFactory, dbName: string, storeName: string): UseStore {
  let dbp: Promise<IDBDatabase> | undefined;
  const getDB = (): Promise<IDBDatabase> => {
    if (dbp) return dbp;
    const p = new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(dbName);
      let blocked = false;
      req.onupgradeneeded = () => req.result.createObjectStore(storeName);
      req.onsuccess = () => {
        const db = req.result;
        if (blocked) return db.close(); // we already gave up on it
        db.onversionchange = () => db.close();
        db.onclose = () => (dbp = undefined);
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => {
        blocked = true;
        reject(new DOMException(`opening "${dbName}" is blocked by another tab`, 'BlockedError'));
      };
    });
    dbp = p;
    p.catch(() => (dbp = undefined));
    return p;
  };
  return (mode, callback) => getDB().then((db) => callback(db.transaction(storeName, mode).objectStore(storeName)));
}

/**
 * When a request fails, its error event bubbles to the transaction, where idb-keyval rejects with
 * `transaction.error` — still null at that moment (the abort that sets it comes later). This
 * wrapper remembers the failing request's own error (e.g. QuotaExceededError) and reports that.
 */
function withRequestErrors(useStore: UseStore): UseStore {
  return (mode, callback) =>
    useStore(mode, (store) => {
      const tx = store.transaction;
      let requestError: unknown;
      tx.addEventListener('error', (ev) => {
        const target = ev.target as IDBRequest | null;
        requestError ??= target && 'error' in target ? target.error : undefined;
      });
      return Promise.resolve(callback(store)).catch((e: unknown) => {
        throw e ?? requestError ?? tx.error ?? new DOMException('unknown IndexedDB failure', 'UnknownError');
      });
    });
}

/** All keys + values of the store in one readonly snapshot (no IDBKeyRange: it is realm-bound). */
function readAll(store: IDBObjectStore): Promise<Array<[IDBValidKey, unknown]>> {
  return Promise.all([promisifyRequest(store.getAllKeys()), promisifyRequest(store.getAll())]).then(([ks, vs]) =>
    ks.map((k, i): [IDBValidKey, unknown] => [k, vs[i]]),
  );
}

function transactOn(useStore: UseStore, read: KvRead, fn: (current: ReadonlyMap<string, unknown>) => readonly Write[]): Promise<void> {
  return useStore('readwrite', (store) => {
    const current = new Map<string, unknown>();
    const reads: Array<Promise<void>> = (read.keys ?? []).map((k) =>
      promisifyRequest(store.get(k)).then((v: unknown) => {
        if (v !== undefined) current.set(k, v);
      }),
    );
    const prefixes = read.prefixes ?? [];
    if (prefixes.length > 0) {
      const wanted = (k: IDBValidKey): k is string => typeof k === 'string' && prefixes.some((p) => k.startsWith(p));
      reads.push(readAll(store).then((all) => all.forEach(([k, v]) => wanted(k) && current.set(k, v))));
    }
    // The writes are issued from the request callbacks' microtasks, so the transaction is still
    // active: read and write are one atomic unit.
    return Promise.all(reads).then(() => {
      try {
        for (const [k, v] of fn(current)) {
          if (v === DELETE) store.delete(k);
          else store.put(v, k);
        }
      } catch (e) {
        const tx = store.transaction;
        try {
          tx.abort(); // nothing of a half-applied batch may land
        } catch {
          // already aborted (e.g. by a failed write): then its error is the real cause
        }
        throw tx.error ?? e;
      }
      return promisifyRequest(store.transaction);
    });
  });
}

export function idbKv(opts: { dbName: string; storeName: string; factory?: IDBFactory }): Kv {
  // Production path: idb-keyval's own store on the global indexedDB.
  const useStore = withRequestErrors(opts.factory ? storeOn(opts.factory, opts.dbName, opts.storeName) : createStore(opts.dbName, opts.storeName));
  const wrap = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw toStorageError(e);
    }
  };
  return {
    kind: 'indexeddb',
    entries: () =>
      wrap(async () => (await entries<IDBValidKey, unknown>(useStore)).filter((e): e is [string, unknown] => typeof e[0] === 'string')),
    get: (key) => wrap(() => get<unknown>(key, useStore)),
    update: (key, fn) => wrap(() => update<unknown>(key, fn, useStore)),
    transact: (read, fn) => wrap(() => transactOn(useStore, read, fn)),
    close: () => {
      // idb-keyval keeps its connection for the page's lifetime; nothing to release there.
    },
  };
}
