/**
 * The page at `/`, driven as a person would: progress bar, backend badge, prompt box, streaming
 * answer, stop button, keyboard, and errors shown in the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, startBuiltApp, useAppInBrowser } from './harness.ts';

const env = useAppInBrowser();

const ready = 'body[data-ready="true"]';

test('the page loads the model with a progress bar, says which backend runs, and streams an answer', async () => {
  const { page } = await openPage(env.browser, `${env.app.url}/?model=tailor-fixture&dtype=fp32`);
  await page.waitForSelector(ready, { timeout: 60_000 });
  assert.equal(await page.$eval('#load-progress', (p) => (p as HTMLProgressElement).value), 1);
  assert.match((await page.textContent('#load-bytes')) ?? '', /100%/);
  assert.match((await page.textContent('#backend')) ?? '', /^WASM · fp32 · [1-4] threads?$/);
  await page.fill('#max-tokens', '12');
  await page.click('#generate');
  await page.waitForFunction(() => document.querySelectorAll('#output .tok').length > 0);
  await page.waitForFunction(() => !(document.getElementById('generate') as HTMLButtonElement).disabled);
  assert.ok((await page.$$('#output .tok')).length >= 8);
  assert.match((await page.textContent('#speed')) ?? '', /12 tokens · \d+ tokens\/s/);
  // Keyboard: Ctrl+Enter in the prompt generates again.
  await page.fill('#max-tokens', '5');
  await page.focus('#prompt');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => /^5 tokens/.test(document.getElementById('speed')?.textContent ?? ''));
  await page.context().close();
});

test('the stop button (and Escape) stops a long answer and the page stays usable', async () => {
  const { page } = await openPage(env.browser, `${env.app.url}/?model=tailor-fixture&dtype=fp32`);
  await page.waitForSelector(ready, { timeout: 60_000 });
  await page.fill('#max-tokens', '400');
  await page.fill('#temperature', '1');
  await page.click('#generate');
  await page.waitForFunction(() => document.querySelectorAll('#output .tok').length >= 3);
  await page.click('#stop');
  await page.waitForFunction(() => document.getElementById('speed')?.textContent === 'stopped');
  await page.waitForSelector('#generate:enabled');
  const n = (await page.$$('#output .tok')).length;
  assert.ok(n < 400, `stopped after ${n} tokens`);
  await page.click('#generate');
  await page.waitForFunction(() => document.querySelectorAll('#output .tok').length >= 3);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('speed')?.textContent === 'stopped');
  await page.waitForSelector('#generate:enabled');
  assert.equal(await page.isEnabled('#stop'), false);
  await page.context().close();
});

test('a missing model shows a typed error in the page', async () => {
  const { page } = await openPage(env.browser, `${env.app.url}/?model=no-such-model`);
  await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
  assert.equal(await page.getAttribute('#error', 'data-code'), 'model-not-found');
  assert.match((await page.textContent('#error')) ?? '', /no-such-model/);
  assert.match((await page.textContent('#load-label')) ?? '', /Could not load no-such-model/);
  await page.context().close();
});

test('the production build (npm start) is cross-origin isolated and makes only same-origin requests', async () => {
  const built = await startBuiltApp();
  try {
    const rec = await openPage(env.browser, `${built.url}/?model=tailor-fixture&dtype=fp32`);
    const { page } = rec;
    await page.waitForSelector(ready, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    await page.fill('#max-tokens', '6');
    await page.click('#generate');
    await page.waitForFunction(() => /^6 tokens/.test(document.getElementById('speed')?.textContent ?? ''));
    const origin = new URL(built.url).origin;
    assert.ok(rec.requests.length > 5);
    assert.deepEqual(rec.requests.filter((r) => new URL(r.url).origin !== origin && !r.url.startsWith('blob:')).map((r) => r.url), []);
    assert.ok(rec.requests.some((r) => r.url.endsWith('/ort/ort-wasm-simd-threaded.asyncify.wasm')), 'the runtime comes from the app itself');
    const res = await fetch(`${built.url}/ort/ort-wasm-simd-threaded.asyncify.mjs`);
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    await page.context().close();
  } finally {
    await built.close();
  }
});
