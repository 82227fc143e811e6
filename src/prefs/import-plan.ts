/**
 * Where imported profiles go. Collision policy (documented for the UI): by default an imported
 * profile whose id already exists on this device gets a fresh id, so importing never overwrites
 * anything (importing the same file twice gives two copies); with 'replace' it overwrites the
 * profile of the same id. Decided inside the import transaction, against the ids actually stored.
 */
import { newId } from './ids.ts';
import { profileKey } from './keys.ts';
import type { Write } from './kv.ts';
import type { Profile } from './types.ts';

export type CollisionPolicy = 'new-id' | 'replace';

export interface ImportedProfile {
  readonly id: string;
  readonly name: string;
  /** The id in the file (differs from `id` when a collision gave it a new one). */
  readonly originalId: string;
  /** True when it overwrote an existing profile ('replace'). */
  readonly replaced: boolean;
}

export interface ImportPlan {
  writes: Write[];
  profiles: Profile[];
  report: ImportedProfile[];
}

export function planImport(incoming: readonly Profile[], storedIds: ReadonlySet<string>, policy: CollisionPolicy): ImportPlan {
  const taken = new Set(storedIds);
  const plan: ImportPlan = { writes: [], profiles: [], report: [] };
  for (const p of incoming) {
    const clash = taken.has(p.id);
    let id = p.id;
    if (clash && policy === 'new-id') while (taken.has(id)) id = newId();
    taken.add(id);
    const profile: Profile = { ...p, id };
    plan.writes.push([profileKey(id), profile]);
    plan.profiles.push(profile);
    plan.report.push({ id, name: p.name, originalId: p.id, replaced: clash && policy === 'replace' });
  }
  return plan;
}
