/**
 * Upgrading old records. Each entry of MIGRATIONS lifts a record from version n to n+1 and only
 * reshapes; the result is validated afterwards by validate-profile.ts, so a migration may assume
 * little and must not invent data it cannot justify.
 */
import { ANY_MODEL } from './limits.ts';
import { describe, fail, plainObject } from './schema-check.ts';
import { SCHEMA_VERSION } from './types.ts';

type Rec = Record<string, unknown>;
interface MigrationContext {
  /** Id taken from the storage key, for records that did not carry their own. */
  readonly idFromKey?: string;
  readonly now: number;
}

/** Thrown for a record written by a newer app version: it must be left alone, not quarantined. */
export class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`written by a newer version of Tailor (schema ${version}, this one knows ${SCHEMA_VERSION})`);
    this.name = 'NewerSchemaError';
  }
}

/**
 * v0 (before versioning): `{ id?, name?, weights: { dimension: number }, baseModel?, createdAt?,
 * updatedAt? }` — one flat weight map, no feedback. Its weights were not tied to a base model
 * unless `baseModel` was recorded, so they go under ANY_MODEL ('*'), which applies to every model
 * without weights of its own.
 */
function v0ToV1(r: Rec, ctx: MigrationContext, path: string): Rec {
  const flat = r.weights === undefined ? {} : plainObject(r.weights, `${path}.weights`);
  const model = typeof r.baseModel === 'string' && r.baseModel.length > 0 ? r.baseModel : ANY_MODEL;
  const createdAt = typeof r.createdAt === 'number' ? r.createdAt : typeof r.updatedAt === 'number' ? r.updatedAt : ctx.now;
  return {
    v: 1,
    id: r.id ?? ctx.idFromKey,
    name: r.name ?? 'Profile',
    createdAt,
    updatedAt: typeof r.updatedAt === 'number' ? r.updatedAt : createdAt,
    weights: { [model]: { ...flat } },
    feedback: [],
    learners: {},
  };
}

/** MIGRATIONS[n] turns a version-n record into a version-(n+1) record. */
export const MIGRATIONS: Readonly<Record<number, (r: Rec, ctx: MigrationContext, path: string) => Rec>> = {
  0: v0ToV1,
};

function versionOf(r: Rec, path: string): number {
  if (!Object.hasOwn(r, 'v')) return 0; // records from before versioning have no `v`
  const v = r.v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`${path}.v`, `invalid schema version ${describe(v)}`);
  return v;
}

/** Brings a raw record up to SCHEMA_VERSION (still unvalidated). Throws SchemaError / NewerSchemaError. */
export function migrateRecord(raw: unknown, ctx: MigrationContext, path = 'record'): unknown {
  let rec = plainObject(raw, path);
  let v = versionOf(rec, path);
  if (v > SCHEMA_VERSION) throw new NewerSchemaError(v);
  while (v < SCHEMA_VERSION) {
    const step = MIGRATIONS[v];
    if (!step) fail(`${path}.v`, `no migration from schema version ${v}`);
    rec = step(rec, ctx, path);
    v += 1;
  }
  return rec;
}
