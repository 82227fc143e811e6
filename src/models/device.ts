/**
 * Pure device and dtype resolution (no GPU calls here, so it is unit-tested): the worker probes
 * the adapter once and passes what it found.
 */
import { TailorError } from '../errors.ts';

export type Device = 'webgpu' | 'wasm';
export type DevicePreference = Device | 'auto';
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

/** What the worker found out about WebGPU. `null` adapter = no WebGPU at all. */
export interface AdapterInfo {
  available: boolean;
  /** A software adapter such as SwiftShader: works, but WASM is far faster. */
  isFallback: boolean;
  features: readonly string[];
  description?: string;
}

export interface DeviceRequest {
  device: DevicePreference;
  dtype?: Dtype;
  /** Treat a software fallback adapter as a GPU (tests do, to check WebGPU correctness). */
  allowFallbackAdapter?: boolean;
}

export interface DeviceChoice {
  device: Device;
  dtype: Dtype;
  /** One sentence a person can read: why this device. */
  reason: string;
}

/** Variants Tailor's models ship (see tools/quantize.py); fp16 variants need `shader-f16`. */
export const SHIPPED_DTYPES: readonly Dtype[] = ['fp32', 'q8', 'q4'];

/** The default dtype per device: int8 MatMulInteger is fastest on WASM; 4-bit MatMulNBits on WebGPU. */
const DEFAULT_DTYPE: Record<Device, Dtype> = { wasm: 'q8', webgpu: 'q4' };

const needsF16 = (d: Dtype) => d === 'fp16' || d === 'q4f16';

export function resolveDevice(req: DeviceRequest, adapter: AdapterInfo, available: readonly Dtype[] = SHIPPED_DTYPES): DeviceChoice {
  const gpuUsable = adapter.available && (!adapter.isFallback || req.allowFallbackAdapter === true);
  let device: Device;
  let reason: string;
  if (req.device === 'wasm') {
    device = 'wasm';
    reason = 'WASM was requested.';
  } else if (req.device === 'webgpu') {
    if (!adapter.available) throw new TailorError('unsupported-device', 'WebGPU was requested, but this browser has no WebGPU adapter.');
    device = 'webgpu';
    reason = adapter.isFallback ? 'WebGPU was requested (software adapter).' : 'WebGPU was requested.';
  } else if (gpuUsable) {
    device = 'webgpu';
    reason = 'A WebGPU adapter is available.';
  } else {
    device = 'wasm';
    reason = adapter.available
      ? 'Only a software WebGPU adapter exists, and WASM is faster than it.'
      : 'This browser has no WebGPU adapter.';
  }
  const dtype = req.dtype ?? DEFAULT_DTYPE[device];
  if (!available.includes(dtype)) {
    throw new TailorError('unsupported-device', `The model has no ${dtype} variant (it has ${available.join(', ')}).`);
  }
  if (device === 'webgpu' && needsF16(dtype) && !adapter.features.includes('shader-f16')) {
    throw new TailorError('unsupported-device', `dtype ${dtype} needs the WebGPU feature shader-f16, which this adapter lacks.`);
  }
  return { device, dtype, reason };
}
