/** The per-device "which profile is active" pointer: its own tiny record, so switching profiles
 * never rewrites a profile. */
import { ID_PATTERN } from './ids.ts';
import { describe, exactKeys, fail, plainObject, str } from './schema-check.ts';
import { SCHEMA_VERSION } from './types.ts';

export interface ActiveRecord {
  readonly v: typeof SCHEMA_VERSION;
  readonly id: string;
}

export const activeRecord = (id: string): ActiveRecord => ({ v: SCHEMA_VERSION, id });

export function parseActiveRecord(raw: unknown): ActiveRecord {
  const o = plainObject(raw, 'active');
  if (o.v !== SCHEMA_VERSION) fail('active.v', `expected schema version ${SCHEMA_VERSION}, got ${describe(o.v)}`);
  exactKeys(o, 'active', ['v', 'id']);
  return activeRecord(str(o.id, 'active.id', 64, ID_PATTERN));
}
