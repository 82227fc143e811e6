/**
 * Personalized decoding with the demo models, in Chromium on WASM: moving one dimension's weight
 * from −1 to 0 to +1 moves an independent measure of that dimension monotonically over 20 seeded
 * held-out prompts, for both reward sources, and moves the other dimensions less.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, startApp, type AppServer } from './harness.ts';
import { startHub, type HubServer } from './hub-server.ts';
import { DIMENSIONS, mean, measure, sd, type DimensionName } from './lib/measures.ts';

const PROMPTS = (JSON.parse(readFileSync('public/models/tailor-base/heldout_prompts.json', 'utf8')) as string[]).slice(0, 20);
const WEIGHTS = [-1, 0, 1] as const;
const MAX_NEW_TOKENS = 120;

let app: AppServer;
let browser: Browser;
let hub: HubServer;
let page: Page;

before(async () => {
  [app, browser, hub] = await Promise.all([startApp(), launchBrowser(), startHub()]);
  page = (await openPage(browser, `${app.url}/tests/browser/blank.html`)).page;
  await page.evaluate(async () => {
    const { Tailor } = await import('/tests/browser/pages/client.ts');
    const t = await Tailor.create({ model: 'tailor-base', device: 'wasm', dtype: 'q8' });
    (globalThis as unknown as { tailor: typeof t }).tailor = t;
  });
});
after(async () => {
  await browser.close();
  await Promise.all([app.close(), hub.close()]);
});

interface Answer {
  text: string;
  tokens: number;
}

/** Answers to every prompt with one dimension's weight set (seed = prompt index). */
function answers(dim: DimensionName, weight: number, source: 'reward-model' | 'prompted'): Promise<Answer[]> {
  return page.evaluate(async ({ prompts, dim, weight, source, max }) => {
    type T = import('../../src/client/tailor.ts').Tailor;
    const t = (globalThis as unknown as { tailor: T }).tailor;
    const out: { text: string; tokens: number }[] = [];
    for (let i = 0; i < prompts.length; i++) {
      const r = await t.complete([{ role: 'user', content: prompts[i] }], {
        weights: { [dim]: weight }, sources: { [dim]: source }, seed: i + 1, temperature: 0.7, maxNewTokens: max,
      });
      out.push({ text: r.text, tokens: r.tokenIds.length });
    }
    return out;
  }, { prompts: PROMPTS, dim, weight, source, max: MAX_NEW_TOKENS });
}

const neutral = new Map<string, Answer[]>();
async function at(dim: DimensionName, w: number, source: 'reward-model' | 'prompted'): Promise<Answer[]> {
  if (w !== 0) return answers(dim, w, source);
  // Weight 0 is plain decoding whatever the dimension or source: computed once.
  if (!neutral.has('plain')) neutral.set('plain', await answers(dim, 0, source));
  return neutral.get('plain')!;
}

for (const source of ['reward-model', 'prompted'] as const) {
  test(`${source}: each dimension's weight moves its own measure monotonically, the others less`, async () => {
    const plain = await at('expertise', 0, source);
    const spread = Object.fromEntries(DIMENSIONS.map((m) => [m, Math.max(sd(plain.map((a) => measure(m, a)))), 1e-9])) as Record<DimensionName, number>;
    const rows: string[] = [];
    const failures: string[] = [];
    for (const dim of DIMENSIONS) {
      const byWeight = [] as Answer[][];
      for (const w of WEIGHTS) byWeight.push(await at(dim, w, source));
      const means = Object.fromEntries(DIMENSIONS.map((m) => [m, byWeight.map((as) => mean(as.map((a) => measure(m, a))))])) as Record<DimensionName, number[]>;
      const own = means[dim];
      rows.push(`${source} ${dim.padEnd(16)} ` + DIMENSIONS.map((m) => `${m}: ${means[m].map((x) => x.toFixed(2)).join(' / ')}`).join(' | '));
      if (!(own[0] < own[1] && own[1] < own[2])) failures.push(`${dim}: its measure is not monotonic over w = -1/0/+1: ${own.map((x) => x.toFixed(2)).join(' / ')}`);
      const effect = (m: DimensionName) => Math.abs(means[m][2] - means[m][0]) / spread[m];
      for (const other of DIMENSIONS.filter((m) => m !== dim)) {
        if (!(effect(other) < effect(dim))) failures.push(`${dim}: moved ${other} (${effect(other).toFixed(2)} sd) as much as itself (${effect(dim).toFixed(2)} sd)`);
      }
    }
    console.log(rows.join('\n'));
    assert.deepEqual(failures, []);
  });
}

test('all weights 0 reproduces plain decoding token for token, with reward models and prompts loaded', async () => {
  const r = await page.evaluate(async (prompt) => {
    type T = import('../../src/client/tailor.ts').Tailor;
    const t = (globalThis as unknown as { tailor: T }).tailor;
    const msgs = [{ role: 'user' as const, content: prompt }];
    const plain = await t.complete(msgs, { seed: 7, temperature: 0.9, maxNewTokens: 40 });
    const zeros = await t.complete(msgs, { seed: 7, temperature: 0.9, maxNewTokens: 40, weights: { expertise: 0, informativeness: 0, style: 0 } });
    const steered = await t.complete(msgs, { seed: 7, temperature: 0.9, maxNewTokens: 40, weights: { informativeness: 1.5 } });
    return { plain: plain.tokenIds, zeros: zeros.tokenIds, steered: steered.tokenIds };
  }, PROMPTS[0]);
  assert.deepEqual(r.zeros, r.plain);
  assert.notDeepEqual(r.steered, r.plain);
});

test('each token carries its explanation; features cover every dimension; bad weights are a typed error', async () => {
  const r = await page.evaluate(async (prompt) => {
    const { TailorError } = await import('/tests/browser/pages/client.ts');
    type T = import('../../src/client/tailor.ts').Tailor;
    const t = (globalThis as unknown as { tailor: T }).tailor;
    const msgs = [{ role: 'user' as const, content: prompt }];
    const pieces: { contributions: Record<string, number>; base: number; score: number }[] = [];
    const g = t.generate(msgs, { seed: 3, maxNewTokens: 12, weights: { style: -0.8, expertise: 0.5 }, sources: { expertise: 'prompted' }, features: true });
    for await (const p of g) pieces.push({ contributions: p.explanation.contributions, base: p.explanation.baseLogProb, score: p.explanation.score });
    const result = await g.result;
    const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof TailorError ? e.code : String(e)));
    return {
      pieces,
      features: result.sequenceRewards,
      sources: result.sources,
      nan: await codeOf(t.complete(msgs, { weights: { style: Number.NaN } })),
      big: await codeOf(t.complete(msgs, { weights: { style: 99 } })),
      unknown: await codeOf(t.complete(msgs, { weights: { humour: 1 } })),
    };
  }, PROMPTS[1]);
  assert.equal(r.pieces.length, 12);
  for (const p of r.pieces) {
    assert.deepEqual(Object.keys(p.contributions).sort(), ['expertise', 'style']);
    const sum = p.base + p.contributions.expertise + p.contributions.style;
    assert.ok(Math.abs(sum - p.score) < 1e-4);
  }
  assert.deepEqual(Object.keys(r.features).sort(), ['expertise', 'informativeness', 'style']);
  assert.ok(Object.values(r.features).every(Number.isFinite));
  assert.deepEqual(r.sources, { expertise: 'prompted', informativeness: 'reward-model', style: 'reward-model' });
  assert.deepEqual([r.nan, r.big, r.unknown], ['invalid-weights', 'invalid-weights', 'invalid-weights']);
});

test('a reward model whose vocabulary differs from the base is refused at load', async () => {
  const r = await page.evaluate(async (host) => {
    const { Tailor, TailorError } = await import('/tests/browser/pages/client.ts');
    try {
      const t = await Tailor.create({ model: 'tailor-fixture', source: { kind: 'hub', host }, device: 'wasm', dtype: 'fp32', rewardModels: ['foreignvocab-tailor-fixture'] });
      t.close();
      return 'loaded';
    } catch (e) {
      return e instanceof TailorError ? `${e.code}: ${e.message}` : String(e);
    }
  }, hub.host);
  assert.match(r, /^vocab-mismatch: Reward model "foreignvocab-tailor-fixture" maps token/);
});

test('WebGPU (software adapter): a personalized request runs base and reward model on the GPU', async () => {
  const gpuBrowser = await launchBrowser({ webgpu: true });
  try {
    const { page: gpuPage } = await openPage(gpuBrowser, `${app.url}/tests/browser/blank.html`);
    const r = await gpuPage.evaluate(async (prompt) => {
      const { Tailor } = await import('/tests/browser/pages/client.ts');
      const run = async (device: 'webgpu' | 'wasm') => {
        const t = await Tailor.create({ model: 'tailor-base', device, dtype: 'fp32', allowFallbackAdapter: true, rewardModels: ['tailor-rm-informativeness'] });
        const g = await t.complete([{ role: 'user', content: prompt }], { temperature: 0, maxNewTokens: 6, weights: { informativeness: 1 }, sources: { informativeness: 'reward-model' } });
        t.close();
        return { ids: g.tokenIds, device: t.info.device };
      };
      return { gpu: await run('webgpu'), cpu: await run('wasm') };
    }, PROMPTS[2]);
    assert.equal(r.gpu.device, 'webgpu');
    assert.deepEqual(r.gpu.ids, r.cpu.ids);
  } finally {
    await gpuBrowser.close();
  }
});
