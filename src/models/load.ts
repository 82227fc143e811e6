/**
 * Loading one causal LM (config, tokenizer, ONNX weights) through transformers.js, with the
 * device and dtype chosen explicitly, progress per file, and errors mapped to typed ones.
 */
import { AutoModelForCausalLM, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { TailorError } from '../errors.ts';
import type { Device, Dtype } from './device.ts';
import { fileUrl, type ModelSource } from './source.ts';

export interface LoadedModel {
  id: string;
  model: PreTrainedModel;
  tokenizer: PreTrainedTokenizer;
  config: ModelConfig;
}

/** The config.json fields Tailor reads. */
export interface ModelConfig {
  vocab_size: number;
  pad_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  tailor?: { dimension?: string; positive_pole?: string; negative_pole?: string; reference?: string };
}

type Progress = (e: { status: string; name?: string; file?: string; loaded?: number; total?: number }) => void;

/** Fetch a small JSON file of a model ourselves (so a 404 is told apart from a corrupt file). */
export async function fetchModelJson<T>(source: ModelSource, model: string, file: string): Promise<T> {
  const url = fileUrl(source, model, file);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new TailorError('model-not-found', `Model "${model}": could not fetch ${file} (${String(e)}).`);
  }
  if (res.status === 404) throw new TailorError('model-not-found', `Model "${model}" was not found: ${url} does not exist.`);
  if (!res.ok) throw new TailorError('model-not-found', `Model "${model}": ${url} answered HTTP ${res.status}.`);
  try {
    return (await res.json()) as T;
  } catch {
    throw new TailorError('corrupt-model', `Model "${model}": ${file} is not valid JSON.`);
  }
}

export async function loadCausalLM(
  source: ModelSource,
  id: string,
  device: Device,
  dtype: Dtype,
  progress: Progress,
): Promise<LoadedModel> {
  const config = await fetchModelJson<ModelConfig>(source, id, 'config.json');
  if (!Number.isInteger(config.vocab_size) || config.vocab_size <= 0) {
    throw new TailorError('corrupt-model', `Model "${id}": config.json has no valid vocab_size.`);
  }
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(id, { progress_callback: progress });
  } catch (e) {
    throw mapLoadError(id, 'tokenizer', e);
  }
  let model: PreTrainedModel;
  try {
    model = await AutoModelForCausalLM.from_pretrained(id, { device, dtype, progress_callback: progress });
  } catch (e) {
    throw mapLoadError(id, `${dtype} weights`, e);
  }
  return { id, model, tokenizer, config };
}

function mapLoadError(id: string, what: string, e: unknown): TailorError {
  if (e instanceof TailorError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/could not locate file|404|not found/i.test(msg)) {
    return new TailorError('model-not-found', `Model "${id}": its ${what} file was not found (${msg}).`);
  }
  if (/webgpu|adapter|device/i.test(msg) && !/protobuf|parse|load model/i.test(msg)) {
    return new TailorError('unsupported-device', `Model "${id}": the device could not run it (${msg}).`);
  }
  return new TailorError('corrupt-model', `Model "${id}": its ${what} could not be loaded; the file is corrupt or truncated (${msg}).`);
}
