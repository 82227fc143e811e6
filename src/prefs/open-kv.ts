/**
 * Picks the storage backend: IndexedDB when it works, else an in-memory store plus a notice so
 * the UI can say "your preferences will not be kept". "Works" is decided by actually reading the
 * store, because IndexedDB can exist and still fail (SecurityError in sandboxed frames and file://,
 * InvalidStateError in some private modes, an open blocked by another tab).
 */
import type { Kv } from './kv.ts';
import { idbKv } from './kv-idb.ts';
import { memoryKv } from './kv-memory.ts';
import type { Notice } from './types.ts';

export interface OpenKvOptions {
  dbName: string;
  storeName: string;
  factory?: IDBFactory;
  /** A blocked open never settles with idb-keyval's createStore; give up after this long. */
  openTimeoutMs: number;
}

export interface OpenedKv {
  kv: Kv;
  /** The first full read, reused by the loader so startup reads the store once. */
  snapshot: Array<[string, unknown]>;
  notice?: Notice;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (blocked?)`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function fallback(reason: string): OpenedKv {
  return {
    kv: memoryKv(),
    snapshot: [],
    notice: { kind: 'in-memory', message: `Preferences cannot be saved on this device (${reason}); changes last until this tab is closed.` },
  };
}

export async function openKv(opts: OpenKvOptions): Promise<OpenedKv> {
  let factory: IDBFactory | undefined;
  try {
    // The getter itself throws (SecurityError) where storage is blocked, e.g. with cookies off.
    factory = opts.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  } catch (e) {
    return fallback(`IndexedDB is blocked: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!factory) return fallback('IndexedDB is not available');
  let kv: Kv;
  try {
    kv = idbKv({ dbName: opts.dbName, storeName: opts.storeName, factory: opts.factory });
    // Promise.resolve().then: a synchronous throw from open() becomes a rejection here.
    const snapshot = await withTimeout(Promise.resolve().then(() => kv.entries()), opts.openTimeoutMs);
    return { kv, snapshot };
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return fallback(`IndexedDB failed: ${detail}`);
  }
}
