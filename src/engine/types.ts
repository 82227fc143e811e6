/**
 * Contracts of the pure decoding core. Nothing here knows about transformers.js, workers or the
 * DOM: the model adapters in src/models implement `CausalLM`, unit tests implement it with tiny
 * fake models whose logits are written by hand.
 */

/**
 * A decoder-only language model with its own KV cache, driven one token at a time.
 * Rows are independent contexts run as one batch (e.g. the K+1 prompted-preference contexts).
 */
export interface CausalLM {
  /** Number of logits per position. */
  readonly vocabSize: number;
  /**
   * Forget any cache and run the prompts (one token-id array per row; lengths may differ, the
   * implementation pads). Returns the logits of each row's last position.
   */
  prefill(rows: readonly (readonly number[])[]): Promise<Float32Array[]>;
  /** Append one token to every row (same order as prefill); returns each row's next logits. */
  step(tokens: readonly number[]): Promise<Float32Array[]>;
  /** Release the KV cache tensors. The model itself stays loaded. */
  reset(): Promise<void>;
}

/** Where a dimension's token-level reward comes from. */
export type RewardSource =
  /** r(t) = log π_RM(t|ctx) − log π_ref(t|ctx); ref is the base unless `reference` names a model. */
  | {
      kind: 'reward-model';
      model: string;
      reference?: 'base' | string;
      /** r(t) is this times the log-ratio (calibration: how strong a pull weight 1 is). Default 1. */
      scale?: number;
    }
  /** r(t) = log π_base(t | `text` (the positive pole's wish) in the system message) − log π_base(t | no preference). */
  | { kind: 'prompted'; text: string };

/** One preference dimension, declared as data in a base model's manifest. */
export interface Dimension {
  name: string;
  /** Labels of the poles: weight < 0 pulls toward `negative`, > 0 toward `positive`. */
  poles: { negative: string; positive: string };
  /** Reward sources this base model offers for the dimension, and the one used by default. */
  sources: { 'reward-model'?: RewardSource & { kind: 'reward-model' }; prompted?: RewardSource & { kind: 'prompted' } };
  defaultSource: 'reward-model' | 'prompted';
}

/** User weights, by dimension name. Missing = 0. Valid range is [-MAX_WEIGHT, MAX_WEIGHT]. */
export type Weights = Readonly<Record<string, number>>;

/** Why a token was emitted: the base log-prob and each dimension's weighted contribution. */
export interface TokenExplanation {
  tokenId: number;
  /** log π_base(token | context), natural log. */
  baseLogProb: number;
  /** w_i · r_i(token) per dimension with a non-zero weight. */
  contributions: Record<string, number>;
  /** Final combined score of the token (base + Σ contributions). */
  score: number;
}

export interface SamplingOptions {
  /** 0 = greedy. */
  temperature: number;
  /** 0 = off. Applied to the combined scores of the candidates. */
  topK: number;
  /** 1 = off. */
  topP: number;
  /** Seed of the RNG; the same seed reproduces a generation exactly. */
  seed: number;
  /** Candidate restriction on the *base* distribution before rewards are added. */
  candidateTopK: number;
  candidateTopP: number;
  /** >1 penalises tokens already generated (CTRL-style, on the combined score). 1 = off. */
  repetitionPenalty: number;
}
