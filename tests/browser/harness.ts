/**
 * Real-browser test harness: a Vite dev server of the app (COOP/COEP headers, /models/, /ort/)
 * and Debian's Chromium driven by playwright-core, with every request the page makes recorded.
 */
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { after, before } from 'node:test';
import { createServer, type ViteDevServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

let shared: { server: ViteDevServer; url: string; users: number } | null = null;

/**
 * A dev server without cross-origin isolation (no SharedArrayBuffer, one WASM thread), for the
 * code paths a page gets when its host sends no COOP/COEP headers.
 */
export async function startUnisolatedApp(): Promise<AppServer> {
  const server = await listenDevServer({ 'Cross-Origin-Opener-Policy': 'unsafe-none', 'Cross-Origin-Embedder-Policy': 'unsafe-none' });
  return { url: server.url, close: () => server.server.close() };
}

/** A Vite dev server of the app on a free port (headers, when given, replace the isolation ones). */
async function listenDevServer(headers?: Record<string, string>): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { port: 0, host: '127.0.0.1', hmr: false, watch: null, ...(headers ? { headers } : {}) } });
  await server.listen();
  const addr = server.httpServer?.address();
  if (!addr || typeof addr === 'string') throw new Error('dev server has no address');
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

/** One dev server per test file process, shared by its tests. */
export async function startApp(): Promise<AppServer> {
  if (!shared) shared = { ...(await listenDevServer()), users: 0 };
  shared.users++;
  const s = shared;
  return {
    url: s.url,
    close: async () => {
      if (--s.users === 0) {
        shared = null;
        await s.server.close();
      }
    },
  };
}

export async function launchBrowser(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  const args = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  if (opts.webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export interface RecordedPage {
  page: Page;
  context: BrowserContext;
  requests: { url: string; method: string; postData: string | null; headers: Record<string, string> }[];
  console: string[];
}

/** A fresh context (empty cache and storage) and page, recording every request and console line. */
export async function openPage(browser: Browser, url: string): Promise<RecordedPage> {
  const context = await browser.newContext();
  // tsx compiles test files with esbuild's keepNames, which wraps functions passed to
  // page.evaluate in a `__name` helper that the page does not have.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const page = await context.newPage();
  const requests: RecordedPage['requests'] = [];
  const consoleLines: string[] = [];
  const record = (r: Request) => requests.push({ url: r.url(), method: r.method(), postData: r.postData(), headers: r.headers() });
  context.on('request', record);
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('response', (r) => { if (r.status() >= 400) consoleLines.push(`http ${r.status()}: ${r.url()}`); });
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => consoleLines.push(`worker ${m.type()}: ${m.text()}`)));
  await page.goto(url);
  return { page, context, requests, console: consoleLines };
}

/** The production build (`vite build`) served by `vite preview`, as `npm start` does. */
export async function startBuiltApp(): Promise<AppServer> {
  const { build, preview } = await import('vite');
  await build({ configFile: 'vite.config.ts', logLevel: 'error' });
  const server = await preview({ configFile: 'vite.config.ts', logLevel: 'error', preview: { port: 0, host: '127.0.0.1' } });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no address');
  return { url: `http://127.0.0.1:${addr.port}`, close: () => server.close() };
}

/**
 * The usual setup of a browser test file: one app server and one browser for all its tests.
 * The fields are filled in by the time the first test runs.
 */
export function useAppInBrowser(opts: { webgpu?: boolean } = {}): { app: AppServer; browser: Browser } {
  const ctx = {} as { app: AppServer; browser: Browser };
  before(async () => {
    [ctx.app, ctx.browser] = await Promise.all([startApp(), launchBrowser(opts)]);
  });
  after(async () => {
    await ctx.browser.close();
    await ctx.app.close();
  });
  return ctx;
}
