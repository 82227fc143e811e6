/**
 * Page side of `npm run bench -- decode`: our decode loop (the Tailor client over the in-process
 * transport, i.e. on this same main thread) against transformers.js generate() on its own
 * instance of the same model, same WASM runtime and thread pool, greedy, same prompts and the
 * same number of new tokens, measured alternately. The Web Worker client is a third, informative
 * arm (its own WASM runtime in the worker, same thread count).
 */
import { AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, type Tensor } from '@huggingface/transformers';
import { Tailor } from '../../src/client/tailor.ts';
import { inProcessTransport } from '../../src/client/transport.ts';
import { CandidateSelector } from '../../src/engine/candidates.ts';
import { TextStream } from '../../src/engine/text-stream.ts';
import { chat, defaultThreads, heldoutPrompts, setupEnv, timeOurs, wasmThreads, type BenchConfig, type Timed } from './common.ts';
import { addTotals, ownerOf, Profiler, say, type ProbeTotals } from './profile.ts';

export type DecodeBenchConfig = BenchConfig;

export type Arm = 'ours' | 'theirs' | 'worker';

export interface Sample extends Omit<Timed, 'tokenIds' | 'finishReason'> {
  arm: Arm;
  round: number;
  prompt: number;
}

export interface ProfileResult {
  arm: 'ours' | 'theirs';
  tokens: number;
  totalMs: number;
  probes: ProbeTotals;
}

export interface DecodeBenchRaw {
  config: DecodeBenchConfig & { threadsUsed: number; workerThreads: number; ortNumThreads: number; crossOriginIsolated: boolean; hardwareConcurrency: number; userAgent: string };
  prompts: { text: string; tokens: number; promptTokens: number; reachedCap: boolean; sameTokens: boolean }[];
  skipped: number;
  samples: Sample[];
  profile: ProfileResult[];
}

/** Kept between page.evaluate calls, for the CPU-profiled passes the Node side drives. */
type PromptRun = { text: string; tokens: number; reachedCap: boolean };
let state: { run: Record<Arm, (p: PromptRun) => Promise<Timed>>; chosen: PromptRun[]; close: () => Promise<void> } | null = null;

/** One generation of `arm` on chosen prompt `prompt`; returns its token count. */
export async function runOne(arm: Arm, prompt: number): Promise<number> {
  if (!state) throw new Error('runDecodeBench first');
  return (await state.run[arm](state.chosen[prompt])).tokens;
}

export async function finishDecodeBench(): Promise<void> {
  await state?.close();
  state = null;
}

export async function runDecodeBench(cfg: DecodeBenchConfig): Promise<DecodeBenchRaw> {
  const threads = cfg.threads > 0 ? cfg.threads : defaultThreads();
  setupEnv(threads);
  const loadOpts = { model: cfg.model, device: 'wasm' as const, dtype: cfg.dtype, rewardModels: false, threads };

  say(`loading ${cfg.model} ${cfg.dtype}: ours (in-process), generate() reference, ours (worker)`);
  const ours = await Tailor.create({ ...loadOpts, transport: inProcessTransport() });
  const tokenizer = await AutoTokenizer.from_pretrained(cfg.model);
  const lm = await AutoModelForCausalLM.from_pretrained(cfg.model, { device: 'wasm', dtype: cfg.dtype });
  const worker = await Tailor.create(loadOpts);

  const opts = (n: number) => ({ temperature: 0, maxNewTokens: n, stop: [] as string[] });

  // min_new_tokens = n keeps EOS away until n tokens exist; for an answer that ends with EOS as
  // its n-th token (fallback prompts only) EOS must stay possible at step n, hence n − 1.
  const theirs = async (prompt: string, n: number, endsWithEos = false): Promise<Timed> => {
    const t0 = performance.now();
    const inputs = tokenizer.apply_chat_template(chat(prompt), { add_generation_prompt: true, return_dict: true }) as { input_ids: Tensor; attention_mask: Tensor };
    let puts = 0;
    let first = -1;
    let last = -1;
    // generate() calls put() with the prompt first, then once per generated token.
    const streamer = {
      put() {
        if (puts++ === 0) return;
        last = performance.now();
        if (first < 0) first = last;
      },
      end() {},
    };
    const out = (await lm.generate({ ...inputs, max_new_tokens: n, min_new_tokens: endsWithEos ? n - 1 : n, do_sample: false, streamer } as never)) as Tensor;
    const t1 = performance.now();
    const all = Array.from(out.data as BigInt64Array, Number);
    const tokenIds = all.slice(inputs.input_ids.dims[1]);
    return { tokens: tokenIds.length, totalMs: t1 - t0, firstMs: first - t0, lastMs: last - t0, tokenIds, finishReason: 'length' };
  };

  // Prompt choice (also ours' warm-up): the first held-out prompts whose greedy answer reaches
  // the cap, so that both loops produce exactly maxNewTokens tokens without ignoring EOS.
  const all = await heldoutPrompts(cfg.model);
  const chosen: { text: string; tokens: number; promptTokens: number; reachedCap: boolean; sameTokens: boolean; ids: number[] }[] = [];
  const short: typeof chosen = [];
  let skipped = 0;
  for (const text of all) {
    if (chosen.length >= cfg.prompts) break;
    const r = await timeOurs(ours, chat(text), opts(cfg.maxNewTokens));
    const promptTokens = (tokenizer.apply_chat_template(chat(text), { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false }) as number[]).length;
    const entry = { text, tokens: r.tokens, promptTokens, reachedCap: r.finishReason === 'length', sameTokens: false, ids: r.tokenIds };
    if (entry.reachedCap) chosen.push(entry);
    else {
      skipped++;
      short.push(entry);
    }
  }
  // Not enough long answers: take the longest others; generate() then gets exactly their length.
  short.sort((a, b) => b.tokens - a.tokens);
  while (chosen.length < cfg.prompts && short.length > 0) chosen.push(short.shift()!);

  say(`warm-up on ${chosen.length} prompts (${skipped} held-out prompts skipped: greedy answer ended before ${cfg.maxNewTokens} tokens)`);
  for (const p of chosen) {
    const ref = await theirs(p.text, p.tokens, !p.reachedCap);
    p.sameTokens = ref.tokenIds.length === p.ids.length && ref.tokenIds.every((id, i) => id === p.ids[i]);
    await timeOurs(ours, chat(p.text), opts(p.tokens));
    await timeOurs(worker, chat(p.text), opts(p.tokens));
  }

  const samples: Sample[] = [];
  const run: Record<Arm, (p: PromptRun) => Promise<Timed>> = {
    ours: (p) => timeOurs(ours, chat(p.text), opts(p.tokens)),
    theirs: (p) => theirs(p.text, p.tokens, !p.reachedCap),
    worker: (p) => timeOurs(worker, chat(p.text), opts(p.tokens)),
  };
  for (let round = 0; round < cfg.rounds; round++) {
    // ours and generate() always back to back; the order flips every round.
    const order: Arm[] = round % 2 === 0 ? ['ours', 'theirs', 'worker'] : ['worker', 'theirs', 'ours'];
    for (let pi = 0; pi < chosen.length; pi++) {
      for (const arm of order) {
        const { tokenIds: _ids, finishReason: _f, ...t } = await run[arm](chosen[pi]);
        samples.push({ arm, round, prompt: pi, ...t });
      }
    }
    say(`round ${round + 1}/${cfg.rounds} done`);
  }

  const profile: ProfileResult[] = [];
  if (cfg.profile) {
    say('profiling pass (session.run / forward / loop JS)');
    const prof = new Profiler();
    const session = (lm as unknown as { sessions: Record<string, object> }).sessions.model;
    prof.wrap('session.run', ownerOf(session, 'run'), 'run');
    prof.wrap('forward', ownerOf(lm, 'forward'), 'forward');
    if (ownerOf(lm, 'forward') !== PreTrainedModel.prototype) say('note: forward is overridden below PreTrainedModel');
    prof.wrap('textStream', TextStream.prototype, 'push');
    prof.wrap('textStreamFlush', TextStream.prototype, 'flush');
    prof.wrap('candidates', CandidateSelector.prototype, 'select');
    prof.wrap('tokenizer.decode', ownerOf(tokenizer, 'decode'), 'decode');
    try {
      // Alternated like the timed rounds, so load drift hits both arms alike.
      const acc = { ours: { tokens: 0, totalMs: 0, probes: {} as ProbeTotals }, theirs: { tokens: 0, totalMs: 0, probes: {} as ProbeTotals } };
      for (let round = 0; round < 2; round++) {
        for (const p of chosen) {
          for (const arm of round % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)) {
            prof.reset();
            const t = await run[arm](p);
            acc[arm].tokens += t.tokens;
            acc[arm].totalMs += t.totalMs;
            addTotals(acc[arm].probes, prof.totals());
          }
        }
      }
      for (const arm of ['ours', 'theirs'] as const) profile.push({ arm, ...acc[arm] });
    } finally {
      prof.uninstall();
    }
  }

  const workerThreads = worker.info.threads;
  state = {
    run,
    chosen,
    close: async () => {
      ours.close();
      worker.close();
      await lm.dispose();
    },
  };
  return {
    config: {
      ...cfg,
      threadsUsed: ours.info.threads,
      workerThreads,
      ortNumThreads: wasmThreads(),
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency,
      userAgent: navigator.userAgent,
    },
    prompts: chosen.map(({ ids: _ids, ...p }) => p),
    skipped,
    samples,
    profile,
  };
}
