/**
 * The open web page: load the model (progress bar), then prompt → streamed, personalized answer.
 * Thin: everything real happens in src/client (and, behind it, the worker).
 */
import { Tailor } from '../client/tailor.ts';
import { TailorError } from '../errors.ts';
import type { LoadProgress } from '../models/progress.ts';
import type { ChatMessage, GenerateOptions, GenerationResult } from '../worker/protocol.ts';
import { loadOptionsFromUrl } from './config.ts';
import { $, formatBytes } from './dom.ts';
import { AnswerView } from './output.ts';
import { mountPreferences, type PreferencesPanel } from './preferences.ts';
import { renderSliders } from './sliders.ts';

const ui = {
  backend: $('backend'),
  loading: $('loading'),
  loadLabel: $('load-label'),
  loadProgress: $<HTMLProgressElement>('load-progress'),
  loadBytes: $('load-bytes'),
  error: $('error'),
  prompt: $<HTMLTextAreaElement>('prompt'),
  generate: $<HTMLButtonElement>('generate'),
  stop: $<HTMLButtonElement>('stop'),
  compare: $<HTMLButtonElement>('compare'),
  maxTokens: $<HTMLInputElement>('max-tokens'),
  temperature: $<HTMLInputElement>('temperature'),
  seed: $<HTMLInputElement>('seed'),
  output: $('output'),
  explain: $('explain'),
  speed: $('speed'),
};

export function showError(e: unknown): void {
  const err = e instanceof TailorError ? e : new TailorError('internal', e instanceof Error ? e.message : String(e));
  ui.error.hidden = false;
  ui.error.dataset.code = err.code;
  ui.error.textContent = `${err.code}: ${err.message}`;
}

function showProgress(p: LoadProgress): void {
  ui.loadProgress.value = p.fraction;
  ui.loadBytes.textContent = p.total > 0 ? `${formatBytes(p.loaded)} / ${formatBytes(p.total)} (${Math.round(p.fraction * 100)}%)` : '';
}

async function main(): Promise<void> {
  const options = loadOptionsFromUrl(location.search);
  ui.loadLabel.textContent = `Loading ${options.model}…`;
  let tailor: Tailor;
  try {
    tailor = await Tailor.create({ ...options, onProgress: showProgress });
  } catch (e) {
    ui.loadLabel.textContent = `Could not load ${options.model}.`;
    showError(e);
    return;
  }
  const info = tailor.info;
  ui.loadProgress.value = 1;
  ui.loading.dataset.state = 'done';
  ui.loadLabel.textContent = `Loaded ${info.model} in ${(info.loadMs / 1000).toFixed(1)} s`;
  ui.backend.dataset.device = info.device;
  ui.backend.textContent = `${info.device === 'webgpu' ? 'WebGPU' : 'WASM'} · ${info.dtype}` +
    (info.device === 'wasm' ? ` · ${info.threads} thread${info.threads === 1 ? '' : 's'}` : '') +
    (info.crossOriginIsolated ? '' : ' · not cross-origin isolated');
  ui.backend.title = info.reason;

  const answer = new AnswerView(ui.output, ui.explain, info.dimensions.map((d) => d.name));
  // Declared before the sliders: their first 'input' events fire while the panel is mounting.
  let prefs: PreferencesPanel | undefined;
  const sliders = renderSliders($('sliders'), info.dimensions, (w) => prefs?.onWeightsChanged(w));
  let running: AbortController | null = null;

  const request = (): { messages: ChatMessage[]; options: GenerateOptions } => ({
    messages: [{ role: 'user', content: ui.prompt.value.trim() }],
    options: {
      maxNewTokens: Number(ui.maxTokens.value) || 96,
      temperature: Number(ui.temperature.value),
      seed: Number(ui.seed.value) || 0,
      weights: sliders.weights(),
      sources: sliders.sources(),
      features: true,
    },
  });

  const setBusy = (busy: boolean) => {
    ui.generate.disabled = busy;
    ui.compare.disabled = busy;
    ui.stop.disabled = !busy;
  };

  /** Runs one generation; resolves with its result, or null when stopped or failed. */
  const runOne = async (messages: ChatMessage[], options: GenerateOptions, onText?: (t: string) => void): Promise<GenerationResult | null> => {
    running = new AbortController();
    setBusy(true);
    ui.error.hidden = true;
    try {
      const gen = tailor.generate(messages, { ...options, signal: running.signal });
      let text = '';
      for await (const piece of gen) {
        text += piece.text;
        onText?.(text);
        if (!onText) answer.append(piece);
      }
      const r = await gen.result;
      ui.speed.textContent = `${r.tokenIds.length} tokens · ${r.tokensPerSecond.toFixed(0)} tokens/s`;
      return r;
    } catch (e) {
      if (e instanceof TailorError && e.code === 'aborted') ui.speed.textContent = 'stopped';
      else showError(e);
      return null;
    } finally {
      running = null;
      setBusy(false);
    }
  };

  prefs = await mountPreferences({
    root: $('profiles'),
    comparison: $('comparison'),
    feedback: $('feedback'),
    model: info.model,
    dimensions: info.dimensions,
    sliders,
    generate: runOne,
    request,
    showError,
  });

  const generate = async () => {
    if (running || !ui.prompt.value.trim()) return;
    answer.clear();
    const { messages, options } = request();
    const r = await runOne(messages, options);
    if (r) prefs?.onResponse(messages, options, r);
  };

  ui.generate.addEventListener('click', () => void generate());
  ui.stop.addEventListener('click', () => running?.abort());
  ui.compare.addEventListener('click', () => void prefs?.compare());
  ui.prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void generate();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') running?.abort();
  });
  setBusy(false);
  document.body.dataset.ready = 'true';
}

void main();
