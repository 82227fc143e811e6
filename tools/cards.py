"""MODEL_CARD.md for the trained models and tailor.json (the dimension manifest the app reads),
from the figures recorded in tools/out/metrics.json by train.py / evaluate.py."""
import json
import os

import make_models as MM
from corpus import CANONICAL, EXPERT_MARKERS, FRIENDLY_MARKERS, POLES

DATA_T = """## Data and licence

Synthetic chat corpus built by `tools/corpus.py` from **WordNet 3.0** (Debian `wordnet-base`;
Princeton WordNet 3.0 licence — permissive: use, copy, modify and distribute with the copyright
notice, no fee). Each example is a user question about a noun ("What does X mean?", "Define X.",
...) and an assistant answer rendered from that word's most frequent synset (definition, example
sentence, synonyms, hypernym, hyponyms, lexicographer file) in one of 8 pole combinations:
expertise plain/expert x informativeness concise/detailed x style friendly/formal. {conv:,} training
conversations ({echo:.0%} of them "Repeat after me" echo conversations, see Training) over
{words:,} training lemmas (every lemma that passes the filters, each in 1-2
conversations, so that answering means copying the asked word, not recalling a memorised one); 60% carry a system message naming 1-3 of the answer's
poles with canonical phrases (85%) or a paraphrase (15%). 400 held-out lemmas (`tools/out/heldout_words.txt`)
never occur in any training question or answer, nor in the tokenizer's training text; all
figures below are on held-out words.

Simple measures (also in `tailor-base/measures.json`): informativeness = answer length in
characters; style (friendly) = count of "!" plus the words you/your; expertise = count of the
expert marker words {markers}.
"""


def data_txt(m):
    c = m["corpus"]
    return DATA_T.format(markers=", ".join(EXPERT_MARKERS), conv=c["conversations"], words=c["train_words"],
                         echo=c["echo_share"] / (1 + c["echo_share"]))

TOK = """## Tokenizer

Byte-level BPE (GPT-2 regex pre-tokenizer), 4096 tokens, trained by `tools/bpe.py` on the
training conversations. Specials: `<|endoftext|>`=0 (pad, EOS), `<|system|>`=1, `<|user|>`=2,
`<|assistant|>`=3, `<|end|>`=4 (end of turn, EOS for generation). Chat template:
`<|role|>\\ncontent<|end|>\\n` per message, then `<|assistant|>\\n`. Training ids were produced
by `@huggingface/tokenizers` (the browser's tokenizer) via `tools/encode_corpus.mjs`.
"""


def arch(c, n):
    return (f"Llama (hand-written in torch, HF LlamaForCausalLM semantics): RMSNorm (eps {c['rms_norm_eps']}), "
            f"rotary embeddings (rope_theta {c['rope_theta']:.0f}, rotate_half), SwiGLU MLP, no biases, "
            f"{'lm_head tied to the token embedding' if c['tie_word_embeddings'] else 'untied lm_head'}. hidden {c['hidden_size']}, {c['num_hidden_layers']} layers, "
            f"{c['num_attention_heads']} heads (head_dim {c['head_dim']}, kv heads = heads), intermediate "
            f"{c['intermediate_size']}, vocab {c['vocab_size']}. **Parameters: {n:,}.**")


ONNX = """## ONNX

`onnx/model.onnx` (fp32), transformers.js decoder layout, opset 14: inputs `input_ids`,
`attention_mask`, `position_ids`, `past_key_values.{{i}}.key/value` [batch, heads, past, head_dim];
outputs `logits`, `present.{{i}}.key/value`. Padding is masked with -1e9 (no NaN on fully padded rows).
`tools/check_onnx.mjs` (onnxruntime-web WASM in Node) result:

```
{check}```

## Quantization

Written by `tools/quantize.py` (q8: DynamicQuantizeLinear → MatMulInteger, the layout of the hub's
`model_quantized.onnx`, with `down_proj` kept as uint8 weights + DequantizeLinear because its input's
outliers defeat per-tensor activation scales; q4: `com.microsoft.MatMulNBits`, 4 bits, block 32).
Measured by `node tools/eval_quant.mjs <model dir> <held-out file>`:

{quant}
"""


def quant_txt(mid):
    """The fidelity tables tools/eval_quant.mjs wrote for this model (tools/out/quant_eval_<id>*.json)."""
    parts = []
    for suffix in ("", "_gen"):
        p = f"{MM.OUT}/quant_eval_{mid}{suffix}.json"
        if os.path.exists(p):
            parts.append(json.load(open(p))["markdown"].strip())
    return "\n\n".join(parts) or "_(not measured: run tools/eval_quant.mjs)_"



def loops(text):
    """Greedy degeneration: some three-word phrase occurs three or more times."""
    w = text.lower().split()
    grams = [tuple(w[i:i + 3]) for i in range(len(w) - 2)]
    return any(grams.count(g) >= 3 for g in set(grams))


def clip(text, n=400):
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " … _(cut at 400 characters)_"


def table(rows, cols=("length", "friendly", "expert")):
    s = "| condition | " + " | ".join(f"mean {c}" for c in cols) + " |\n|---|" + "---|" * len(cols) + "\n"
    for k, v in rows.items():
        s += f"| {k} | " + " | ".join(f"{v[c]}" for c in cols) + " |\n"
    return s


def check_txt(mid):
    p = f"{MM.OUT}/{mid}_check.txt"
    return open(p).read() if os.path.exists(p) else "(not run)\n"


def write_all():
    from train import all_metrics
    m = all_metrics()
    pipeline = m.get("pipeline")
    base_dir = MM.mdir(MM.BASE_ID)
    bc = json.load(open(f"{base_dir}/config.json"))
    b = m["base"]
    bp = m.get("base_prompted", {})
    rows = {("no system message" if k == "none" else f'"{CANONICAL[k]}"'): v for k, v in bp.get("table", {}).items()}
    none = bp.get("samples", {}).get("none", [])
    samples = "\n".join(f"- **Q:** {s['q']}\n  **A:** {clip(s['a'])}" for s in none[:5])
    ot = bp.get("on_topic", {})
    cat = ot.get("detailed", {}).get("category", {})
    on_topic = (f"Greedy answers (no system message) that are about the asked word, i.e. name it verbatim: "
                f"**{round(ot['none']['first20'] * 20)} of the first 20** held-out words, "
                f"{ot['none']['all']:.0%} of all {bp['n']}; {sum(map(loops, (x['a'] for x in none[:20])))} of the 20 "
                f"fall into a loop (a three-word phrase repeated 3+ times)" if "none" in ot else "_(not measured)_")
    if cat:
        on_topic += (f"; with \"{CANONICAL['detailed']}\", {cat['named']} answers name a lexical category and "
                     f"{cat['correct']} of them the word's true one (always guessing the commonest: {cat['majority_baseline']})")
    samples_sys = "\n".join(f"- [{c}] **Q:** {s['q']}\n  **A:** {clip(s['a'])}"
                            for c in ("detailed", "friendly", "expert") for s in bp.get("samples", {}).get(c, [])[:1])
    with open(f"{base_dir}/MODEL_CARD.md", "w") as f:
        f.write(f"""# tailor-base

Base chat LM for Tailor's personalized decoding demo: score(t) = log pi_base(t) + sum_i w_i r_i(t).
Answers questions about English nouns. Tiny and synthetic-data-only: fluent in its templates,
definitions for unseen words are mostly invented.

{data_txt(m)}
{TOK}
## Architecture

{arch(bc, b['params'])}

## Training

SFT on the assistant answer tokens (incl. `<|end|>`), AdamW (betas 0.9/0.95, wd 0.1), 100 warm-up
steps then cosine decay, length-bucketed batches of ~4096 tokens, 2 CPU threads (OpenBLAS), peak
LR 2e-3, {b['steps']} steps (~{b['steps'] * 4096 / 1e6:.1f}M padded tokens, about
{b['steps'] * 4096 / b['corpus_tokens']:.1f} epochs of the {b['corpus_tokens'] / 1e6:.2f}M-token corpus). Answer tokens that
copy the asked word from the question weigh {b['copy_weight']}x in the loss, and
{m['corpus'].get('echo_share', 0):.0%} extra "Repeat after me: ..." conversations (training lemmas and words spliced from two
lemmas) teach copying subword pieces (300-step pilots with tied embeddings named 0 of 100 held-out
words without these two, 34 with them). Seed {MM.SEED}. Measured training time: **{b['train_seconds']} s**.

## Known limitations

A 4M-parameter model trained for minutes on synthetic text: it has learned the answer templates,
follows the system-message poles and usually names the asked word, but it cannot know what an
unseen word means, so **definitions of held-out words are invented** (sometimes guessed from a
familiar part of the word), and greedy decoding can loop ("a person who is a person ...").
Command: `/usr/bin/python3 tools/make_models.py all` (or the `base` step).
{f"Whole pipeline (`all`, {pipeline['date']}): **{pipeline['total_seconds']} s** on this machine's 2 cores; per step: "
 + ", ".join(f"{k} {v} s" for k, v in pipeline['step_seconds'].items()) + "." if pipeline else ""}

- Held-out answer perplexity (800 conversations on held-out words): **{b['heldout_ppl']}**
  (training-sample perplexity {b['train_ppl']}).

## Prompted path ({bp.get('n', '?')} held-out questions)

Greedy:

{table(rows)}
Sampled (temperature 1, seed {MM.SEED}):

{table({k2: v for k2, v in zip(rows, bp.get('sampled', {}).values())})}
## Greedy answers for held-out words (no system message)

{on_topic}. The first five (all 20 are in `tools/out/metrics/base_prompted.json`):

{samples}

With system messages:

{samples_sys}

{ONNX.format(check=check_txt(MM.BASE_ID), quant=quant_txt(MM.BASE_ID))}""")
    for dim, mid in MM.RM_IDS.items():
        r = m.get(f"rm_{dim}")
        if not r:
            continue
        c = json.load(open(f"{MM.mdir(mid)}/config.json"))
        lo, hi = POLES[dim]
        st = m.get(f"steer_{dim}", {})
        rows = {f"w = {float(k):+.0f}": v for k, v in st.get("table", {}).items()}
        ex = "\n".join(f"- w = {float(k):+.0f}: {v[0]}" for k, v in st.get("samples", {}).items())
        measure = {"expertise": "expert", "informativeness": "length", "style": "friendly"}[dim]
        with open(f"{MM.mdir(mid)}/MODEL_CARD.md", "w") as f:
            f.write(f"""# {mid}

GenARM-style autoregressive reward model for the **{dim}** dimension of Tailor. Per-token reward
r(t) = log pi_RM(t | ctx) - log pi_base(t | ctx) with `tailor-base` as reference: positive r favours
the **{hi}** pole, negative r (weight < 0) the **{lo}** pole. Decoding: log pi_base + w * scale * r,
with `scale` = {RM_REWARD_SCALE[dim]} from `tailor-base/tailor.json` (see `tools/cards.py` for how it was chosen);
the torch steering check below uses scale 1.

{data_txt(m)}
{TOK}
## Architecture

{arch(c, r['params'])}

## Training

1. LM pre-training on all training answers without system messages ({m['rm_lm']['steps']} steps,
   {m['rm_lm']['train_seconds']} s; shared initialisation of the three RMs; held-out ppl {m['rm_lm']['heldout_ppl']}).
2. DPO against the frozen `tailor-base` reference on {hi}-vs-{lo} pairs (same question, no system
   message, answers identical in the other two dimensions; chosen = {hi}), beta {r['beta']},
   {r['dpo_steps']} steps of 24 pairs, peak LR {r.get('dpo_lr', 5e-4)}, plus 0.2 x NLL of the chosen answer (keeps the RM fluent), {r['dpo_seconds']} s (+ {r['ref_seconds']} s
   reference log-probs). Seed {MM.SEED}. Command: `/usr/bin/python3 tools/make_models.py rms`.

- Held-out pairwise accuracy (sum of r over the answer, chosen > rejected, {r['heldout_pairs']}
  pairs on held-out words): **{r['heldout_acc']}** (mean margin {r['heldout_mean_margin']} nats).

## Steering check ({st.get('n', '?')} held-out questions, no system message; decoding log pi_base + w * r)

Measure for this dimension: **{measure}** (higher = more {"expert" if dim == "expertise" else "detailed" if dim == "informativeness" else "friendly"}).

Greedy:

{table(rows)}

Examples (greedy, first held-out question):

{ex}

{ONNX.format(check=check_txt(mid), quant=quant_txt(mid))}""")
    write_tailor_json()


# Reward scale per dimension (tailor.json "scale"): the DPO log-ratio at full strength is pi_RM itself,
# a weaker LM than the base; these keep w = +-1 a clear but fluent pull. Calibrated in the browser
# (WASM q8, T 0.7) on held-out prompts 21-40 of heldout_prompts.json (the personalization test
# uses 1-20): the style RM also shortens answers (its formal side ends early), at 0.5 it moved
# length (47 -> 23 tokens) more than style itself; at 0.25 style moves -0.138 / -0.123 / -0.043
# and length 44 / 46 / 43 tokens.
RM_REWARD_SCALE = {"expertise": 0.5, "informativeness": 0.5, "style": 0.25}


def write_tailor_json():
    dims = []
    for dim, mid in MM.RM_IDS.items():
        lo, hi = POLES[dim]
        dims.append({"name": dim, "poles": {"negative": lo, "positive": hi},
                     "sources": {"reward-model": {"kind": "reward-model", "model": mid, "reference": "base",
                                                  "scale": RM_REWARD_SCALE[dim]},
                                 "prompted": {"kind": "prompted", "text": CANONICAL[hi]}},
                     "defaultSource": "reward-model"})
    MM.write_json(f"{MM.mdir(MM.BASE_ID)}/tailor.json", {"schema": 1, "base": MM.BASE_ID, "dimensions": dims})
