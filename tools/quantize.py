#!/usr/bin/python3
"""Weight quantizer for Tailor's ONNX Llama decoders (no onnxruntime for Python here, so it is
written directly against the ONNX graph with onnx + numpy).

    /usr/bin/python3 tools/quantize.py public/models/<name> [--only q8|q4]

Reads  <model_dir>/onnx/model.onnx (fp32, torch.onnx export, opset 14) and writes
  onnx/model_quantized.onnx  q8: the Hugging Face hub's dynamic-quantization layout
      DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, W_zp) -> Cast(float) -> Mul(A_scale*W_scale)
      because onnxruntime-web's WASM backend runs MatMulInteger fast (int8 GEMM in MLAS).
  onnx/model_q4.onnx         q4: com.microsoft MatMulNBits (bits=4, block_size=32), which ORT-web
      implements on WASM and WebGPU; weights only, activations stay fp32.
Both: the token-embedding Gather becomes int8 rows + per-row scale (Gather -> Cast -> Mul),
so the file shrinks without dequantizing the whole table each forward pass.
Everything else (norms, rotary, attention score MatMuls, I/O names/shapes/dynamic axes) is copied as is.
transformers.js picks these files by dtype: 'q8' -> model_quantized.onnx, 'q4' -> model_q4.onnx.
"""
import argparse
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS_DOMAIN = 'com.microsoft'
Q4_BLOCK = 32
CLIP_GRID = tuple(np.linspace(1.0, 0.6, 17))  # range shrink factors tried per q4 block


# ---------------------------------------------------------------- weight quantizers (numpy)

def q8_weight(w):
    """w [K, N] fp32 -> (uint8 [K, N], per-column zero point uint8 [N], per-column scale fp32 [N]).

    Asymmetric uint8 per output column. MatMulInteger accepts a 1-D B zero point (one per column
    of B), and the per-column scale is folded into the final Mul as an [N] vector. Asymmetric uint8
    fits skewed columns better than symmetric int8 and measured slightly closer to fp32 in
    ORT-web (tools/quant_test); u8 x u8 also avoids the int16-saturating u8s8 kernels some CPUs use."""
    lo = np.minimum(w.min(axis=0), 0.0)  # range must contain 0 so that 0.0 is exactly representable
    hi = np.maximum(w.max(axis=0), 0.0)
    scale = (hi - lo) / 255.0
    scale[scale == 0] = 1.0
    zp = np.clip(np.round(-lo / scale), 0, 255)
    q = np.clip(np.round(w / scale) + zp, 0, 255)
    return q.astype(np.uint8), zp.astype(np.uint8), scale.astype(np.float32)


def q4_weight(w, block=Q4_BLOCK):
    """w [K, N] fp32 -> MatMulNBits tensors (see ContribOperators.md, com.microsoft.MatMulNBits):
      B            uint8 [N, n_blocks, block/2]: column n of W, cut along K into blocks; two 4-bit
                   values per byte, the first in the low nibble
      scales       fp32  [N * n_blocks]
      zero_points  uint8 [N * ceil(n_blocks/2)]: 4-bit, packed the same way, per row n
    K is zero-padded to a whole number of blocks (padded weights are 0 and never read back)."""
    K, N = w.shape
    nb = -(-K // block)
    wt = np.zeros((N, nb * block), np.float32)
    wt[:, :K] = w.T
    wt = wt.reshape(N, nb, block)
    lo0 = np.minimum(wt.min(axis=2), 0.0)
    hi0 = np.maximum(wt.max(axis=2), 0.0)
    # Round-to-nearest over [min, max] wastes levels on a block's one or two extreme weights; with
    # only 16 levels it pays to clip a little. Per block, keep the range shrink with least squared error.
    best = None
    for f in CLIP_GRID:
        lo, hi = lo0 * f, hi0 * f
        scale = (hi - lo) / 15.0
        scale[scale == 0] = 1.0
        zp = np.clip(np.round(-lo / scale), 0, 15)
        q = np.clip(np.round(wt / scale[..., None]) + zp[..., None], 0, 15)
        err = (((q - zp[..., None]) * scale[..., None] - wt) ** 2).sum(axis=2)
        if best is None:
            best = [err, scale, zp, q]
        else:
            take = err < best[0]
            for i, new in enumerate((err, scale, zp, q)):
                best[i] = np.where(take[..., None] if new.ndim == 3 else take, new, best[i])
    _, scale, zp, q = best
    q = q.astype(np.uint8)
    packed = q[..., 0::2] | (q[..., 1::2] << 4)                       # [N, nb, block/2]
    zq = zp.astype(np.uint8)
    if nb % 2:
        zq = np.concatenate([zq, np.zeros((N, 1), np.uint8)], axis=1)
    zpacked = zq[:, 0::2] | (zq[:, 1::2] << 4)                        # [N, ceil(nb/2)]
    return packed, scale.astype(np.float32).reshape(-1), zpacked.reshape(-1), nb


def int8_rows(w):
    """Embedding table [V, H] -> int8 [V, H] and per-row fp32 scale [V, 1] (symmetric)."""
    scale = np.abs(w).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


# ---------------------------------------------------------------- graph rewriting

class Rewriter:
    def __init__(self, model, mode, keep=None):
        self.m, self.mode, self.keep = model, mode, keep
        g = model.graph
        self.inits = {t.name: t for t in g.initializer}
        self.producer = {o: n for n in g.node for o in n.output}
        self.new_inits = []
        self.cache = {}        # (weight name, transposed) -> names of quantized tensors, for shared weights
        self.counts = {'matmul': 0, 'gemm': 0, 'gather': 0, 'weight_only': 0}

    def add_init(self, name, arr):
        self.new_inits.append(numpy_helper.from_array(arr, name))
        return name

    def weight(self, name):
        """A 2-D fp32 weight for input `name`: an initializer, or Transpose(perm=1,0) of one
        (what torch emits for a tied lm_head without constant folding). Returns (array, key) or None;
        tiny matrices (K or N < 16) are left in fp32."""
        r = self._weight(name)
        return r if r is not None and min(r[0].shape) >= 16 else None

    def _weight(self, name):
        t = self.inits.get(name)
        if t is not None:
            if t.data_type == TensorProto.FLOAT and len(t.dims) == 2:
                return numpy_helper.to_array(t), (name, False)
            return None
        p = self.producer.get(name)
        if p is not None and p.op_type == 'Transpose' and p.input[0] in self.inits:
            perm = [a.ints for a in p.attribute if a.name == 'perm']
            t = self.inits[p.input[0]]
            if t.data_type == TensorProto.FLOAT and len(t.dims) == 2 and (not perm or list(perm[0]) == [1, 0]):
                return numpy_helper.to_array(t).T, (p.input[0], True)
        return None

    def from_input_ids(self, name):
        """True if `name` is input_ids, possibly through Cast/Reshape/Unsqueeze/Squeeze."""
        while name != 'input_ids':
            p = self.producer.get(name)
            if p is None or p.op_type not in ('Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Identity'):
                return False
            name = p.input[0]
        return True

    def gated_product(self, name):
        """True if `name` is the gated-MLP product act(gate) * up that feeds down_proj: a Mul of the
        output of a MatMul/Gemm (up) and an activation (SiLU = x * Sigmoid(x), or Sigmoid/Gelu/Relu...).
        An RMSNorm output, Mul(weight, x * rsqrt(...)), does not match."""
        def op(n):
            p = self.producer.get(n)
            while p is not None and p.op_type in ('Reshape', 'Identity'):  # e.g. flattened for a Gemm
                p = self.producer.get(p.input[0])
            return p
        p = op(name)
        if p is None or p.op_type != 'Mul' or len(p.input) != 2:
            return False
        a, b = op(p.input[0]), op(p.input[1])
        def is_act(n):
            return n is not None and (n.op_type in ('Sigmoid', 'Gelu', 'Relu', 'Tanh', 'Erf', 'Softplus')
                                      or (n.op_type == 'Mul' and any(getattr(op(i), 'op_type', '') == 'Sigmoid'
                                                                     for i in n.input)))
        def is_proj(n):
            return n is not None and n.op_type in ('MatMul', 'Gemm')
        return (is_proj(a) and is_act(b)) or (is_proj(b) and is_act(a))

    def linear(self, base, a, w, key, out, alpha=1.0):
        """Nodes computing out = alpha * (a @ w), w [K, N]."""
        K, N = w.shape
        if self.mode == 'q8':
            if key not in self.cache:
                q, zp, s = q8_weight(w)
                self.cache[key] = (self.add_init(base + '_Wq', q), self.add_init(base + '_Wzp', zp), s)
            wq, wzp, s = self.cache[key]
            sname = self.add_init(base + '_Wscale', (s * alpha).astype(np.float32))
            if self.gated_product(a):
                # The SwiGLU product has rare, huge outliers (a few channels on a few tokens), so one
                # per-tensor uint8 scale for A crushes every other value: on tailor-base this single
                # kind of layer caused ~90% of q8's KL. Here the weight stays uint8 in the file, but is
                # dequantized per column and multiplied in fp32 (weight-only int8).
                self.counts['weight_only'] += 1
                return [
                    helper.make_node('DequantizeLinear', [wq, sname, wzp], [base + '_W'], axis=1, name=base + '_deq'),
                    helper.make_node('MatMul', [a, base + '_W'], [out], name=base + '_MatMul'),
                ]
            return [
                helper.make_node('DynamicQuantizeLinear', [a], [base + '_Aq', base + '_Ascale', base + '_Azp'],
                                 name=base + '_quant'),
                helper.make_node('MatMulInteger', [base + '_Aq', wq, base + '_Azp', wzp], [base + '_int32'],
                                 name=base + '_MatMulInteger'),
                helper.make_node('Cast', [base + '_int32'], [base + '_f'], to=TensorProto.FLOAT, name=base + '_cast'),
                helper.make_node('Mul', [base + '_Ascale', sname], [base + '_scale'], name=base + '_scale_mul'),
                helper.make_node('Mul', [base + '_f', base + '_scale'], [out], name=base + '_out_mul'),
            ]
        if key not in self.cache:
            b, s, zp, nb = q4_weight(w)
            self.cache[key] = (self.add_init(base + '_Q4', b), s, self.add_init(base + '_zp', zp))
        bq, s, zp = self.cache[key]
        sname = self.add_init(base + '_scales', (s * alpha).astype(np.float32))
        return [helper.make_node('MatMulNBits', [a, bq, sname, zp], [out], name=base + '_MatMulNBits',
                                 domain=MS_DOMAIN, K=K, N=N, bits=4, block_size=Q4_BLOCK)]

    def rewrite(self, node):
        if self.keep and self.keep.search(node.name or node.output[0]):
            return None
        base = (node.name or node.output[0]).strip('/').replace('/', '_').replace(':', '_')
        if node.op_type == 'MatMul':
            wk = self.weight(node.input[1])
            if wk is None:
                return None                       # activation x activation (attention scores): keep fp32
            self.counts['matmul'] += 1
            return self.linear(base, node.input[0], wk[0], wk[1], node.output[0])
        if node.op_type == 'Gemm':
            at = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            wk = self.weight(node.input[1])
            if wk is None or at.get('transA', 0):
                return None
            w, key = wk
            if at.get('transB', 0):               # torch Linear: Gemm(x, W[N,K], transB=1)
                w, key = w.T, (key[0], not key[1])
            self.counts['gemm'] += 1
            has_c = len(node.input) > 2 and node.input[2] != ''
            mm_out = base + '_mm' if has_c else node.output[0]
            nodes = self.linear(base, node.input[0], np.ascontiguousarray(w), key, mm_out, alpha=at.get('alpha', 1.0))
            if has_c:
                c = node.input[2]
                beta = at.get('beta', 1.0)
                if beta != 1.0:
                    if c in self.inits:
                        c = self.add_init(base + '_C', (numpy_helper.to_array(self.inits[c]) * beta).astype(np.float32))
                    else:
                        bname = self.add_init(base + '_beta', np.array(beta, np.float32))
                        nodes.append(helper.make_node('Mul', [c, bname], [base + '_Cb'], name=base + '_beta_mul'))
                        c = base + '_Cb'
                nodes.append(helper.make_node('Add', [mm_out, c], [node.output[0]], name=base + '_bias'))
            return nodes
        if node.op_type == 'Gather':
            axis = [a.i for a in node.attribute if a.name == 'axis']
            t = self.inits.get(node.input[0])
            if t is None or t.data_type != TensorProto.FLOAT or len(t.dims) != 2 or (axis and axis[0] != 0):
                return None
            if not self.from_input_ids(node.input[1]):
                return None                       # e.g. a rotary cos/sin cache indexed by position_ids: keep fp32
            self.counts['gather'] += 1
            q, s = int8_rows(numpy_helper.to_array(t))
            qn, sn = self.add_init(base + '_Eq', q), self.add_init(base + '_Escale', s)
            # Gather the int8 rows and their [V,1] scales with the same ids, then rows * scale.
            return [
                helper.make_node('Gather', [qn, node.input[1]], [base + '_rows'], name=base + '_rows', axis=0),
                helper.make_node('Gather', [sn, node.input[1]], [base + '_rscale'], name=base + '_rscale', axis=0),
                helper.make_node('Cast', [base + '_rows'], [base + '_rowsf'], to=TensorProto.FLOAT, name=base + '_cast'),
                helper.make_node('Mul', [base + '_rowsf', base + '_rscale'], [node.output[0]], name=base + '_deq'),
            ]
        return None

    def run(self):
        g = self.m.graph
        out_nodes = []
        for n in g.node:
            r = self.rewrite(n)
            out_nodes.extend(r if r is not None else [n])
        # Drop fp32 weights (and Transposes of them) nothing uses any more.
        while True:
            used = {i for n in out_nodes for i in n.input} | {o.name for o in g.output}
            keep = [n for n in out_nodes if n.op_type != 'Transpose' or any(o in used for o in n.output)]
            if len(keep) == len(out_nodes):
                break
            out_nodes = keep
        used = {i for n in out_nodes for i in n.input} | {o.name for o in g.output}
        inits = [t for t in g.initializer if t.name in used] + self.new_inits
        del g.node[:]
        g.node.extend(out_nodes)
        del g.initializer[:]
        g.initializer.extend(inits)
        if self.mode == 'q4' and not any(o.domain == MS_DOMAIN for o in self.m.opset_import):
            self.m.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
        return self.counts


def quantize(src, dst, mode, keep=None):
    m = onnx.load(src)
    counts = Rewriter(m, mode, keep).run()
    m.producer_name = 'tailor-tools-quantize'
    m.doc_string = (f'{mode} weight quantization of {os.path.basename(src)} by tools/quantize.py '
                    + ('(q8: per-column uint8 MatMulInteger, dynamic uint8 activations)' if mode == 'q8'
                       else f'(q4: MatMulNBits block {Q4_BLOCK}, asymmetric)') + '; embeddings int8 per row')
    try:
        onnx.checker.check_model(m)
        checked = 'onnx.checker ok'
    except onnx.checker.ValidationError as e:
        # onnx 1.12 knows no com.microsoft schemas; such a file is validated by running it in ORT
        # (tools/eval_quant.mjs) instead.
        if mode != 'q4':
            raise
        checked = f'onnx.checker skipped ({str(e).splitlines()[0][:80]})'
    onnx.save(m, dst)
    return counts, checked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('model_dir')
    ap.add_argument('--only', choices=['q8', 'q4'])
    ap.add_argument('--keep-fp32', metavar='REGEX', help='leave nodes whose name matches in fp32')
    args = ap.parse_args()
    src = os.path.join(args.model_dir, 'onnx', 'model.onnx')
    if not os.path.exists(src):
        sys.exit(f'no {src}')
    fp32 = os.path.getsize(src)
    for mode, fname in (('q8', 'model_quantized.onnx'), ('q4', 'model_q4.onnx')):
        if args.only and args.only != mode:
            continue
        dst = os.path.join(args.model_dir, 'onnx', fname)
        counts, checked = quantize(src, dst, mode, re.compile(args.keep_fp32) if args.keep_fp32 else None)
        size = os.path.getsize(dst)
        print(f'{mode}: {dst}  {size:,} bytes ({size / fp32:.3f} of fp32 {fp32:,}); '
              f'rewrote {counts["matmul"]} MatMul ({counts["weight_only"]} weight-only), {counts["gemm"]} Gemm, {counts["gather"]} Gather; {checked}')


if __name__ == '__main__':
    main()
