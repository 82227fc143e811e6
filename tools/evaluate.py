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


def names_word(word, text):
    """On-topic check for an unseen word: the answer is about the asked word (names it verbatim)
    rather than about a known look-alike."""
    return re.search(r"\b" + re.escape(word) + r"\b", text.lower()) is not None


def category_match(texts, recs, lex):
    """Answers that name a lexical category ("noun.person"): how many name the word's true one
    (lex: held-out word -> its lexicographer file)."""
    named = [(re.search(r"noun\.[a-z]+", t), r["w"]) for t, r in zip(texts, recs)]
    named = [(m.group(0), lex[w]) for m, w in named if m]
    truth = [b for _, b in named]
    # baseline: always guessing the commonest true category among these answers
    majority = max((truth.count(c) for c in set(truth)), default=0)
    return dict(named=len(named), correct=sum(a == b for a, b in named), majority_baseline=majority)


def base_prompted(base):
    ev = eval_prompts()
    lex = {f["w"]: f["lex"] for f in json.load(open(f"{MM.OUT}/heldout_facts.json"))}
    table, samples, stable, on_topic = {}, {}, {}, {}
    for cond in ["none", "expert", "plain", "detailed", "concise", "formal", "friendly"]:
        sel = [(r, p) for r, p in ev if r["cond"] == cond]
        texts = generate(base, [p for _, p in sel])
        table[cond] = summarize(texts)
        hits = [names_word(r["w"], t) for (r, _), t in zip(sel, texts)]
        on_topic[cond] = dict(first20=round(float(np.mean(hits[:20])), 3), all=round(float(np.mean(hits)), 3),
                              category=category_match(texts, [r for r, _ in sel], lex))
        samples[cond] = [dict(q=r["q"], w=r["w"], a=t) for (r, _), t in zip(sel[:20], texts[:20])]
        stable[cond] = summarize(generate(base, [p for _, p in sel], temp=1.0, seed=MM.SEED))
        MM.log(f"base prompted [{cond}] greedy {table[cond]} sampled {stable[cond]} names the word {on_topic[cond]}")
    T.save_metrics("base_prompted", dict(n=len(sel), table=table, sampled=stable, samples=samples,
                                         on_topic=on_topic))


def steering(base, rm, dim):
    ev = [p for r, p in eval_prompts() if r["cond"] == "none"]
    table, samples = {}, {}
    for w in (-1.0, 0.0, 1.0):
        texts = generate(base, ev, rm, w)
        table[str(w)] = summarize(texts)
        samples[str(w)] = texts[:2]
        MM.log(f"steer {dim} w={w:+.0f} greedy {table[str(w)]}")
    # greedy only (a sampled table doubled this step's time); the browser test samples at T = 0.7
    T.save_metrics(f"steer_{dim}", dict(n=len(ev), table=table, samples=samples))
