/**
 * The ONE message protocol between the client (main thread) and the engine host (a Web Worker,
 * or the same thread for the in-process transport). Both sides import these types; nothing else
 * crosses the boundary.
 */
import type { Dimension, TokenExplanation, Weights } from '../engine/types.ts';
import type { TailorErrorData } from '../errors.ts';
import type { AdapterInfo, Device, DevicePreference, Dtype } from '../models/device.ts';
import type { LoadProgress } from '../models/progress.ts';
import type { ModelSource } from '../models/source.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LoadOptions {
  /** Base model id, e.g. "tailor-base" (a folder under /models/, or a repo on a hub-style host). */
  model: string;
  source?: ModelSource;
  device?: DevicePreference;
  dtype?: Dtype;
  /** Count a software WebGPU adapter (SwiftShader) as a GPU. Off by default: WASM beats it. */
  allowFallbackAdapter?: boolean;
  /**
   * Reward models to load: true = every one the manifest names (default), false = none, or a list.
   * Extra ids outside the manifest are loaded too and checked against the base vocabulary.
   */
  rewardModels?: boolean | string[];
  /** WASM threads; default: up to 4 when cross-origin isolated, else 1. */
  threads?: number;
}

export interface LoadedInfo {
  model: string;
  device: Device;
  dtype: Dtype;
  reason: string;
  adapter: AdapterInfo;
  threads: number;
  crossOriginIsolated: boolean;
  dimensions: Dimension[];
  rewardModels: string[];
  loadMs: number;
}

export type SourceKind = 'reward-model' | 'prompted';

export interface GenerateOptions {
  maxNewTokens?: number;
  /** 0 = greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Base-distribution candidate restriction applied before rewards are added. */
  candidateTopK?: number;
  candidateTopP?: number;
  repetitionPenalty?: number;
  stop?: string[];
  /** Preference weights by dimension name (negative = the dimension's other pole). */
  weights?: Weights;
  /** Override the manifest's default reward source per dimension. */
  sources?: Record<string, SourceKind>;
  /** Compute every dimension's sequence reward (learning features), even at weight 0. */
  features?: boolean;
}

export interface Piece {
  text: string;
  tokenId: number;
  explanation: TokenExplanation;
}

export type FinishReason = 'eos' | 'stop' | 'length' | 'aborted';

export interface GenerationResult {
  text: string;
  tokenIds: number[];
  finishReason: FinishReason;
  /** Σ_t r_i(token_t) per computed dimension (unweighted): the response's feature vector. */
  sequenceRewards: Record<string, number>;
  /** Reward source used per dimension that was computed. */
  sources: Record<string, SourceKind>;
  ms: number;
  tokensPerSecond: number;
}

export type ClientMessage =
  | { type: 'load'; id: number; options: LoadOptions }
  | {
      type: 'generate';
      id: number;
      messages: ChatMessage[];
      options: GenerateOptions;
      /**
       * Int32[2]: [0] the client sets to 1 to abort (read at every token without an event-loop
       * turn); [1] the host counts generated tokens in.
       */
      abortFlag?: SharedArrayBuffer;
    }
  | { type: 'abort'; id: number }
  | { type: 'unload'; id: number };

export type WorkerMessage =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'loaded'; id: number; info: LoadedInfo }
  | { type: 'token'; id: number; piece: Piece }
  | { type: 'done'; id: number; result: GenerationResult }
  | { type: 'unloaded'; id: number }
  | { type: 'error'; id: number; error: TailorErrorData };
