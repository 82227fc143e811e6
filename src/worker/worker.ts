/// <reference lib="webworker" />
/** The Web Worker entry: the engine host bound to this worker's message port. */
import { createHost } from './host.ts';
import type { ClientMessage } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const host = createHost((m) => scope.postMessage(m));
scope.addEventListener('message', (e: MessageEvent<ClientMessage>) => host(e.data));
