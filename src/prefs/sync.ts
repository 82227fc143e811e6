/**
 * Cross-tab change notices over BroadcastChannel 'tailor-prefs'. The message only names the keys
 * that changed; receivers re-read them from storage, so a lost or reordered message can never
 * install stale data (storage stays the single source of truth).
 */
export const CHANNEL_NAME = 'tailor-prefs';

interface ChangeMessage {
  type: 'changed';
  keys: string[];
}

function isChangeMessage(d: unknown): d is ChangeMessage {
  if (typeof d !== 'object' || d === null) return false;
  const m = d as { type?: unknown; keys?: unknown };
  return m.type === 'changed' && Array.isArray(m.keys) && m.keys.every((k) => typeof k === 'string');
}

export interface Sync {
  announce(keys: readonly string[]): void;
  close(): void;
}

export function openSync(name: string, onChange: (keys: string[]) => void): Sync | undefined {
  if (typeof BroadcastChannel !== 'function') return undefined;
  const ch = new BroadcastChannel(name);
  ch.onmessage = (ev: MessageEvent<unknown>) => {
    if (isChangeMessage(ev.data)) onChange(ev.data.keys);
  };
  return {
    announce: (keys) => ch.postMessage({ type: 'changed', keys: [...keys] } satisfies ChangeMessage),
    close: () => ch.close(),
  };
}
