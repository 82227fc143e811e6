/**
 * Data shapes of the preferences layer. Everything here is stored in IndexedDB (structured
 * clone) and exported as JSON, so only plain data: no classes, no Maps, no undefined-vs-missing
 * subtleties (optional fields are simply absent).
 */
import type { Weights } from '../engine/types.ts';

/** Version of every stored record. Bump it and add an entry to MIGRATIONS (migrate.ts) together. */
export const SCHEMA_VERSION = 1;

/** One generated response as the learner sees it. */
export interface ResponseObs {
  /** Per-dimension sequence reward reported by the engine (sum of the dimension's token rewards). */
  readonly features: Readonly<Record<string, number>>;
  /** Weights the response was decoded with (needed to relate feature changes to weight changes). */
  readonly weights: Weights;
  /** Optional response text for the history view; on-device only. */
  readonly text?: string;
}

/** "Which of these two answers do you prefer?" */
export interface ChoiceFeedback {
  readonly kind: 'choice';
  readonly id: string;
  /** Weights and features are per base model, so feedback is too. */
  readonly baseModel: string;
  /** Kept on-device for the history view. */
  readonly prompt: string;
  readonly a: ResponseObs;
  readonly b: ResponseObs;
  readonly chosen: 'a' | 'b';
  /** ms since epoch. */
  readonly at: number;
}

/** Thumbs up / down on a single answer. */
export interface ThumbFeedback extends ResponseObs {
  readonly kind: 'thumb';
  readonly id: string;
  readonly baseModel: string;
  readonly prompt: string;
  readonly up: boolean;
  readonly at: number;
}

export type Feedback = ChoiceFeedback | ThumbFeedback;

/** Feedback as the caller hands it in: id and timestamp are filled in by the store. */
export type FeedbackInput =
  | (Omit<ChoiceFeedback, 'id' | 'at'> & { readonly at?: number })
  | (Omit<ThumbFeedback, 'id' | 'at'> & { readonly at?: number });

/**
 * What the learner remembers besides the weights themselves. The posterior *mean* is not stored:
 * it is the profile's current weights, so a manual slider change re-centres the prior (see
 * learning.ts). Vectors are indexed like `dims`.
 */
export interface LearnerState {
  readonly dims: readonly string[];
  /** Posterior covariance of the weights, D×D row-major, in decoding-weight units. */
  readonly cov: readonly number[];
  /** Σ Δf·Δwᵀ and Σ Δw·Δwᵀ over observed pairs (D×D row-major): the sufficient statistics of a
   * running least-squares fit Δf ≈ J·Δw of how sequence rewards respond to decoding weights
   * (per-dimension scale and cross-talk; see learning-state.ts). */
  readonly sensXW: readonly number[];
  readonly sensWW: readonly number[];
  /** Running mean of response features (the reference a thumbed response is compared against). */
  readonly meanFeature: readonly number[];
  /** How many responses contributed to meanFeature, per dimension. */
  readonly featureCount: readonly number[];
  /** Number of posterior updates applied. */
  readonly observations: number;
}

export interface Profile {
  readonly v: typeof SCHEMA_VERSION;
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** baseModelId → dimension → weight. The key '*' (from migrated v0 data) applies to any model
   * that has no entry of its own. */
  readonly weights: Readonly<Record<string, Weights>>;
  /** Oldest first, at most MAX_FEEDBACK (the learner state has already absorbed older ones). */
  readonly feedback: readonly Feedback[];
  /** baseModelId → learner state. */
  readonly learners: Readonly<Record<string, LearnerState>>;
}

/** Something the UI should show once: storage is degraded or data was set aside. */
export type Notice =
  | { readonly kind: 'in-memory'; readonly message: string }
  | { readonly kind: 'corrupt'; readonly message: string; readonly keys: readonly string[] }
  | { readonly kind: 'newer-schema'; readonly message: string; readonly keys: readonly string[] };

/** One row of "how the weights moved". */
export interface WeightMove {
  readonly dimension: string;
  readonly before: number;
  readonly after: number;
  readonly delta: number;
}
