import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CandidateSelector } from '../../../src/engine/candidates.ts';
import { addSequenceRewards, combineScores, explainToken, type LogProbRow, type RewardTerm } from '../../../src/engine/combine.ts';
import { logSumExp } from '../../../src/engine/logprobs.ts';
import { Sampler } from '../../../src/engine/sampler.ts';
import { assertClose, refLogSoftmax, refSoftmax, tableLM } from './fakes.ts';

// Base: row 0 = plain prompt [0]; row 1 = prompt [1, 0] whose first token (the "system message")
// adds a bias. RM: its own table, on the plain prompt.
const BASE_TABLE = [[1, 2, 0.5, -1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
const PROMPT_BIAS = [-1, 0.5, 1, 0];
const RM_TABLE = [[3, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
// Hand-written logits the fakes must produce after prefill:
const B = [1, 2, 0.5, -1]; // base row 0
const Q = [0, 2.5, 1.5, -1]; // base row 1 = B + PROMPT_BIAS
const M = [3, 0, 0, 1]; // reward model

async function rows(): Promise<{ base: LogProbRow; prompted: LogProbRow; rm: LogProbRow }> {
  const baseLm = tableLM(BASE_TABLE, { 1: PROMPT_BIAS });
  const rmLm = tableLM(RM_TABLE);
  const [b, q] = await baseLm.prefill([[0], [1, 0]]);
  const [m] = await rmLm.prefill([[0]]);
  assert.deepEqual(Array.from(b), B);
  assert.deepEqual(Array.from(q), Q);
  assert.deepEqual(Array.from(m), M);
  const view = (x: Float32Array): LogProbRow => ({ logits: x, logNormalizer: logSumExp(x) });
  return { base: view(b), prompted: view(q), rm: view(m) };
}

function terms(r: Awaited<ReturnType<typeof rows>>, wFormal: number, wRm: number): RewardTerm[] {
  return [
    { name: 'formal', weight: wFormal, plus: r.prompted, minus: r.base },
    { name: 'rm', weight: wRm, plus: r.rm, minus: r.base },
  ];
}

/** softmax(lpB + wf·(lpQ − lpB) + wr·(lpM − lpB)) from the definition. */
function handDistribution(wf: number, wr: number, keep: readonly number[] = [0, 1, 2, 3]): number[] {
  const lb = refLogSoftmax(B);
  const lq = refLogSoftmax(Q);
  const lm = refLogSoftmax(M);
  const scores = keep.map((t) => lb[t] + wf * (lq[t] - lb[t]) + wr * (lm[t] - lb[t]));
  const p = refSoftmax(scores);
  const full = [0, 0, 0, 0];
  keep.forEach((t, i) => (full[t] = p[i]));
  return full;
}

async function engineDistribution(wf: number, wr: number, candidateTopK = 0): Promise<number[]> {
  const r = await rows();
  const cands = new CandidateSelector().select(r.base.logits, r.base.logNormalizer, candidateTopK, 1);
  const scores = new Float64Array(cands.count);
  combineScores(cands.ids, cands.baseLogProbs, cands.count, terms(r, wf, wr), scores);
  const probs = new Float64Array(cands.count);
  new Sampler().distribution(cands.ids, scores, cands.count, { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 }, new Set(), probs);
  const full = [0, 0, 0, 0];
  for (let j = 0; j < cands.count; j++) full[cands.ids[j]] = probs[j];
  return full;
}

const WEIGHTS: [number, number][] = [[0, 0], [1, 0], [0, 1], [-1.5, 0.5], [0.7, -2], [3, 3], [-3, -1]];

test('combined distribution equals the hand-computed one (prompted + reward-model sources)', async () => {
  for (const [wf, wr] of WEIGHTS) {
    const got = await engineDistribution(wf, wr);
    const want = handDistribution(wf, wr);
    for (let t = 0; t < 4; t++) assertClose(got[t], want[t], 1e-6, `w=(${wf},${wr}) token ${t}`);
  }
});

test('weight 1 on a source reproduces that source’s distribution; weight 0 the base', async () => {
  const q = refSoftmax(Q);
  const m = refSoftmax(M);
  const b = refSoftmax(B);
  const onlyPrompted = await engineDistribution(1, 0);
  const onlyRm = await engineDistribution(0, 1);
  const none = await engineDistribution(0, 0);
  for (let t = 0; t < 4; t++) {
    assertClose(onlyPrompted[t], q[t], 1e-6);
    assertClose(onlyRm[t], m[t], 1e-6);
    assertClose(none[t], b[t], 1e-6);
  }
  // The weights really move mass: RM favours token 0, the base token 1.
  assert.ok(onlyRm[0] > 0.8 && none[1] > 0.5);
});

test('with candidate top-k 2 the distribution lives on the base top-2 only', async () => {
  const got = await engineDistribution(0, 3, 2);
  const want = handDistribution(0, 3, [1, 0]);
  for (let t = 0; t < 4; t++) assertClose(got[t], want[t], 1e-6, `token ${t}`);
  assert.equal(got[3], 0); // RM likes token 3 (logit 1 vs 0) but the base top-2 excludes it
});

test('explanation and sequence-reward features', async () => {
  const r = await rows();
  const lb = refLogSoftmax(B);
  const lq = refLogSoftmax(Q);
  const lm = refLogSoftmax(M);
  const ts = terms(r, -1.5, 0); // rm has weight 0: a feature, not a contribution
  const e = explainToken(2, lb[2], ts);
  assert.equal(e.tokenId, 2);
  assert.deepEqual(Object.keys(e.contributions), ['formal']);
  assertClose(e.contributions.formal, -1.5 * (lq[2] - lb[2]), 1e-9);
  assertClose(e.score, lb[2] - 1.5 * (lq[2] - lb[2]), 1e-9);
  const sums = new Float64Array(2);
  addSequenceRewards(2, ts, sums);
  addSequenceRewards(0, ts, sums);
  assertClose(sums[0], lq[2] - lb[2] + (lq[0] - lb[0]), 1e-9);
  assertClose(sums[1], lm[2] - lb[2] + (lm[0] - lb[0]), 1e-9);
});

test('a zero-weight term never touches the scores, even with a −∞ reward', () => {
  const base: LogProbRow = { logits: [0, 0], logNormalizer: Math.LN2 };
  const masked: LogProbRow = { logits: [0, -Infinity], logNormalizer: 0 };
  const scores = new Float64Array(2);
  combineScores([0, 1], [-Math.LN2, -Math.LN2], 2, [{ name: 'f', weight: 0, plus: masked, minus: base }], scores);
  assert.deepEqual(Array.from(scores), [-Math.LN2, -Math.LN2]);
  // The feature itself is still reported.
  const sums = new Float64Array(1);
  addSequenceRewards(1, [{ name: 'f', weight: 0, plus: masked, minus: base }], sums);
  assert.equal(sums[0], -Infinity);
});
