/** Strict check of a stored learner state: a bad covariance would silently wreck every update. */
import { MAX_ABS_FEATURE, MAX_KEY_LENGTH } from './limits.ts';
import { exactKeys, fail, int, nameKey, numArray, plainObject, str } from './schema-check.ts';
import type { LearnerState } from './types.ts';

const MAX_DIMS = 64;

/** A sum of outer products Δw·Δwᵀ has a non-negative diagonal. */
function gram(m: number[], D: number, path: string): number[] {
  for (let i = 0; i < D; i++) if (m[i * D + i] < 0) fail(path, 'negative diagonal');
  return m;
}

export function validateLearner(v: unknown, path: string): LearnerState {
  const o = plainObject(v, path);
  exactKeys(o, path, ['dims', 'cov', 'sensXW', 'sensWW', 'meanFeature', 'featureCount', 'observations']);
  if (!Array.isArray(o.dims) || o.dims.length > MAX_DIMS) fail(`${path}.dims`, `expected an array of at most ${MAX_DIMS} names`);
  const dims = o.dims.map((d, i) => nameKey(str(d, `${path}.dims[${i}]`, MAX_KEY_LENGTH), `${path}.dims[${i}]`));
  if (new Set(dims).size !== dims.length) fail(`${path}.dims`, 'duplicate dimension');
  const D = dims.length;
  const cov = numArray(o.cov, `${path}.cov`, D * D);
  for (let i = 0; i < D; i++) {
    if (!(cov[i * D + i] > 0)) fail(`${path}.cov`, `variance of "${dims[i]}" must be > 0`);
    for (let j = 0; j < i; j++) {
      const a = cov[i * D + j];
      if (Math.abs(a - cov[j * D + i]) > 1e-9 * (1 + Math.abs(a))) fail(`${path}.cov`, 'not symmetric');
      // |ρ| ≤ 1 (with rounding slack): a cheap necessary condition for positive semi-definiteness.
      if (a * a > cov[i * D + i] * cov[j * D + j] * (1 + 1e-9)) fail(`${path}.cov`, 'not a covariance (|correlation| > 1)');
    }
  }
  return {
    dims,
    cov,
    sensXW: numArray(o.sensXW, `${path}.sensXW`, D * D),
    sensWW: gram(numArray(o.sensWW, `${path}.sensWW`, D * D), D, `${path}.sensWW`),
    meanFeature: numArray(o.meanFeature, `${path}.meanFeature`, D, -MAX_ABS_FEATURE, MAX_ABS_FEATURE),
    featureCount: numArray(o.featureCount, `${path}.featureCount`, D, 0).map((n, i) => int(n, `${path}.featureCount[${i}]`, 0, Number.MAX_SAFE_INTEGER)),
    observations: int(o.observations, `${path}.observations`, 0, Number.MAX_SAFE_INTEGER),
  };
}
