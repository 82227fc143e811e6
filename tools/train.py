"""Training for the Tailor models: base LM (SFT on the chat corpus) and the three GenARM/DPO
reward models (r(t) = log pi_RM(t|ctx) - log pi_base(t|ctx) rewards the positive pole).

Data comes from tools/out/*.ids.u16 / *.idx.i32, written by encode_corpus.mjs with the browser
tokenizer. Loss is on the assistant answer tokens incl. <|end|> only.
"""
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

import make_models as MM
from llama import Llama, config, n_params

torch.set_num_threads(2)
OUT = MM.OUT
# (steps, peak LR, data-order seed) per phase; ~1.3 epochs, ~23 min on 2 cores. An optional second
# phase (TAILOR_BASE_P2_STEPS=n, LR 1.5e-3) continues training (the RMs must then be retrained).
BASE_PHASES = [(1000, 2e-3, 1234)] + ([(int(os.environ["TAILOR_BASE_P2_STEPS"]), 1.5e-3, 1334)]
                                     if os.environ.get("TAILOR_BASE_P2_STEPS") else [])
# Tied input/output embeddings: copying a token seen in the question (the asked, unseen word)
# then needs one shared identity-like circuit instead of a separately learned output row per token.
BASE_CFG = dict(hidden=256, layers=4, heads=4, inter=576, tie=True)
RM_CFG = dict(hidden=128, layers=3, heads=4, inter=352)
# 600 steps: at 300 the RM LM (ppl 26.6 vs the base's 9.9) started DPO ~50 nats behind the base on
# detailed answers and informativeness reached only 0.863 held-out accuracy
RM_LM_STEPS = int(os.environ.get("TAILOR_RM_LM_STEPS", 600))
# DPO steps per dimension (training accuracy hits 1.0 within ~25 steps; the rest sharpens the
# per-token reward that steering uses)
RM_DPO_STEPS = {"expertise": 100, "informativeness": 260, "style": 100}
# informativeness needs a higher LR: its chosen (detailed) answers are ~4x longer, so the weaker
# RM starts ~50 nats behind the base on them and DPO must first close that gap.
RM_DPO_LR = {"expertise": 5e-4, "informativeness": 1.5e-3, "style": 5e-4}
DPO_BETA = 0.1
SFT_ALPHA = 0.2
DPO_PAIRS = 1800          # training pairs used per dimension (reference log-probs precomputed)
TOKENS_PER_BATCH = 4096


def load(name):
    ids = np.fromfile(f"{OUT}/{name}.ids.u16", dtype=np.uint16).astype(np.int64)
    idx = np.fromfile(f"{OUT}/{name}.idx.i32", dtype=np.int32).reshape(-1, 3)
    return [(ids[o:o + n], p) for o, p, n in idx]


COPY_WEIGHT = 3.0   # loss weight of answer tokens copied from the user's question (see copy_mask)


def template_tokens(data, share=0.04):
    """Token ids in more than `share` of the user questions: the question templates' own words."""
    df = {}
    for s, p in data:
        for t in set(question_ids(s, p)):
            df[t] = df.get(t, 0) + 1
    return {t for t, n in df.items() if n > share * len(data)}


def question_ids(s, p):
    """The user message's tokens (between <|user|>=2 and its <|end|>=4) within the prompt s[:p]."""
    q = s[:p].tolist()
    i = q.index(2) + 1 if 2 in q else 0
    j = q.index(4, i) if 4 in q[i:] else p
    return q[i:j]


def copy_ids(data):
    """Per sequence: the question's non-template token ids (the asked word's pieces), computed once."""
    template = template_tokens(data)
    return [torch.tensor(sorted(set(question_ids(s, p)) - template), dtype=torch.long) for s, p in data]


def copy_mask(y, ids):
    """True at answer positions whose target is one of that sequence's copy ids. Up-weighting them
    speeds up learning to copy the asked word."""
    m = torch.zeros_like(y, dtype=torch.bool)
    for i, c in enumerate(ids):
        if len(c):
            m[i] = (y[i] != -100) & torch.isin(y[i], c)
    return m


def collate(seqs):
    """Right-padded batch: ids [B,T], targets [B,T] with -100 outside answer tokens."""
    T = max(len(s) for s, _ in seqs)
    x = torch.zeros(len(seqs), T, dtype=torch.long)
    y = torch.full((len(seqs), T), -100, dtype=torch.long)
    for i, (s, p) in enumerate(seqs):
        t = torch.from_numpy(s)
        x[i, :len(s)] = t
        y[i, p - 1:len(s) - 1] = t[p:]      # predict answer tokens (incl. <|end|>)
    return x, y


def batches(data, rng, tokens=TOKENS_PER_BATCH):
    """Length-bucketed batches (little padding), in shuffled order."""
    order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), rng.random()))
    out, cur = [], []
    for i in order:
        if cur and (len(cur) + 1) * len(data[i][0]) > tokens:
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def lr_at(step, total, peak, warm=100, floor=0.05):
    if step < warm:
        return peak * (step + 1) / warm
    p = (step - warm) / max(1, total - warm)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def seq_logps(model, x, y):
    """Sum of answer-token log-probs per sequence."""
    logits, _ = model(x)
    lp = torch.log_softmax(logits.float(), -1)
    mask = y != -100
    tok = lp.gather(-1, y.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (tok * mask).sum(-1), mask.sum(-1)


def lm_train(model, data, steps, peak, tag, seed):
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=peak, betas=(0.9, 0.95), weight_decay=0.1)
    copies = copy_ids(data)
    model.train()
    queue, step, t0, ntok, run = [], 0, time.time(), 0, None
    while step < steps:
        if not queue:
            queue = batches(data, rng)
        b = queue.pop()
        x, y = collate([data[i] for i in b])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, peak)
        sel = y != -100     # the head runs on answer positions only (~30% faster for the RMs)
        w = 1 + (COPY_WEIGHT - 1) * copy_mask(y, [copies[i] for i in b])[sel].float()
        ce = F.cross_entropy(model.lm_head(model.hidden(x)[sel]), y[sel], reduction="none")
        loss = (ce * w).sum() / w.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ntok += x.numel()
        run = loss.item() if run is None else 0.98 * run + 0.02 * loss.item()
        step += 1
        if step % 50 == 0 or step == steps:
            el = time.time() - t0
            MM.log(f"{tag} step {step}/{steps} loss {run:.3f} {ntok / el:.0f} tok/s {el:.0f}s")
    model.eval()
    return time.time() - t0


@torch.no_grad()
def perplexity(model, data):
    model.eval()
    tot, n = 0.0, 0
    for b in batches(data, random.Random(0)):
        x, y = collate([data[i] for i in b])
        s, c = seq_logps(model, x, y)
        tot += s.sum().item()
        n += c.sum().item()
    return math.exp(-tot / n)


def new_model(cfg, seed):
    torch.manual_seed(seed)
    return Llama(config(4096, cfg["hidden"], cfg["layers"], cfg["heads"], cfg["inter"], tie=cfg.get("tie", False),
                        eos_id=MM.special_ids()["<|end|>"]))


def save_metrics(key, val):
    """One file per key (tools/out/metrics/<key>.json): steps may run as parallel processes."""
    os.makedirs(f"{OUT}/metrics", exist_ok=True)
    json.dump(val, open(f"{OUT}/metrics/{key}.json", "w"), indent=2)


def all_metrics():
    m = json.load(open(f"{OUT}/metrics.json")) if os.path.exists(f"{OUT}/metrics.json") else {}
    d = f"{OUT}/metrics"
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        m[fn[:-5]] = json.load(open(f"{d}/{fn}"))
    return m


def load_base():
    m = new_model(BASE_CFG, MM.SEED)
    m.load_state_dict(torch.load(f"{OUT}/base.pt"))
    m.eval()
    return m


def train_base():
    """One or more phases (warm restart of AdamW between them); checkpoints of finished phases
    are reused when TAILOR_RESUME=1 (same result as running them all)."""
    data = load("base_train")
    model = new_model(BASE_CFG, MM.SEED)
    MM.log(f"base: {n_params(model):,} params, {len(data)} sequences, phases {BASE_PHASES}")
    secs = 0.0
    for k, (steps, peak, seed) in enumerate(BASE_PHASES):
        ck = f"{OUT}/base_p{k + 1}.pt"
        if os.environ.get("TAILOR_RESUME") == "1" and os.path.exists(ck):
            model.load_state_dict(torch.load(ck))
            secs += all_metrics().get("base_phase_seconds", {}).get(str(k + 1), 0)
            MM.log(f"base: phase {k + 1} loaded from {ck}")
            continue
        s = lm_train(model, data, steps, peak, f"base-p{k + 1}", seed)
        secs += s
        torch.save(model.state_dict(), ck)
        save_metrics("base_phase_seconds", {**all_metrics().get("base_phase_seconds", {}), str(k + 1): round(s)})
    torch.save(model.state_dict(), f"{OUT}/base.pt")
    ppl = perplexity(model, load("base_held"))
    ppl_train = perplexity(model, load("base_train")[:800])
    MM.log(f"base: held-out answer perplexity {ppl:.2f} (train sample {ppl_train:.2f}), {secs:.0f}s")
    save_metrics("base", dict(params=n_params(model), steps=sum(p[0] for p in BASE_PHASES),
                              phases=BASE_PHASES, train_seconds=round(secs),
                              heldout_ppl=round(ppl, 3), train_ppl=round(ppl_train, 3), cfg=BASE_CFG,
                              corpus_tokens=int(sum(len(s) for s, _ in data)), copy_weight=COPY_WEIGHT))
    MM.ship(model, MM.BASE_ID)
    import evaluate
    evaluate.base_prompted(model)


@torch.no_grad()
def ref_logps(base, data):
    """Base (reference) answer log-probs for each sequence, computed once."""
    out = np.zeros(len(data))
    for b in batches(data, random.Random(0), tokens=8192):
        x, y = collate([data[i] for i in b])
        s, _ = seq_logps(base, x, y)
        out[b] = s.numpy()
    return out


def dpo_train(rm, pairs, ref, steps, tag, seed, peak=5e-4, pair_batch=24):
    """pairs: list of (chosen, rejected) sequences; ref: [n,2] base log-probs."""
    rng = random.Random(seed)
    opt = torch.optim.AdamW(rm.parameters(), lr=peak, betas=(0.9, 0.95), weight_decay=0.0)
    rm.train()
    t0 = time.time()
    order = []
    for step in range(steps):
        if len(order) < pair_batch:
            order = list(range(len(pairs)))
            rng.shuffle(order)
        b, order = order[:pair_batch], order[pair_batch:]
        x, y = collate([pairs[i][0] for i in b] + [pairs[i][1] for i in b])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, peak, warm=20)
        s, n = seq_logps(rm, x, y)
        r = torch.from_numpy(ref[b]).float()
        margin = (s[:len(b)] - r[:, 0]) - (s[len(b):] - r[:, 1])
        # DPO + a small NLL term on the chosen answers (RPO-style) so the RM stays a fluent LM:
        # at w = +1 decoding samples from pi_RM itself.
        nll = -(s[:len(b)] / n[:len(b)]).mean()
        loss = -F.logsigmoid(DPO_BETA * margin).mean() + SFT_ALPHA * nll
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(rm.parameters(), 1.0)
        opt.step()
        if (step + 1) % 25 == 0:
            MM.log(f"{tag} dpo step {step + 1}/{steps} loss {loss.item():.3f} "
                   f"acc {(margin > 0).float().mean():.2f} margin {margin.mean():.1f} {time.time() - t0:.0f}s")
    rm.eval()
    return time.time() - t0


def as_pairs(name):
    d = load(name)
    return [(d[2 * i], d[2 * i + 1]) for i in range(len(d) // 2)]


@torch.no_grad()
def pair_accuracy(rm, base, pairs):
    flat = [s for p in pairs for s in p]
    r_rm = ref_logps(rm, flat).reshape(-1, 2)
    r_b = ref_logps(base, flat).reshape(-1, 2)
    rew = r_rm - r_b
    return float((rew[:, 0] > rew[:, 1]).mean()), float((rew[:, 0] - rew[:, 1]).mean())


def pretrain_rm():
    """One shared LM pre-training (all answers, no system message); each RM starts from it.
    Independent of the base, so it may run while the base trains."""
    init = f"{OUT}/rm_init.pt"
    if not os.path.exists(init):
        lm = load("rm_lm")
        rm = new_model(RM_CFG, MM.SEED + 1)
        secs = lm_train(rm, lm, RM_LM_STEPS, 2e-3, "rm-lm", MM.SEED + 1)
        torch.save(rm.state_dict(), init)
        save_metrics("rm_lm", dict(steps=RM_LM_STEPS, train_seconds=round(secs),
                                   heldout_ppl=round(perplexity(rm, load("base_held")), 3)))
    return init


def train_rms(dims=None):
    import evaluate
    base = load_base()
    for p in base.parameters():
        p.requires_grad_(False)
    init = pretrain_rm()
    for dim in dims or ["expertise", "informativeness", "style"]:
        t0 = time.time()
        rm = new_model(RM_CFG, MM.SEED + 1)
        rm.load_state_dict(torch.load(init))
        pairs = as_pairs(f"rm_{dim}_train")[:DPO_PAIRS]
        ref = ref_logps(base, [s for p in pairs for s in p]).reshape(-1, 2)
        t_ref = time.time() - t0
        secs = dpo_train(rm, pairs, ref, RM_DPO_STEPS[dim], dim, MM.SEED + 2, peak=RM_DPO_LR[dim])
        held = as_pairs(f"rm_{dim}_heldout")
        acc, marg = pair_accuracy(rm, base, held)
        MM.log(f"rm {dim}: held-out pairwise accuracy {acc:.3f} over {len(held)} pairs, mean margin {marg:.1f}")
        torch.save(rm.state_dict(), f"{OUT}/rm_{dim}.pt")
        lo, hi = __import__("corpus").POLES[dim]
        save_metrics(f"rm_{dim}", dict(params=n_params(rm), dpo_steps=RM_DPO_STEPS[dim], dpo_lr=RM_DPO_LR[dim], beta=DPO_BETA,
                                       dpo_seconds=round(secs), ref_seconds=round(t_ref),
                                       heldout_pairs=len(held), heldout_acc=round(acc, 4),
                                       heldout_mean_margin=round(marg, 2)))
        MM.ship(rm, MM.RM_IDS[dim], {"tailor": {"dimension": dim, "positive_pole": hi, "negative_pole": lo,
                                                "reference": MM.BASE_ID}})
        evaluate.steering(base, rm, dim)
