/** "How did my weights move?" — a per-dimension before/after/delta table for the UI. */
import type { Weights } from '../engine/types.ts';
import type { WeightMove } from './types.ts';

/** Every dimension in either map (missing = 0), sorted by name so rows do not jump around. */
export function weightMoves(before: Weights, after: Weights): WeightMove[] {
  const dims = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return dims.map((dimension) => {
    const b = before[dimension] ?? 0;
    const a = after[dimension] ?? 0;
    return { dimension, before: b, after: a, delta: a - b };
  });
}
