/**
 * The page's settings, from its URL (so a link or a test can choose them):
 *   ?model=tailor-base&device=auto|wasm|webgpu&dtype=q8&fallback=1&host=http://...&rm=0&threads=2
 */
import type { DevicePreference, Dtype } from '../models/device.ts';
import type { LoadOptions } from '../worker/protocol.ts';

export const DEFAULT_MODEL = 'tailor-base';

export function loadOptionsFromUrl(search: string): LoadOptions {
  const q = new URLSearchParams(search);
  const host = q.get('host');
  const threads = q.get('threads');
  return {
    model: q.get('model') ?? DEFAULT_MODEL,
    device: (q.get('device') as DevicePreference | null) ?? 'auto',
    dtype: (q.get('dtype') as Dtype | null) ?? undefined,
    allowFallbackAdapter: q.get('fallback') === '1',
    source: host ? { kind: 'hub', host } : undefined,
    rewardModels: q.get('rm') !== '0',
    threads: threads ? Number(threads) : undefined,
  };
}
