/**
 * Simple measures of each preference dimension, independent of the models (marker lists from
 * public/models/tailor-base/measures.json). Each grows toward the dimension's positive pole.
 * Expertise and style are marker *densities* (per word), not counts: a count also grows with
 * length, which is what the informativeness dimension is about.
 */
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync('public/models/tailor-base/measures.json', 'utf8')) as { expertMarkers: string[]; friendlyMarkers: string[] };
// Apostrophes split words ("you'll" -> "you", "ll"), as in tools/evaluate.py: second-person
// contractions are second person.
const words = (text: string) => text.toLowerCase().match(/[a-z]+|!/g) ?? [];

/** Markers per word ("!" counts as a marker but not as a word). */
export function markerDensity(text: string, markers: readonly string[]): number {
  const set = new Set(markers);
  const ws = words(text);
  const n = ws.filter((w) => w !== '!').length;
  return n === 0 ? 0 : ws.filter((w) => set.has(w)).length / n;
}

export const MEASURES = {
  expertise: (a: { text: string }) => markerDensity(a.text, spec.expertMarkers),
  informativeness: (a: { tokens: number }) => a.tokens,
  /** Formality: minus the density of friendly markers ("!", "you", "your"). */
  style: (a: { text: string }) => -markerDensity(a.text, spec.friendlyMarkers),
} as const;

export type DimensionName = keyof typeof MEASURES;
export const DIMENSIONS = Object.keys(MEASURES) as DimensionName[];

export function measure(dim: DimensionName, a: { text: string; tokens: number }): number {
  return MEASURES[dim](a);
}

export const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
export const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};
