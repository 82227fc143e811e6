import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TailorError } from '../../../src/errors.ts';
import { decode, decodeAll, type DecodeDimension, type DecodeRequest, type DecodeStep } from '../../../src/engine/decode.ts';
import { createRng } from '../../../src/engine/rng.ts';
import type { SamplingOptions } from '../../../src/engine/types.ts';
import { FakeLM, FixedRng, assertClose, refLogSoftmax, refPick, refSoftmax, scriptedLM, tableLM } from './fakes.ts';

// ---- Fixture: vocab 6, token 5 = EOS. Logits depend on the last token (table rows) plus a bias
// chosen by the row's first token (its "system message").
const EOS = 5;
const TEXT = ['a', 'b', 'c', 'd', 'e', ''];
const detok = (ids: number[]): string => ids.map((i) => TEXT[i]).join('');
const TB = [
  [0.5, 1, 0, -0.5, 0.25, -2],
  [1, 0.5, 0.75, 0, -0.25, -2],
  [0, 0.25, 1, 0.5, -1, -1],
  [0.25, 0, 0.5, 1, 0, -1],
  [0.75, 0.5, 0, 0.25, 1, -0.5],
  [0, 0, 0, 0, 0, 0],
];
const BIAS_FORMAL = [0, -0.5, 1.5, 0.5, -1, 0]; // base rows whose first token is 2
const BIAS_IDLE = [1, 1, -1, 0, 0, 0]; // base rows whose first token is 3
const BIAS_RM = [1, -1, 0, 2, -0.5, 0.5]; // the reward model, on the plain prompt (first token 0)
const PLAIN = [0, 1];
const FORMAL_PROMPT = [2, 0, 1];
const IDLE_PROMPT = [3, 0, 1];

const baseLM = (): FakeLM => tableLM(TB, { 2: BIAS_FORMAL, 3: BIAS_IDLE });
const rmLM = (): FakeLM => tableLM(TB, { 0: BIAS_RM });
const add = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x + b[i]);

/** Hand reference: per-token log-probs after context whose last token is `last`. */
function hand(last: number) {
  const lb = refLogSoftmax(TB[last]);
  const lf = refLogSoftmax(add(TB[last], BIAS_FORMAL));
  const li = refLogSoftmax(add(TB[last], BIAS_IDLE));
  const lm = refLogSoftmax(add(TB[last], BIAS_RM));
  return {
    lb,
    rFormal: lf.map((x, t) => x - lb[t]),
    rIdle: li.map((x, t) => x - lb[t]),
    rRm: lm.map((x, t) => x - lb[t]),
  };
}

function handDistribution(last: number, wf: number, wr: number): number[] {
  const h = hand(last);
  return refSoftmax(h.lb.map((x, t) => x + wf * h.rFormal[t] + wr * h.rRm[t]));
}

const SAMPLING: SamplingOptions = { temperature: 1, topK: 0, topP: 1, seed: 1, candidateTopK: 0, candidateTopP: 1, repetitionPenalty: 1 };

function request(base: FakeLM, dimensions: DecodeDimension[], over: Partial<DecodeRequest> = {}): DecodeRequest {
  const rows: number[][] = [PLAIN, FORMAL_PROMPT, IDLE_PROMPT];
  return { base, baseRows: rows, dimensions, sampling: SAMPLING, maxNewTokens: 10, eosIds: [EOS], decode: detok, ...over };
}

const formal = (weight: number): DecodeDimension => ({ name: 'formal', weight, plus: { lm: 'base', row: 1 }, minus: 'base' });
const idle = (weight: number): DecodeDimension => ({ name: 'idle', weight, plus: { lm: 'base', row: 2 }, minus: 'base' });
const rm = (lm: FakeLM, weight: number): DecodeDimension => ({ name: 'rm', weight, plus: { lm }, minus: 'base' });

async function collect(req: DecodeRequest) {
  const steps: DecodeStep[] = [];
  const result = await decodeAll(req, (s) => steps.push(s));
  return { steps, result };
}

// ---- Combined distribution through the whole loop

test('first-token distribution through decode matches the hand one (both sources), to 1e-6', async () => {
  // Weight vectors chosen so no two tokens tie (gaps ≥ 7e-4): an exact tie would be ranked by
  // float noise, not by the rule under test.
  for (const [wf, wr] of [[-1.5, 0.7], [1.3, 0], [0, -3], [0.5, 1.1]] as const) {
    const p = handDistribution(1, wf, wr); // prompt ends with token 1
    const ranked = p.map((x, id) => ({ x, id })).sort((a, b) => b.x - a.x || a.id - b.id);
    let cdf = 0;
    for (let k = 0; k < ranked.length - 1; k++) {
      cdf += ranked[k].x;
      for (const [u, want] of [[cdf - 1e-6, ranked[k].id], [cdf + 1e-6, ranked[k + 1].id]] as const) {
        const { result } = await collect(request(baseLM(), [formal(wf), rm(rmLM(), wr)], { maxNewTokens: 1, rng: new FixedRng([u]) }));
        assert.equal(result.tokenIds[0], want, `w=(${wf},${wr}) u=${u}`);
      }
    }
  }
});

test('explanation of each token: base log-prob, weighted contributions, score', async () => {
  const wf = -1.5;
  const wr = 0.7;
  const { steps } = await collect(request(baseLM(), [formal(wf), rm(rmLM(), wr)], { maxNewTokens: 6, sampling: { ...SAMPLING, seed: 5 } }));
  let last = 1;
  for (const s of steps) {
    const h = hand(last);
    const t = s.tokenId;
    assert.equal(s.explanation.tokenId, t);
    assertClose(s.explanation.baseLogProb, h.lb[t], 1e-9);
    assertClose(s.explanation.contributions.formal, wf * h.rFormal[t], 1e-9);
    assertClose(s.explanation.contributions.rm, wr * h.rRm[t], 1e-9);
    assertClose(s.explanation.score, h.lb[t] + wf * h.rFormal[t] + wr * h.rRm[t], 1e-9);
    last = t;
  }
});

test('a separate reference LM is the minus of its dimension; a shared LM is run once', async () => {
  const base = baseLM();
  const rmModel = rmLM();
  const ref = tableLM(TB, { 0: BIAS_FORMAL }); // any table different from the base
  const dims: DecodeDimension[] = [
    { name: 'rm', weight: 1, plus: { lm: rmModel }, minus: { lm: ref } },
    { name: 'rm2', weight: -1, plus: { lm: rmModel }, minus: 'base' },
  ];
  const { steps } = await collect(request(base, dims, { maxNewTokens: 2, rng: new FixedRng([0.3, 0.6]) }));
  const lm = refLogSoftmax(add(TB[1], BIAS_RM));
  const lr = refLogSoftmax(add(TB[1], BIAS_FORMAL));
  const lb = refLogSoftmax(TB[1]);
  const t = steps[0].tokenId;
  assertClose(steps[0].explanation.contributions.rm, lm[t] - lr[t], 1e-9);
  assertClose(steps[0].explanation.contributions.rm2, -(lm[t] - lb[t]), 1e-9);
  assert.equal(rmModel.prefillCalls, 1);
  assert.deepEqual(rmModel.prefillRows[0], [PLAIN]);
  assert.deepEqual(ref.prefillRows[0], [PLAIN]);
  assert.equal(rmModel.stepCalls, 1);
  assert.deepEqual(rmModel.stepTokens, [[t]]);
});

// ---- Candidate restriction

test('a token outside the base nucleus / top-k is never chosen, whatever its reward', async () => {
  // Base p ≈ [0.7275, 0.2676, 0.0049, 0]: the 0.9-nucleus is {0, 1}. The RM adores token 2.
  const flat = (row: number[]): number[][] => [row, row, row, row];
  const mk = () => ({ base: tableLM(flat([5, 4, 0, -10])), rm: tableLM(flat([0, 0, 30, 0])) });
  const dims = (m: FakeLM): DecodeDimension[] => [{ name: 'rm', weight: 3, plus: { lm: m }, minus: 'base' }];
  const run = async (sampling: Partial<SamplingOptions>) => {
    const { base, rm: r } = mk();
    const { result } = await collect({ base, baseRows: [[0]], dimensions: dims(r), sampling: { ...SAMPLING, ...sampling }, maxNewTokens: 5, eosIds: [], decode: () => '' });
    return result.tokenIds;
  };
  // Control: unrestricted, the reward makes token 2 the favourite.
  assert.deepEqual(await run({ temperature: 0 }), [2, 2, 2, 2, 2]);
  for (let seed = 0; seed < 20; seed++) {
    const ids = await run({ seed, candidateTopP: 0.9 });
    assert.ok(ids.every((t) => t === 0 || t === 1), `seed ${seed}: ${ids}`);
    assert.deepEqual(await run({ seed, candidateTopK: 1 }), [0, 0, 0, 0, 0]);
  }
});

// ---- Zero weights = plain decoding

test('all weights 0 reproduce plain decoding exactly and skip every reward forward', async () => {
  const opts = { maxNewTokens: 12, sampling: { ...SAMPLING, seed: 11 } };
  const plainBase = baseLM();
  const plain = await collect(request(plainBase, [], opts));
  const base = baseLM();
  const r = rmLM();
  const zero = await collect(request(base, [formal(0), rm(r, 0)], opts));
  assert.deepEqual(zero.result.tokenIds, plain.result.tokenIds);
  assert.deepEqual(zero.steps, plain.steps);
  assert.equal(zero.result.text, plain.result.text);
  assert.deepEqual(zero.result.sequenceRewards, {});
  assert.equal(r.prefillCalls + r.stepCalls, 0);
  assert.deepEqual(base.prefillRows, [[PLAIN]]); // prompted rows not batched
  assert.ok(base.stepTokens.every((t) => t.length === 1));
  assert.equal(r.resetCalls, 1); // still reset: every LM is reset at the end
  // Control: a non-zero weight does change this generation.
  const steered = await collect(request(baseLM(), [formal(0), rm(rmLM(), 3)], opts));
  assert.notDeepEqual(steered.result.tokenIds, plain.result.tokenIds);
});

// ---- Seeds and greedy

test('seeded sampling reproduces exactly, and the first draw follows the hand CDF', async () => {
  const dims = () => [formal(1), rm(rmLM(), -0.5)];
  const a = await collect(request(baseLM(), dims(), { sampling: { ...SAMPLING, seed: 7 } }));
  const b = await collect(request(baseLM(), dims(), { sampling: { ...SAMPLING, seed: 7 } }));
  const c = await collect(request(baseLM(), dims(), { sampling: { ...SAMPLING, seed: 8 } }));
  assert.deepEqual(a.steps, b.steps);
  assert.deepEqual(a.result, b.result);
  assert.notDeepEqual(a.result.tokenIds, c.result.tokenIds);
  const u = createRng(7).next();
  assert.equal(a.result.tokenIds[0], refPick(handDistribution(1, 1, -0.5), u));
});

test('greedy decoding follows the hand argmax at every step', async () => {
  const { result } = await collect(request(baseLM(), [formal(2)], { maxNewTokens: 6, sampling: { ...SAMPLING, temperature: 0 } }));
  let last = 1;
  const want: number[] = [];
  for (let i = 0; i < 6; i++) {
    const p = handDistribution(last, 2, 0);
    const t = p.indexOf(Math.max(...p));
    want.push(t);
    if (t === EOS) break;
    last = t;
  }
  assert.deepEqual(result.tokenIds, want);
});

// ---- Sequence rewards (learning features)

test('sequence rewards are the sums of the chosen tokens’ rewards, zero-weight dims included with computeAll', async () => {
  const base = baseLM();
  const r = rmLM();
  const { steps, result } = await collect(
    request(base, [formal(1), rm(r, -0.5), idle(0)], { computeAll: true, maxNewTokens: 8, sampling: { ...SAMPLING, seed: 3 } }),
  );
  let last = 1;
  const want = { formal: 0, rm: 0, idle: 0 };
  for (const s of steps) {
    const h = hand(last);
    want.formal += h.rFormal[s.tokenId];
    want.rm += h.rRm[s.tokenId];
    want.idle += h.rIdle[s.tokenId];
    assert.equal('idle' in s.explanation.contributions, false);
    last = s.tokenId;
  }
  assert.deepEqual(Object.keys(result.sequenceRewards).sort(), ['formal', 'idle', 'rm']);
  assertClose(result.sequenceRewards.formal, want.formal, 1e-9);
  assertClose(result.sequenceRewards.rm, want.rm, 1e-9);
  assertClose(result.sequenceRewards.idle, want.idle, 1e-9);
  assert.ok(Math.abs(want.idle) > 1e-3); // a non-trivial feature
  assert.deepEqual(base.prefillRows[0], [PLAIN, FORMAL_PROMPT, IDLE_PROMPT]);

  // Without computeAll the zero-weight dimension is neither run nor reported.
  const base2 = baseLM();
  const res2 = await collect(request(base2, [formal(1), rm(rmLM(), -0.5), idle(0)], { maxNewTokens: 8, sampling: { ...SAMPLING, seed: 3 } }));
  assert.deepEqual(Object.keys(res2.result.sequenceRewards).sort(), ['formal', 'rm']);
  assert.deepEqual(base2.prefillRows[0], [PLAIN, FORMAL_PROMPT]);
  assert.deepEqual(res2.result.tokenIds, result.tokenIds); // features do not steer
});

// ---- Stopping

const STOP_TEXT = ['Hi', ' there', '\n', 'User', ':', '<eos>', 'x'];
const stopDetok = (ids: number[]): string => ids.filter((i) => i !== 5).map((i) => STOP_TEXT[i]).join('');
function scripted(script: number[], over: Partial<DecodeRequest> = {}) {
  const base = scriptedLM(7, script, 1);
  const req: DecodeRequest = {
    base,
    baseRows: [[6]],
    dimensions: [],
    sampling: { ...SAMPLING, temperature: 0 },
    maxNewTokens: 20,
    eosIds: [5],
    decode: stopDetok,
    ...over,
  };
  return { base, req };
}

test('stops on EOS: EOS recorded, not decoded, no forward after it', async () => {
  const { base, req } = scripted([0, 1, 5, 0]);
  const { steps, result } = await collect(req);
  assert.deepEqual(result.tokenIds, [0, 1, 5]);
  assert.equal(result.finishReason, 'eos');
  assert.equal(result.text, 'Hi there');
  assert.equal(result.tokens, 3);
  assert.deepEqual(steps.map((s) => s.text), ['Hi', ' there', '']);
  assert.equal(base.stepCalls, 2);
  assert.equal(base.resetCalls, 1);
});

test('stops on a stop string spanning tokens; text truncated before it, never streamed', async () => {
  const { base, req } = scripted([0, 1, 2, 3, 4, 0], { stopStrings: ['\nUser:'] });
  const { steps, result } = await collect(req);
  assert.equal(result.finishReason, 'stop');
  assert.equal(result.text, 'Hi there');
  assert.deepEqual(result.tokenIds, [0, 1, 2, 3, 4]);
  assert.deepEqual(steps.map((s) => s.text), ['Hi', ' there', '', '', '']);
  assert.equal(base.stepCalls, 4);
});

test('held-back prefix of a stop string is released when it does not complete', async () => {
  const { req } = scripted([0, 2, 6, 2], { stopStrings: ['\nUser:'], maxNewTokens: 4 });
  const { steps, result } = await collect(req);
  assert.deepEqual(steps.map((s) => s.text), ['Hi', '', '\nx', '\n']);
  assert.equal(result.text, 'Hi\nx\n');
  assert.equal(result.finishReason, 'length');
});

test('stops at maxNewTokens', async () => {
  const { base, req } = scripted([0, 1, 0, 1, 0], { maxNewTokens: 3 });
  const { steps, result } = await collect(req);
  assert.deepEqual(result.tokenIds, [0, 1, 0]);
  assert.equal(result.finishReason, 'length');
  assert.equal(result.text, 'Hi thereHi');
  assert.equal(steps.map((s) => s.text).join(''), result.text);
  assert.equal(base.stepCalls, 2);
});

// ---- Abort and cleanup

test('abort before a step throws "aborted" after resetting every cache', async () => {
  const base = baseLM();
  const r = rmLM();
  let checks = 0;
  const gen = decode(request(base, [rm(r, 1)], { shouldAbort: () => ++checks >= 3 }));
  assert.equal((await gen.next()).done, false);
  assert.equal((await gen.next()).done, false);
  await assert.rejects(gen.next(), (e: unknown) => {
    assert.ok(e instanceof TailorError && e.code === 'aborted');
    // The caches were released before the error reached us.
    assert.equal(base.resetCalls, 1);
    assert.equal(r.resetCalls, 1);
    assert.equal(base.hasCache || r.hasCache, false);
    return true;
  });
  assert.equal(checks, 3); // before prefill, step 1, step 2
  assert.equal(base.stepCalls, 1);
  assert.equal(r.stepCalls, 1);
});

test('abort before prefill runs no forward', async () => {
  const base = baseLM();
  await assert.rejects(decodeAll(request(base, [], { shouldAbort: () => true })), (e: unknown) => e instanceof TailorError && e.code === 'aborted');
  assert.equal(base.prefillCalls, 0);
  assert.equal(base.resetCalls, 1);
});

test('a consumer that stops early still resets the caches', async () => {
  const base = baseLM();
  const r = rmLM();
  for await (const s of decode(request(base, [rm(r, 1)]))) {
    assert.equal(typeof s.tokenId, 'number');
    break;
  }
  assert.equal(base.resetCalls, 1);
  assert.equal(r.resetCalls, 1);
});

// ---- Request validation

test('invalid requests are rejected before any forward', async () => {
  const cases: [Partial<DecodeRequest>, string][] = [
    [{ dimensions: [formal(Number.NaN)] }, 'invalid-weights'],
    [{ dimensions: [formal(3.5)] }, 'invalid-weights'],
    [{ dimensions: [{ name: 'x', weight: 1, plus: { lm: 'base', row: 3 }, minus: 'base' }] }, 'invalid-options'],
    [{ dimensions: [formal(1), formal(2)] }, 'invalid-options'],
    [{ dimensions: [rm(tableLM([[0, 0]]), 1)] }, 'vocab-mismatch'],
    [{ maxNewTokens: 0 }, 'invalid-options'],
    [{ eosIds: [6] }, 'invalid-options'],
    [{ stopStrings: [''] }, 'invalid-options'],
    [{ sampling: { ...SAMPLING, topP: 0 } }, 'invalid-options'],
    [{ baseRows: [[]] }, 'invalid-options'],
  ];
  for (const [over, code] of cases) {
    const base = baseLM();
    await assert.rejects(decodeAll(request(base, [], over)), (e: unknown) => e instanceof TailorError && e.code === code, JSON.stringify(Object.keys(over)));
    assert.equal(base.prefillCalls, 0);
  }
});
