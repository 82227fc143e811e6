/**
 * Decode speed of our loop against transformers.js generate() (a benchmark, not a test).
 *   npm run bench -- decode [--rounds 8] [--max-new-tokens 48] [--threads 0] [--dtype q8] [--prompts 4] [--no-profile]
 *
 * One Chromium page, WASM, tailor-base. Arms, alternated back to back for every prompt of every
 * round (order flipped each round), after a warm-up:
 *   ours    the Tailor client with inProcessTransport(): our loop on the page's main thread
 *   theirs  transformers.js generate() on its own instance of the same model, same thread
 *   worker  the Tailor client with its default Web Worker (informative: another thread)
 * Greedy; each prompt is a held-out prompt whose greedy answer reaches the cap, so every arm
 * produces the same token count (generate() also gets min_new_tokens = that count).
 *   decode tok/s   = (tokens − 1) / (last token − first token)   (steady-state decode)
 *   end-to-end     = tokens / (call → last token)                   (prompt encode + prefill + decode)
 */
import type { DecodeBenchConfig, DecodeBenchRaw, ProfileResult, Sample } from './pages/decode-page.ts';
import { loadavg } from 'node:os';
import { browserVersion, callPage, hostLine, cpuProfileAlternating, cpuTable, median, mq, parseArgs, table, topFunctions, withBenchPage, type CpuBreakdown } from './lib.ts';

const args = parseArgs(process.argv.slice(2), { rounds: 8, maxNewTokens: 48, threads: 0, dtype: 'q8', prompts: 4, profile: true });
const cfg: DecodeBenchConfig = { model: 'tailor-base', dtype: args.dtype, threads: args.threads, rounds: args.rounds, maxNewTokens: args.maxNewTokens, prompts: args.prompts, profile: args.profile };

const loadAtStart = loadavg()[0];
const PAGE = '/bench/pages/decode-page.ts';

const { raw, browser, cpu } = await withBenchPage(async (p) => {
  const raw = await callPage<DecodeBenchRaw>(p, PAGE, 'runDecodeBench', cfg);
  // CPU-profiled pass (V8 sampling profiler of the main thread), each generation profiled alone.
  const cpu: { label: string; tokens: number; breakdown: CpuBreakdown }[] = [];
  if (cfg.profile) {
    process.stderr.write('[bench] CPU-profiled pass (2 rounds, arms alternated)\n');
    const res = await cpuProfileAlternating(p, ['ours', 'theirs'] as const, raw.prompts.length, 2, (arm, prompt) =>
      callPage<number>(p, PAGE, 'runOne', arm, prompt),
    );
    cpu.push({ label: 'ours (in-process)', ...res.get('ours')! }, { label: 'generate()', ...res.get('theirs')! });
  }
  await callPage(p, PAGE, 'finishDecodeBench');
  return { raw, browser: browserVersion(p), cpu };
});

const decodeRate = (s: Sample) => (s.tokens - 1) / ((s.lastMs - s.firstMs) / 1000);
const e2eRate = (s: Sample) => s.tokens / (s.totalMs / 1000);
const of = (arm: Sample['arm']) => raw.samples.filter((s) => s.arm === arm);
const pairKey = (s: Sample) => `${s.round}/${s.prompt}`;
const ratios = (arm: Sample['arm'], rate: (s: Sample) => number) => {
  const theirs = new Map(of('theirs').map((s) => [pairKey(s), rate(s)]));
  return of(arm).map((s) => rate(s) / theirs.get(pairKey(s))!);
};

const c = raw.config;
console.log('Benchmark: decode — our loop vs transformers.js generate()');
console.log(
  `config: model ${c.model}, dtype ${c.dtype}, device WASM, threads ${c.threadsUsed} (ort numThreads ${c.ortNumThreads}, worker ${c.workerThreads}; ` +
    `hardwareConcurrency ${c.hardwareConcurrency}, crossOriginIsolated ${c.crossOriginIsolated}), greedy, ` +
    `${c.maxNewTokens} max new tokens, ${raw.prompts.length} prompts × ${c.rounds} rounds after 1 warm-up round, Chromium ${browser}`,
);
console.log(hostLine(loadAtStart));
console.log('prompts (held-out, first whose greedy answer reaches the cap):');
raw.prompts.forEach((p, i) =>
  console.log(`  ${i + 1}. ${JSON.stringify(p.text)}  prompt ${p.promptTokens} tok, ${p.tokens} new tok${p.reachedCap ? '' : ' (ended early: EOS)'}, ours == generate() tokens: ${p.sameTokens ? 'yes' : 'NO'}`),
);
if (raw.skipped > 0) console.log(`  (${raw.skipped} earlier held-out prompts skipped: their greedy answer ends before ${c.maxNewTokens} tokens)`);
console.log('');

const arms: [Sample['arm'], string][] = [
  ['ours', 'ours, in-process (main thread)'],
  ['theirs', 'transformers.js generate() (main thread)'],
  ['worker', 'ours, Web Worker (informative)'],
];
console.log('per generation, median [q1 – q3] over prompts × rounds:');
console.log(
  table(
    ['arm', 'decode tok/s', 'end-to-end tok/s', 'first token ms', 'n'],
    arms.map(([arm, label]) => {
      const s = of(arm);
      return [label, mq(s.map(decodeRate), 1), mq(s.map(e2eRate), 1), mq(s.map((x) => x.firstMs), 1), String(s.length)];
    }),
  ),
);
console.log('');
console.log('per-pair ratios (same round and prompt, run back to back), median [q1 – q3]; target ours/theirs ≥ 1.00:');
console.log(
  table(
    ['ratio', 'decode tok/s', 'end-to-end tok/s'],
    [
      ['ours (in-process) / generate()', mq(ratios('ours', decodeRate), 3, '×'), mq(ratios('ours', e2eRate), 3, '×')],
      ['ours (worker) / generate()', mq(ratios('worker', decodeRate), 3, '×'), mq(ratios('worker', e2eRate), 3, '×')],
    ],
  ),
);

if (raw.profile.length > 0) {
  console.log('');
  console.log('profile (separate pass, 2 rounds, wrapped methods; ms per generated token):');
  const row = (p: ProfileResult) => {
    const per = (ms: number) => (ms / p.tokens).toFixed(3);
    const get = (k: string) => p.probes[k]?.ms ?? 0;
    const run = get('session.run');
    const fwd = get('forward');
    const text = get('textStream') + get('textStreamFlush');
    const cand = get('candidates');
    const rest = p.totalMs - fwd - (p.arm === 'ours' ? text + cand : 0);
    return [
      p.arm === 'ours' ? 'ours (in-process)' : 'generate()',
      per(p.totalMs),
      per(run),
      per(fwd - run),
      p.arm === 'ours' ? per(text) : '-',
      p.arm === 'ours' ? per(cand) : '-',
      per(rest),
      String(p.probes['session.run']?.calls ?? 0),
    ];
  };
  console.log(
    table(['arm', 'total', 'session.run', 'forward − run', 'text stream', 'candidates', 'other JS', 'runs'], raw.profile.map(row)),
  );
  console.log('  total = call → result; forward − run = transformers.js forward() around session.run; other JS = the rest of the loop');
  console.log('  (ours: prompt encode, logSumExp, combine, sampling, explanation, messages; generate(): logits processors, sampler, mask concat)');
}

if (cpu.length > 0) {
  console.log('');
  console.log(`CPU profile of the page's main thread (V8 sampler, 100 µs; separate pass, 2 rounds, arms alternated), self time in ms per generated token:`);
  console.log(cpuTable(cpu));
  for (const a of cpu) {
    console.log('');
    console.log(`top JS functions (WASM kernels excluded), ${a.label}:`);
    console.log(topFunctions(a.breakdown, a.tokens, 15));
  }
}

const oursMed = median(ratios('ours', decodeRate));
console.log('');
console.log(`result: ours/generate() decode = ${oursMed.toFixed(3)}× (target ≥ 1.0×: ${oursMed >= 1 ? 'met' : 'missed'})`);
