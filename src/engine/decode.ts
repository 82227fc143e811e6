/**
 * The decoding loop, generic over `CausalLM`: per token, restrict candidates on the base
 * distribution, add the weighted rewards, sample, explain, stream the text, check stops, then
 * step every planned LM with the chosen token. Every LM is reset when the loop ends, however it
 * ends (finish, abort, error, or the consumer dropping the generator).
 */
import { TailorError } from '../errors.ts';
import { CandidateSelector } from './candidates.ts';
import { addSequenceRewards, combineScores, explainToken } from './combine.ts';
import type { DecodeRequest, DecodeResult, DecodeStep } from './decode-request.ts';
import { validateDecodeRequest } from './decode-request.ts';
import type { ForwardLogits, ForwardPlan } from './forward-plan.ts';
import { planForwards, prefillPlanned, resetAll, stepPlanned, updateViews } from './forward-plan.ts';
import { createRng } from './rng.ts';
import { Sampler } from './sampler.ts';
import type { FinishReason } from './stopping.ts';
import { findStopString, heldBackLength, isEos, reachedMaxTokens } from './stopping.ts';
import { TextStream } from './text-stream.ts';

export type { DecodeDimension, DecodeRequest, DecodeResult, DecodeStep, MinusSource, PlusSource } from './decode-request.ts';

/**
 * Streams the generation token by token; the generator's return value is the `DecodeResult`.
 * Throws TailorError 'invalid-options' / 'invalid-weights' / 'vocab-mismatch' before any
 * forward, and 'aborted' (after resetting caches) when `shouldAbort()` turns true.
 */
export async function* decode(request: DecodeRequest): AsyncGenerator<DecodeStep, DecodeResult, undefined> {
  validateDecodeRequest(request);
  const plan = planForwards(request);
  let failed = false;
  try {
    return yield* runLoop(request, plan);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // A reset failure must not mask the error that ended the loop.
    if (failed) await resetAll(plan).catch(() => undefined);
    else await resetAll(plan);
  }
}

/** Runs `decode` to completion, calling `onStep` per token; resolves to the result. */
export async function decodeAll(request: DecodeRequest, onStep?: (step: DecodeStep) => void): Promise<DecodeResult> {
  const gen = decode(request);
  for (;;) {
    const next = await gen.next();
    if (next.done === true) return next.value;
    onStep?.(next.value);
  }
}

async function* runLoop(request: DecodeRequest, plan: ForwardPlan): AsyncGenerator<DecodeStep, DecodeResult, undefined> {
  const { sampling, maxNewTokens } = request;
  const stopStrings = request.stopStrings ?? [];
  const eosIds = new Set(request.eosIds);
  const rng = request.rng ?? createRng(sampling.seed);
  const selector = new CandidateSelector();
  const sampler = new Sampler();
  const stream = new TextStream(request.decode);
  const terms = plan.terms;
  const rewardSums = new Float64Array(terms.length);
  const generated = new Set<number>();
  const tokenIds: number[] = [];
  let scores = new Float64Array(0);
  let text = '';
  let shown = 0;

  const checkAbort = (): void => {
    if (request.shouldAbort?.() === true) throw new TailorError('aborted', 'generation aborted');
  };

  checkAbort();
  let logits: ForwardLogits = await prefillPlanned(plan);
  for (;;) {
    updateViews(plan, logits);
    const base = plan.baseViews[0];
    const cands = selector.select(base.logits, base.logNormalizer, sampling.candidateTopK, sampling.candidateTopP);
    if (cands.count === 0) throw new TailorError('internal', 'no candidate token (every base logit is masked)');
    if (scores.length < cands.count) scores = new Float64Array(Math.max(cands.count, 2 * scores.length));
    combineScores(cands.ids, cands.baseLogProbs, cands.count, terms, scores);
    const j = sampler.choose(cands.ids, scores, cands.count, sampling, rng, generated);
    const tokenId = cands.ids[j];
    const explanation = explainToken(tokenId, cands.baseLogProbs[j], terms);
    addSequenceRewards(tokenId, terms, rewardSums);
    tokenIds.push(tokenId);
    generated.add(tokenId);

    // EOS is never decoded into text; it only releases what the stream still holds.
    const eos = isEos(tokenId, eosIds);
    const full = !eos && reachedMaxTokens(tokenIds.length, maxNewTokens);
    let piece = eos ? stream.flush() : stream.push(tokenId);
    if (full) piece += stream.flush();
    const previousLength = text.length;
    text += piece;

    let finish: FinishReason | null = null;
    const stopAt = findStopString(text, stopStrings, previousLength);
    if (stopAt >= 0) {
      text = text.slice(0, stopAt);
      finish = 'stop';
    } else if (eos) finish = 'eos';
    else if (full) finish = 'length';

    // While running, hold back a tail that could be the start of a stop string.
    const visible = finish !== null ? text.length : text.length - heldBackLength(text, stopStrings);
    const stepText = visible > shown ? text.slice(shown, visible) : '';
    shown = Math.max(shown, visible);
    yield { tokenId, text: stepText, explanation };

    if (finish !== null) {
      const sequenceRewards: Record<string, number> = {};
      terms.forEach((t, i) => (sequenceRewards[t.name] = rewardSums[i]));
      return { tokenIds, text, finishReason: finish, sequenceRewards, tokens: tokenIds.length };
    }
    checkAbort();
    logits = await stepPlanned(plan, tokenId);
  }
}
