"""Export a tools/llama.py model to ONNX in the transformers.js decoder layout (opset 14).

Inputs: input_ids, attention_mask, position_ids, past_key_values.{i}.key/value.
Outputs: logits, present.{i}.key/value. Traced with a non-empty past so the graph is generic;
past length 0 (what transformers.js passes on the first step) works via dynamic axes.
"""
import os

import onnx
import torch

from llama import Llama


class Wrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, pres = self.m(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in pres:
            out += [k, v]
        return tuple(out)


def export(model, path):
    c = model.c
    model.eval()
    L, h, hd = c["num_hidden_layers"], c["num_key_value_heads"], c["head_dim"]
    b, s, p = 2, 3, 2
    ids = torch.randint(5, c["vocab_size"], (b, s))
    am = torch.ones(b, p + s, dtype=torch.long)
    pos = torch.arange(p, p + s).unsqueeze(0).expand(b, s).contiguous()
    past = []
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(L):
        for kv in ("key", "value"):
            past.append(torch.randn(b, h, p, hd))
            n_in, n_out = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            names_in.append(n_in)
            names_out.append(n_out)
            dyn[n_in] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[n_out] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(Wrap(model), (ids, am, pos, *past), path, input_names=names_in,
                          output_names=names_out, dynamic_axes=dyn, opset_version=14,
                          do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return path
