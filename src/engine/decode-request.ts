/**
 * Input and output types of the decode loop, and the one-time validation of a request (so the
 * per-token code can trust ids, rows and options).
 */
import { TailorError } from '../errors.ts';
import type { Rng } from './rng.ts';
import { validateSamplingOptions } from './sampling-options.ts';
import type { FinishReason } from './stopping.ts';
import type { Detokenize } from './text-stream.ts';
import type { CausalLM, SamplingOptions, TokenExplanation } from './types.ts';
import { validateWeight } from './weights.ts';

/**
 * Where a dimension's "plus" log-probs come from:
 * - `{ lm: 'base', row }`: the base model's row `row` (1..K) of `baseRows`, i.e. the prompt with
 *   the preference text in the system message (prompted source);
 * - `{ lm }`: a reward-model LM, run on the plain prompt (`baseRows[0]`) as its single row.
 */
export type PlusSource = { lm: 'base'; row: number } | { lm: CausalLM };

/** The reference ("minus") log-probs: base row 0, or a separate reference LM on the plain prompt. */
export type MinusSource = 'base' | { lm: CausalLM };

export interface DecodeDimension {
  name: string;
  /** In [−MAX_WEIGHT, MAX_WEIGHT]; 0 = not steered (and not run, unless `computeAll`). */
  weight: number;
  plus: PlusSource;
  minus: MinusSource;
}

export interface DecodeRequest {
  base: CausalLM;
  /** Row 0 = the plain prompt; rows 1..K = prompts with a preference in the system message. */
  baseRows: readonly (readonly number[])[];
  dimensions: readonly DecodeDimension[];
  sampling: SamplingOptions;
  /** ≥ 1. */
  maxNewTokens: number;
  eosIds: readonly number[];
  /** Non-empty strings; generation stops before the first one to appear in the answer. */
  stopStrings?: readonly string[];
  /** Tokenizer decode (special tokens skipped) used for the streamed text. */
  decode: Detokenize;
  /** Checked before every forward; true → caches are reset and TailorError('aborted') is thrown. */
  shouldAbort?: () => boolean;
  /** Also run zero-weight dimensions, so `sequenceRewards` has every dimension (learning features). */
  computeAll?: boolean;
  /** Overrides the RNG seeded from `sampling.seed` (tests). */
  rng?: Rng;
}

/** One generated token, as yielded by `decode`. */
export interface DecodeStep {
  tokenId: number;
  /** Text this token made visible ('' while a split character or a possible stop string is held back). */
  text: string;
  explanation: TokenExplanation;
}

export interface DecodeResult {
  /** Every chosen token in order, the final EOS included when finishReason is 'eos'. */
  tokenIds: number[];
  /** The answer text (EOS not decoded, truncated before a stop string); equals the concatenated step texts. */
  text: string;
  finishReason: FinishReason;
  /** Σ_t r_i(chosen token), unweighted, for every dimension that was computed. */
  sequenceRewards: Record<string, number>;
  /** tokenIds.length. */
  tokens: number;
}

function invalid(message: string): never {
  throw new TailorError('invalid-options', message);
}

function isTokenId(v: unknown, vocab: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < vocab;
}

function checkLm(lm: CausalLM, base: CausalLM, where: string): void {
  if (lm.vocabSize !== base.vocabSize) {
    throw new TailorError('vocab-mismatch', `${where} has vocab size ${lm.vocabSize}, the base has ${base.vocabSize}`);
  }
}

/** Throws TailorError ('invalid-options', 'invalid-weights' or 'vocab-mismatch') on a bad request. */
export function validateDecodeRequest(r: DecodeRequest): void {
  const vocab = r.base.vocabSize;
  if (!Number.isInteger(vocab) || vocab < 1) invalid(`base vocabSize must be a positive integer, got ${vocab}`);
  if (r.baseRows.length < 1) invalid('baseRows needs at least row 0 (the plain prompt)');
  r.baseRows.forEach((row, i) => {
    if (row.length === 0) invalid(`baseRows[${i}] is empty`);
    for (const id of row) if (!isTokenId(id, vocab)) invalid(`baseRows[${i}] has token id ${id}, outside [0, ${vocab})`);
  });
  const names = new Set<string>();
  for (const d of r.dimensions) {
    if (d.name === '') invalid('a dimension has an empty name');
    if (names.has(d.name)) invalid(`dimension "${d.name}" is listed twice`);
    names.add(d.name);
    validateWeight(d.name, d.weight);
    if (d.plus.lm === 'base') {
      const row = d.plus.row;
      if (!Number.isInteger(row) || row < 1 || row >= r.baseRows.length) {
        invalid(`dimension "${d.name}" uses base row ${row}; prompted rows are 1..${r.baseRows.length - 1}`);
      }
    } else {
      checkLm(d.plus.lm, r.base, `reward model of "${d.name}"`);
    }
    if (d.minus !== 'base') checkLm(d.minus.lm, r.base, `reference model of "${d.name}"`);
  }
  validateSamplingOptions(r.sampling);
  if (!Number.isInteger(r.maxNewTokens) || r.maxNewTokens < 1) invalid(`maxNewTokens must be an integer >= 1, got ${r.maxNewTokens}`);
  for (const id of r.eosIds) if (!isTokenId(id, vocab)) invalid(`EOS id ${id} is outside [0, ${vocab})`);
  for (const s of r.stopStrings ?? []) if (typeof s !== 'string' || s === '') invalid('stop strings must be non-empty strings');
}
