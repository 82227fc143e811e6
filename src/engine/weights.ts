/**
 * Validation of user preference weights. Weights arrive from the UI / storage / worker messages,
 * so they are checked as unknown data: a NaN or a string would silently poison every score.
 */
import { TailorError } from '../errors.ts';
import type { Weights } from './types.ts';

/** |w| bound. Beyond ~3 the reward term swamps the base log-prob and text degenerates. */
export const MAX_WEIGHT = 3;

/** Throws TailorError('invalid-weights') unless `value` is a finite number in [−MAX_WEIGHT, MAX_WEIGHT]. */
export function validateWeight(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TailorError('invalid-weights', `weight of dimension "${name}" must be a finite number, got ${describe(value)}`);
  }
  if (value < -MAX_WEIGHT || value > MAX_WEIGHT) {
    throw new TailorError('invalid-weights', `weight of dimension "${name}" is ${value}, outside [-${MAX_WEIGHT}, ${MAX_WEIGHT}]`);
  }
}

/**
 * Throws TailorError('invalid-weights') unless `weights` is a plain record whose every key is one
 * of `knownDimensions` and whose every value passes `validateWeight`. Missing dimensions are fine
 * (they mean weight 0).
 */
export function validateWeights(weights: unknown, knownDimensions: Iterable<string>): asserts weights is Weights {
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    throw new TailorError('invalid-weights', `weights must be an object of dimension → number, got ${describe(weights)}`);
  }
  const known = new Set(knownDimensions);
  for (const [name, value] of Object.entries(weights)) {
    if (!known.has(name)) {
      const list = [...known].join(', ');
      throw new TailorError('invalid-weights', `unknown dimension "${name}" (weight ${describe(value)}); known: ${list || 'none'}`);
    }
    validateWeight(name, value);
  }
}

/** Makes the offending value readable in a message: strings quoted, NaN/Infinity spelled out. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
