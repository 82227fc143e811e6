"""Sanity checks by decoding in torch on held-out words (never seen in training):
- base prompted path: greedy answers with each canonical system phrase vs none;
- reward-model steering: greedy decoding of score = log pi_base + w * (log pi_RM - log pi_base)
  for w in {-1, 0, +1}, without a system message.
Results (tables + sample answers) go to tools/out/metrics.json for the model cards.
"""
import json
import re

import numpy as np
import torch

import make_models as MM
import train as T
from bpe import bytes_to_unicode
from corpus import EXPERT_MARKERS

MAX_NEW = 160
_dec = None


def decode(ids):
    global _dec
    if _dec is None:
        tj = json.load(open(f"{MM.TOK_DIR}/tokenizer.json"))
        inv = {v: k for k, v in tj["model"]["vocab"].items()}
        u2b = {u: b for b, u in bytes_to_unicode().items()}
        _dec = (inv, u2b)
    inv, u2b = _dec
    return bytes(u2b[c] for i in ids if i > 4 for c in inv[i]).decode("utf-8", "replace")


def measures(text):
    t = text.lower()
    words = re.findall(r"[a-z]+", t)
    return dict(length=len(text), friendly=text.count("!") + sum(w in ("you", "your") for w in words),
                expert=sum(w in EXPERT_MARKERS for w in words))


def eval_prompts():
    recs = [json.loads(l) for l in open(f"{MM.OUT}/eval_prompts.jsonl")]
    data = T.load("eval_prompts")
    return [(r, s[:p]) for r, (s, p) in zip(recs, data)]


@torch.no_grad()
def generate(base, prompts, rm=None, w=0.0, temp=0.0, seed=0):
    """Batched greedy (temp 0) or sampled decoding with left padding and KV caches (same masking as the app)."""
    B = len(prompts)
    L = max(len(p) for p in prompts)
    ids = torch.zeros(B, L, dtype=torch.long)
    mask = torch.zeros(B, L, dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, L - len(p):] = torch.from_numpy(p)
        mask[i, L - len(p):] = 1
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    past_b = past_r = None
    out = [[] for _ in range(B)]
    done = torch.zeros(B, dtype=torch.bool)
    cur = ids
    g = None
    for _ in range(MAX_NEW):
        lb, past_b = base(cur, mask, pos, past_b)
        score = torch.log_softmax(lb[:, -1], -1)
        if rm is not None and w != 0:
            lr, past_r = rm(cur, mask, pos, past_r)
            score = score + w * (torch.log_softmax(lr[:, -1], -1) - score)
        if temp > 0:
            g = g if _ > 0 else torch.Generator().manual_seed(seed)
            nxt = torch.multinomial(torch.softmax(score / temp, -1), 1, generator=g).squeeze(1)
        else:
            nxt = score.argmax(-1)
        for i in range(B):
            if not done[i]:
                out[i].append(int(nxt[i]))
        done |= (nxt == 4) | (nxt == 0)
        if done.all():
            break
        cur = nxt.unsqueeze(1)
        mask = torch.cat([mask, torch.ones(B, 1, dtype=torch.long)], 1)
        pos = pos[:, -1:] + 1
    return [decode(o) for o in out]


def summarize(texts):
    m = [measures(t) for t in texts]
    return {k: round(float(np.mean([x[k] for x in m])), 2) for k in ("length", "friendly", "expert")}


def base_prompted(base):
    ev = eval_prompts()
    table, samples, stable = {}, {}, {}
    for cond in ["none", "expert", "plain", "detailed", "concise", "formal", "friendly"]:
        sel = [(r, p) for r, p in ev if r["cond"] == cond]
        texts = generate(base, [p for _, p in sel])
        table[cond] = summarize(texts)
        samples[cond] = [dict(q=r["q"], a=t) for (r, _), t in zip(sel[:5], texts[:5])]
        stable[cond] = summarize(generate(base, [p for _, p in sel], temp=1.0, seed=MM.SEED))
        MM.log(f"base prompted [{cond}] greedy {table[cond]} sampled {stable[cond]}")
    T.save_metrics("base_prompted", dict(n=len(sel), table=table, sampled=stable, samples=samples))


def steering(base, rm, dim):
    ev = [p for r, p in eval_prompts() if r["cond"] == "none"]
    table, samples, stable = {}, {}, {}
    for w in (-1.0, 0.0, 1.0):
        texts = generate(base, ev, rm, w)
        table[str(w)] = summarize(texts)
        samples[str(w)] = texts[:2]
        stable[str(w)] = summarize(generate(base, ev, rm, w, temp=1.0, seed=MM.SEED))
        MM.log(f"steer {dim} w={w:+.0f} greedy {table[str(w)]} sampled {stable[str(w)]}")
    T.save_metrics(f"steer_{dim}", dict(n=len(ev), table=table, sampled=stable, samples=samples))
