import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDevice, type AdapterInfo } from '../../../src/models/device.ts';
import { TailorError } from '../../../src/errors.ts';

const none: AdapterInfo = { available: false, isFallback: false, features: [] };
const swiftshader: AdapterInfo = { available: true, isFallback: true, features: [] };
const gpu: AdapterInfo = { available: true, isFallback: false, features: ['shader-f16'] };
const gpuNoF16: AdapterInfo = { available: true, isFallback: false, features: [] };

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TailorError);
    return e.code;
  }
  return 'no error';
};

test('auto picks WebGPU with q4 on a real adapter, WASM with q8 otherwise', () => {
  assert.deepEqual(
    [resolveDevice({ device: 'auto' }, gpu), resolveDevice({ device: 'auto' }, none)].map((c) => [c.device, c.dtype]),
    [['webgpu', 'q4'], ['wasm', 'q8']],
  );
});

test('a software fallback adapter counts as no GPU unless allowed', () => {
  assert.equal(resolveDevice({ device: 'auto' }, swiftshader).device, 'wasm');
  assert.match(resolveDevice({ device: 'auto' }, swiftshader).reason, /software/);
  assert.equal(resolveDevice({ device: 'auto', allowFallbackAdapter: true }, swiftshader).device, 'webgpu');
});

test('forcing a device is honoured; forcing WebGPU without an adapter is a typed error', () => {
  assert.equal(resolveDevice({ device: 'wasm' }, gpu).device, 'wasm');
  assert.equal(resolveDevice({ device: 'webgpu' }, swiftshader).device, 'webgpu');
  assert.equal(code(() => resolveDevice({ device: 'webgpu' }, none)), 'unsupported-device');
});

test('fp16 variants need shader-f16; dtypes the model lacks are refused', () => {
  assert.equal(code(() => resolveDevice({ device: 'webgpu', dtype: 'q4f16' }, gpuNoF16, ['fp32', 'q4f16'])), 'unsupported-device');
  assert.equal(resolveDevice({ device: 'webgpu', dtype: 'q4f16' }, gpu, ['q4f16']).dtype, 'q4f16');
  assert.equal(code(() => resolveDevice({ device: 'wasm', dtype: 'fp16' }, none)), 'unsupported-device');
  assert.equal(resolveDevice({ device: 'wasm', dtype: 'fp32' }, none).dtype, 'fp32');
});
