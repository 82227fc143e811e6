import type { AdapterInfo } from './device.ts';

/** Minimal shape of the WebGPU API we touch (the DOM lib has no WebGPU types here). */
interface GpuAdapterLike {
  features: ReadonlySet<string>;
  info?: { description?: string; architecture?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

export async function probeWebGpu(): Promise<AdapterInfo> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { available: false, isFallback: false, features: [] };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, isFallback: false, features: [] };
    const isFallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    const description = [adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ');
    return { available: true, isFallback, features: [...adapter.features], description };
  } catch {
    return { available: false, isFallback: false, features: [] };
  }
}
