/** In-memory Kv: the fallback when IndexedDB cannot be used (data lives as long as the tab). */
import { DELETE, type Kv, type KvRead, type Write } from './kv.ts';
import { toStorageError } from './storage-errors.ts';

export function memoryKv(): Kv {
  const map = new Map<string, unknown>();
  // structuredClone on the way in and out mimics IndexedDB: callers never share objects with the
  // store, so a caller mutating a returned value cannot change "stored" data behind our back.
  const apply = (writes: readonly Write[]) => {
    const staged = writes.map(([k, v]) => [k, v === DELETE ? DELETE : structuredClone(v)] as const);
    for (const [k, v] of staged) if (v === DELETE) map.delete(k); else map.set(k, v);
  };
  const run = async <T>(f: () => T): Promise<T> => {
    try {
      return f();
    } catch (e) {
      throw toStorageError(e);
    }
  };
  return {
    kind: 'memory',
    entries: () => run(() => [...map].map(([k, v]): [string, unknown] => [k, structuredClone(v)])),
    get: (key) => run(() => structuredClone(map.get(key))),
    update: (key, fn) => run(() => apply([[key, fn(structuredClone(map.get(key)))]])),
    transact: (read: KvRead, fn) =>
      run(() => {
        const current = new Map<string, unknown>();
        for (const k of read.keys ?? []) if (map.has(k)) current.set(k, structuredClone(map.get(k)));
        const prefixes = read.prefixes ?? [];
        for (const [k, v] of map) if (prefixes.some((p) => k.startsWith(p))) current.set(k, structuredClone(v));
        apply(fn(current));
      }),
    close: () => {},
  };
}
