/** Stored value → current-version Profile: decode, migrate, validate. One place, used by load,
 * updates and cross-tab refresh, so all of them agree on what "corrupt" means. */
import { migrateRecord } from './migrate.ts';
import { SchemaError } from './schema-check.ts';
import type { Profile } from './types.ts';
import { validateProfile } from './validate-profile.ts';

export function parseProfileRecord(raw: unknown, idFromKey: string, now = Date.now()): Profile {
  // Records are stored as structured-clone objects; a string can only come from an older or
  // foreign writer that stored JSON text, which we accept if it parses.
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new SchemaError('record', 'unparseable JSON text');
    }
  }
  const p = validateProfile(migrateRecord(value, { idFromKey, now }), 'record');
  if (p.id !== idFromKey) throw new SchemaError('record.id', `id "${p.id}" does not match its key`);
  return p;
}
