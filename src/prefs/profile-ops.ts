/**
 * Pure profile changes, each a function of the *stored* profile (so they can run inside an
 * atomic read-modify-write and two tabs' changes compose instead of overwriting each other).
 * Inputs are validated before anything is stored: a NaN weight must never reach a record.
 */
import { TailorError } from '../errors.ts';
import type { Weights } from '../engine/types.ts';
import { validateWeight } from '../engine/weights.ts';
import { learnFromFeedback, type LearnOptions } from './learning.ts';
import { ANY_MODEL, MAX_FEEDBACK } from './limits.ts';
import { nameKey, SchemaError } from './schema-check.ts';
import { SCHEMA_VERSION, type Feedback, type LearnerState, type Profile, type WeightMove } from './types.ts';
import { validateName } from './validate-profile.ts';

export function newProfile(id: string, name: string, now: number): Profile {
  return { v: SCHEMA_VERSION, id, name: checkedName(name), createdAt: now, updatedAt: now, weights: {}, feedback: [], learners: {} };
}

export function checkedName(name: string): string {
  try {
    return validateName(name, 'name').trim();
  } catch (e) {
    throw new TailorError('invalid-options', e instanceof Error ? e.message : String(e));
  }
}

function checkedDimension(dim: string): string {
  try {
    return nameKey(dim, 'dimension');
  } catch (e) {
    throw new TailorError('invalid-weights', e instanceof SchemaError ? `dimension ${JSON.stringify(dim)}: ${e.problem}` : String(e));
  }
}

/** The weights a profile applies to `baseModel`: its own entry, else the ANY_MODEL entry of
 * migrated v0 data, else none (all 0). */
export function modelWeights(p: Profile, baseModel: string): Weights {
  return p.weights[baseModel] ?? p.weights[ANY_MODEL] ?? {};
}

const touch = (p: Profile, now: number): Profile => ({ ...p, updatedAt: Math.max(now, p.updatedAt) });

export const rename = (name: string, now: number) => (p: Profile): Profile => touch({ ...p, name: checkedName(name) }, now);

export function setWeight(baseModel: string, dim: string, value: number, now: number): (p: Profile) => Profile {
  checkedDimension(dim);
  validateWeight(dim, value);
  return (p) => touch({ ...p, weights: { ...p.weights, [baseModel]: { ...modelWeights(p, baseModel), [dim]: value } } }, now);
}

function checkedWeights(weights: Weights): Record<string, number> {
  const copy: Record<string, number> = {};
  for (const [d, v] of Object.entries(weights)) {
    checkedDimension(d);
    validateWeight(d, v);
    copy[d] = v;
  }
  return copy;
}

/** Replaces all of baseModel's weights. */
export function setWeights(baseModel: string, weights: Weights, now: number): (p: Profile) => Profile {
  const copy = checkedWeights(weights);
  return (p) => touch({ ...p, weights: { ...p.weights, [baseModel]: copy } }, now);
}

/** Changes only the dimensions named; the others keep their stored values. */
export function patchWeights(baseModel: string, weights: Weights, now: number): (p: Profile) => Profile {
  const copy = checkedWeights(weights);
  return (p) => touch({ ...p, weights: { ...p.weights, [baseModel]: { ...modelWeights(p, baseModel), ...copy } } }, now);
}

export interface FeedbackOutcome {
  profile: Profile;
  /** How the weights of fb.baseModel moved (empty when learning was off). */
  moves: WeightMove[];
}

/** Appends (dropping the oldest beyond MAX_FEEDBACK) and, if `learn`, updates weights + learner. */
export function addFeedback(p: Profile, fb: Feedback, learn: boolean, now: number, opts?: LearnOptions): FeedbackOutcome {
  const feedback = [...p.feedback, fb].slice(-MAX_FEEDBACK);
  const base = touch({ ...p, feedback }, now);
  if (!learn) return { profile: base, moves: [] };
  const learner: LearnerState | undefined = p.learners[fb.baseModel];
  const r = learnFromFeedback(modelWeights(p, fb.baseModel), learner, fb, opts);
  return {
    profile: { ...base, weights: { ...p.weights, [fb.baseModel]: r.weights }, learners: { ...p.learners, [fb.baseModel]: r.learner } },
    moves: r.moves,
  };
}
