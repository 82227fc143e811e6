/**
 * Simple measures of each preference dimension, independent of the models: counts of words and
 * tokens in an answer (marker lists from public/models/tailor-base/measures.json). Each is
 * oriented so that it grows toward the dimension's positive pole.
 */
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync('public/models/tailor-base/measures.json', 'utf8')) as { expertMarkers: string[]; friendlyMarkers: string[] };
const words = (text: string) => text.toLowerCase().match(/[a-z']+|!/g) ?? [];

export function countMarkers(text: string, markers: readonly string[]): number {
  const set = new Set(markers);
  return words(text).filter((w) => set.has(w)).length;
}

export const MEASURES = {
  expertise: (a: { text: string }) => countMarkers(a.text, spec.expertMarkers),
  informativeness: (a: { tokens: number }) => a.tokens,
  /** Formality: minus the friendly markers ("!", "you", "your"). */
  style: (a: { text: string }) => -countMarkers(a.text, spec.friendlyMarkers),
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
