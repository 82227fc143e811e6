/**
 * Test doubles: tiny causal LMs whose logits are written by hand, with call counting, plus
 * reference math written independently of the engine (plain Math on number[]).
 */
import type { CausalLM } from '../../../src/engine/types.ts';
import type { Rng } from '../../../src/engine/rng.ts';

/** A fake LM: logits are a function of the row's whole context (prompt + generated tokens). */
export class FakeLM implements CausalLM {
  prefillCalls = 0;
  stepCalls = 0;
  resetCalls = 0;
  readonly prefillRows: number[][][] = [];
  readonly stepTokens: number[][] = [];
  private rows: number[][] | null = null;

  constructor(
    readonly vocabSize: number,
    private readonly logitsOf: (context: readonly number[]) => readonly number[],
  ) {}

  /** True between prefill and reset: the "KV cache" is held. */
  get hasCache(): boolean {
    return this.rows !== null;
  }

  async prefill(rows: readonly (readonly number[])[]): Promise<Float32Array[]> {
    this.prefillCalls++;
    this.prefillRows.push(rows.map((r) => [...r]));
    this.rows = rows.map((r) => [...r]);
    return this.output();
  }

  async step(tokens: readonly number[]): Promise<Float32Array[]> {
    this.stepCalls++;
    this.stepTokens.push([...tokens]);
    const rows = this.rows;
    if (rows === null) throw new Error('step before prefill');
    if (tokens.length !== rows.length) throw new Error(`step with ${tokens.length} tokens for ${rows.length} rows`);
    tokens.forEach((t, i) => rows[i].push(t));
    return this.output();
  }

  async reset(): Promise<void> {
    this.resetCalls++;
    this.rows = null;
  }

  private output(): Float32Array[] {
    return (this.rows ?? []).map((r) => {
      const logits = this.logitsOf(r);
      if (logits.length !== this.vocabSize) throw new Error('bad fake table');
      return Float32Array.from(logits);
    });
  }
}

/**
 * logits = table[last token] + bias[first token] (bias missing → 0). The first token of a row
 * plays the role of its system prompt, so prompted rows differ from row 0 at every step.
 */
export function tableLM(table: readonly (readonly number[])[], bias: Readonly<Record<number, readonly number[]>> = {}): FakeLM {
  const vocab = table[0].length;
  return new FakeLM(vocab, (ctx) => {
    const row = table[ctx[ctx.length - 1]];
    const b = bias[ctx[0]];
    return row.map((x, i) => x + (b ? b[i] : 0));
  });
}

/** Emits `script` token by token (logit 8 on the scripted token, 0 elsewhere) after a prompt of `promptLength`. */
export function scriptedLM(vocab: number, script: readonly number[], promptLength: number): FakeLM {
  return new FakeLM(vocab, (ctx) => {
    const next = script[ctx.length - promptLength] ?? 0;
    return Array.from({ length: vocab }, (_, i) => (i === next ? 8 : 0));
  });
}

/** Reference log-softmax, written directly from the definition. */
export function refLogSoftmax(xs: readonly number[]): number[] {
  const max = Math.max(...xs);
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - max);
  return xs.map((x) => x - max - Math.log(sum));
}

/** Reference softmax. */
export function refSoftmax(xs: readonly number[]): number[] {
  return refLogSoftmax(xs).map(Math.exp);
}

/** An RNG that returns the given values in order (then throws), counting draws. */
export class FixedRng implements Rng {
  draws = 0;
  constructor(private readonly values: readonly number[]) {}
  next(): number {
    if (this.draws >= this.values.length) throw new Error('unexpected rng draw');
    return this.values[this.draws++];
  }
}

/** Inverse CDF over probabilities ranked by (prob desc, id asc): the token u selects. */
export function refPick(probs: readonly number[], u: number): number {
  const order = probs.map((p, id) => ({ p, id })).filter((x) => x.p > 0);
  order.sort((a, b) => b.p - a.p || a.id - b.id);
  let cum = 0;
  for (const { p, id } of order) {
    cum += p;
    if (u < cum) return id;
  }
  return order[order.length - 1].id;
}

export function assertClose(actual: number, expected: number, tol = 1e-6, what = ''): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what} expected ${expected}, got ${actual} (|Δ| = ${Math.abs(actual - expected)} > ${tol})`);
  }
}
