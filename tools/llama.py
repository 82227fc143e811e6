"""Minimal Llama (HF LlamaForCausalLM semantics) in torch 1.13.

One forward serves training (no past) and ONNX export (past KV in, present KV out), so the
exported graph is the trained graph. Conventions follow HF: RMSNorm, rotary with rotate_half,
SwiGLU MLP, no biases, num_key_value_heads == num_attention_heads.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9  # additive mask value: finite, so fully masked (padding) rows give no NaN


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h = c["hidden_size"], c["num_attention_heads"]
        self.hd = c["head_dim"]
        self.input_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.q_proj = nn.Linear(d, self.h * self.hd, bias=False)
        self.k_proj = nn.Linear(d, self.h * self.hd, bias=False)
        self.v_proj = nn.Linear(d, self.h * self.hd, bias=False)
        self.o_proj = nn.Linear(self.h * self.hd, d, bias=False)
        i = c["intermediate_size"]
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x, cos, sin, mask, pk=None, pv=None):
        b, s, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(b, s, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(y).view(b, s, self.h, self.hd).transpose(1, 2)
        v = self.v_proj(y).view(b, s, self.h, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if pk is not None:
            k = torch.cat([pk, k], dim=2)
            v = torch.cat([pv, v], dim=2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd)) + mask
        att = torch.softmax(att, dim=-1)
        o = torch.matmul(att, v).transpose(1, 2).reshape(b, s, self.h * self.hd)
        x = x + self.o_proj(o)
        y = self.post_attention_layernorm(x)
        x = x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))
        return x, k, v


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        if c["tie_word_embeddings"]:
            self.lm_head.weight = self.embed_tokens.weight
        hd = c["head_dim"]
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
        self.register_buffer("inv_freq", inv, persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def hidden(self, input_ids):
        """Final normed hidden states without lm_head (training: the head runs on answer tokens only)."""
        return self.norm(self._body(input_ids)[0])

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        x, presents = self._body(input_ids, attention_mask, position_ids, past)
        return self.lm_head(self.norm(x)), presents

    def _body(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """past: list of (k, v) per layer or None. Returns logits, [(k, v)] presents.
        attention_mask [b, past+seq] (1 real, 0 pad); None = all real."""
        b, s = input_ids.shape
        total = s if attention_mask is None else attention_mask.shape[1]
        plen = total - s
        if position_ids is None:
            position_ids = (torch.arange(s) + plen).unsqueeze(0).expand(b, s)
        f = position_ids.unsqueeze(-1).float() * self.inv_freq
        emb = torch.cat([f, f], dim=-1)
        cos, sin = emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)   # [b,1,s,hd]
        qi = torch.arange(s).unsqueeze(1) + plen
        ki = torch.arange(total).unsqueeze(0)
        allowed = (ki <= qi).unsqueeze(0).unsqueeze(0)               # [1,1,s,total]
        if attention_mask is not None:
            allowed = allowed & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.zeros((), dtype=torch.float32),
                           torch.full((), NEG, dtype=torch.float32))
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = layer(x, cos, sin, mask, pk, pv)
            presents.append((k, v))
        return x, presents


def config(vocab_size, hidden, layers, heads, inter, tie=True, eos_id=4):
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": vocab_size, "hidden_size": hidden, "intermediate_size": inter,
        "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": heads,
        "head_dim": hidden // heads, "max_position_embeddings": 512, "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0, "hidden_act": "silu", "attention_bias": False, "mlp_bias": False,
        "tie_word_embeddings": tie, "bos_token_id": None, "eos_token_id": [eos_id, 0],
        "pad_token_id": 0, "torch_dtype": "float32", "transformers_version": "4.46.0",
        "use_cache": True,
    }


def n_params(m):
    return sum(p.numel() for p in {id(p): p for p in m.parameters()}.values())
