// Verify an exported model with onnxruntime-web (WASM) in Node:
//  (a) logits match torch (reference written by make_models.py) within 1e-4,
//  (b) a KV-cached continuation equals a full re-run,
//  (c) a left-padded batch row equals the same row run alone (and no NaN anywhere).
// Usage: node tools/check_onnx.mjs <model_dir> <ref.json> [onnx file name, default model.onnx]
import fs from 'node:fs';
import * as ort from 'onnxruntime-web';

const [dir, refPath, file = 'model.onnx'] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(`${dir}/config.json`, 'utf8'));
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
ort.env.wasm.numThreads = 1;
const sess = await ort.InferenceSession.create(fs.readFileSync(`${dir}/onnx/${file}`), { executionProviders: ['wasm'] });
const L = cfg.num_hidden_layers, H = cfg.num_key_value_heads, D = cfg.head_dim, V = cfg.vocab_size;
const i64 = (a, dims) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), dims);

async function run(ids, mask, pos, past, b) {
  const s = ids.length / b;
  const feeds = { input_ids: i64(ids, [b, s]), attention_mask: i64(mask, [b, mask.length / b]), position_ids: i64(pos, [b, s]) };
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value'])
    feeds[`past_key_values.${i}.${kv}`] = past ? past[`present.${i}.${kv}`] : new ort.Tensor('float32', new Float32Array(0), [b, H, 0, D]);
  return sess.run(feeds);
}
const maxdiff = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const hasNaN = (a) => a.some((x) => !Number.isFinite(x));
const range = (n, s = 0) => Array.from({ length: n }, (_, i) => i + s);
let ok = true;
const report = (name, d, tol) => { const pass = d <= tol; ok &&= pass; console.log(`${pass ? 'PASS' : 'FAIL'} ${name}: max|diff| = ${d.toExponential(2)} (tol ${tol})`); };

// (a) torch parity, past length 0
const ids = ref.ids, n = ids.length;
const full = await run(ids, ids.map(() => 1), range(n), null, 1);
report('(a) logits vs torch', maxdiff(full.logits.data, ref.logits), 1e-4);

// (b) KV cache: first k tokens, then the rest one token at a time
const k = Math.floor(n / 2);
let out = await run(ids.slice(0, k), range(k).map(() => 1), range(k), null, 1);
let d = maxdiff(out.logits.data, full.logits.data.slice(0, k * V));
for (let t = k; t < n; t++) {
  out = await run([ids[t]], range(t + 1).map(() => 1), [t], out, 1);
  d = Math.max(d, maxdiff(out.logits.data, full.logits.data.slice(t * V, (t + 1) * V)));
}
report('(b) KV-cached continuation vs full run', d, 1e-4);

// (c) left padding: row 0 = short sequence padded left, row 1 = full sequence
const m = n - 4, pad = n - m;
const short = ids.slice(0, m);
const alone = await run(short, short.map(() => 1), range(m), null, 1);
const bids = [...Array(pad).fill(0), ...short, ...ids];
const bmask = [...Array(pad).fill(0), ...short.map(() => 1), ...ids.map(() => 1)];
const bpos = [...Array(pad).fill(1), ...range(m), ...range(n)];  // transformers.js: cumsum-1, pads -> 1
const batch = await run(bids, bmask, bpos, null, 2);
const bl = batch.logits.data;
report('(c) left-padded row vs alone', maxdiff(bl.slice(pad * V, n * V), alone.logits.data), 1e-4);
report('(c) batch row 1 vs full', maxdiff(bl.slice(n * V, 2 * n * V), full.logits.data), 1e-4);
const nan = hasNaN(bl); ok &&= !nan; console.log(`${nan ? 'FAIL' : 'PASS'} (c) no NaN/Inf in padded batch`);
// one cached step on the padded batch
const nxt = [ids[m], 5];
const step = await run(nxt, [...bmask.slice(0, n), 1, ...bmask.slice(n), 1], [m, n], batch, 2);
const ref2 = await run([...short, ids[m]], range(m + 1).map(() => 1), range(m + 1), null, 1);
report('(c) padded batch KV step vs alone', maxdiff(step.logits.data.slice(0, V), ref2.logits.data.slice(m * V)), 1e-4);
console.log(ok ? 'ALL CHECKS PASSED' : 'SOME CHECKS FAILED');
process.exit(ok ? 0 : 1);
