/**
 * Simulated-user benchmark of preference learning (not a test): does the learner recover a hidden
 * user's weight direction from a handful of "which answer is better?" choices, and how fast is an
 * update?  Run:  node --import tsx bench/learning.ts [users] [seed]
 *
 * Simulated user: hidden weights w* (D = 3, uniformly random direction, norm uniform in [1, 2]).
 * Response model of decoding (documented stand-in for the engine): decoding with weights w gives
 * per-dimension sequence rewards
 *     f(w) = b + J·w + ε,   J = diag(S) + cross-talk,  ε_i ~ N(0, (NOISE·S_i)²)
 * S = per-dimension scale (how much a dimension's summed token reward rises per unit of its
 * weight; deliberately very different across dimensions, as real reward models are), cross-talk
 * J_ij = CROSS·S_i·u_ij with u_ij = ±1 random per user (raising one weight also moves other
 * dimensions' rewards), b an arbitrary offset. The user picks A with P = σ(w*·(f_A − f_B)).
 * Each round the learner proposes the pair (its query selection), sees the choice, updates.
 * Reported: mean cosine(learned, w*) after 5/10/20 choices, also for a baseline that asks about
 * random directions with the same step size, and mean time per update / per query.
 */
import { learnFromFeedback } from '../src/prefs/learning.ts';
import { proposeComparison } from '../src/prefs/learning-query.ts';
import type { LearnerState } from '../src/prefs/types.ts';
import type { Weights } from '../src/engine/types.ts';

const DIMS = ['expertise', 'informativeness', 'style'] as const;
const S = [0.5, 2, 6];
const OFFSET = [3, -10, 25];
const CROSS = 0.2;
const NOISE = 0.3;
const ROUNDS = 20;
const CHECKPOINTS = [5, 10, 20];

const users = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 12345);

/** mulberry32: small, seedable, good enough for a simulation. */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const vec = (w: Weights) => DIMS.map((d) => w[d] ?? 0);
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const cosine = (a: number[], b: number[]) => {
  const n = Math.hypot(...a) * Math.hypot(...b);
  return n === 0 ? 0 : dot(a, b) / n;
};

interface User {
  hidden: number[];
  J: number[][];
}

function makeUser(r: () => number): User {
  const dir = DIMS.map(() => gauss(r));
  const norm = 1 + r();
  const len = Math.hypot(...dir);
  const J = DIMS.map((_, i) => DIMS.map((_, j) => (i === j ? S[i] : CROSS * S[i] * (r() < 0.5 ? -1 : 1))));
  return { hidden: dir.map((x) => (x / len) * norm), J };
}

function respond(u: User, w: Weights, r: () => number): Record<string, number> {
  const wv = vec(w);
  return Object.fromEntries(DIMS.map((d, i) => [d, OFFSET[i] + dot(u.J[i], wv) + NOISE * S[i] * gauss(r)]));
}

type Strategy = 'active' | 'random';

function randomPair(weights: Weights, delta: number, r: () => number): { a: Weights; b: Weights } {
  const v = DIMS.map(() => gauss(r));
  const n = Math.hypot(...v);
  const clamp = (x: number) => Math.max(-3, Math.min(3, x));
  const at = (sign: number) => Object.fromEntries(DIMS.map((d, i) => [d, clamp((weights[d] ?? 0) + (sign * delta * v[i]) / n)]));
  return { a: at(1), b: at(-1) };
}

function run(strategy: Strategy) {
  const r = rng(seed);
  const sums = new Map<number, number>(CHECKPOINTS.map((c) => [c, 0]));
  let updateMs = 0;
  let queryMs = 0;
  let updates = 0;
  for (let n = 0; n < users; n++) {
    const user = makeUser(r);
    let weights: Weights = {};
    let learner: LearnerState | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const t0 = performance.now();
      const q = proposeComparison(weights, learner, { dims: DIMS });
      queryMs += performance.now() - t0;
      const pair = strategy === 'active' ? q : randomPair(weights, q.delta, r);
      const fa = respond(user, pair.a, r);
      const fb = respond(user, pair.b, r);
      const x = DIMS.map((d) => fa[d] - fb[d]);
      const chosen = r() < sigmoid(dot(user.hidden, x)) ? 'a' : 'b';
      const t1 = performance.now();
      const res = learnFromFeedback(weights, learner, { kind: 'choice', a: { features: fa, weights: pair.a }, b: { features: fb, weights: pair.b }, chosen });
      updateMs += performance.now() - t1;
      updates++;
      weights = res.weights;
      learner = res.learner;
      if (sums.has(round)) sums.set(round, sums.get(round)! + cosine(vec(weights), user.hidden));
    }
  }
  return { cos: CHECKPOINTS.map((c) => sums.get(c)! / users), updateUs: (updateMs * 1000) / updates, queryUs: (queryMs * 1000) / updates };
}

const active = run('active');
const random = run('random');
console.log(`Simulated users: ${users}, seed ${seed}, D = ${DIMS.length}, scales S = [${S.join(', ')}], cross-talk ${CROSS}, feature noise ${NOISE}·S`);
console.log('');
console.log('choices | mean cos (active queries) | mean cos (random directions)');
console.log('------- | ------------------------- | ----------------------------');
CHECKPOINTS.forEach((c, i) => console.log(`${String(c).padStart(7)} | ${active.cos[i].toFixed(3).padStart(25)} | ${random.cos[i].toFixed(3).padStart(28)}`));
console.log('');
console.log(`mean update time: ${active.updateUs.toFixed(1)} µs   mean query-selection time: ${active.queryUs.toFixed(1)} µs`);
