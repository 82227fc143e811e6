/**
 * The narrow key-value contract the preferences store needs. Two implementations: IndexedDB
 * through idb-keyval (kv-idb.ts) and a plain in-memory map (kv-memory.ts) for when IndexedDB is
 * unavailable. All failures reject with TailorError (storage-quota / storage-unavailable / the
 * updater's own error), and a failed call changes nothing.
 */

/** Marks a key for deletion in `transact` writes. */
export const DELETE: unique symbol = Symbol('delete');
export type Write = readonly [key: string, value: unknown];

export interface KvRead {
  /** Exact keys to read. */
  readonly keys?: readonly string[];
  /** Also read every key starting with one of these prefixes. */
  readonly prefixes?: readonly string[];
}

export interface Kv {
  readonly kind: 'indexeddb' | 'memory';
  entries(): Promise<Array<[string, unknown]>>;
  get(key: string): Promise<unknown>;
  /** Atomic read-modify-write of one key; `fn` sees the stored value (undefined if none). */
  update(key: string, fn: (old: unknown) => unknown): Promise<void>;
  /** Atomic read-modify-write of several keys: `fn` sees what `read` selects (absent = missing)
   * and returns the writes (value DELETE deletes). If `fn` throws nothing is written. */
  transact(read: KvRead, fn: (current: ReadonlyMap<string, unknown>) => readonly Write[]): Promise<void>;
  close(): void;
}
