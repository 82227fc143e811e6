/** Size limits of stored/imported data: they keep a hostile or runaway file from filling storage. */
export { MAX_WEIGHT } from '../engine/weights.ts';

/** Oldest feedback entries beyond this are dropped; their information lives on in the learner. */
export const MAX_FEEDBACK = 500;
export const MAX_NAME_LENGTH = 100;
export const MAX_PROMPT_LENGTH = 20_000;
export const MAX_TEXT_LENGTH = 50_000;
export const MAX_KEY_LENGTH = 200;
/** An export of many profiles with full history stays well below this. */
export const MAX_IMPORT_CHARS = 20_000_000;
/** |feature| sanity bound: a sequence reward is a sum of per-token log-ratios. */
export const MAX_ABS_FEATURE = 1e6;
/** The wildcard base model of migrated v0 profiles (see Profile.weights). */
export const ANY_MODEL = '*';
