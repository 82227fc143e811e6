/**
 * Cost of personalization (a benchmark, not a test).
 *   npm run bench -- personalized [--rounds 8] [--max-new-tokens 48] [--threads 0] [--dtype q8] [--prompts 4]
 *                                 [--modes plain,rm-1,rm-3,prompted-3] [--models-path /models/] [--no-profile]
 *
 * One Chromium page, WASM, tailor-base and its reward models, greedy (temperature 0), the Tailor
 * client over the in-process transport (same thread as the bare loops). Per prompt of every
 * round, alternating (order rotated each round):
 *   plain       weights {}
 *   rm-1        informativeness = 1 from its reward model
 *   rm-3        all three dimensions = 1 from their reward models
 *   prompted-3  all three dimensions = 1, prompted (4 rows in one batched base forward)
 *   alone:<m>   a bare loop of model m alone (load.ts + TransformersCausalLM, no engine):
 *               prefill the plain prompt + one step per token, the forwards a generation needs
 *   alone:<base>×4  the same with prompted-3's 4 rows batched (informative)
 * ms/token = time / actual generated tokens (call → result for modes, prefill → last step alone).
 * Ratios are computed per round, then the median over rounds is reported:
 *   rm-1        ms(rm-1) / (ms(alone base) + ms(alone RM informativeness))     target ≤ 1.15
 *   rm-3        ms(rm-3) / (ms(alone base) + Σ ms(alone RM))                    target ≤ 1.15
 *   prompted-3  ms(prompted-3) / ms(plain)                                      target ≤ 2
 */
import type { ModeName, ItemProfile, PersonalizedBenchConfig, PersonalizedBenchRaw, Sample } from './pages/personalized-page.ts';
import { loadavg } from 'node:os';
import { browserVersion, callPage, hostLine, cpuProfileAlternating, cpuTable, median, mq, parseArgs, quantile, table, topFunctions, withBenchPage, type CpuBreakdown } from './lib.ts';

const ALL_MODES: ModeName[] = ['plain', 'rm-1', 'rm-3', 'prompted-3'];
const argv = process.argv.slice(2);
let modes = ALL_MODES;
const mi = argv.indexOf('--modes');
if (mi >= 0) {
  const list = (argv[mi + 1] ?? '').split(',').filter(Boolean);
  const bad = list.filter((m) => !ALL_MODES.includes(m as ModeName));
  if (list.length === 0 || bad.length > 0) throw new Error(`--modes takes a comma list of ${ALL_MODES.join(', ')}`);
  modes = ALL_MODES.filter((m) => list.includes(m));
  argv.splice(mi, 2);
}
let modelsPath = '/models/';
const pi = argv.indexOf('--models-path');
if (pi >= 0) {
  modelsPath = argv[pi + 1] ?? '';
  if (!modelsPath.startsWith('/')) throw new Error('--models-path takes a server path such as /models/');
  argv.splice(pi, 2);
}
const args = parseArgs(argv, { rounds: 8, maxNewTokens: 48, threads: 0, dtype: 'q8', prompts: 4, profile: true });
const cfg: PersonalizedBenchConfig = { model: 'tailor-base', dtype: args.dtype, threads: args.threads, rounds: args.rounds, maxNewTokens: args.maxNewTokens, prompts: args.prompts, profile: args.profile, modes, modelsPath };

const loadAtStart = loadavg()[0];
const PAGE = '/bench/pages/personalized-page.ts';
const { raw, browser, cpu } = await withBenchPage(async (p) => {
  const raw = await callPage<PersonalizedBenchRaw>(p, PAGE, 'runPersonalizedBench', cfg);
  // CPU-profiled passes (V8 sampling profiler of the main thread), one mode at a time.
  const cpu: { label: string; tokens: number; breakdown: CpuBreakdown }[] = [];
  if (cfg.profile) {
    process.stderr.write('[bench] CPU-profiled pass (1 round, modes alternated)\n');
    const res = await cpuProfileAlternating(p, cfg.modes, raw.prompts.length, 1, (mode, prompt) =>
      callPage<number>(p, PAGE, 'runMode', mode, prompt),
    );
    for (const mode of cfg.modes) cpu.push({ label: mode, ...res.get(mode)! });
  }
  await callPage(p, PAGE, 'finishPersonalizedBench');
  return { raw, browser: browserVersion(p), cpu };
});

const c = raw.config;
const rounds = [...new Set(raw.samples.map((s) => s.round))];
const items = [...new Set(raw.samples.map((s) => s.item))];
/** ms per token of `item` in `round`: Σ ms / Σ tokens over the prompts. */
const perRound = (item: string, round: number) => {
  const s = raw.samples.filter((x: Sample) => x.item === item && x.round === round);
  return s.reduce((a, x) => a + x.ms, 0) / s.reduce((a, x) => a + x.tokens, 0);
};
const series = (item: string) => rounds.map((r) => perRound(item, r));
const has = (item: string) => items.includes(item);
const base = `alone:${c.model}`;
const rmAlone = (dim: string) => `alone:${c.rmOf[dim]}`;

console.log('Benchmark: personalized — per-token cost of personalization modes');
console.log(
  `config: model ${c.model}${c.rewardModels.length ? ` + reward models ${c.rewardModels.join(', ')}` : ''}, dtype ${c.dtype}, device WASM, threads ${c.threadsUsed} ` +
    `(ort numThreads ${c.ortNumThreads}, hardwareConcurrency ${c.hardwareConcurrency}, crossOriginIsolated ${c.crossOriginIsolated}), client in-process (main thread), ` +
    `greedy, ${c.maxNewTokens} max new tokens, ${raw.prompts.length} prompts × ${c.rounds} rounds after 1 warm-up round, modes ${c.modes.join(', ')}, Chromium ${browser}`,
);
console.log(hostLine(loadAtStart));
console.log('prompts (held-out: first on which every mode reaches the cap, then those with the longest shortest answer):');
raw.prompts.forEach((p, i) => {
  const counts = c.modes.map((m) => `${m} ${raw.samples.find((x) => x.item === m && x.prompt === i)?.tokens ?? p.tokens[m] ?? '?'}`);
  console.log(`  ${i + 1}. ${JSON.stringify(p.text)}  prompt ${p.promptTokens} tok; new tokens: ${counts.join(', ')}`);
});
if (raw.skipped > 0) console.log(`  (${raw.skipped} earlier held-out prompts skipped: some mode ended before ${c.maxNewTokens} tokens)`);
console.log('');

console.log('ms per generated token, per round (Σ time / Σ tokens over the prompts), median [q1 – q3] over rounds:');
console.log(
  table(
    ['item', 'ms/token', 'tok/s (median)', 'tokens/round'],
    items.map((it) => {
      const s = series(it);
      const tokens = median(rounds.map((r) => raw.samples.filter((x) => x.item === it && x.round === r).reduce((a, x) => a + x.tokens, 0)));
      return [it, mq(s, 3), (1000 / median(s)).toFixed(1), String(tokens)];
    }),
  ),
);
console.log('');

type Ratio = { name: string; def: string; target?: number; num: string; den: string[] };
const ratios: Ratio[] = [];
if (has('rm-1') && has(base) && has(rmAlone('informativeness'))) {
  ratios.push({ name: 'rm-1 / (base + RM) alone', def: `rm-1 ÷ (${base} + ${rmAlone('informativeness')})`, target: 1.15, num: 'rm-1', den: [base, rmAlone('informativeness')] });
}
if (has('rm-3') && has(base) && c.dimensions.every((d) => has(rmAlone(d)))) {
  ratios.push({ name: 'rm-3 / (base + 3 RMs) alone', def: `rm-3 ÷ (${base} + ${c.dimensions.map((d) => c.rmOf[d]).join(' + ')})`, target: 1.15, num: 'rm-3', den: [base, ...c.dimensions.map(rmAlone)] });
}
if (has('prompted-3') && has('plain')) ratios.push({ name: 'prompted-3 / plain', def: 'prompted-3 ÷ plain', target: 2, num: 'prompted-3', den: ['plain'] });
if (has('plain') && has(base)) ratios.push({ name: 'plain / base alone (info)', def: `plain ÷ ${base}: engine overhead, no personalization`, num: 'plain', den: [base] });
if (has(`${base}×4`) && has(base)) ratios.push({ name: 'base×4 / base alone (info)', def: `${base}×4 ÷ ${base}: bare cost of the 4-row batch`, num: `${base}×4`, den: [base] });
if (has('prompted-3') && has(`${base}×4`)) ratios.push({ name: 'prompted-3 / base×4 alone (info)', def: `prompted-3 ÷ ${base}×4: engine overhead on the batch`, num: 'prompted-3', den: [`${base}×4`] });

const ratioSeries = (r: Ratio) => rounds.map((round) => perRound(r.num, round) / r.den.reduce((a, d) => a + perRound(d, round), 0));
console.log('ratios per round, median [q1 – q3] over rounds:');
console.log(
  table(
    ['ratio', 'value', 'target', 'verdict'],
    ratios.map((r) => {
      const s = ratioSeries(r);
      return [r.name, mq(s, 3, '×'), r.target ? `≤ ${r.target.toFixed(2)}×` : '-', r.target ? (median(s) <= r.target ? 'met' : 'MISSED') : '-'];
    }),
  ),
);
for (const r of ratios) console.log(`  ${r.name}: ${r.def}`);

if (raw.profile.length > 0) {
  console.log('');
  console.log('profile (separate pass, 2 rounds, items alternated, wrapped methods; ms per generated token):');
  const prof = new Map(raw.profile.map((p) => [p.item, p]));
  const per = (p: ItemProfile, ms: number) => ms / p.tokens;
  const get = (p: ItemProfile, k: string) => p.probes[k]?.ms ?? 0;
  const row = (p: ItemProfile) => {
    const run = get(p, 'session.run');
    const fwd = get(p, 'forward');
    const text = get(p, 'textStream') + get(p, 'textStreamFlush');
    const cand = get(p, 'candidates');
    const f = (ms: number) => per(p, ms).toFixed(3);
    return [p.item, f(p.totalMs), f(run), f(fwd - run), f(text), f(cand), f(p.totalMs - fwd - text - cand), ((p.probes['session.run']?.calls ?? 0) / p.tokens).toFixed(2)];
  };
  console.log(table(['item', 'total', 'session.run', 'forward − run', 'text stream', 'candidates', 'other JS', 'runs/token'], raw.profile.map(row)));
  console.log('  times are unions of intervals (concurrent forwards of several LMs counted once)');
  // Where a ratio's excess comes from: ONNX compute (session.run) vs everything else.
  const split = ratios
    .filter((r) => prof.has(r.num) && r.den.every((d) => prof.has(d)))
    .map((r) => {
      const num = prof.get(r.num)!;
      const den = r.den.map((d) => prof.get(d)!);
      const runNum = per(num, get(num, 'session.run'));
      const runDen = den.reduce((a, d) => a + per(d, get(d, 'session.run')), 0);
      const totNum = per(num, num.totalMs);
      const totDen = den.reduce((a, d) => a + per(d, d.totalMs), 0);
      return [r.name, `${totNum.toFixed(3)} / ${totDen.toFixed(3)} = ${(totNum / totDen).toFixed(3)}×`, `${runNum.toFixed(3)} / ${runDen.toFixed(3)} = ${(runNum / runDen).toFixed(3)}×`, `${(totNum - runNum).toFixed(3)} / ${(totDen - runDen).toFixed(3)}`];
    });
  if (split.length > 0) {
    console.log('');
    console.log('the ratios in the profiling pass, split (ms/token, numerator / denominator):');
    console.log(table(['ratio', 'total', 'session.run only', 'outside session.run'], split));
  }
}

if (cpu.length > 0) {
  console.log('');
  console.log(`CPU profile of the page's main thread (V8 sampler, 100 µs; separate pass, 1 round, modes alternated), self time in ms per generated token:`);
  console.log(cpuTable(cpu));
  const worst = cpu.reduce((a, b) => (b.breakdown.totalMs / b.tokens > a.breakdown.totalMs / a.tokens ? b : a));
  console.log('');
  console.log(`top JS functions (WASM kernels excluded), ${worst.label}:`);
  console.log(topFunctions(worst.breakdown, worst.tokens, 12));
}

console.log('');
for (const r of ratios.filter((x) => x.target)) {
  const s = ratioSeries(r);
  console.log(`result: ${r.name} = ${median(s).toFixed(3)}× (q1 ${quantile(s, 0.25).toFixed(3)}, q3 ${quantile(s, 0.75).toFixed(3)}), target ≤ ${r.target}×: ${median(s) <= r.target! ? 'met' : 'missed'}`);
}
