// Encode training text with the browser's tokenizer (@huggingface/tokenizers), so training
// token ids are exactly what transformers.js produces in the app.
// Usage: node tools/encode_corpus.mjs <model_dir_with_tokenizer> <in.jsonl> [<in2.jsonl> ...]
// Each JSONL record: {"prompt": str, "answers": [str, ...]}. For each answer the sequence is
// prompt + answer + "<|end|>". Writes <in>.ids.u16 (concatenated ids) and <in>.idx.i32
// (per sequence: offset, prompt_len, total_len).
import fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

const [dir, ...files] = process.argv.slice(2);
const tok = new Tokenizer(JSON.parse(fs.readFileSync(`${dir}/tokenizer.json`, 'utf8')),
                          JSON.parse(fs.readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));
const enc = (s) => tok.encode(s, { add_special_tokens: false }).ids;

// Round-trip check on arbitrary text: unicode, emoji, odd whitespace, specials.
const samples = ['Hello  world\n\n\ttabs  ', 'naïve café — “quotes” 東京 🤗🚀 ½', '  leading and trailing  ',
  "it's we'll they've 12345 3.14", '<|user|>\nWhat does cat mean?<|end|>\n<|assistant|>\n', '\u00a0\u2028x'];
for (const s of samples) {
  const d = tok.decode(enc(s), { skip_special_tokens: false });
  if (d !== s) { console.error('ROUNDTRIP FAIL', JSON.stringify(s), JSON.stringify(d)); process.exit(1); }
}
const end = enc('<|end|>');
if (end.length !== 1) { console.error('<|end|> not a single token'); process.exit(1); }

for (const f of files) {
  const lines = fs.readFileSync(f, 'utf8').split('\n').filter(Boolean);
  const ids = [], idx = [];
  let mism = 0;
  for (const line of lines) {
    const r = JSON.parse(line);
    const p = enc(r.prompt);
    for (const a of r.answers) {
      const full = enc(r.prompt + a + '<|end|>');
      // The prompt must be a token prefix of the full text (it ends in "\n" after a special).
      for (let i = 0; i < p.length; i++) if (full[i] !== p[i]) { mism++; break; }
      idx.push(ids.length, p.length, full.length);
      for (const t of full) ids.push(t);
    }
  }
  if (mism) { console.error(`${f}: ${mism} prompt-prefix mismatches`); process.exit(1); }
  fs.writeFileSync(f.replace(/\.jsonl$/, '.ids.u16'), Buffer.from(new Uint16Array(ids).buffer));
  fs.writeFileSync(f.replace(/\.jsonl$/, '.idx.i32'), Buffer.from(new Int32Array(idx).buffer));
  console.log(`${f}: ${idx.length / 3} sequences, ${ids.length} tokens`);
}
console.log('roundtrip ok; <|end|> id', end[0]);
