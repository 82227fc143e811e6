/**
 * Dense linear algebra for D ≤ ~8: plain number arrays, matrices row-major D×D. Small enough that
 * clarity beats any library.
 */
export type Vec = number[];
/** Row-major D×D. */
export type Mat = number[];

export const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

export function matVec(m: readonly number[], v: readonly number[]): Vec {
  const D = v.length;
  const out = new Array<number>(D).fill(0);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) out[i] += m[i * D + j] * v[j];
  return out;
}

export function identity(D: number, scale = 1): Mat {
  const m = new Array<number>(D * D).fill(0);
  for (let i = 0; i < D; i++) m[i * D + i] = scale;
  return m;
}

/** diag(s) · M · diag(s): the covariance of s∘w when M is the covariance of w. */
export function scaleSym(m: readonly number[], s: readonly number[]): Mat {
  const D = s.length;
  return m.map((x, k) => x * s[Math.floor(k / D)] * s[k % D]);
}

/** Exact symmetry (rounding in rank-one updates slowly breaks it otherwise). */
export function symmetrise(m: Mat, D: number): Mat {
  for (let i = 0; i < D; i++)
    for (let j = 0; j < i; j++) {
      const a = (m[i * D + j] + m[j * D + i]) / 2;
      m[i * D + j] = a;
      m[j * D + i] = a;
    }
  return m;
}

export interface Eigen {
  /** Unit vector, sign fixed so that its largest-magnitude entry is positive (deterministic). */
  vector: Vec;
  value: number;
}

/**
 * Top eigenpair of a symmetric PSD matrix by power iteration. The start vector has distinct
 * irrational-ish entries so it is not orthogonal to the top eigenvector except by accident of
 * measure zero. When the top eigenvalues are (nearly) tied, any vector of their span is returned,
 * which is just as good for the "most uncertain direction".
 */
export function topEigen(m: readonly number[], D: number, maxIter = 200, tol = 1e-12): Eigen {
  let v: Vec = Array.from({ length: D }, (_, i) => 1 + ((i * 0.6180339887) % 1));
  let value = 0;
  for (let it = 0; it < maxIter; it++) {
    const w = matVec(m, v);
    const norm = Math.hypot(...w);
    if (norm === 0) break; // zero matrix: no direction is more uncertain than another
    const next = w.map((x) => x / norm);
    const change = Math.hypot(...next.map((x, i) => x - v[i]));
    v = next;
    value = norm;
    if (change < tol) break;
  }
  const n = Math.hypot(...v);
  v = v.map((x) => x / n);
  value = dot(v, matVec(m, v)); // Rayleigh quotient: exact for the returned vector
  let big = 0;
  for (let i = 1; i < D; i++) if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
  if (v[big] < 0) v = v.map((x) => -x);
  return { vector: v, value };
}

/** Solves A·x = b for symmetric positive-definite A (Cholesky). */
export function solveSpd(a: readonly number[], b: readonly number[]): Vec {
  const D = b.length;
  const L = new Array<number>(D * D).fill(0);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * D + j];
      for (let k = 0; k < j; k++) s -= L[i * D + k] * L[j * D + k];
      L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * D + j];
    }
  const y = new Array<number>(D).fill(0);
  for (let i = 0; i < D; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * D + k] * y[k];
    y[i] = s / L[i * D + i];
  }
  const x = new Array<number>(D).fill(0);
  for (let i = D - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < D; k++) s -= L[k * D + i] * x[k];
    x[i] = s / L[i * D + i];
  }
  return x;
}
