/** Shared test helpers: raw access to the fake IndexedDB behind a store, and fixtures. */
import type { FeedbackInput } from '../../../src/prefs/types.ts';

let counter = 0;
/** A database name no other test in this process uses. */
export const freshDbName = (): string => `tailor-test-${process.pid}-${++counter}`;

function openRaw(factory: IDBFactory, dbName: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(dbName);
    req.onupgradeneeded = () => req.result.createObjectStore('kv');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore<T>(factory: IDBFactory, dbName: string, mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openRaw(factory, dbName);
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction('kv', mode);
      const req = f(tx.objectStore('kv'));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Writes a record exactly as given, bypassing the store (to plant old or corrupt data). */
export const rawPut = (factory: IDBFactory, dbName: string, key: string, value: unknown): Promise<IDBValidKey> =>
  withStore(factory, dbName, 'readwrite', (s) => s.put(value, key));

export const rawGet = (factory: IDBFactory, dbName: string, key: string): Promise<unknown> => withStore(factory, dbName, 'readonly', (s) => s.get(key));

export const rawKeys = async (factory: IDBFactory, dbName: string): Promise<string[]> =>
  (await withStore(factory, dbName, 'readonly', (s) => s.getAllKeys())).map(String).sort();

export function choice(prompt: string, fa: Record<string, number>, fb: Record<string, number>, chosen: 'a' | 'b', model = 'm1'): FeedbackInput {
  return { kind: 'choice', baseModel: model, prompt, a: { features: fa, weights: { x: 1 } }, b: { features: fb, weights: { x: -1 } }, chosen };
}
