/**
 * Node side of the browser benchmarks: argument parsing, statistics, tables, and one page of the
 * app's dev server (the test harness's startApp / launchBrowser / openPage) whose console lines
 * tagged "[bench]" are echoed to stderr as progress.
 */
import { cpus, loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, startApp, type AppServer, type RecordedPage } from '../tests/browser/harness.ts';

export interface BenchArgs {
  rounds: number;
  maxNewTokens: number;
  /** 0 = the app's default (min(4, navigator.hardwareConcurrency) when cross-origin isolated). */
  threads: number;
  dtype: 'fp32' | 'q8' | 'q4';
  prompts: number;
  /** Extra profiling pass (session.run vs JS time per token). */
  profile: boolean;
}

const USAGE = 'options: --rounds N  --max-new-tokens N  --threads N  --dtype q8|fp32|q4  --prompts N  --no-profile';

export function parseArgs(argv: string[], defaults: BenchArgs): BenchArgs {
  const a = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value (${USAGE})`);
      return v;
    };
    const int = (min: number) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}`);
      return n;
    };
    if (flag === '--rounds') a.rounds = int(1);
    else if (flag === '--max-new-tokens') a.maxNewTokens = int(2);
    else if (flag === '--threads') a.threads = int(0);
    else if (flag === '--prompts') a.prompts = int(1);
    else if (flag === '--dtype') {
      const d = value();
      if (d !== 'fp32' && d !== 'q8' && d !== 'q4') throw new Error('--dtype must be fp32, q8 or q4');
      a.dtype = d;
    } else if (flag === '--profile') a.profile = true;
    else if (flag === '--no-profile') a.profile = false;
    else throw new Error(`unknown argument ${flag} (${USAGE})`);
  }
  return a;
}

/** Linear-interpolated quantile of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (v: readonly number[]) => quantile(v, 0.5);

/** "median [q1 – q3]" */
export function mq(values: readonly number[], digits: number, suffix = ''): string {
  return `${median(values).toFixed(digits)}${suffix} [${quantile(values, 0.25).toFixed(digits)} – ${quantile(values, 0.75).toFixed(digits)}]`;
}

/** A plain-text table with right-aligned cells (first column left-aligned). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export interface BenchPage {
  page: RecordedPage['page'];
  /** Every console line of the page and its workers (for error reports). */
  console: string[];
  close(): Promise<void>;
}

/** The dev server, Chromium and one fresh page on the blank test page. */
export async function openBenchPage(): Promise<BenchPage> {
  let app: AppServer | undefined;
  let browser: Browser | undefined;
  try {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    const rec = await openPage(browser, `${app.url}/tests/browser/blank.html`);
    rec.page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('[bench]')) process.stderr.write(`${text}\n`);
    });
    rec.page.setDefaultTimeout(0);
    const a = app;
    const b = browser;
    return {
      page: rec.page,
      console: rec.console,
      close: async () => {
        await b.close();
        await a.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await app?.close();
    throw e;
  }
}

/** Runs `fn`; on failure prints the page's console (errors inside the page are otherwise opaque). */
/** Calls an exported function of a bench page module (served by Vite at `url`) inside the page. */
export function callPage<T>(p: BenchPage, url: string, fn: string, ...args: unknown[]): Promise<T> {
  return p.page.evaluate(
    async ({ url, fn, args }) => {
      const mod = (await import(/* @vite-ignore */ url)) as Record<string, (...a: unknown[]) => unknown>;
      return mod[fn](...args);
    },
    { url, fn, args },
  ) as Promise<T>;
}

export async function withBenchPage<T>(fn: (p: BenchPage) => Promise<T>): Promise<T> {
  const p = await openBenchPage();
  try {
    return await fn(p);
  } catch (e) {
    process.stderr.write(`\npage console:\n${p.console.filter((l) => !l.includes('[bench]')).slice(-40).join('\n')}\n`);
    throw e;
  } finally {
    await p.close();
  }
}

export function browserVersion(p: BenchPage): string {
  return p.page.context().browser()?.version() ?? 'unknown';
}

/** The parts of a V8 CPU profile (Chrome DevTools Protocol `Profiler.stop`) used here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CpuBreakdown {
  /** Sampled wall time of the page's main thread, ms. */
  totalMs: number;
  /** Self time per category, ms. */
  categories: Map<string, number>;
  /** Self time per function ("name file:line"), ms. */
  functions: Map<string, number>;
}

/** Which part of the stack a frame belongs to, by its script URL. */
function category(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle (waiting: other threads, timers)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)' || fn === '(root)') return 'V8/browser native (unattributed)';
  if (url.startsWith('wasm://') || /^(wasm-function|\$)/.test(fn)) return 'onnxruntime WASM (kernels, session run)';
  if (url.includes('onnxruntime-web') || url.includes('/ort/')) return 'onnxruntime-web JS glue';
  if (url.includes('huggingface_transformers') || url.includes('@huggingface')) return 'transformers.js JS';
  const m = url.match(/\/src\/([a-z]+)\//);
  if (m) return `our JS: src/${m[1]}/`;
  if (url.includes('/bench/')) return 'bench harness JS';
  if (url === '') return 'V8/browser native (unattributed)';
  return 'other JS';
}

/** Starts the sampling CPU profiler of the page's main thread around `run`. */
export async function cpuProfile<T>(p: BenchPage, run: () => Promise<T>, intervalUs = 100): Promise<{ result: T; breakdown: CpuBreakdown }> {
  const cdp = await p.page.context().newCDPSession(p.page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await cdp.send('Profiler.start');
  let result: T;
  let profile: CpuProfile;
  try {
    result = await run();
  } finally {
    profile = ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }).profile;
    await cdp.detach();
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // The time until the next sample belongs to this one.
    const dt = (i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0) / 1000;
    const f = byId.get(profile.samples[i]);
    if (!f) continue;
    total += dt;
    const cat = category(f.url, f.functionName);
    categories.set(cat, (categories.get(cat) ?? 0) + dt);
    const file = f.url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + dt);
  }
  return { result, breakdown: { totalMs: total, categories, functions } };
}

/** Adds `b` into `into`. */
export function mergeBreakdown(into: CpuBreakdown, b: CpuBreakdown): void {
  into.totalMs += b.totalMs;
  for (const [k, v] of b.categories) into.categories.set(k, (into.categories.get(k) ?? 0) + v);
  for (const [k, v] of b.functions) into.functions.set(k, (into.functions.get(k) ?? 0) + v);
}

export const emptyBreakdown = (): CpuBreakdown => ({ totalMs: 0, categories: new Map(), functions: new Map() });

/**
 * CPU-profiles each generation separately, arms alternated per prompt (order flipped each
 * round), so load drift on a shared machine hits every arm alike; returns per-arm sums.
 * `one(arm, prompt)` runs one generation in the page and returns its token count.
 */
export async function cpuProfileAlternating<A extends string>(
  p: BenchPage,
  arms: readonly A[],
  prompts: number,
  rounds: number,
  one: (arm: A, prompt: number) => Promise<number>,
): Promise<Map<A, { tokens: number; breakdown: CpuBreakdown }>> {
  const out = new Map(arms.map((a) => [a, { tokens: 0, breakdown: emptyBreakdown() }]));
  for (let r = 0; r < rounds; r++) {
    for (let pi = 0; pi < prompts; pi++) {
      for (const arm of r % 2 === 0 ? arms : [...arms].reverse()) {
        const { result, breakdown } = await cpuProfile(p, () => one(arm, pi));
        const acc = out.get(arm)!;
        acc.tokens += result;
        mergeBreakdown(acc.breakdown, breakdown);
      }
    }
  }
  return out;
}

/** Category table of several profiled arms side by side, in ms per generated token. */
export function cpuTable(arms: { label: string; tokens: number; breakdown: CpuBreakdown }[]): string {
  const cats = new Map<string, number>();
  for (const a of arms) for (const [c, ms] of a.breakdown.categories) cats.set(c, (cats.get(c) ?? 0) + ms / a.tokens);
  const order = [...cats.entries()].sort((x, y) => y[1] - x[1]).map(([c]) => c);
  const rows = order.map((c) => [c, ...arms.map((a) => ((a.breakdown.categories.get(c) ?? 0) / a.tokens).toFixed(3))]);
  const outside = (b: CpuBreakdown) =>
    [...b.categories.entries()].filter(([c]) => !c.startsWith('onnxruntime') && !c.startsWith('idle')).reduce((s, [, ms]) => s + ms, 0);
  rows.push(['= outside onnxruntime (JS, GC, native)', ...arms.map((a) => (outside(a.breakdown) / a.tokens).toFixed(3))]);
  rows.push(['total sampled', ...arms.map((a) => (a.breakdown.totalMs / a.tokens).toFixed(3))]);
  return table(['self time, ms/token', ...arms.map((a) => a.label)], rows);
}

/** The `n` JS functions with most self time (WASM kernels and idle excluded), ms per token. */
export function topFunctions(b: CpuBreakdown, tokens: number, n: number): string {
  const rows = [...b.functions.entries()]
    .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('wasm-function') && !k.includes('.wasm'))
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([k, ms]) => [k.length > 90 ? `${k.slice(0, 87)}...` : k, (ms / tokens).toFixed(3)]);
  return table(['JS function (self time)', 'ms/token'], rows);
}

/** One line on the host: CPUs and 1-minute load average at the start and the end (noise hint). */
export function hostLine(loadAtStart: number): string {
  return `host: ${cpus().length} CPUs, 1-min load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`;
}
