import { defineConfig, type Plugin } from 'vite';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The app serves onnxruntime-web's WASM runtime itself, under /ort/, so no CDN is ever fetched.
 * transformers.js imports `onnxruntime-web/webgpu`, which loads the asyncify build (WASM and
 * WebGPU alike); only that one is served.
 */
const ORT_DIR = resolve('node_modules/onnxruntime-web/dist');
const ORT_FILES = readdirSync(ORT_DIR).filter((f) => /^ort-wasm-simd-threaded\.asyncify\.(mjs|wasm)$/.test(f));

/** Cross-origin isolation, so multi-threaded WASM (SharedArrayBuffer) is allowed. */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function serveOrtRuntime(): Plugin {
  const middleware = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const name = req.url?.split('?')[0].replace(/^\/ort\//, '');
    if (!req.url?.startsWith('/ort/') || !name || !ORT_FILES.includes(name)) return next();
    res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
    // The runtime's pthread workers are started from these files: without the isolation headers
    // they would not be cross-origin isolated and could not share the WASM memory.
    for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
    createReadStream(join(ORT_DIR, name)).pipe(res);
  };
  return {
    name: 'tailor-serve-ort-runtime',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    generateBundle() {
      for (const f of ORT_FILES) this.emitFile({ type: 'asset', fileName: `ort/${f}`, source: readFileSync(join(ORT_DIR, f)) });
    },
  };
}

export default defineConfig({
  // No SPA fallback: a missing model file must be a 404, not index.html.
  appType: 'mpa',
  plugins: [serveOrtRuntime()],
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
