/**
 * A loaded engine: the base model, its reward models and its dimension manifest, all on one
 * device. Turns a chat request into the engine's decode request: which contexts the base runs as
 * one batch (row 0 plain, one row per prompted dimension), which reward models run beside it.
 */
import { env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { decode, type DecodeDimension } from '../engine/decode.ts';
import { validateWeights } from '../engine/weights.ts';
import type { CausalLM, Dimension, SamplingOptions } from '../engine/types.ts';
import { TailorError } from '../errors.ts';
import { TransformersCausalLM } from '../models/causal-lm.ts';
import { resolveDevice } from '../models/device.ts';
import { fetchModelJson, loadCausalLM, type LoadedModel } from '../models/load.ts';
import { parseManifest } from '../models/manifest.ts';
import { probeWebGpu } from '../models/probe-webgpu.ts';
import { ProgressTracker, type LoadProgress } from '../models/progress.ts';
import { DEFAULT_SOURCE, useSource } from '../models/source.ts';
import { assertSameVocabulary } from '../models/vocab-check.ts';
import type { ChatMessage, GenerateOptions, GenerationResult, LoadedInfo, LoadOptions, Piece, SourceKind } from './protocol.ts';

/** Defaults a user of a small chat model would expect: a little randomness, no loops. */
export const DEFAULT_SAMPLING: SamplingOptions = {
  temperature: 0.7,
  topK: 0,
  topP: 1,
  seed: 1,
  candidateTopK: 40,
  candidateTopP: 0.95,
  repetitionPenalty: 1,
};
export const DEFAULT_MAX_NEW_TOKENS = 128;

interface Loaded {
  lm: TransformersCausalLM;
  model: LoadedModel;
}

export class EngineSession {
  private constructor(
    readonly info: LoadedInfo,
    private readonly base: Loaded,
    private readonly rewardModels: Map<string, Loaded>,
    private readonly eosIds: number[],
  ) {}

  static async load(options: LoadOptions, onProgress: (p: LoadProgress) => void): Promise<EngineSession> {
    const started = performance.now();
    const source = options.source ?? DEFAULT_SOURCE;
    const adapter = await probeWebGpu();
    const choice = resolveDevice({ device: options.device ?? 'auto', dtype: options.dtype, allowFallbackAdapter: options.allowFallbackAdapter }, adapter);
    const isolated = globalThis.crossOriginIsolated === true;
    const threads = options.threads ?? (isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1);
    const wasm = env.backends.onnx.wasm;
    if (wasm) wasm.numThreads = threads;
    useSource(source, `${self.location.origin}/ort/`);

    const manifest = await fetchModelJson<unknown>(source, options.model, 'tailor.json').then(
      (raw) => parseManifest(raw, options.model),
      (e: unknown) => {
        // A base model without a manifest is a plain (unpersonalized) model.
        if (e instanceof TailorError && e.code === 'model-not-found') return { schema: 1 as const, base: options.model, dimensions: [] as Dimension[] };
        throw e;
      },
    );
    const tracker = new ProgressTracker(onProgress);
    const base = await loadCausalLM(source, options.model, choice.device, choice.dtype, tracker.onEvent);

    const wanted = new Set<string>();
    if (options.rewardModels !== false) {
      for (const d of manifest.dimensions) {
        const rm = d.sources['reward-model'];
        if (!rm) continue;
        wanted.add(rm.model);
        if (rm.reference && rm.reference !== 'base') wanted.add(rm.reference);
      }
      if (Array.isArray(options.rewardModels)) for (const id of options.rewardModels) wanted.add(id);
    }
    const rms = new Map<string, Loaded>();
    try {
      for (const id of wanted) {
        const m = await loadCausalLM(source, id, choice.device, choice.dtype, tracker.onEvent);
        assertSameVocabulary(base.id, base.tokenizer, id, m.tokenizer);
        if (m.config.vocab_size !== base.config.vocab_size) {
          throw new TailorError('vocab-mismatch', `Reward model "${id}" has vocab_size ${m.config.vocab_size}, the base ${base.config.vocab_size}.`);
        }
        rms.set(id, wrap(m));
      }
    } catch (e) {
      await base.model.dispose();
      for (const r of rms.values()) await r.model.model.dispose();
      throw e;
    }
    onProgress({ ...tracker.snapshot(), fraction: 1 });

    const eos = base.config.eos_token_id;
    const eosIds = Array.isArray(eos) ? eos : typeof eos === 'number' ? [eos] : [];
    const info: LoadedInfo = {
      model: options.model,
      device: choice.device,
      dtype: choice.dtype,
      reason: choice.reason,
      adapter,
      threads: choice.device === 'wasm' ? threads : 0,
      crossOriginIsolated: isolated,
      dimensions: usableDimensions(manifest.dimensions, rms),
      rewardModels: [...rms.keys()],
      loadMs: performance.now() - started,
    };
    return new EngineSession(info, wrap(base), rms, eosIds);
  }

  async *generate(messages: ChatMessage[], options: GenerateOptions, shouldAbort: () => boolean): AsyncGenerator<Piece, GenerationResult> {
    const started = performance.now();
    const weights = options.weights ?? {};
    validateWeights(weights, this.info.dimensions.map((d) => d.name));
    const sampling: SamplingOptions = {
      temperature: options.temperature ?? DEFAULT_SAMPLING.temperature,
      topK: options.topK ?? DEFAULT_SAMPLING.topK,
      topP: options.topP ?? DEFAULT_SAMPLING.topP,
      seed: options.seed ?? DEFAULT_SAMPLING.seed,
      candidateTopK: options.candidateTopK ?? DEFAULT_SAMPLING.candidateTopK,
      candidateTopP: options.candidateTopP ?? DEFAULT_SAMPLING.candidateTopP,
      repetitionPenalty: options.repetitionPenalty ?? DEFAULT_SAMPLING.repetitionPenalty,
    };
    const tokenizer = this.base.model.tokenizer;
    const baseRows: number[][] = [encodeChat(tokenizer, messages)];
    const dimensions: DecodeDimension[] = [];
    const sources: Record<string, SourceKind> = {};
    const scales: Record<string, number> = {};
    for (const dim of this.info.dimensions) {
      const weight = weights[dim.name] ?? 0;
      if (weight === 0 && !options.features) continue;
      const kind = options.sources?.[dim.name] ?? dim.defaultSource;
      sources[dim.name] = kind;
      if (kind === 'prompted') {
        const text = dim.sources.prompted?.text;
        if (!text) throw new TailorError('invalid-options', `Dimension "${dim.name}" has no prompted source.`);
        baseRows.push(encodeChat(tokenizer, withPreference(messages, text)));
        dimensions.push({ name: dim.name, weight, plus: { lm: 'base', row: baseRows.length - 1 }, minus: 'base' });
      } else {
        const rm = dim.sources['reward-model'];
        const lm = rm && this.rewardModels.get(rm.model);
        if (!rm || !lm) throw new TailorError('invalid-options', `Dimension "${dim.name}" has no loaded reward model.`);
        const ref = rm.reference && rm.reference !== 'base' ? this.rewardModels.get(rm.reference) : undefined;
        // The manifest's calibration scales the reward itself: contributions and features alike.
        const scale = rm.scale ?? 1;
        scales[dim.name] = scale;
        dimensions.push({ name: dim.name, weight: weight * scale, plus: { lm: lm.lm }, minus: ref ? { lm: ref.lm } : 'base' });
      }
    }
    const gen = decode({
      base: this.base.lm as CausalLM,
      baseRows,
      dimensions,
      sampling,
      maxNewTokens: options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
      eosIds: this.eosIds,
      stopStrings: options.stop ?? [],
      decode: (ids: number[]) => (ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: true })),
      shouldAbort,
      computeAll: options.features === true,
    });
    const emitted: number[] = [];
    let text = '';
    try {
      while (true) {
        const next = await gen.next();
        if (next.done) {
          const r = next.value;
          const ms = performance.now() - started;
          return {
            text: r.text,
            tokenIds: r.tokenIds,
            finishReason: r.finishReason,
            sequenceRewards: Object.fromEntries(Object.entries(r.sequenceRewards).map(([d, v]) => [d, v * (scales[d] ?? 1)])),
            sources,
            ms,
            tokensPerSecond: r.tokenIds.length / (ms / 1000),
          };
        }
        emitted.push(next.value.tokenId);
        text += next.value.text;
        yield { text: next.value.text, tokenId: next.value.tokenId, explanation: next.value.explanation };
      }
    } catch (e) {
      // A stop request is an ending, not a failure: report what was generated up to it.
      if (e instanceof TailorError && e.code === 'aborted') {
        const ms = performance.now() - started;
        return { text, tokenIds: emitted, finishReason: 'aborted', sequenceRewards: {}, sources, ms, tokensPerSecond: emitted.length / (ms / 1000) };
      }
      throw mapRunError(e);
    }
  }

  async dispose(): Promise<void> {
    await this.base.model.model.dispose();
    for (const r of this.rewardModels.values()) await r.model.model.dispose();
  }
}

/** The manifest's dimensions, less the reward-model sources whose model was not loaded. */
function usableDimensions(dims: Dimension[], loaded: Map<string, Loaded>): Dimension[] {
  return dims.flatMap((d): Dimension[] => {
    const rm = d.sources['reward-model'];
    if (!rm || (loaded.has(rm.model) && (!rm.reference || rm.reference === 'base' || loaded.has(rm.reference)))) return [d];
    if (!d.sources.prompted) return [];
    return [{ ...d, sources: { prompted: d.sources.prompted }, defaultSource: 'prompted' }];
  });
}

function wrap(model: LoadedModel): Loaded {
  return { model, lm: new TransformersCausalLM(model.model, model.config.vocab_size, model.config.pad_token_id ?? 0) };
}

/** The prompt as the engine feeds it: the model's chat template, ready for an answer. */
export function encodeChat(tokenizer: PreTrainedTokenizer, messages: ChatMessage[]): number[] {
  const ids = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false }) as unknown;
  if (!Array.isArray(ids)) throw new TailorError('internal', 'The chat template did not return token ids.');
  return ids.map(Number);
}

/** The prompted-preference context: the wish appended to (or as) the system message. */
export function withPreference(messages: ChatMessage[], text: string): ChatMessage[] {
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content} ${text}` }, ...rest];
  return [{ role: 'system', content: text }, ...messages];
}

function mapRunError(e: unknown): unknown {
  if (e instanceof TailorError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/device.*lost|lost.*device|GPUDevice/i.test(msg)) return new TailorError('device-lost', `The GPU device was lost; reload the model (${msg}).`);
  return new TailorError('internal', `Generation failed: ${msg}`);
}
