/**
 * Page side of `npm run bench -- personalized`: per-token cost of personalized decoding modes
 * (the Tailor client over the in-process transport, so on this main thread) and, alternated with
 * them in the same rounds, of bare forward loops of each model alone (load.ts +
 * TransformersCausalLM: prefill + one step per token, no engine), on the same prompts, same
 * WASM runtime and thread pool.
 */
import { Tailor } from '../../src/client/tailor.ts';
import { inProcessTransport } from '../../src/client/transport.ts';
import { CandidateSelector } from '../../src/engine/candidates.ts';
import { TextStream } from '../../src/engine/text-stream.ts';
import { TransformersCausalLM } from '../../src/models/causal-lm.ts';
import { loadCausalLM, type LoadedModel } from '../../src/models/load.ts';
import type { ModelSource } from '../../src/models/source.ts';
import type { ChatMessage, GenerateOptions } from '../../src/worker/protocol.ts';
import { encodeChat, withPreference } from '../../src/worker/session.ts';
import { chat, defaultThreads, heldoutPrompts, setupEnv, timeOurs, wasmThreads, type BenchConfig } from './common.ts';
import { addTotals, ownerOf, Profiler, say, type ProbeTotals } from './profile.ts';

export type ModeName = 'plain' | 'rm-1' | 'rm-3' | 'prompted-3';

export interface PersonalizedBenchConfig extends BenchConfig {
  modes: ModeName[];
  /** Where the model folders are served (default /models/). */
  modelsPath: string;
}

/** What one item of a round is: a decoding mode through the client, or a bare loop of one model. */
export type Item =
  | { kind: 'mode'; mode: ModeName }
  /** `rows` 1 = the plain prompt; 4 = plain + the 3 prompted contexts batched (prompted-3's forward). */
  | { kind: 'alone'; model: string; rows: number };

export interface Sample {
  item: string;
  round: number;
  prompt: number;
  tokens: number;
  ms: number;
}

export interface ItemProfile {
  item: string;
  tokens: number;
  totalMs: number;
  probes: ProbeTotals;
}

export interface PersonalizedBenchRaw {
  config: PersonalizedBenchConfig & { threadsUsed: number; ortNumThreads: number; crossOriginIsolated: boolean; hardwareConcurrency: number; rewardModels: string[]; dimensions: string[]; rmOf: Record<string, string> };
  prompts: { text: string; promptTokens: number; tokens: Record<string, number> }[];
  skipped: number;
  samples: Sample[];
  profile: ItemProfile[];
}

export const itemName = (i: Item): string => (i.kind === 'mode' ? i.mode : i.rows === 1 ? `alone:${i.model}` : `alone:${i.model}×${i.rows}`);

/** Kept between page.evaluate calls, for the CPU-profiled passes the Node side drives. */
let state: { runMode: (mode: ModeName, prompt: number) => Promise<number>; close: () => Promise<void> } | null = null;

/** One generation of `mode` on chosen prompt `prompt` (after runPersonalizedBench); its token count. */
export async function runMode(mode: ModeName, prompt: number): Promise<number> {
  if (!state) throw new Error('runPersonalizedBench first');
  return state.runMode(mode, prompt);
}

export async function finishPersonalizedBench(): Promise<void> {
  await state?.close();
  state = null;
}

export async function runPersonalizedBench(cfg: PersonalizedBenchConfig): Promise<PersonalizedBenchRaw> {
  const threads = cfg.threads > 0 ? cfg.threads : defaultThreads();
  setupEnv(threads);
  const needRms = cfg.modes.some((m) => m.startsWith('rm-'));
  const source: ModelSource = { kind: 'local', path: cfg.modelsPath };

  say(`loading ${cfg.model} ${cfg.dtype}${needRms ? ' and its reward models' : ''} (client, in-process)`);
  const t = await Tailor.create({ model: cfg.model, device: 'wasm', dtype: cfg.dtype, threads, rewardModels: needRms, source, transport: inProcessTransport() });
  const dims = t.info.dimensions;
  if (dims.length !== 3) throw new Error(`${cfg.model} has ${dims.length} dimensions; this benchmark expects 3`);
  const rmOf: Record<string, string> = {};
  for (const d of dims) if (d.sources['reward-model']) rmOf[d.name] = d.sources['reward-model'].model;
  const oneDim = dims.find((d) => d.name === 'informativeness') ?? dims[0];

  const modeOptions: Record<ModeName, GenerateOptions> = {
    plain: { weights: {} },
    'rm-1': { weights: { [oneDim.name]: 1 }, sources: { [oneDim.name]: 'reward-model' } },
    'rm-3': { weights: Object.fromEntries(dims.map((d) => [d.name, 1])), sources: Object.fromEntries(dims.map((d) => [d.name, 'reward-model' as const])) },
    'prompted-3': { weights: Object.fromEntries(dims.map((d) => [d.name, 1])), sources: Object.fromEntries(dims.map((d) => [d.name, 'prompted' as const])) },
  };
  const opts = (mode: ModeName) => ({ ...modeOptions[mode], temperature: 0, maxNewTokens: cfg.maxNewTokens, stop: [] as string[] });

  // Bare loops: separate instances of each model, loaded the engine's way.
  const aloneIds = [cfg.model, ...(needRms ? (cfg.modes.includes('rm-3') ? dims.map((d) => rmOf[d.name]) : [rmOf[oneDim.name]]) : [])];
  say(`loading bare models: ${aloneIds.join(', ')}`);
  const bare = new Map<string, { lm: TransformersCausalLM; model: LoadedModel }>();
  for (const id of aloneIds) {
    const model = await loadCausalLM(source, id, 'wasm', cfg.dtype, () => {});
    bare.set(id, { model, lm: new TransformersCausalLM(model.model, model.config.vocab_size, model.config.pad_token_id ?? 0) });
  }
  const tokenizer = bare.get(cfg.model)!.model.tokenizer;
  const encode = (messages: ChatMessage[]) => encodeChat(tokenizer, messages);

  /** prefill + (tokens − 1) steps: the forwards a generation of `tokens.length` tokens needs. */
  const alone = async (lm: TransformersCausalLM, rows: number[][], tokens: number[]): Promise<number> => {
    const t0 = performance.now();
    await lm.prefill(rows);
    for (let i = 0; i < tokens.length - 1; i++) await lm.step(rows.map(() => tokens[i]));
    const ms = performance.now() - t0;
    await lm.reset();
    return ms;
  };

  // Prompts: the first held-out prompts on which every mode reaches the cap (same token counts).
  const all = await heldoutPrompts(cfg.model, cfg.modelsPath);
  type Chosen = { text: string; promptTokens: number; tokens: Record<string, number>; plainIds: number[]; rows1: number[][]; rows4: number[][] };
  const chosen: Chosen[] = [];
  const short: (Chosen & { min: number })[] = [];
  let skipped = 0;
  for (const text of all) {
    if (chosen.length >= cfg.prompts) break;
    const tokens: Record<string, number> = {};
    let plainIds: number[] = [];
    let min = Infinity;
    for (const mode of cfg.modes) {
      const r = await timeOurs(t, chat(text), opts(mode));
      tokens[mode] = r.tokens;
      min = Math.min(min, r.tokens);
      if (mode === 'plain') plainIds = r.tokenIds;
      if (r.tokens < cfg.maxNewTokens) break;
    }
    const rows1 = [encode(chat(text))];
    const rows4 = [rows1[0], ...dims.map((d) => encode(withPreference(chat(text), d.sources.prompted?.text ?? '')))];
    const entry = { text, promptTokens: rows1[0].length, tokens, plainIds, rows1, rows4 };
    if (min >= cfg.maxNewTokens && Object.keys(tokens).length === cfg.modes.length) chosen.push(entry);
    else {
      skipped++;
      short.push({ ...entry, min });
    }
  }
  short.sort((a, b) => b.min - a.min);
  while (chosen.length < cfg.prompts && short.length > 0) chosen.push(short.shift()!);
  // Tokens the bare loops step through: the plain greedy answer, padded to the cap if shorter
  // (which token is fed does not change a forward's cost).
  for (const p of chosen) {
    if (p.plainIds.length === 0) p.plainIds = (await timeOurs(t, chat(p.text), opts('plain'))).tokenIds;
    while (p.plainIds.length < cfg.maxNewTokens) p.plainIds.push(p.plainIds.at(-1) ?? 0);
  }

  const items: Item[] = [
    ...cfg.modes.map((mode): Item => ({ kind: 'mode', mode })),
    ...aloneIds.map((model): Item => ({ kind: 'alone', model, rows: 1 })),
    ...(cfg.modes.includes('prompted-3') ? [{ kind: 'alone', model: cfg.model, rows: 4 } as Item] : []),
  ];
  const runItem = async (item: Item, p: Chosen): Promise<{ tokens: number; ms: number }> => {
    if (item.kind === 'mode') {
      const r = await timeOurs(t, chat(p.text), opts(item.mode));
      return { tokens: r.tokens, ms: r.totalMs };
    }
    const ms = await alone(bare.get(item.model)!.lm, item.rows === 1 ? p.rows1 : p.rows4, p.plainIds.slice(0, cfg.maxNewTokens));
    return { tokens: cfg.maxNewTokens, ms };
  };

  say(`warm-up: ${chosen.length} prompts × ${items.length} items (${skipped} held-out prompts skipped: some mode ended before ${cfg.maxNewTokens} tokens)`);
  for (const p of chosen) for (const item of items) await runItem(item, p);

  const samples: Sample[] = [];
  for (let round = 0; round < cfg.rounds; round++) {
    // Every item once per prompt; the order rotates by one each round.
    const order = items.map((_, i) => items[(i + round) % items.length]);
    for (let pi = 0; pi < chosen.length; pi++) {
      for (const item of order) {
        const r = await runItem(item, chosen[pi]);
        samples.push({ item: itemName(item), round, prompt: pi, ...r });
      }
    }
    say(`round ${round + 1}/${cfg.rounds} done`);
  }

  const profile: ItemProfile[] = [];
  if (cfg.profile) {
    say('profiling pass (session.run / forward / loop JS per item, 2 rounds)');
    const prof = new Profiler();
    const anyModel = bare.get(cfg.model)!.model.model;
    const session = (anyModel as unknown as { sessions: Record<string, object> }).sessions.model;
    prof.wrap('session.run', ownerOf(session, 'run'), 'run');
    prof.wrap('forward', ownerOf(anyModel, 'forward'), 'forward');
    prof.wrap('textStream', TextStream.prototype, 'push');
    prof.wrap('textStreamFlush', TextStream.prototype, 'flush');
    prof.wrap('candidates', CandidateSelector.prototype, 'select');
    try {
      // Every item (modes and bare loops) alternated per prompt, like the timed rounds, 2 rounds.
      const acc = new Map(items.map((item) => [itemName(item), { item: itemName(item), tokens: 0, totalMs: 0, probes: {} as ProbeTotals }]));
      for (let round = 0; round < 2; round++) {
        for (const p of chosen) {
          for (const item of round % 2 === 0 ? items : [...items].reverse()) {
            prof.reset();
            const r = await runItem(item, p);
            const a = acc.get(itemName(item))!;
            a.tokens += r.tokens;
            a.totalMs += r.ms;
            addTotals(a.probes, prof.totals());
          }
        }
      }
      profile.push(...acc.values());
    } finally {
      prof.uninstall();
    }
  }

  state = {
    runMode: async (mode, prompt) => (await timeOurs(t, chat(chosen[prompt].text), opts(mode))).tokens,
    close: async () => {
      t.close();
      for (const b of bare.values()) await b.model.model.dispose();
    },
  };
  return {
    config: {
      ...cfg,
      threadsUsed: t.info.threads,
      ortNumThreads: wasmThreads(),
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency,
      rewardModels: t.info.rewardModels,
      dimensions: dims.map((d) => d.name),
      rmOf,
    },
    prompts: chosen.map((p) => ({ text: p.text, promptTokens: p.promptTokens, tokens: p.tokens })),
    skipped,
    samples,
    profile,
  };
}
