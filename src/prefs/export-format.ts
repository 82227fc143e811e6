/**
 * The export file: a versioned envelope around current-version profile records.
 *   { format: 'tailor-profiles', version: 1, exportedAt: ISO-8601, profiles: Profile[] }
 * `version` is the envelope's; each profile carries its own schema `v` and older ones are
 * migrated on import.
 */
import { TailorError } from '../errors.ts';
import { MAX_IMPORT_CHARS } from './limits.ts';
import { migrateRecord, NewerSchemaError } from './migrate.ts';
import { describe, exactKeys, fail, plainObject, SchemaError, str } from './schema-check.ts';
import type { Profile } from './types.ts';
import { validateProfile } from './validate-profile.ts';

export const EXPORT_FORMAT = 'tailor-profiles';
export const EXPORT_VERSION = 1;
const MAX_PROFILES = 1000;

export interface ExportEnvelope {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  readonly exportedAt: string;
  readonly profiles: readonly Profile[];
}

export function buildExport(profiles: readonly Profile[], now: number): string {
  const env: ExportEnvelope = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date(now).toISOString(), profiles };
  return JSON.stringify(env, null, 2);
}

const refuse = (why: string): never => {
  throw new TailorError('invalid-import', `Not imported: ${why}. Nothing was changed.`);
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // Covers truncated files and NaN/Infinity literals (which JSON does not allow).
    return refuse(`the file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Strictly parses an export file; every profile comes back migrated and validated. */
export function parseExport(text: string, now: number): Profile[] {
  if (typeof text !== 'string') refuse('expected the text of an export file');
  if (text.length > MAX_IMPORT_CHARS) refuse(`the file is larger than ${MAX_IMPORT_CHARS} characters`);
  const data = parseJson(text);
  try {
    const o = plainObject(data, 'file');
    if (o.format !== EXPORT_FORMAT) fail('format', `this is not a Tailor profiles export (expected format "${EXPORT_FORMAT}", got ${describe(o.format)})`);
    if (o.version !== EXPORT_VERSION) {
      const newer = typeof o.version === 'number' && o.version > EXPORT_VERSION;
      fail('version', newer ? `export version ${o.version} is from a newer Tailor (this one reads version ${EXPORT_VERSION})` : `unsupported export version ${describe(o.version)}`);
    }
    exactKeys(o, 'file', ['format', 'version', 'exportedAt', 'profiles']);
    str(o.exportedAt, 'exportedAt', 64);
    if (!Array.isArray(o.profiles)) fail('profiles', `expected an array, got ${describe(o.profiles)}`);
    if (o.profiles.length > MAX_PROFILES) fail('profiles', `more than ${MAX_PROFILES} profiles`);
    const profiles = o.profiles.map((p, i) => {
      const path = `profiles[${i}]`;
      try {
        return validateProfile(migrateRecord(p, { now }, path), path);
      } catch (e) {
        if (e instanceof NewerSchemaError) fail(path, e.message);
        throw e;
      }
    });
    const seen = new Set<string>();
    profiles.forEach((p, i) => {
      if (seen.has(p.id)) fail(`profiles[${i}].id`, `duplicate id "${p.id}"`);
      seen.add(p.id);
    });
    return profiles;
  } catch (e) {
    if (e instanceof SchemaError) return refuse(`${e.path}: ${e.problem}`);
    throw e;
  }
}
