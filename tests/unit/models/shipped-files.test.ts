/**
 * The shipped demo models, checked in Node: every file's sha256 matches public/models/manifest.json
 * (and every file is listed), and the tokenizer round-trips arbitrary text exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const ROOT = 'public/models';
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

export const MODEL_IDS = ['tailor-base', 'tailor-rm-expertise', 'tailor-rm-informativeness', 'tailor-rm-style', 'tailor-fixture'];

test('every shipped file is in the manifest and its sha256 matches', () => {
  const onDisk = walk(ROOT).map((p) => relative(ROOT, p)).filter((p) => p !== 'manifest.json').sort();
  assert.deepEqual(onDisk, Object.keys(manifest.files).sort());
  for (const p of onDisk) {
    const sha = createHash('sha256').update(readFileSync(join(ROOT, p))).digest('hex');
    assert.equal(sha, manifest.files[p], `${p} does not match its checksum`);
  }
});

test('every model ships config, tokenizer, fp32 + q8 + q4 weights and a model card', () => {
  for (const id of MODEL_IDS) {
    const need = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'MODEL_CARD.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx'];
    for (const f of need) assert.ok(manifest.files[`${id}/${f}`], `${id}/${f} is missing`);
  }
});

test('base + three reward models together are at most 40 MB in q8', () => {
  const q8 = MODEL_IDS.filter((id) => id !== 'tailor-fixture').reduce((s, id) => s + statSync(join(ROOT, id, 'onnx/model_quantized.onnx')).size, 0);
  assert.ok(q8 <= 40e6, `${q8} bytes`);
});

test('the tokenizer round-trips arbitrary text, and all models share it', () => {
  const raw = readFileSync(join(ROOT, 'tailor-base/tokenizer.json'), 'utf8');
  const config = JSON.parse(readFileSync(join(ROOT, 'tailor-base/tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const tok = new Tokenizer(JSON.parse(raw), config);
  const samples = [
    'What does the word lantern mean?',
    '  leading and trailing spaces  \n\ttabs\r\n',
    'Unicode: café, naïve, Ærøskøbing, 日本語, Ελληνικά, emoji 🎉🧵👩‍👩‍👧',
    'Digits 1234567890 and symbols ~!@#$%^&*()_+{}|:"<>?`-=[]\\;\',./',
  ];
  for (const s of samples) {
    const ids = tok.encode(s, { add_special_tokens: false }).ids;
    assert.equal(tok.decode(ids, { skip_special_tokens: false }), s);
  }
  for (const id of MODEL_IDS) assert.equal(readFileSync(join(ROOT, id, 'tokenizer.json'), 'utf8'), raw, `${id} has another tokenizer`);
});
