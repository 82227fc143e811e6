/**
 * Where model files come from: the app's own `/models/` folder, or a hub-style host
 * (`<host>/<id>/resolve/main/<file>`, the Hugging Face layout). transformers.js keeps this in its
 * global `env`, so one worker loads from one source at a time.
 */
import { env } from '@huggingface/transformers';

export type ModelSource = { kind: 'local'; path: string } | { kind: 'hub'; host: string };

export const DEFAULT_SOURCE: ModelSource = { kind: 'local', path: '/models/' };

const withSlash = (s: string) => (s.endsWith('/') ? s : `${s}/`);

/** URL of one file of a model, for the files we read ourselves (the dimension manifest). */
export function fileUrl(source: ModelSource, model: string, file: string): string {
  return source.kind === 'local'
    ? `${withSlash(source.path)}${model}/${file}`
    : `${withSlash(source.host)}${model}/resolve/main/${file}`;
}

export function useSource(source: ModelSource, ortWasmPath: string): void {
  if (source.kind === 'local') {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = withSlash(source.path);
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = withSlash(source.host);
    env.remotePathTemplate = '{model}/resolve/{revision}/';
  }
  // Never let onnxruntime-web fetch its runtime from a CDN.
  const wasm = env.backends.onnx.wasm;
  if (wasm) wasm.wasmPaths = ortWasmPath;
}
