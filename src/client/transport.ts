/**
 * How the client reaches the engine host. The engine is the same either way; only the pipe
 * differs (web-llm's idea): a dedicated Web Worker (the default, keeps the page responsive) or the
 * same thread (benchmarks, environments without workers).
 */
import type { ClientMessage, WorkerMessage } from '../worker/protocol.ts';

export interface Transport {
  send(msg: ClientMessage): void;
  onMessage(listener: (msg: WorkerMessage) => void): void;
  /** Crashes of the host itself (a worker that failed to start or died). */
  onFailure(listener: (message: string) => void): void;
  close(): void;
}

export function workerTransport(): Transport {
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'tailor-engine' });
  return {
    send: (msg) => worker.postMessage(msg),
    onMessage: (listener) => worker.addEventListener('message', (e: MessageEvent<WorkerMessage>) => listener(e.data)),
    onFailure: (listener) => worker.addEventListener('error', (e) => listener(e.message || 'The engine worker failed to start.')),
    close: () => worker.terminate(),
  };
}

/** Runs the host in this thread. Messages still go through the protocol, asynchronously. */
export async function inProcessTransport(): Promise<Transport> {
  const { createHost } = await import('../worker/host.ts');
  const listeners: ((m: WorkerMessage) => void)[] = [];
  const host = createHost((m) => queueMicrotask(() => listeners.forEach((l) => l(m))));
  return {
    send: (msg) => queueMicrotask(() => host(msg)),
    onMessage: (l) => listeners.push(l),
    onFailure: () => {},
    close: () => host({ type: 'unload', id: -1 }),
  };
}
