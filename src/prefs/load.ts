/**
 * Startup load: every profile record that parses is kept; one that does not is quarantined and
 * reported, and the rest still load. Records from a newer app version are skipped but left in
 * place (that version can still read them).
 */
import { parseActiveRecord } from './active-record.ts';
import { ACTIVE_KEY, profileIdOf } from './keys.ts';
import type { Kv } from './kv.ts';
import { NewerSchemaError } from './migrate.ts';
import { parseProfileRecord } from './parse-record.ts';
import { quarantine } from './quarantine.ts';
import type { Notice, Profile } from './types.ts';

export interface Loaded {
  profiles: Map<string, Profile>;
  /** Only set when it names a loaded profile. */
  activeId?: string;
  notices: Notice[];
}

type Attempt<T> = { ok: true; value: T } | { ok: false; newer: boolean; reason: string };

function attempt<T>(parse: () => T): Attempt<T> {
  try {
    return { ok: true, value: parse() };
  } catch (e) {
    return { ok: false, newer: e instanceof NewerSchemaError, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Parses a record of ours; undefined for keys that are not ours to judge (quarantine:*, others'). */
function parserFor(key: string): ((raw: unknown) => Profile | string) | undefined {
  const id = profileIdOf(key);
  if (id !== undefined) return (raw) => parseProfileRecord(raw, id);
  if (key === ACTIVE_KEY) return (raw) => parseActiveRecord(raw).id;
  return undefined;
}

export async function loadAll(kv: Kv, snapshot: ReadonlyArray<[string, unknown]>): Promise<Loaded> {
  const profiles = new Map<string, Profile>();
  const corrupt: string[] = [];
  const stuck: string[] = [];
  const newer: string[] = [];
  let activeId: string | undefined;

  for (const [key, raw] of snapshot) {
    const parse = parserFor(key);
    if (!parse) continue;
    const r = attempt(() => parse(raw));
    if (r.ok) {
      if (typeof r.value === 'string') activeId = r.value;
      else profiles.set(r.value.id, r.value);
      continue;
    }
    if (r.newer) {
      newer.push(key);
      continue;
    }
    corrupt.push(key);
    const isBad = (v: unknown) => {
      const again = attempt(() => parse(v));
      return !again.ok && !again.newer;
    };
    try {
      await quarantine(kv, key, r.reason, isBad);
    } catch {
      stuck.push(key); // e.g. quota: the record stays where it is, and is still skipped
    }
  }

  const notices: Notice[] = [];
  if (corrupt.length > 0) {
    const kept = stuck.length > 0 ? ` (${stuck.length} could not be moved and stay in place)` : '';
    notices.push({
      kind: 'corrupt',
      message: `${corrupt.length} damaged preference record(s) could not be read and were set aside under "quarantine:"${kept}; everything else loaded.`,
      keys: corrupt,
    });
  }
  if (newer.length > 0) {
    notices.push({ kind: 'newer-schema', message: `${newer.length} profile(s) were saved by a newer version of Tailor and are hidden here.`, keys: newer });
  }
  return { profiles, activeId: activeId !== undefined && profiles.has(activeId) ? activeId : undefined, notices };
}
