/**
 * One Bradley–Terry observation folded into a Gaussian posterior over the weights (online
 * Laplace). The observation says P(y = +1) = σ(w·x). With prior N(m, Σ) the exact MAP lies on the
 * line m + c·Σx (the likelihood only depends on w·x), so the D-dimensional Newton solve reduces to
 * a 1-D one for c:   c = y·(1 − σ(y(m·x + c·q))),  q = xᵀΣx,
 * which is monotone with a unique root in between 0 and y. The covariance then gets the Laplace
 * (Hessian at the mode) rank-one update Σ' = Σ − λ/(1+λq)·(Σx)(Σx)ᵀ with λ = σ(a)(1−σ(a)).
 * A single Newton iteration from c = 0 equals the classic full Newton step from the prior mean.
 */
import { dot, matVec, symmetrise, type Mat, type Vec } from './learning-linalg.ts';

export interface Posterior {
  readonly mean: readonly number[];
  /** Row-major D×D. */
  readonly cov: readonly number[];
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export interface BtOptions {
  /** Newton iterations on c; the default iterates to convergence (usually 3–6). */
  readonly iterations?: number;
}

/** Solves the 1-D MAP equation with Newton, safeguarded by the bracket [min(0,y), max(0,y)]. */
function solveC(a0: number, q: number, y: 1 | -1, iterations: number): number {
  let lo = Math.min(0, y);
  let hi = Math.max(0, y);
  let c = 0;
  for (let it = 0; it < iterations; it++) {
    const s = sigmoid(y * (a0 + c * q));
    const g = c - y * (1 - s); // increasing in c
    if (Math.abs(g) < 1e-14) break;
    if (g > 0) hi = c;
    else lo = c;
    const next = c - g / (1 + q * s * (1 - s));
    // Newton can overshoot when the sigmoid is steep (large q); fall back to bisection then.
    c = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  return c;
}

export function btUpdate(post: Posterior, x: readonly number[], y: 1 | -1, opts: BtOptions = {}): Posterior {
  const D = x.length;
  const sx: Vec = matVec(post.cov, x);
  const q = dot(x, sx);
  if (!(q > 0)) return post; // x = 0 (or orthogonal to all uncertainty): nothing to learn
  const a0 = dot(post.mean, x);
  const c = solveC(a0, q, y, opts.iterations ?? 50);
  const mean = post.mean.map((m, i) => m + c * sx[i]);
  const s = sigmoid(a0 + c * q);
  const lambda = s * (1 - s);
  const k = lambda / (1 + lambda * q);
  const cov: Mat = post.cov.map((v, idx) => v - k * sx[Math.floor(idx / D)] * sx[idx % D]);
  return { mean, cov: symmetrise(cov, D) };
}
