"""MODEL_CARD.md for the trained models and tailor.json (the dimension manifest the app reads),
from the figures recorded in tools/out/metrics.json by train.py / evaluate.py."""
import json
import os

import make_models as MM
from corpus import CANONICAL, EXPERT_MARKERS, FRIENDLY_MARKERS, POLES

DATA = """## Data and licence

Synthetic chat corpus built by `tools/corpus.py` from **WordNet 3.0** (Debian `wordnet-base`;
Princeton WordNet 3.0 licence — permissive: use, copy, modify and distribute with the copyright
notice, no fee). Each example is a user question about a noun ("What does X mean?", "Define X.",
...) and an assistant answer rendered from that word's most frequent synset (definition, example
sentence, synonyms, hypernym, hyponyms, lexicographer file) in one of 8 pole combinations:
expertise plain/expert x informativeness concise/detailed x style friendly/formal. 48,000 training
conversations over 9,000 training lemmas; 60% carry a system message naming 1-3 of the answer's
poles with canonical phrases (85%) or a paraphrase (15%). 400 held-out lemmas (`tools/out/heldout_words.txt`)
never occur in any training question or answer, nor in the tokenizer's training text; all
figures below are on held-out words.

Simple measures (also in `tailor-base/measures.json`): informativeness = answer length in
characters; style (friendly) = count of "!" plus the words you/your; expertise = count of the
expert marker words {markers}.
""".format(markers=", ".join(EXPERT_MARKERS))

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
            f"untied lm_head. hidden {c['hidden_size']}, {c['num_hidden_layers']} layers, "
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
    pipeline = m.get("pipeline_seconds")
    base_dir = MM.mdir(MM.BASE_ID)
    bc = json.load(open(f"{base_dir}/config.json"))
    b = m["base"]
    bp = m.get("base_prompted", {})
    rows = {("no system message" if k == "none" else f'"{CANONICAL[k]}"'): v for k, v in bp.get("table", {}).items()}
    samples = "\n".join(f"- **Q:** {s['q']}\n  **A:** {s['a']}" for s in bp.get("samples", {}).get("none", []))
    samples_sys = "\n".join(f"- [{c}] **Q:** {s['q']}\n  **A:** {s['a']}"
                            for c in ("detailed", "friendly", "expert") for s in bp.get("samples", {}).get(c, [])[:1])
    with open(f"{base_dir}/MODEL_CARD.md", "w") as f:
        f.write(f"""# tailor-base

Base chat LM for Tailor's personalized decoding demo: score(t) = log pi_base(t) + sum_i w_i r_i(t).
Answers questions about English nouns. Tiny and synthetic-data-only: fluent in its templates,
definitions for unseen words are mostly invented.

{DATA}
{TOK}
## Architecture

{arch(bc, b['params'])}

## Training

SFT on the assistant answer tokens (incl. `<|end|>`), AdamW (betas 0.9/0.95, wd 0.1), 100 warm-up
steps then cosine decay, length-bucketed batches of ~4096 tokens, 2 CPU threads (OpenBLAS; the
machine's 2 cores were shared with other jobs, so wall time is inflated), peak LR 2e-3,
{b['steps']} steps (~{b['steps'] * 4096 / 1e6:.1f}M padded tokens, about 0.8 epoch of the 3.24M-token
corpus). Seed {MM.SEED}. Measured training time: **{b['train_seconds']} s**.

## Known limitations

The model is undertrained for its size (the session's CPU budget): it has learned the answer
templates and follows the system-message poles, but it usually does **not copy an unseen word
from the question** into the answer (it writes a similar-looking word instead), and the definitions
for held-out words are invented. A longer run (e.g. `TAILOR_BASE_P2_STEPS=500`, a second phase;
the RMs must then be retrained against the new base) is the first thing to try.
Command: `/usr/bin/python3 tools/make_models.py all` (or the `base` step).
{f"Full pipeline wall time: {pipeline} s." if pipeline else ""}

- Held-out answer perplexity (800 conversations on held-out words): **{b['heldout_ppl']}**
  (training-sample perplexity {b['train_ppl']}).

## Prompted path ({bp.get('n', '?')} held-out questions)

Greedy:

{table(rows)}
Sampled (temperature 1, seed {MM.SEED}):

{table({k2: v for k2, v in zip(rows, bp.get('sampled', {}).values())})}
## Greedy answers for held-out words (no system message)

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
the **{hi}** pole, negative r (weight < 0) the **{lo}** pole. Decoding: log pi_base + w * r.

{DATA}
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
Sampled (temperature 1, seed {MM.SEED}):

{table({f"w = {float(k):+.0f}": v for k, v in st.get("sampled", {}).items()})}
Examples (greedy, first held-out question):

{ex}

{ONNX.format(check=check_txt(mid), quant=quant_txt(mid))}""")
    write_tailor_json()


RM_REWARD_SCALE = 0.5


def write_tailor_json():
    dims = []
    for dim, mid in MM.RM_IDS.items():
        lo, hi = POLES[dim]
        dims.append({"name": dim, "poles": {"negative": lo, "positive": hi},
                     "sources": {"reward-model": {"kind": "reward-model", "model": mid, "reference": "base",
                                                  # The DPO log-ratio at full strength is pi_RM itself, a weaker LM
                                                  # than the base; half of it is a clear but fluent pull at w = 1.
                                                  "scale": RM_REWARD_SCALE},
                                 "prompted": {"kind": "prompted", "text": CANONICAL[hi]}},
                     "defaultSource": "reward-model"})
    MM.write_json(f"{MM.mdir(MM.BASE_ID)}/tailor.json", {"schema": 1, "base": MM.BASE_ID, "dimensions": dims})
