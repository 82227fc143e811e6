/**
 * Which forwards a request needs, decided once: the base rows to batch (row 0 plus the prompted
 * rows of active dimensions), the distinct extra LMs (reward / reference models, each run on the
 * plain prompt), and the `RewardTerm` of every active dimension wired to the rows it reads.
 * A dimension is active when its weight is non-zero, or always with `computeAll`. An inactive
 * dimension costs nothing: its row is not batched and its LMs are never prefilled or stepped.
 */
import { TailorError } from '../errors.ts';
import type { LogProbRow, RewardTerm } from './combine.ts';
import type { DecodeRequest } from './decode-request.ts';
import { logSumExp } from './logprobs.ts';
import type { CausalLM } from './types.ts';

export interface ForwardPlan {
  readonly base: CausalLM;
  /** Rows to prefill on the base, row 0 (plain prompt) first. */
  readonly baseRows: readonly (readonly number[])[];
  /** Distinct non-base LMs to run, each with the single row `plainPrompt`. */
  readonly extraLms: readonly CausalLM[];
  readonly plainPrompt: readonly number[];
  /** One view per batched base row; baseViews[0] is the base distribution. */
  readonly baseViews: readonly LogProbRow[];
  /** One view per extra LM (same order). */
  readonly extraViews: readonly LogProbRow[];
  /** Active dimensions, in request order. */
  readonly terms: readonly RewardTerm[];
  /** Every LM the request names, active or not: all are reset at the end. */
  readonly allLms: readonly CausalLM[];
}

/** Logits of one forward of every planned LM: base rows first, then one row per extra LM. */
export interface ForwardLogits {
  base: Float32Array[];
  extras: Float32Array[][];
}

function emptyView(): LogProbRow {
  return { logits: new Float32Array(0), logNormalizer: 0 };
}

export function planForwards(r: DecodeRequest): ForwardPlan {
  const baseRowIndex = new Map<number, number>([[0, 0]]);
  const baseRows: (readonly number[])[] = [r.baseRows[0]];
  const extraIndex = new Map<CausalLM, number>();
  const extraLms: CausalLM[] = [];
  const baseViews: LogProbRow[] = [emptyView()];
  const extraViews: LogProbRow[] = [];

  const baseRowView = (row: number): LogProbRow => {
    let i = baseRowIndex.get(row);
    if (i === undefined) {
      i = baseRows.length;
      baseRowIndex.set(row, i);
      baseRows.push(r.baseRows[row]);
      baseViews.push(emptyView());
    }
    return baseViews[i];
  };
  const lmView = (lm: CausalLM): LogProbRow => {
    // The base passed as a "separate" LM is just the plain-prompt row: no second forward.
    if (lm === r.base) return baseViews[0];
    let i = extraIndex.get(lm);
    if (i === undefined) {
      i = extraLms.length;
      extraIndex.set(lm, i);
      extraLms.push(lm);
      extraViews.push(emptyView());
    }
    return extraViews[i];
  };

  const terms: RewardTerm[] = [];
  for (const d of r.dimensions) {
    if (d.weight === 0 && r.computeAll !== true) continue;
    const plus = d.plus.lm === 'base' ? baseRowView(d.plus.row) : lmView(d.plus.lm);
    const minus = d.minus === 'base' ? baseViews[0] : lmView(d.minus.lm);
    terms.push({ name: d.name, weight: d.weight, plus, minus });
  }

  const allLms = new Set<CausalLM>([r.base]);
  for (const d of r.dimensions) {
    if (d.plus.lm !== 'base') allLms.add(d.plus.lm);
    if (d.minus !== 'base') allLms.add(d.minus.lm);
  }

  return {
    base: r.base,
    baseRows,
    extraLms,
    plainPrompt: r.baseRows[0],
    baseViews,
    extraViews,
    terms,
    allLms: [...allLms],
  };
}

/** Prefills every planned LM, one after the other (see `stepPlanned`). */
export async function prefillPlanned(plan: ForwardPlan): Promise<ForwardLogits> {
  const base = await plan.base.prefill(plan.baseRows);
  const extras: Float32Array[][] = [];
  for (const lm of plan.extraLms) extras.push(await lm.prefill([plan.plainPrompt]));
  return { base, extras };
}

/**
 * Appends `tokenId` to every planned row, one LM after the other: on the WASM backend the
 * sessions share one thread pool, and issuing their runs at once only makes them contend.
 */
export async function stepPlanned(plan: ForwardPlan, tokenId: number): Promise<ForwardLogits> {
  const baseTokens = new Array<number>(plan.baseRows.length).fill(tokenId);
  const base = await plan.base.step(baseTokens);
  const extras: Float32Array[][] = [];
  for (const lm of plan.extraLms) extras.push(await lm.step([tokenId]));
  return { base, extras };
}

/** Points every view at the new logits and computes its log-normaliser (one O(V) pass per row). */
export function updateViews(plan: ForwardPlan, out: ForwardLogits): void {
  const vocab = plan.base.vocabSize;
  checkRows(out.base, plan.baseRows.length, vocab, 'base');
  for (let i = 0; i < plan.baseViews.length; i++) setView(plan.baseViews[i], out.base[i]);
  for (let i = 0; i < plan.extraViews.length; i++) {
    checkRows(out.extras[i], 1, vocab, `extra LM ${i}`);
    setView(plan.extraViews[i], out.extras[i][0]);
  }
}

function setView(view: LogProbRow, logits: Float32Array): void {
  view.logits = logits;
  view.logNormalizer = logSumExp(logits);
}

/** A model adapter returning the wrong shape would otherwise read undefined as NaN scores. */
function checkRows(rows: Float32Array[], expected: number, vocab: number, who: string): void {
  if (rows.length !== expected) throw new TailorError('internal', `${who} returned ${rows.length} rows, expected ${expected}`);
  for (const row of rows) {
    if (row.length !== vocab) throw new TailorError('internal', `${who} returned ${row.length} logits, expected ${vocab}`);
  }
}

/** Resets every LM the request names; rejects with the first failure after all have been tried. */
export async function resetAll(plan: ForwardPlan): Promise<void> {
  const results = await Promise.allSettled(plan.allLms.map((lm) => lm.reset()));
  for (const res of results) if (res.status === 'rejected') throw res.reason;
}
