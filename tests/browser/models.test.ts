/**
 * Every shipped model loads through transformers.js in Chromium — on WASM (q8) and on WebGPU
 * (software adapter; q4 and fp32) — and its greedy output on a fixed prompt is stable: the same
 * from two fresh workers, and the same on WebGPU as on WASM for fp32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, useAppInBrowser } from './harness.ts';

const MODELS = ['tailor-base', 'tailor-rm-expertise', 'tailor-rm-informativeness', 'tailor-rm-style', 'tailor-fixture'];
const PROMPT = 'What does the word lantern mean?';

const env = useAppInBrowser({ webgpu: true });

type Run = { ids: number[]; text: string; device: string; dtype: string };

async function greedy(model: string, device: 'wasm' | 'webgpu', dtype: 'q8' | 'q4' | 'fp32', n: number): Promise<Run> {
  const { page, context } = await openPage(env.browser, `${env.app.url}/tests/browser/blank.html`);
  try {
    return await page.evaluate(async ({ model, device, dtype, n, prompt }) => {
      const { Tailor } = await import('/tests/browser/pages/client.ts');
      const t = await Tailor.create({ model, device, dtype, allowFallbackAdapter: true, rewardModels: false });
      const r = await t.complete([{ role: 'user', content: prompt }], { temperature: 0, maxNewTokens: n });
      t.close();
      return { ids: r.tokenIds, text: r.text, device: t.info.device, dtype: t.info.dtype };
    }, { model, device, dtype, n, prompt: PROMPT });
  } finally {
    await context.close();
  }
}

for (const model of MODELS) {
  test(`${model}: loads on WASM q8 and WebGPU q4/fp32; greedy output is stable`, async () => {
    const a = await greedy(model, 'wasm', 'q8', 16);
    const b = await greedy(model, 'wasm', 'q8', 16);
    assert.deepEqual([a.device, a.dtype], ['wasm', 'q8']);
    assert.equal(a.ids.length > 0, true);
    assert.deepEqual(b.ids, a.ids, 'two fresh workers give the same greedy tokens');
    const q4 = await greedy(model, 'webgpu', 'q4', 3);
    assert.deepEqual([q4.device, q4.dtype], ['webgpu', 'q4']);
    assert.ok(q4.ids.length > 0 && q4.ids.every((t) => Number.isInteger(t) && t >= 0 && t < 4096));
    const gpu = await greedy(model, 'webgpu', 'fp32', 4);
    const cpu = await greedy(model, 'wasm', 'fp32', 4);
    assert.equal(gpu.device, 'webgpu');
    assert.deepEqual(gpu.ids, cpu.ids, 'WebGPU fp32 ≡ WASM fp32');
  });
}
