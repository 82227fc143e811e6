/**
 * A transformers.js causal LM driven one token at a time through its forward pass (not
 * `generate()`), as the engine's `CausalLM`. It keeps its own KV cache and supports a batch of
 * rows of different prompt lengths by left padding (attention mask 0, position ids counted from
 * each row's first real token), which is how the K+1 prompted-preference contexts share one pass.
 */
import { Tensor, type PreTrainedModel } from '@huggingface/transformers';
import type { CausalLM } from '../engine/types.ts';

type Feeds = Record<string, Tensor>;
type ModelOutputs = Record<string, Tensor>;

export class TransformersCausalLM implements CausalLM {
  readonly vocabSize: number;
  private past: Feeds | null = null;
  /** Left-padding length of each row and the current total sequence length. */
  private pad: number[] = [];
  private length = 0;
  private positions: number[] = [];

  constructor(
    private readonly model: PreTrainedModel,
    vocabSize: number,
    private readonly padId: number,
  ) {
    this.vocabSize = vocabSize;
  }

  async prefill(rows: readonly (readonly number[])[]): Promise<Float32Array[]> {
    await this.reset();
    const batch = rows.length;
    const len = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(batch * len).fill(BigInt(this.padId));
    const mask = new BigInt64Array(batch * len);
    const pos = new BigInt64Array(batch * len);
    this.pad = rows.map((r) => len - r.length);
    rows.forEach((row, b) => {
      const p = this.pad[b];
      for (let i = 0; i < row.length; i++) {
        ids[b * len + p + i] = BigInt(row[i]);
        mask[b * len + p + i] = 1n;
        pos[b * len + p + i] = BigInt(i);
      }
    });
    this.length = len;
    this.positions = rows.map((r) => r.length);
    return this.run(ids, mask, pos, batch, len);
  }

  async step(tokens: readonly number[]): Promise<Float32Array[]> {
    const batch = tokens.length;
    if (!this.past || batch !== this.pad.length) throw new Error('step() before prefill() or with a different batch size');
    const total = this.length + 1;
    const mask = new BigInt64Array(batch * total);
    for (let b = 0; b < batch; b++) mask.fill(1n, b * total + this.pad[b], (b + 1) * total);
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t));
    const pos = BigInt64Array.from(this.positions, (p) => BigInt(p));
    this.length = total;
    this.positions = this.positions.map((p) => p + 1);
    return this.run(ids, mask, pos, batch, 1);
  }

  async reset(): Promise<void> {
    if (this.past) for (const t of Object.values(this.past)) t.dispose();
    this.past = null;
  }

  private async run(ids: BigInt64Array, mask: BigInt64Array, pos: BigInt64Array, batch: number, seq: number): Promise<Float32Array[]> {
    const inputs: Record<string, unknown> = {
      input_ids: new Tensor('int64', ids, [batch, seq]),
      attention_mask: new Tensor('int64', mask, [batch, this.length]),
      position_ids: new Tensor('int64', pos, [batch, seq]),
    };
    if (this.past) inputs.past_key_values = this.past;
    const out = (await (this.model as unknown as (x: Record<string, unknown>) => Promise<ModelOutputs>)(inputs));
    const next: Feeds = {};
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present')) next[name.replace('present', 'past_key_values')] = t;
    }
    // The old cache is replaced, not extended in place: free it (GPU buffers on WebGPU).
    if (this.past) for (const t of Object.values(this.past)) t.dispose();
    this.past = next;
    const logits = out.logits;
    const data = logits.data as Float32Array;
    const v = this.vocabSize;
    const rows: Float32Array[] = [];
    // Only the last position of each row matters; views, valid until the next call.
    for (let b = 0; b < batch; b++) rows.push(data.subarray((b * seq + seq - 1) * v, (b * seq + seq) * v));
    return rows;
  }
}
