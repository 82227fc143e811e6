/**
 * Node-side helpers shared by prefs.test.ts and privacy.test.ts: open the app with a model that
 * has preference dimensions, move sliders as a person would, and read what IndexedDB holds
 * (through raw-idb.ts, in the page).
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { openPage, type AppServer, type RecordedPage } from '../harness.ts';

export const MODEL = 'tailor-base';
export const DIMS = ['expertise', 'informativeness', 'style'] as const;
export const READY = 'body[data-ready="true"]';

/**
 * `?model=tailor-base&rm=1` loads the base and its three reward models. While the reward models
 * are not on disk (being retrained), the page is opened with rm=0 and every dimension switched to
 * its prompted source, so the preference flows still run on three dimensions.
 */
export const REWARD_MODELS = DIMS.every((d) => existsSync(`public/models/tailor-rm-${d}/config.json`));
export const APP_PATH = `/?model=${MODEL}&rm=${REWARD_MODELS ? 1 : 0}`;

export interface OpenAppOptions {
  /** Init scripts (source text) that run before the app's own code, on every load. */
  init?: string[];
  /** Path + query (default APP_PATH). */
  path?: string;
  /** Wait for the app to be ready (default true). */
  ready?: boolean;
}

/** A fresh context whose page shows the app; init scripts are installed before it loads. */
export async function openApp(browser: Browser, app: AppServer, opts: OpenAppOptions = {}): Promise<RecordedPage> {
  const rec = await openPage(browser, `${app.url}/tests/browser/blank.html`);
  for (const content of opts.init ?? []) await rec.context.addInitScript({ content });
  await rec.page.goto(app.url + (opts.path ?? APP_PATH));
  if (opts.ready !== false) await appReady(rec.page);
  return rec;
}

/** Another tab of the same context (same storage), showing the app. */
export async function openTab(rec: RecordedPage, app: AppServer): Promise<Page> {
  const page = await rec.context.newPage();
  page.on('pageerror', (e) => rec.console.push(`pageerror(tab): ${e.message}`));
  await page.goto(app.url + APP_PATH);
  await appReady(page);
  return page;
}

/** Waits until the app is ready (or fails with the page's own error), then sets it up for fast runs. */
export async function appReady(page: Page): Promise<void> {
  await page.waitForSelector(`${READY}, #error:not([hidden])`, { timeout: 120_000 });
  if (!(await page.$(READY))) throw new Error(`the app did not start: ${await page.textContent('#error')}`);
  await page.fill('#max-tokens', '16');
  if (!REWARD_MODELS) for (const d of DIMS) await page.selectOption(`#src-${d}`, 'prompted');
}

export async function reload(page: Page): Promise<void> {
  await page.reload();
  await appReady(page);
}

/** Moves a slider as the browser does for a drag: new value, then an 'input' event. */
export async function setSlider(page: Page, dim: string, value: number): Promise<void> {
  await page.$eval(`#w-${dim}`, (el, v) => {
    const input = el as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

export async function sliders(page: Page): Promise<Record<string, number>> {
  return page.$$eval('#sliders input[type="range"]', (els) =>
    Object.fromEntries(els.map((e) => [e.id.replace(/^w-/, ''), Number((e as HTMLInputElement).value)])),
  );
}

/** Raw contents of the preferences database, key → value. */
export async function stored(page: Page): Promise<Record<string, any>> {
  return page.evaluate(async () => {
    const idb = await import('/tests/browser/pages/raw-idb.ts');
    return Object.fromEntries(await idb.entries());
  });
}

export async function rawPut(page: Page, key: string, value: unknown): Promise<void> {
  await page.evaluate(async ([k, v]) => {
    const idb = await import('/tests/browser/pages/raw-idb.ts');
    await idb.put(k as string, v);
  }, [key, value] as const);
}

/** Stored profiles by id (only the 'profile:' records). */
export async function storedProfiles(page: Page): Promise<Record<string, any>> {
  const all = await stored(page);
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('profile:')).map(([k, v]) => [k.slice('profile:'.length), v]));
}

export async function activeId(page: Page): Promise<string | undefined> {
  return (await stored(page)).active?.id;
}

/** Polls the stored data until `check` passes (its last failure is thrown on timeout). */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => void, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    try {
      check(v);
      return v;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The stored weights of one profile for MODEL. */
export const weightsOf = (p: any): Record<string, number> => p?.weights?.[MODEL] ?? {};

/** Selected profile in the #profile select: { id, name }. */
export async function selectedProfile(page: Page): Promise<{ id: string; name: string; count: number }> {
  return page.$eval('#profile', (s) => {
    const sel = s as HTMLSelectElement;
    return { id: sel.value, name: sel.selectedOptions[0]?.textContent ?? '', count: sel.options.length };
  });
}

/** Clicks #profile-new, answering the name prompt; resolves once the new profile is selected. */
export async function newProfile(page: Page, name: string): Promise<string> {
  const before = (await selectedProfile(page)).count;
  page.once('dialog', (d) => void d.accept(name));
  await page.click('#profile-new');
  await page.waitForFunction(
    ([n, name]) => {
      const s = document.getElementById('profile') as HTMLSelectElement;
      return s.options.length === n + 1 && s.selectedOptions[0]?.textContent === name;
    },
    [before, name] as const,
  );
  return (await selectedProfile(page)).id;
}

/** Generates with the current settings and waits until the answer is complete. */
export async function generate(page: Page): Promise<string> {
  await page.evaluate(() => {
    document.getElementById('speed')!.textContent = '';
    document.getElementById('error')!.hidden = true;
  });
  await page.click('#generate');
  await page.waitForFunction(() => /^\d+ tokens/.test(document.getElementById('speed')?.textContent ?? '') || !document.getElementById('error')?.hidden);
  await page.waitForSelector('#generate:enabled');
  const err = await page.$('#error:not([hidden])');
  if (err) throw new Error(`generate failed: ${await err.textContent()}`);
  return (await page.textContent('#output')) ?? '';
}
