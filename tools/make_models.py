"""Tailor demo-model pipeline. Usage: /usr/bin/python3 tools/make_models.py <step>...
Steps (in order for `all`): corpus tokenizer encode fixture base rmlm rms quantize evalquant cards
manifest. Needs Debian's python3-torch python3-onnx python3-numpy python3-regex wordnet-base and
node with `npm ci` done (the tokenizer encode and ONNX checks run onnxruntime-web / tokenizers).
Intermediates go to tools/out/ (git-ignored); shipped files to public/models/<id>/.
Seeded (1234) and single-process, so reruns reproduce the same files.
"""
import hashlib
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
MODELS = os.path.join(ROOT, "public", "models")
SEED = 1234
BASE_ID, FIX_ID = "tailor-base", "tailor-fixture"
RM_IDS = {d: f"tailor-rm-{d}" for d in ("expertise", "informativeness", "style")}


def mdir(mid):
    return os.path.join(MODELS, mid)


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


def write_json(path, obj, indent=2):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def jsonl(path, recs):
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- corpus
def step_corpus():
    import corpus as C
    os.makedirs(OUT, exist_ok=True)
    d = C.build(seed=SEED)
    jsonl(f"{OUT}/base_train.jsonl", [dict(prompt=e["prompt"], answers=[e["answer"]]) for e in d["base"]])
    jsonl(f"{OUT}/base_held.jsonl", [dict(prompt=e["prompt"], answers=[e["answer"]]) for e in d["base_held"]])
    # RM LM pre-training data: the same answers with system messages stripped.
    jsonl(f"{OUT}/rm_lm.jsonl", [dict(prompt=e["prompt"][e["prompt"].find("<|user|>"):], answers=[e["answer"]])
                                 for e in d["base"]])
    for dim, pr in d["rm"].items():
        for split in ("train", "heldout"):
            jsonl(f"{OUT}/rm_{dim}_{split}.jsonl",
                  [dict(prompt=p["prompt"], answers=[p["chosen"], p["rejected"]]) for p in pr[split]])
    with open(f"{OUT}/heldout_words.txt", "w") as f:
        f.write("\n".join(x["w"] for x in d["held"]) + "\n")
    write_json(f"{OUT}/heldout_facts.json", d["held"])
    write_eval_prompts(d["heldout_prompts"], d["held"])
    write_json(f"{mdir(BASE_ID)}/heldout_prompts.json", d["heldout_prompts"])
    write_json(f"{mdir(BASE_ID)}/measures.json", {
        "expertMarkers": C.EXPERT_MARKERS, "friendlyMarkers": C.FRIENDLY_MARKERS,
        "informativeness": "answer length in characters",
        "note": "expertise = count of expertMarkers (lowercase whole-word match); style (friendly) = "
                "count of '!' plus whole-word 'you'/'your'; see MODEL_CARD.md"})
    # Text for tokenizer training: training conversations only (held-out words stay unseen).
    with open(f"{OUT}/bpe_text.txt", "w") as f:
        for e in d["base"]:
            t = e["prompt"] + e["answer"]
            for s in ("<|system|>", "<|user|>", "<|assistant|>", "<|end|>"):
                t = t.replace(s, "\n")
            f.write(t + "\n")
    lens = [len(e["answer"]) for e in d["base"]]
    import train
    train.save_metrics("corpus", dict(conversations=len(d["base"]), train_words=len(d["train_words"]),
                                      heldout_words=len(d["held"]), echo_share=C.ECHO_SHARE,
                                      mean_answer_chars=round(sum(lens) / len(lens))))
    log(f"corpus: {len(d['base'])} base examples, {len(d['train_words'])} training words, "
        f"{len(d['held'])} held-out words, mean answer {sum(lens) / len(lens):.0f} chars")


def write_eval_prompts(heldout_prompts, held):
    """Evaluation prompts on held-out words: the 40 shipped questions + 60 more, each without a
    system message and with each canonical pole phrase (for the prompted-path table)."""
    import random
    import corpus as C
    rng = random.Random(SEED + 7)
    qs = list(heldout_prompts) + [C.question(f, rng) for f in held[40:100]]
    recs = []
    for cond in [None] + list(C.CANONICAL):
        for q, f in zip(qs, held):
            recs.append(dict(prompt=C.prompt_text(q, C.CANONICAL[cond] if cond else None), answers=[""],
                             cond=cond or "none", q=q, w=f["w"]))
    jsonl(f"{OUT}/eval_prompts.jsonl", recs)


# ---------------------------------------------------------------- tokenizer
TOK_DIR = os.path.join(OUT, "tokenizer")


def step_tokenizer():
    import bpe
    t0 = time.time()
    texts = open(f"{OUT}/bpe_text.txt").read().split("\n")
    vocab, merges = bpe.train(texts, 4096)
    os.makedirs(TOK_DIR, exist_ok=True)
    bpe.write(TOK_DIR, vocab, merges)
    log(f"tokenizer: {len(vocab)} tokens, {len(merges)} merges, {time.time() - t0:.0f}s; "
        f"specials {[(s, vocab[s]) for s in bpe.SPECIALS]}")


def step_encode():
    files = [f"{OUT}/{n}" for n in sorted(os.listdir(OUT)) if n.endswith(".jsonl")]
    subprocess.run(["node", f"{HERE}/encode_corpus.mjs", TOK_DIR, *files], check=True, cwd=ROOT)


def special_ids():
    t = json.load(open(f"{TOK_DIR}/tokenizer.json"))
    return {a["content"]: a["id"] for a in t["added_tokens"]}


# ---------------------------------------------------------------- shipping a model dir
def ship(model, mid, extra=None):
    """config/generation_config/tokenizer files + onnx/model.onnx, then the Node ORT checks."""
    import shutil
    import torch
    from export_onnx import export
    d = mdir(mid)
    os.makedirs(f"{d}/onnx", exist_ok=True)
    cfg = dict(model.c)
    if extra:
        cfg.update(extra)
    write_json(f"{d}/config.json", cfg)
    eos = special_ids()["<|end|>"]
    write_json(f"{d}/generation_config.json", {"bos_token_id": None, "eos_token_id": [eos, 0], "pad_token_id": 0,
                                               "max_length": 512, "transformers_version": "4.46.0"})
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(f"{TOK_DIR}/{f}", f"{d}/{f}")
    export(model, f"{d}/onnx/model.onnx")
    # torch reference for check_onnx.mjs (kept in tools/out, never shipped)
    g = torch.Generator().manual_seed(SEED)
    ids = torch.randint(5, model.c["vocab_size"], (1, 12), generator=g)
    with torch.no_grad():
        logits, _ = model(ids)
    ref = f"{OUT}/{mid}_ref.json"
    write_json(ref, {"ids": ids[0].tolist(), "logits": logits[0].flatten().tolist()}, indent=None)
    r = subprocess.run(["node", f"{HERE}/check_onnx.mjs", d, ref], cwd=ROOT, capture_output=True, text=True)
    print(r.stdout + r.stderr, flush=True)
    with open(f"{OUT}/{mid}_check.txt", "w") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode:
        raise SystemExit(f"ONNX checks failed for {mid}")


def step_fixture():
    import torch
    from llama import Llama, config, n_params
    torch.manual_seed(SEED)
    eos = special_ids()["<|end|>"]
    m = Llama(config(4096, 64, 2, 2, 128, tie=False, eos_id=eos))
    ship(m, FIX_ID)
    n = n_params(m)
    with open(f"{mdir(FIX_ID)}/MODEL_CARD.md", "w") as f:
        f.write(f"""# tailor-fixture

Random-initialised tiny Llama for plumbing tests of the Tailor browser loader. **Not trained:
its output is noise.** Same tokenizer as `tailor-base` (byte-level BPE, 4096 tokens, trained on
the WordNet 3.0 derived Tailor corpus; WordNet 3.0 licence, permissive).

- Architecture: Llama (RMSNorm, rotary rope_theta 10000, SwiGLU, no biases), hidden 64,
  2 layers, 2 heads (head_dim 32), intermediate 128, untied lm_head, vocab 4096.
- Parameters: {n:,}
- Weights: `torch.manual_seed({SEED})`, normal(0, 0.02) init.
- Files: fp32 `onnx/model.onnx`, and q8 / q4 variants from the `quantize` step (transformers.js decoder layout, opset 14, past KV I/O).
- Made by: `/usr/bin/python3 tools/make_models.py fixture` (after `corpus tokenizer`).
- Checks (`tools/check_onnx.mjs`, onnxruntime-web WASM in Node): torch parity, KV-cache
  continuation, left-padded batch — all pass.
""")
    log(f"fixture: {n:,} params -> {mdir(FIX_ID)}")


# ---------------------------------------------------------------- training steps (tools/train.py)
def step_base():
    import train
    train.train_base()


def step_rmlm():
    import train
    train.pretrain_rm()


def step_rms():
    import train
    train.train_rms()


def step_cards():
    import cards
    cards.write_all()


def step_quantize():
    """q8 (onnx/model_quantized.onnx) and q4 (onnx/model_q4.onnx) next to each fp32 model."""
    for mid in [FIX_ID, BASE_ID, *RM_IDS.values()]:
        subprocess.run([sys.executable, f"{HERE}/quantize.py", mdir(mid)], check=True, cwd=ROOT)


def step_evalquant():
    """Quantization fidelity vs fp32 on held-out text (tools/eval_quant.mjs, ORT-web WASM in Node);
    its tables go into the model cards."""
    runs = [(BASE_ID, [f"{OUT}/base_held.jsonl", "--max-seqs", "64"]),
            (BASE_ID, [f"{mdir(BASE_ID)}/heldout_prompts.json", "--gen", "64", "--tag", "gen"]),
]   # not the fixture: it is untrained noise, its near-uniform logits make top-1 meaningless
    runs += [(mid, [f"{OUT}/rm_{dim}_heldout.jsonl"]) for dim, mid in RM_IDS.items()]
    for mid, args in runs:
        r = subprocess.run(["node", f"{HERE}/eval_quant.mjs", mdir(mid), *args], cwd=ROOT,
                           capture_output=True, text=True)
        tail = [l for l in r.stdout.splitlines() if l.startswith("| q")]
        log(f"evalquant {mid} {' '.join(args[1:])}: " + " / ".join(tail))
        if r.returncode:
            raise SystemExit(f"eval_quant failed for {mid}:\n{r.stdout}{r.stderr}")


def step_manifest():
    files = {}
    for dp, _, fns in os.walk(MODELS):
        for fn in fns:
            p = os.path.join(dp, fn)
            rel = os.path.relpath(p, MODELS).replace(os.sep, "/")
            if rel == "manifest.json":
                continue
            files[rel] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    write_json(f"{MODELS}/manifest.json", {"files": dict(sorted(files.items()))})
    log(f"manifest: {len(files)} files")


STEPS = ["corpus", "tokenizer", "encode", "fixture", "base", "rmlm", "rms", "quantize", "evalquant",
         "cards", "manifest"]

if __name__ == "__main__":
    args = sys.argv[1:] or ["all"]
    steps = STEPS if args == ["all"] else args
    t_all, times = time.time(), {}
    for s in steps:
        t0 = time.time()
        globals()[f"step_{s}"]()
        times[s] = round(time.time() - t0)
        log(f"step {s}: {times[s]}s")
    total = round(time.time() - t_all)
    log(f"total {total}s")
    if steps == STEPS:
        # Record the whole run's wall time in the cards (cards and manifest take a second).
        import train
        train.save_metrics("pipeline", dict(total_seconds=total, step_seconds=times,
                                            date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
        step_cards()
        step_manifest()
