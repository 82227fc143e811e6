/**
 * Page-side helpers shared by the browser benchmarks: onnxruntime-web / transformers.js setup
 * exactly as the engine does it (same `env`, so the main thread has ONE WASM runtime and thread
 * pool for every model loaded here), and timed runs of our client and of generate().
 */
import { env } from '@huggingface/transformers';
import { DEFAULT_SOURCE, useSource } from '../../src/models/source.ts';
import type { Tailor, GenerateCallOptions } from '../../src/client/tailor.ts';
import type { ChatMessage } from '../../src/worker/protocol.ts';

/** The engine's default (src/worker/session.ts): up to 4 threads when cross-origin isolated. */
export function defaultThreads(): number {
  return globalThis.crossOriginIsolated === true ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

/** Must run before the first model is created: the WASM runtime reads numThreads once. */
export function setupEnv(threads: number): void {
  useSource(DEFAULT_SOURCE, `${location.origin}/ort/`);
  const wasm = env.backends.onnx.wasm;
  if (!wasm) throw new Error('onnxruntime-web has no WASM backend here');
  wasm.numThreads = threads;
}

export function wasmThreads(): number {
  return Number(env.backends.onnx.wasm?.numThreads ?? 0);
}

export async function heldoutPrompts(model: string, modelsPath = '/models/'): Promise<string[]> {
  const url = `${modelsPath.replace(/\/?$/, '/')}${model}/heldout_prompts.json`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as string[];
}

export const chat = (prompt: string): ChatMessage[] => [{ role: 'user', content: prompt }];

/** One timed generation. Times are ms from the call. */
/** What every in-page benchmark is told by bench/run.mjs. */
export interface BenchConfig {
  model: string;
  dtype: 'fp32' | 'q8' | 'q4';
  /** 0 = the engine's default. */
  threads: number;
  rounds: number;
  maxNewTokens: number;
  prompts: number;
  profile: boolean;
}

export interface Timed {
  tokens: number;
  /** Call → last token (or result). */
  totalMs: number;
  /** Call → first generated token. */
  firstMs: number;
  /** Call → last generated token. */
  lastMs: number;
  tokenIds: number[];
  finishReason: string;
}

export async function timeOurs(t: Tailor, messages: ChatMessage[], options: GenerateCallOptions): Promise<Timed> {
  const t0 = performance.now();
  const g = t.generate(messages, options);
  let first = -1;
  let last = -1;
  for await (const _piece of g) {
    last = performance.now();
    if (first < 0) first = last;
  }
  const r = await g.result;
  const t1 = performance.now();
  return { tokens: r.tokenIds.length, totalMs: t1 - t0, firstMs: first - t0, lastMs: last - t0, tokenIds: r.tokenIds, finishReason: r.finishReason };
}
