/**
 * Imported into the app page by the preferences tests (`await import('/tests/browser/pages/raw-idb.ts')`):
 * the preferences database read and written with the raw IndexedDB API, bypassing src/prefs, so a
 * test sees exactly what is stored (and can store what the app would never write).
 *
 * Layout (src/prefs/prefs.ts, keys.ts): database 'tailor-prefs', object store 'kv', out-of-line
 * string keys: 'active' → { id }, 'profile:<id>' → Profile, 'quarantine:<key>' → set-aside record.
 */
export const DB_NAME = 'tailor-prefs';
export const STORE = 'kv';

const done = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

/** Opens the app's database; refuses to create it (that would leave it without its store). */
async function open(): Promise<IDBDatabase> {
  const dbs = await indexedDB.databases();
  if (!dbs.some((d) => d.name === DB_NAME)) throw new Error(`database "${DB_NAME}" does not exist (yet)`);
  const db = await done(indexedDB.open(DB_NAME));
  if (!db.objectStoreNames.contains(STORE)) {
    db.close();
    throw new Error(`database "${DB_NAME}" has no store "${STORE}"`);
  }
  return db;
}

async function withStore<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await f(tx.objectStore(STORE));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/** Every key and value (JSON-safe: values are structured-clone data). */
export function entries(): Promise<Array<[string, unknown]>> {
  return withStore('readonly', async (s) => {
    const [keys, values] = await Promise.all([done(s.getAllKeys()), done(s.getAll())]);
    return keys.map((k, i): [string, unknown] => [String(k), values[i]]);
  });
}

export function get(key: string): Promise<unknown> {
  return withStore('readonly', (s) => done(s.get(key)));
}

export function put(key: string, value: unknown): Promise<void> {
  return withStore('readwrite', async (s) => {
    await done(s.put(value, key));
  });
}

export function remove(key: string): Promise<void> {
  return withStore('readwrite', async (s) => {
    await done(s.delete(key));
  });
}
