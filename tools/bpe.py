"""Byte-level BPE (GPT-2 style) trained from scratch, written as a HF tokenizer.json.

Only training lives here; encoding for training is done by @huggingface/tokenizers in Node
(tools/encode_corpus.mjs) so the model sees exactly the browser's token ids.
"""
import collections
import json

import regex

# GPT-2 pre-tokenizer regex, the one HF's ByteLevel pre-tokenizer (use_regex) applies.
GPT2_PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
SPECIALS = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
CHAT_TEMPLATE = ("{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
                 "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode char map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def train(texts, vocab_size=4096):
    """texts: iterable of strings WITHOUT special tokens. Returns (vocab dict, merges list)."""
    b2u = bytes_to_unicode()
    counts = collections.Counter()
    for t in texts:
        for piece in GPT2_PAT.findall(t):
            counts[piece] += 1
    words = [[b2u[b] for b in p.encode("utf-8")] for p in counts]
    freqs = list(counts.values())
    vocab = {s: i for i, s in enumerate(SPECIALS)}
    for b in range(256):   # all 256 bytes, so any text (emoji, unicode) is encodable
        vocab[b2u[b]] = len(vocab)
    # pair -> count, pair -> set(word index): incremental updates keep this O(changes).
    pc = collections.Counter()
    where = collections.defaultdict(set)
    for wi, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pc[(a, b)] += freqs[wi]
            where[(a, b)].add(wi)
    merges = []
    while len(vocab) < vocab_size and pc:
        # Deterministic tie-break: highest count, then lexicographically smallest pair.
        best = max(pc.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pc[best] <= 0:
            break
        a, b = best
        new = a + b
        merges.append(best)
        vocab[new] = len(vocab)
        for wi in list(where[best]):
            w, f = words[wi], freqs[wi]
            for x, y in zip(w, w[1:]):
                pc[(x, y)] -= f
            i, out = 0, []
            while i < len(w):
                if i < len(w) - 1 and w[i] == a and w[i + 1] == b:
                    out.append(new); i += 2
                else:
                    out.append(w[i]); i += 1
            words[wi] = out
            for x, y in zip(out, out[1:]):
                pc[(x, y)] += f
                where[(x, y)].add(wi)
        del pc[best]
        del where[best]
        for k in [k for k, v in pc.items() if v <= 0] if len(merges) % 200 == 0 else []:
            del pc[k]
    return vocab, merges


def tokenizer_json(vocab, merges):
    bl = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab[s], "content": s, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True} for s in SPECIALS],
        "normalizer": None,
        "pre_tokenizer": bl,
        "post_processor": bl,
        "decoder": bl,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


def tokenizer_config(vocab):
    return {
        "added_tokens_decoder": {str(vocab[s]): {"content": s, "lstrip": False, "normalized": False,
                                                 "rstrip": False, "single_word": False, "special": True}
                                 for s in SPECIALS},
        "bos_token": None,
        "eos_token": "<|end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 512,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


def write(out_dir, vocab, merges):
    with open(f"{out_dir}/tokenizer.json", "w") as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False)
    with open(f"{out_dir}/tokenizer_config.json", "w") as f:
        json.dump(tokenizer_config(vocab), f, indent=2, ensure_ascii=False)
