/** Reading records for the store: lenient where a bad record must be skipped, loud where a
 * write depends on it. */
import { TailorError } from '../errors.ts';
import { parseActiveRecord } from './active-record.ts';
import { parseProfileRecord } from './parse-record.ts';
import { SchemaError } from './schema-check.ts';
import type { Profile } from './types.ts';
import { validateProfile } from './validate-profile.ts';

export function failNoProfile(id: string): never {
  throw new TailorError('invalid-options', `no profile with id "${id}"`);
}

export function activeIdOf(raw: unknown): string | undefined {
  try {
    return raw === undefined ? undefined : parseActiveRecord(raw).id;
  } catch {
    return undefined;
  }
}

export function tryParse(raw: unknown, id: string): Profile | undefined {
  try {
    return parseProfileRecord(raw, id);
  } catch {
    return undefined;
  }
}

export function parseStored(raw: unknown, id: string): Profile {
  try {
    return parseProfileRecord(raw, id);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new TailorError('internal', `stored profile "${id}" is unreadable (${why}); reload to set it aside`);
  }
}

/** Our own output is validated too: a bug must fail loudly rather than store a bad record. */
export function checkedForWrite(p: Profile): Profile {
  try {
    return validateProfile(p);
  } catch (e) {
    throw new TailorError('internal', e instanceof SchemaError ? `refusing to store an invalid profile: ${e.message}` : String(e));
  }
}
