/**
 * The preferences store the UI talks to. Reads are synchronous from an in-memory cache (so
 * switching profiles is instant); every change is one atomic read-modify-write of the stored
 * record, expressed as a function of the stored value, after which the cache takes the stored
 * result. A failed write (quota, …) changes neither storage nor cache. Other tabs are told which
 * keys changed and re-read them.
 */
import { TailorError } from '../errors.ts';
import type { Weights } from '../engine/types.ts';
import { activeRecord } from './active-record.ts';
import { buildExport, parseExport } from './export-format.ts';
import { completeFeedback } from './feedback-input.ts';
import { newId } from './ids.ts';
import { planImport, type CollisionPolicy, type ImportedProfile } from './import-plan.ts';
import { ACTIVE_KEY, PROFILE_PREFIX, profileIdOf, profileKey, QUARANTINE_PREFIX } from './keys.ts';
import { DELETE, type Kv, type Write } from './kv.ts';
import type { LearnOptions } from './learning.ts';
import { proposeComparison, type Comparison, type QueryOptions } from './learning-query.ts';
import { loadAll } from './load.ts';
import { openKv } from './open-kv.ts';
import * as ops from './profile-ops.ts';
import { CHANNEL_NAME, openSync, type Sync } from './sync.ts';
import type { FeedbackInput, LearnerState, Notice, Profile, WeightMove } from './types.ts';
import { activeIdOf, checkedForWrite, failNoProfile, parseStored, tryParse } from './stored-records.ts';

export interface OpenPrefsOptions {
  /** Default 'tailor-prefs'. */
  readonly dbName?: string;
  readonly storeName?: string;
  /** IndexedDB to use instead of the global one (tests, other realms). */
  readonly factory?: IDBFactory;
  /** BroadcastChannel name for cross-tab refresh (default 'tailor-prefs'); false: none. */
  readonly channel?: string | false;
  /** Give up on a blocked IndexedDB open after this long and fall back to memory. Default 5000. */
  readonly openTimeoutMs?: number;
  /** Clock (ms since epoch), for tests. */
  readonly now?: () => number;
  readonly learning?: LearnOptions;
}

export interface ImportOptions {
  readonly onCollision?: CollisionPolicy;
}

export type PrefsListener = () => void;

/** Fixed id of the profile created when there is none: two tabs doing it at once create one. */
export const DEFAULT_PROFILE_ID = 'default';

export class Prefs {
  readonly #kv: Kv;
  readonly #profiles: Map<string, Profile>;
  #activeId: string | undefined;
  readonly #listeners = new Set<PrefsListener>();
  readonly #now: () => number;
  readonly #learning: LearnOptions | undefined;
  #sync: Sync | undefined;
  /** Bumped on every local commit of a key, so a cross-tab re-read that raced it is dropped. */
  readonly #generation = new Map<string, number>();
  readonly notices: readonly Notice[];

  constructor(kv: Kv, profiles: Map<string, Profile>, activeId: string | undefined, notices: readonly Notice[], opts: OpenPrefsOptions) {
    this.#kv = kv;
    this.#profiles = profiles;
    this.#activeId = activeId;
    this.notices = notices;
    this.#now = opts.now ?? Date.now;
    this.#learning = opts.learning;
    if (kv.kind === 'indexeddb' && opts.channel !== false) {
      this.#sync = openSync(opts.channel ?? CHANNEL_NAME, (keys) => void this.refresh(keys));
    }
  }

  /** 'memory' when IndexedDB was unavailable (see notices). */
  get storage(): 'indexeddb' | 'memory' {
    return this.#kv.kind;
  }

  list(): Profile[] {
    return [...this.#profiles.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  get(id: string): Profile | undefined {
    return this.#profiles.get(id);
  }

  active(): Profile | undefined {
    return this.#activeId === undefined ? undefined : this.#profiles.get(this.#activeId);
  }

  /** The active profile's weights for `baseModel` ({} when none). */
  weights(baseModel: string): Weights {
    const p = this.active();
    return p ? ops.modelWeights(p, baseModel) : {};
  }

  learner(baseModel: string): LearnerState | undefined {
    return this.active()?.learners[baseModel];
  }

  /** The next "compare two" pair for the active profile (learning-query.ts). */
  proposeComparison(baseModel: string, opts?: QueryOptions): Comparison {
    return proposeComparison(this.weights(baseModel), this.learner(baseModel), opts);
  }

  subscribe(listener: PrefsListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async create(name: string): Promise<Profile> {
    const profile = ops.newProfile(newId(), name, this.#now());
    const key = profileKey(profile.id);
    const makeActive = this.active() === undefined;
    await this.#kv.transact({ keys: [key] }, (cur) => {
      if (cur.has(key)) throw new TailorError('internal', 'profile id collision');
      return makeActive ? [[key, profile], [ACTIVE_KEY, activeRecord(profile.id)]] : [[key, profile]];
    });
    this.#commit([[key, profile]]);
    if (makeActive) this.#commitActive(profile.id);
    this.#changed(makeActive ? [key, ACTIVE_KEY] : [key]);
    return profile;
  }

  rename(id: string, name: string): Promise<Profile> {
    return this.#mutate(id, ops.rename(name, this.#now()));
  }

  /** Idempotent. If it was the active profile, the most recently updated other one takes over. */
  async remove(id: string): Promise<void> {
    const key = profileKey(id);
    const successor = this.list()
      .filter((p) => p.id !== id)
      .sort((a, b) => b.updatedAt - a.updatedAt)[0]?.id;
    let pointer: string | undefined; // the stored active id once the transaction is done
    await this.#kv.transact({ keys: [ACTIVE_KEY] }, (cur) => {
      pointer = activeIdOf(cur.get(ACTIVE_KEY));
      if (pointer !== id) return [[key, DELETE]];
      pointer = successor;
      return [
        [key, DELETE],
        [ACTIVE_KEY, successor ? activeRecord(successor) : DELETE],
      ];
    });
    this.#commit([[key, DELETE]]);
    this.#commitActive(pointer !== undefined && this.#profiles.has(pointer) ? pointer : undefined);
    this.#changed([key, ACTIVE_KEY]);
  }

  /** Forgets everything on this device: all profiles, the active pointer, quarantined records. */
  async removeAll(): Promise<void> {
    let removed: string[] = [];
    await this.#kv.transact({ keys: [ACTIVE_KEY], prefixes: [PROFILE_PREFIX, QUARANTINE_PREFIX] }, (cur) => {
      removed = [...cur.keys()];
      return removed.map((k): Write => [k, DELETE]);
    });
    this.#commit(removed.filter((k) => profileIdOf(k) !== undefined).map((k): Write => [k, DELETE]));
    this.#commitActive(undefined);
    this.#changed(removed);
  }

  /** Takes effect in the cache at once (reads right after see it); rolled back if saving fails. */
  async setActive(id: string): Promise<void> {
    if (!this.#profiles.has(id)) throw new TailorError('invalid-options', `no profile with id "${id}"`);
    const previous = this.#activeId;
    this.#activeId = id;
    this.#emit();
    const key = profileKey(id);
    try {
      await this.#kv.transact({ keys: [key] }, (cur) => {
        if (!cur.has(key)) throw new TailorError('invalid-options', `profile "${id}" no longer exists (deleted in another tab?)`);
        return [[ACTIVE_KEY, activeRecord(id)]];
      });
    } catch (e) {
      if (this.#activeId === id) {
        this.#activeId = previous;
        this.#emit();
      }
      throw e;
    }
    this.#bump(ACTIVE_KEY);
    this.#changed([ACTIVE_KEY]);
  }

  async setWeight(baseModel: string, dimension: string, value: number): Promise<Weights> {
    const op = ops.setWeight(baseModel, dimension, value, this.#now()); // validates before any I/O
    const p = await this.#mutate(await this.#ensureActive(), op);
    return ops.modelWeights(p, baseModel);
  }

  async setWeights(baseModel: string, weights: Weights): Promise<Weights> {
    const op = ops.setWeights(baseModel, weights, this.#now());
    const p = await this.#mutate(await this.#ensureActive(), op);
    return ops.modelWeights(p, baseModel);
  }

  /**
   * Changes only the dimensions named in `weights` (the others keep their stored values, so two
   * tabs moving different sliders of one profile compose), on `profileId` (default: the active
   * profile; naming it lets a change made before a profile switch land on its own profile).
   */
  async patchWeights(baseModel: string, weights: Weights, profileId?: string): Promise<Weights> {
    const op = ops.patchWeights(baseModel, weights, this.#now());
    const p = await this.#mutate(profileId ?? (await this.#ensureActive()), op);
    return ops.modelWeights(p, baseModel);
  }

  /**
   * Records feedback on the active profile and (unless learn: false) updates its weights for
   * fb.baseModel in the same atomic write. Returns how the weights moved.
   */
  async addFeedback(input: FeedbackInput, opts: { learn?: boolean } = {}): Promise<WeightMove[]> {
    const now = this.#now();
    const fb = completeFeedback(input, newId(), now); // validated before any I/O
    let moves: WeightMove[] = [];
    await this.#mutate(await this.#ensureActive(), (p) => {
      const r = ops.addFeedback(p, fb, opts.learn ?? true, now, this.#learning);
      moves = r.moves;
      return r.profile;
    });
    return moves;
  }

  /** JSON export of the given profiles (default: all), re-read from storage first. */
  async exportJson(ids?: readonly string[]): Promise<string> {
    await this.refresh(ids?.map(profileKey));
    const chosen = ids
      ? ids.map((id) => this.#profiles.get(id) ?? failNoProfile(id))
      : this.list();
    return buildExport(chosen, this.#now());
  }

  /** Refuses a bad file with TailorError('invalid-import') and changes nothing; see import-plan.ts
   * for what happens to ids that already exist. */
  async importJson(text: string, opts: ImportOptions = {}): Promise<ImportedProfile[]> {
    const incoming = parseExport(text, this.#now());
    let plan = planImport([], new Set(), 'new-id');
    await this.#kv.transact({ prefixes: [PROFILE_PREFIX] }, (cur) => {
      const stored = new Set([...cur.keys()].map((k) => profileIdOf(k)).filter((id): id is string => id !== undefined));
      plan = planImport(incoming, stored, opts.onCollision ?? 'new-id');
      return plan.writes;
    });
    this.#commit(plan.writes);
    this.#changed(plan.writes.map(([k]) => k));
    return plan.report;
  }

  /** Re-reads keys (default: everything) from storage into the cache; used for cross-tab changes. */
  async refresh(keys?: readonly string[]): Promise<void> {
    const before = new Map(this.#generation);
    const unchanged = (k: string) => (this.#generation.get(k) ?? 0) === (before.get(k) ?? 0);
    const read: Array<[string, unknown]> = keys
      ? await Promise.all(keys.map(async (k): Promise<[string, unknown]> => [k, await this.#kv.get(k)]))
      : await this.#kv.entries();
    if (!keys) for (const id of this.#profiles.keys()) if (!read.some(([k]) => k === profileKey(id))) read.push([profileKey(id), undefined]);
    // Profiles first: an active pointer may name a profile that arrives in this same read.
    read.sort(([a], [b]) => Number(a === ACTIVE_KEY) - Number(b === ACTIVE_KEY));
    let changed = false;
    for (const [k, raw] of read) {
      if (!unchanged(k)) continue; // a local commit landed meanwhile: it is newer than this read
      const id = profileIdOf(k);
      if (id !== undefined) {
        const p = raw === undefined ? undefined : tryParse(raw, id);
        if (raw === undefined) changed = this.#profiles.delete(id) || changed;
        else if (p) {
          this.#profiles.set(id, p);
          changed = true;
        }
      } else if (k === ACTIVE_KEY) {
        const a = activeIdOf(raw);
        if (a !== this.#activeId && (a === undefined || this.#profiles.has(a))) {
          this.#activeId = a;
          changed = true;
        }
      }
    }
    if (this.#activeId !== undefined && !this.#profiles.has(this.#activeId)) this.#activeId = undefined;
    if (changed) this.#emit();
  }

  close(): void {
    this.#sync?.close();
    this.#sync = undefined;
    this.#kv.close();
    this.#listeners.clear();
  }

  /** The active profile, making one if there is none (the most recent, or a new "Default"). */
  async ensureActive(): Promise<Profile> {
    const id = await this.#ensureActive();
    return this.#profiles.get(id) ?? failNoProfile(id);
  }

  async #ensureActive(): Promise<string> {
    if (this.active()) return this.#activeId as string;
    const recent = this.list().sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (recent) {
      await this.setActive(recent.id);
      return recent.id;
    }
    const key = profileKey(DEFAULT_PROFILE_ID);
    const fresh = ops.newProfile(DEFAULT_PROFILE_ID, 'Default', this.#now());
    await this.#kv.transact({ keys: [key] }, (cur) => [...(cur.has(key) ? [] : [[key, fresh] as Write]), [ACTIVE_KEY, activeRecord(DEFAULT_PROFILE_ID)]]);
    this.#bump(ACTIVE_KEY);
    await this.refresh([key]);
    if (!this.#profiles.has(DEFAULT_PROFILE_ID)) throw new TailorError('internal', 'the default profile could not be read back');
    this.#commitActive(DEFAULT_PROFILE_ID);
    this.#changed([key, ACTIVE_KEY]);
    return DEFAULT_PROFILE_ID;
  }

  /** One atomic read-modify-write of one profile record; `fn` sees the stored profile. */
  async #mutate(id: string, fn: (p: Profile) => Profile): Promise<Profile> {
    const key = profileKey(id);
    let next: Profile | undefined;
    await this.#kv.update(key, (old) => {
      if (old === undefined) throw new TailorError('invalid-options', `no profile with id "${id}" (deleted in another tab?)`);
      next = checkedForWrite(fn(parseStored(old, id)));
      return next;
    });
    const saved = next as Profile;
    this.#commit([[key, saved]]);
    this.#changed([key]);
    return saved;
  }

  #bump(key: string): void {
    this.#generation.set(key, (this.#generation.get(key) ?? 0) + 1);
  }

  /** Applies successfully stored writes to the cache. */
  #commit(writes: readonly Write[]): void {
    for (const [k, v] of writes) {
      const id = profileIdOf(k);
      if (id === undefined) continue;
      this.#bump(k);
      if (v === DELETE) this.#profiles.delete(id);
      else this.#profiles.set(id, v as Profile);
    }
  }

  #commitActive(id: string | undefined): void {
    this.#bump(ACTIVE_KEY);
    this.#activeId = id;
  }

  #changed(keys: readonly string[]): void {
    this.#emit();
    this.#sync?.announce(keys);
  }

  #emit(): void {
    for (const l of [...this.#listeners]) {
      try {
        l();
      } catch (e) {
        // One broken listener must not stop the others (or the store); surface it asynchronously.
        setTimeout(() => {
          throw e;
        });
      }
    }
  }
}

/** Opens the store: IndexedDB if usable (else memory + notice), loading and quarantining. */
export async function openPrefs(opts: OpenPrefsOptions = {}): Promise<{ prefs: Prefs; notices: Notice[] }> {
  const opened = await openKv({
    dbName: opts.dbName ?? 'tailor-prefs',
    storeName: opts.storeName ?? 'kv',
    factory: opts.factory,
    openTimeoutMs: opts.openTimeoutMs ?? 5000,
  });
  const loaded = await loadAll(opened.kv, opened.snapshot);
  const notices = [...(opened.notice ? [opened.notice] : []), ...loaded.notices];
  const prefs = new Prefs(opened.kv, loaded.profiles, loaded.activeId, notices, opts);
  try {
    await prefs.ensureActive(); // the UI always has a profile to show and edit
  } catch {
    // e.g. quota on the very first write: the store still works read-only, and the next change
    // retries this and reports the error where the user acted.
  }
  return { prefs, notices };
}
