/**
 * Foundation, in real Chromium: our decode loop against transformers.js generate(), WebGPU
 * against WASM, abort, progress, hub-style loading, typed load errors, same-origin requests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, startApp, startUnisolatedApp, type AppServer } from './harness.ts';
import { startHub, type HubServer } from './hub-server.ts';

let app: AppServer;
let browser: Browser;
let hub: HubServer;
const PROMPT = 'What does the word lantern mean?';

before(async () => {
  [app, browser, hub] = await Promise.all([startApp(), launchBrowser(), startHub()]);
});
after(async () => {
  await browser.close();
  await Promise.all([app.close(), hub.close()]);
});

const blank = () => openPage(browser, `${app.url}/tests/browser/blank.html`);

for (const [model, dtype] of [['tailor-fixture', 'fp32'], ['tailor-base', 'q8']] as const) {
  test(`WASM ${model} ${dtype}: our loop's greedy tokens equal transformers.js generate()`, async () => {
    const { page } = await blank();
    const r = await page.evaluate(async ({ model, dtype, prompt }) => {
      const { Tailor } = await import('/tests/browser/pages/client.ts');
      const { referenceGreedy } = await import('/tests/browser/pages/reference.ts');
      const t = await Tailor.create({ model, device: 'wasm', dtype, rewardModels: false });
      const ours = await t.complete([{ role: 'user', content: prompt }], { temperature: 0, maxNewTokens: 32 });
      t.close();
      const theirs = await referenceGreedy(model, 'wasm', dtype, prompt, 32);
      return { ours: ours.tokenIds, theirs, device: t.info.device };
    }, { model, dtype, prompt: PROMPT });
    assert.equal(r.device, 'wasm');
    assert.ok(r.ours.length > 0);
    assert.deepEqual(r.ours, r.theirs);
    await page.context().close();
  });
}

test('WebGPU (software adapter) gives the same greedy tokens as WASM', async () => {
  const gpuBrowser = await launchBrowser({ webgpu: true });
  try {
    const { page } = await openPage(gpuBrowser, `${app.url}/tests/browser/blank.html`);
    const r = await page.evaluate(async (prompt) => {
      const { Tailor } = await import('/tests/browser/pages/client.ts');
      const run = async (device: 'webgpu' | 'wasm') => {
        // A fresh worker per execution provider.
        const t = await Tailor.create({ model: 'tailor-fixture', device, dtype: 'fp32', allowFallbackAdapter: true });
        const g = await t.complete([{ role: 'user', content: prompt }], { temperature: 0, maxNewTokens: 8 });
        const info = t.info;
        t.close();
        return { ids: g.tokenIds, device: info.device, adapter: info.adapter };
      };
      return { gpu: await run('webgpu'), cpu: await run('wasm') };
    }, PROMPT);
    assert.equal(r.gpu.device, 'webgpu');
    assert.equal(r.gpu.adapter.isFallback, true);
    assert.equal(r.gpu.ids.length, 8);
    assert.deepEqual(r.gpu.ids, r.cpu.ids);
  } finally {
    await gpuBrowser.close();
  }
});

test('auto device: a software adapter alone means WASM', async () => {
  const gpuBrowser = await launchBrowser({ webgpu: true });
  try {
    const { page } = await openPage(gpuBrowser, `${app.url}/tests/browser/blank.html`);
    const info = await page.evaluate(async () => {
      const { Tailor } = await import('/tests/browser/pages/client.ts');
      const t = await Tailor.create({ model: 'tailor-fixture', dtype: 'fp32' });
      t.close();
      return t.info;
    });
    assert.equal(info.adapter.available, true);
    assert.equal(info.device, 'wasm');
    assert.match(info.reason, /software/);
  } finally {
    await gpuBrowser.close();
  }
});

test('abort stops within one token and the next generation succeeds', async () => {
  const { page } = await blank();
  const r = await page.evaluate(async () => {
    const { Tailor, TailorError } = await import('/tests/browser/pages/client.ts');
    const t = await Tailor.create({ model: 'tailor-fixture', device: 'wasm', dtype: 'fp32' });
    const ctrl = new AbortController();
    let afterAbort = 0;
    let before = 0;
    let code = 'none';
    const g = t.generate([{ role: 'user', content: 'Tell me about the word tree.' }], { maxNewTokens: 400, temperature: 1, signal: ctrl.signal, stop: [] });
    try {
      for await (const _ of g) {
        if (ctrl.signal.aborted) afterAbort++;
        else if (++before === 5) ctrl.abort();
      }
    } catch (e) {
      code = e instanceof TailorError ? e.code : String(e);
    }
    const stopped = await g.result;
    const next = await t.complete([{ role: 'user', content: 'Define lantern.' }], { maxNewTokens: 6, temperature: 0 });
    t.close();
    return { before, afterAbort, code, atAbort: g.tokensAtAbort, generated: stopped.tokenIds.length, reason: stopped.finishReason, next: next.tokenIds.length, isolated: crossOriginIsolated };
  });
  assert.equal(r.isolated, true);
  assert.equal(r.code, 'aborted');
  assert.equal(r.before, 5);
  assert.equal(r.afterAbort, 0, 'no piece reaches the caller after the stop');
  assert.equal(r.reason, 'aborted');
  assert.ok(r.atAbort !== null && r.atAbort >= 5);
  assert.ok(r.generated - r.atAbort! <= 1, `the engine generated ${r.generated - r.atAbort!} tokens after the stop request`);
  assert.ok(r.generated < 400);
  assert.equal(r.next, 6);
});

test('without cross-origin isolation, abort still stops the engine (by message) and the next generation succeeds', async () => {
  const plain = await startUnisolatedApp();
  try {
    const { page } = await openPage(browser, `${plain.url}/tests/browser/blank.html`);
    const r = await page.evaluate(async () => {
      const { Tailor, TailorError } = await import('/tests/browser/pages/client.ts');
      const t = await Tailor.create({ model: 'tailor-fixture', device: 'wasm', dtype: 'fp32' });
      const ctrl = new AbortController();
      let before = 0;
      let code = 'none';
      const g = t.generate([{ role: 'user', content: 'Tell me about the word tree.' }], { maxNewTokens: 400, temperature: 1, signal: ctrl.signal });
      try {
        for await (const _ of g) if (++before === 5) ctrl.abort();
      } catch (e) {
        code = e instanceof TailorError ? e.code : String(e);
      }
      const stopped = await g.result;
      const next = await t.complete([{ role: 'user', content: 'Define lantern.' }], { maxNewTokens: 6, temperature: 0 });
      t.close();
      return { isolated: crossOriginIsolated, threads: t.info.threads, code, reason: stopped.finishReason, generated: stopped.tokenIds.length, atAbort: g.tokensAtAbort, next: next.tokenIds.length };
    });
    assert.deepEqual([r.isolated, r.threads, r.atAbort], [false, 1, null]);
    assert.deepEqual([r.code, r.reason], ['aborted', 'aborted']);
    assert.ok(r.generated >= 5 && r.generated < 400, `${r.generated} tokens`);
    assert.equal(r.next, 6);
  } finally {
    await plain.close();
  }
});

test('progress reaches 100% with bytes per file, loading from a hub-style host', async () => {
  const { page } = await blank();
  const r = await page.evaluate(async (host) => {
    const { Tailor } = await import('/tests/browser/pages/client.ts');
    const seen: { fraction: number; files: { file: string; loaded: number; total: number }[] }[] = [];
    const t = await Tailor.create({ model: 'tailor-fixture', device: 'wasm', dtype: 'fp32', source: { kind: 'hub', host }, onProgress: (p) => seen.push(p) });
    const g = await t.complete([{ role: 'user', content: 'Define lantern.' }], { maxNewTokens: 3, temperature: 0 });
    t.close();
    return { seen, tokens: g.tokenIds.length };
  }, hub.host);
  assert.equal(r.tokens, 3);
  assert.ok(r.seen.length >= 3, 'several progress events');
  const last = r.seen.at(-1)!;
  assert.equal(last.fraction, 1);
  const onnx = last.files.find((f) => f.file === 'onnx/model.onnx');
  assert.ok(onnx && onnx.total > 1_000_000 && onnx.loaded === onnx.total);
  assert.ok(r.seen.some((p) => p.fraction > 0 && p.fraction < 1), 'intermediate progress');
  assert.ok(hub.requests.includes('/tailor-fixture/resolve/main/onnx/model.onnx'));
});

test('a missing model and a corrupt .onnx give typed errors and the worker stays usable', async () => {
  const { page } = await blank();
  const r = await page.evaluate(async (host) => {
    const { Tailor, TailorError } = await import('/tests/browser/pages/client.ts');
    const t = await Tailor.create({ model: 'tailor-fixture', device: 'wasm', dtype: 'fp32' });
    const codeOf = async (p: Promise<unknown>) => p.then(() => 'loaded', (e: unknown) => (e instanceof TailorError ? `${e.code}: ${e.message}` : String(e)));
    const missing = await codeOf(t.load({ model: 'no-such-model', device: 'wasm', dtype: 'fp32' }));
    const corrupt = await codeOf(t.load({ model: 'corrupt-tailor-fixture', source: { kind: 'hub', host }, device: 'wasm', dtype: 'fp32' }));
    const g = await t.complete([{ role: 'user', content: 'Define lantern.' }], { maxNewTokens: 4, temperature: 0 });
    t.close();
    return { missing, corrupt, tokens: g.tokenIds.length, model: t.info.model };
  }, hub.host);
  assert.match(r.missing, /^model-not-found: .*no-such-model/);
  assert.match(r.corrupt, /^corrupt-model: .*corrupt/);
  assert.equal(r.tokens, 4);
  assert.equal(r.model, 'tailor-fixture');
});
