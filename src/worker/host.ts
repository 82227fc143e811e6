/**
 * The engine host: receives protocol messages, runs one request at a time, answers with protocol
 * messages. Transport-agnostic: the worker entry binds it to `self`, the in-process transport to
 * a callback.
 */
import { TailorError } from '../errors.ts';
import type { ClientMessage, WorkerMessage } from './protocol.ts';
import { EngineSession } from './session.ts';

interface AbortState {
  requested: boolean;
  flag: Int32Array | null;
}

/**
 * Without a shared abort flag, give the message queue a turn so an 'abort' can arrive. One
 * channel serves every token (a macrotask without setTimeout's clamping).
 */
function eventTurns(): () => Promise<void> {
  const ch = new MessageChannel();
  let wake: (() => void) | null = null;
  ch.port1.onmessage = () => wake?.();
  return () => new Promise<void>((r) => {
    wake = r;
    ch.port2.postMessage(null);
  });
}

export function createHost(post: (m: WorkerMessage) => void): (m: ClientMessage) => void {
  let session: EngineSession | null = null;
  let queue: Promise<void> = Promise.resolve();
  const aborts = new Map<number, AbortState>();
  const yieldToEvents = eventTurns();

  const fail = (id: number, e: unknown) => {
    const err = e instanceof TailorError ? e : new TailorError('internal', e instanceof Error ? e.message : String(e));
    post({ type: 'error', id, error: err.toData() });
  };

  async function run(msg: ClientMessage): Promise<void> {
    if (msg.type === 'load') {
      // A failed load keeps the previous model usable.
      const next = await EngineSession.load(msg.options, (progress) => post({ type: 'progress', id: msg.id, progress }));
      const old = session;
      session = next;
      await old?.dispose();
      post({ type: 'loaded', id: msg.id, info: next.info });
    } else if (msg.type === 'generate') {
      const state = aborts.get(msg.id)!;
      try {
        if (!session) throw new TailorError('not-loaded', 'No model is loaded yet.');
        const shouldAbort = () => state.requested || (state.flag !== null && Atomics.load(state.flag, 0) === 1);
        const gen = session.generate(msg.messages, msg.options, shouldAbort);
        while (true) {
          const next = await gen.next();
          if (next.done) {
            post({ type: 'done', id: msg.id, result: next.value });
            break;
          }
          // Slot 1 counts generated tokens (before the post, so it never lags what the client
          // has seen), so the client can tell how many came after its stop request.
          if (state.flag) Atomics.add(state.flag, 1, 1);
          post({ type: 'token', id: msg.id, piece: next.value });
          if (!state.flag) await yieldToEvents();
        }
      } finally {
        aborts.delete(msg.id);
      }
    } else if (msg.type === 'unload') {
      await session?.dispose();
      session = null;
      post({ type: 'unloaded', id: msg.id });
    }
  }

  return (msg) => {
    if (msg.type === 'abort') {
      const a = aborts.get(msg.id);
      if (a) a.requested = true;
      return;
    }
    if (msg.type === 'generate') aborts.set(msg.id, { requested: false, flag: msg.abortFlag ? new Int32Array(msg.abortFlag) : null });
    queue = queue.then(() => run(msg)).catch((e: unknown) => fail(msg.id, e));
  };
}
