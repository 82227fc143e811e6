/**
 * Moving a corrupt record aside. It is kept (under 'quarantine:<key>') rather than deleted: the
 * data may still be recoverable by hand, and a bug in our validator must not destroy user data.
 */
import { DELETE, type Kv } from './kv.ts';
import { quarantineKey } from './keys.ts';

export interface QuarantinedRecord {
  readonly quarantinedAt: number;
  readonly reason: string;
  /** The stored value exactly as it was found. */
  readonly value: unknown;
}

/**
 * Atomically moves `key` to its quarantine key, but only if it is still bad (`isBad` re-checks
 * inside the transaction: another tab may have rewritten it meanwhile). An older quarantined
 * copy of the same key is kept too: the new one gets a timestamp suffix.
 */
export async function quarantine(kv: Kv, key: string, reason: string, isBad: (v: unknown) => boolean, now = Date.now()): Promise<void> {
  const target = quarantineKey(key);
  await kv.transact({ keys: [key, target] }, (cur) => {
    if (!cur.has(key) || !isBad(cur.get(key))) return [];
    const record: QuarantinedRecord = { quarantinedAt: now, reason, value: cur.get(key) };
    return [
      [cur.has(target) ? `${target}:${now}` : target, record],
      [key, DELETE],
    ];
  });
}
