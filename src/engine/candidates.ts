/**
 * Candidate restriction on the BASE distribution, applied before any reward is added: a reward
 * can re-rank plausible tokens but never pull in one the base model finds implausible.
 *
 * Candidates = the intersection of the base top-k and the base nucleus (smallest prefix of the
 * base ranking whose base probability mass reaches top-p, at least one token). The nucleus uses
 * the base's own probabilities, not probabilities renormalised over the top-k, so the two limits
 * are independent and order does not matter. Ranking ties go to the lower token id.
 *
 * Cost per token is O(V log k) (a bounded min-heap scan) instead of sorting the vocabulary:
 * with V up to ~150k a full sort per token would dominate the step.
 */
import type { NumericRow } from './logprobs.ts';

/**
 * Selected candidates. `ids` / `baseLogProbs` are the selector's reused buffers; only the first
 * `count` entries are meaningful, and they are overwritten by the next `select` call.
 */
export interface CandidateSet {
  readonly count: number;
  readonly ids: Int32Array;
  readonly baseLogProbs: Float64Array;
  /**
   * True when entries are ranked by base log-prob (desc, ties by lower id). False only when both
   * restrictions are off: then every id is returned in id order, skipping an O(V log V) sort.
   */
  readonly ranked: boolean;
}

/** First nucleus search size when top-k is off; grows ×4 until the mass reaches top-p. */
const NUCLEUS_INITIAL_K = 64;

export class CandidateSelector {
  private heap = new Int32Array(0);
  private ids = new Int32Array(0);
  private logProbs = new Float64Array(0);

  /**
   * @param logits base logits (or log-probs, with `logNormalizer` 0) of row 0
   * @param logNormalizer logSumExp(logits), so that log π_base(t) = logits[t] − logNormalizer
   * @param topK 0 = off
   * @param topP 1 = off
   */
  select(logits: NumericRow, logNormalizer: number, topK: number, topP: number): CandidateSet {
    const vocab = logits.length;
    const kLimit = topK > 0 ? Math.min(topK, vocab) : vocab;
    this.ensureCapacity(kLimit);

    if (kLimit === vocab && topP >= 1) {
      for (let i = 0; i < vocab; i++) {
        this.ids[i] = i;
        this.logProbs[i] = logits[i] - logNormalizer;
      }
      return this.result(this.dropMasked(vocab, false), false);
    }

    let k = topK > 0 ? kLimit : Math.min(vocab, NUCLEUS_INITIAL_K);
    for (;;) {
      this.selectTopK(logits, k);
      let count = k;
      if (topP < 1) {
        const nucleus = this.nucleusSize(logits, k, logNormalizer, topP);
        // Nucleus not reached inside the first k: only widen when top-k does not cap us.
        if (nucleus < 0 && topK <= 0 && k < vocab) {
          k = Math.min(vocab, k * 4);
          continue;
        }
        if (nucleus >= 0) count = nucleus;
      }
      for (let j = 0; j < count; j++) this.logProbs[j] = logits[this.ids[j]] - logNormalizer;
      return this.result(this.dropMasked(count, true), true);
    }
  }

  /** Fills ids[0..k) with the k best ids, ranked (logit desc, id asc). */
  private selectTopK(logits: NumericRow, k: number): void {
    this.ensureCapacity(k);
    const heap = this.heap;
    // Min-heap whose root is the WORST kept id, so a scan only sifts when it finds a better one.
    // "a worse than b": lower logit, or equal logit and higher id (lower id wins ties).
    const worse = (a: number, b: number): boolean =>
      logits[a] < logits[b] || (logits[a] === logits[b] && a > b);
    const siftDown = (size: number): void => {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) return;
        const r = l + 1;
        const c = r < size && worse(heap[r], heap[l]) ? r : l;
        if (!worse(heap[c], heap[i])) return;
        const tmp = heap[i];
        heap[i] = heap[c];
        heap[c] = tmp;
        i = c;
      }
    };
    let size = 0;
    let rootLogit = -Infinity;
    for (let id = 0; id < logits.length; id++) {
      if (size < k) {
        // Sift up.
        let i = size++;
        heap[i] = id;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (!worse(heap[i], heap[p])) break;
          const tmp = heap[i];
          heap[i] = heap[p];
          heap[p] = tmp;
          i = p;
        }
        if (size === k) rootLogit = logits[heap[0]];
      } else if (logits[id] > rootLogit) {
        // Strictly greater is enough: an equal logit at a later (higher) id loses the tie.
        heap[0] = id;
        siftDown(size);
        rootLogit = logits[heap[0]];
      }
    }
    // Heap-sort in place: repeatedly move the worst to the end → best first.
    for (let end = size - 1; end > 0; end--) {
      const tmp = heap[0];
      heap[0] = heap[end];
      heap[end] = tmp;
      siftDown(end);
    }
    this.ids.set(heap.subarray(0, size));
  }

  /** Length of the shortest ranked prefix whose base mass reaches topP, or −1 if k is too few. */
  private nucleusSize(logits: NumericRow, k: number, logNormalizer: number, topP: number): number {
    let mass = 0;
    for (let j = 0; j < k; j++) {
      mass += Math.exp(logits[this.ids[j]] - logNormalizer);
      if (mass >= topP) return j + 1;
    }
    return -1;
  }

  /** Masked tokens (−Infinity) are never candidates; ranked order puts them last. */
  private dropMasked(count: number, ranked: boolean): number {
    if (ranked) {
      let n = count;
      while (n > 0 && this.logProbs[n - 1] === -Infinity) n--;
      return n;
    }
    let n = 0;
    for (let j = 0; j < count; j++) {
      if (this.logProbs[j] !== -Infinity) {
        this.ids[n] = this.ids[j];
        this.logProbs[n] = this.logProbs[j];
        n++;
      }
    }
    return n;
  }

  private result(count: number, ranked: boolean): CandidateSet {
    // One small object per token; the vocab-sized data stays in the reused buffers.
    return { count, ids: this.ids, baseLogProbs: this.logProbs, ranked };
  }

  private ensureCapacity(n: number): void {
    if (this.ids.length >= n) return;
    this.heap = new Int32Array(n);
    this.ids = new Int32Array(n);
    this.logProbs = new Float64Array(n);
  }
}
