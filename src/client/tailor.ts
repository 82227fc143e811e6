/**
 * The main-thread API:
 *
 *   const t = await Tailor.create({ model: 'tailor-base', onProgress });
 *   for await (const piece of t.generate(messages, { weights: { style: -0.5 }, signal })) ...
 *
 * Errors are `TailorError`s with a code, whichever side of the worker they happened on.
 */
import { TailorError } from '../errors.ts';
import type { LoadProgress } from '../models/progress.ts';
import type {
  ChatMessage,
  ClientMessage,
  GenerateOptions,
  GenerationResult,
  LoadedInfo,
  LoadOptions,
  Piece,
  WorkerMessage,
} from '../worker/protocol.ts';
import { workerTransport, type Transport } from './transport.ts';

export interface CreateOptions extends LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  /** Defaults to a new Web Worker. */
  transport?: Transport | Promise<Transport>;
}

export interface GenerateCallOptions extends GenerateOptions {
  signal?: AbortSignal;
}

interface Pending {
  onMessage(msg: WorkerMessage): void;
  fail(err: TailorError): void;
}

/** A stream of pieces whose final result (text, features, speed) is available after it ends. */
export interface Generation extends AsyncIterable<Piece> {
  /** Resolves when the engine has finished, also after an abort (finishReason 'aborted'). */
  readonly result: Promise<GenerationResult>;
  /** Tokens the engine had generated when abort was requested (null: not aborted, or unknown without cross-origin isolation). */
  readonly tokensAtAbort: number | null;
}

export class Tailor {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  info!: LoadedInfo;

  private constructor(private readonly transport: Transport) {
    transport.onMessage((m) => this.pending.get(m.id)?.onMessage(m));
    transport.onFailure((message) => {
      const err = new TailorError('internal', `The engine stopped: ${message}`);
      for (const p of this.pending.values()) p.fail(err);
      this.pending.clear();
    });
  }

  static async create(options: CreateOptions): Promise<Tailor> {
    const t = new Tailor(await (options.transport ?? workerTransport()));
    await t.load(options);
    return t;
  }

  /** Load (or switch to) a base model and its reward models. */
  load(options: CreateOptions): Promise<LoadedInfo> {
    const { onProgress, transport: _t, ...load } = options;
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, {
        onMessage: (m) => {
          if (m.type === 'progress') onProgress?.(m.progress);
          else if (m.type === 'loaded') {
            this.pending.delete(id);
            this.info = m.info;
            resolve(m.info);
          } else if (m.type === 'error') {
            this.pending.delete(id);
            reject(TailorError.fromData(m.error));
          }
        },
        fail: reject,
      });
      this.send({ type: 'load', id, options: load });
    });
  }

  /** Stream a response. Abort with `signal`: it stops within one token; the engine stays ready. */
  generate(messages: ChatMessage[], options: GenerateCallOptions = {}): Generation {
    const { signal, ...opts } = options;
    const id = this.nextId++;
    const queue: Piece[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let failure: TailorError | null = null;
    let settle!: { resolve: (r: GenerationResult) => void; reject: (e: TailorError) => void };
    const result = new Promise<GenerationResult>((resolve, reject) => (settle = { resolve, reject }));
    result.catch(() => {}); // surfaced through the iterator; avoid an unhandled rejection
    const notify = () => {
      wake?.();
      wake = null;
    };
    const fail = (err: TailorError) => {
      failure = err;
      finished = true;
      this.pending.delete(id);
      settle.reject(err);
      notify();
    };

    // SharedArrayBuffer exists only when cross-origin isolated; then abort needs no event-loop turn.
    const abortFlag = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated ? new SharedArrayBuffer(8) : undefined;
    let stopped = false;
    let tokensAtAbort: number | null = null;
    const onAbort = () => {
      if (abortFlag) {
        const view = new Int32Array(abortFlag);
        Atomics.store(view, 0, 1);
        tokensAtAbort = Atomics.load(view, 1);
      }
      this.send({ type: 'abort', id });
      // Nothing more reaches the caller after a stop, not even pieces already in flight.
      stopped = true;
      queue.length = 0;
      notify();
    };

    this.pending.set(id, {
      onMessage: (m) => {
        if (m.type === 'token') {
          if (!stopped) queue.push(m.piece);
        }
        else if (m.type === 'done') {
          finished = true;
          this.pending.delete(id);
          settle.resolve(m.result);
        } else if (m.type === 'error') return fail(TailorError.fromData(m.error));
        notify();
      },
      fail,
    });

    if (signal?.aborted) {
      fail(new TailorError('aborted', 'The generation was aborted before it started.'));
    } else {
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'generate', id, messages, options: opts, abortFlag });
    }

    const iterate = async function* (): AsyncGenerator<Piece> {
      try {
        while (true) {
          if (stopped) throw new TailorError('aborted', 'The generation was stopped.');
          if (queue.length > 0) {
            yield queue.shift()!;
            continue;
          }
          if (failure) throw failure;
          if (finished) return;
          await new Promise<void>((r) => (wake = r));
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    };
    return {
      result,
      get tokensAtAbort() {
        return tokensAtAbort;
      },
      [Symbol.asyncIterator]: iterate,
    };
  }

  /** Generate to the end and return the whole result (pieces are still streamed to `onPiece`). */
  async complete(messages: ChatMessage[], options: GenerateCallOptions = {}, onPiece?: (p: Piece) => void): Promise<GenerationResult> {
    const g = this.generate(messages, options);
    for await (const p of g) onPiece?.(p);
    return g.result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new TailorError('aborted', 'Tailor was closed.');
    for (const p of this.pending.values()) p.fail(err);
    this.pending.clear();
    this.transport.close();
  }

  private send(msg: ClientMessage): void {
    if (this.closed) throw new TailorError('not-loaded', 'This Tailor instance is closed.');
    this.transport.send(msg);
  }
}
