/**
 * Tiny path-aware checkers for untrusted data (stored records, imported files). They throw a
 * SchemaError naming the exact place and problem, so a refused import can say what is wrong.
 */
import { MAX_KEY_LENGTH } from './limits.ts';

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'SchemaError';
  }
}

export function fail(path: string, problem: string): never {
  throw new SchemaError(path, problem);
}

/** Short, readable rendering of an offending value (NaN and Infinity spelled out). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

export function plainObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) fail(path, 'expected a plain object');
  return v as Record<string, unknown>;
}

/** Strictness: unknown fields are refused, so a foreign or newer file is not half-understood. */
export function exactKeys(obj: Record<string, unknown>, path: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const k of required) if (!Object.hasOwn(obj, k)) fail(path, `missing field "${k}"`);
  const allowed = new Set([...required, ...optional]);
  for (const k of Object.keys(obj)) if (!allowed.has(k)) fail(path, `unexpected field "${k}"`);
}

export function str(v: unknown, path: string, max: number, pattern?: RegExp): string {
  if (typeof v !== 'string') fail(path, `expected a string, got ${describe(v)}`);
  if (v.length > max) fail(path, `longer than ${max} characters`);
  if (pattern && !pattern.test(v)) fail(path, `${describe(v)} is not of the form ${pattern.source}`);
  return v;
}

export function num(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `expected a finite number, got ${describe(v)}`);
  if (v < min || v > max) fail(path, `${v} is outside [${min}, ${max}]`);
  return v;
}

export function int(v: unknown, path: string, min: number, max: number): number {
  const n = num(v, path, min, max);
  if (!Number.isInteger(n)) fail(path, `expected an integer, got ${n}`);
  return n;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, `expected true or false, got ${describe(v)}`);
  return v;
}

/** Names used as record keys (dimensions, base models). `__proto__` & co. would corrupt plain
 * objects when assigned, so they are refused outright. */
export function nameKey(k: string, path: string): string {
  if (k.length === 0 || k.length > MAX_KEY_LENGTH) fail(path, `name must have 1..${MAX_KEY_LENGTH} characters`);
  if (k === '__proto__' || k === 'constructor' || k === 'prototype') fail(path, `reserved name ${JSON.stringify(k)}`);
  return k;
}

/** { name: number } with every value checked by `check`. Returns a fresh copy. */
export function numberMap(v: unknown, path: string, min: number, max: number): Record<string, number> {
  const obj = plainObject(v, path);
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(obj)) {
    nameKey(k, `${path}.${k}`);
    out[k] = num(x, `${path}.${k}`, min, max);
  }
  return out;
}

export function numArray(v: unknown, path: string, length: number, min = -Number.MAX_VALUE, max = Number.MAX_VALUE): number[] {
  if (!Array.isArray(v)) fail(path, `expected an array, got ${describe(v)}`);
  if (v.length !== length) fail(path, `expected ${length} entries, got ${v.length}`);
  return v.map((x, i) => num(x, `${path}[${i}]`, min, max));
}
