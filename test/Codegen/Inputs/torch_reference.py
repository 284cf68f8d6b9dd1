"""An independent PyTorch implementation of the GPT-2 and BERT forward
passes, in float64, reading a safetensors checkpoint directly. It shares no
code with Kiln: it checks a compiled model's .npy output against the
Hugging Face definitions of these architectures.

usage: torch_reference.py {gpt2,bert} WEIGHTS ACTUAL.npy --heads H
           --tokens IDS [--tokens IDS ...] [--attention-mask MASK ...]
           [--tolerance T]

GPT-2 returns the logits of every position (tied LM head); BERT returns the
mean of the last hidden states over the kept tokens, L2-normalised (the
sentence-transformers embedding). Exits 1 when the largest absolute error
exceeds T times the largest reference magnitude.
"""

import argparse
import json
import math
import struct
import sys

import numpy as np
import torch


def load_safetensors(path):
    """Every tensor of a safetensors file, as float64 torch tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = data[8 + length :]
    dtypes = {"F32": np.float32, "F64": np.float64}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=dtypes[entry["dtype"]])
        tensors[name] = torch.from_numpy(
            array.reshape(entry["shape"]).astype(np.float64))
    return tensors


def layer_norm(x, weight, bias, eps):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], weight, bias, eps)


def split_heads(x, heads):
    batch, seq, width = x.shape
    return x.view(batch, seq, heads, width // heads).transpose(1, 2)


def merge_heads(x):
    batch, heads, seq, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, seq, heads * head_dim)


def attention(q, k, v, mask):
    """softmax(q k^T / sqrt(d) + mask) v, with mask -inf where hidden."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def gpt2(w, ids, heads):
    """GPT-2: pre-norm, Conv1D ([in, out]) projections, GELU (tanh)."""
    batch, seq = ids.shape
    x = w["wte.weight"][ids] + w["wpe.weight"][:seq]
    layers = len({name.split(".")[1] for name in w if name.startswith("h.")})
    causal = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
    for i in range(layers):
        p = lambda name: w[f"h.{i}.{name}"]
        h = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), 1e-5)
        qkv = h @ p("attn.c_attn.weight") + p("attn.c_attn.bias")
        q, k, v = (split_heads(t, heads) for t in qkv.chunk(3, dim=-1))
        a = merge_heads(attention(q, k, v, causal))
        x = x + a @ p("attn.c_proj.weight") + p("attn.c_proj.bias")
        h = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), 1e-5)
        h = torch.nn.functional.gelu(h @ p("mlp.c_fc.weight") + p("mlp.c_fc.bias"),
                                     approximate="tanh")
        x = x + h @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], 1e-5)
    return x @ w["wte.weight"].T


def bert_embedding(w, ids, mask, heads):
    """BERT: post-norm, nn.Linear projections, exact GELU; mean-pooled and
    L2-normalised over the tokens `mask` keeps."""
    batch, seq = ids.shape
    e = lambda name: w[f"embeddings.{name}"]
    x = (e("word_embeddings.weight")[ids] + e("position_embeddings.weight")[:seq]
         + e("token_type_embeddings.weight")[0])
    x = layer_norm(x, e("LayerNorm.weight"), e("LayerNorm.bias"), 1e-12)
    hidden = (mask == 0)[:, None, None, :]
    layers = len({name.split(".")[2] for name in w if name.startswith("encoder.layer.")})
    for i in range(layers):
        p = lambda name: w[f"encoder.layer.{i}.{name}"]
        linear = lambda t, name: t @ p(name + ".weight").T + p(name + ".bias")
        q, k, v = (split_heads(linear(x, f"attention.self.{n}"), heads)
                   for n in ("query", "key", "value"))
        a = linear(merge_heads(attention(q, k, v, hidden)), "attention.output.dense")
        x = layer_norm(x + a, p("attention.output.LayerNorm.weight"),
                       p("attention.output.LayerNorm.bias"), 1e-12)
        h = torch.nn.functional.gelu(linear(x, "intermediate.dense"))
        x = layer_norm(x + linear(h, "output.dense"), p("output.LayerNorm.weight"),
                       p("output.LayerNorm.bias"), 1e-12)
    keep = mask[:, :, None].to(x.dtype)
    pooled = (x * keep).sum(1) / keep.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1, eps=1e-12)


def rows(values):
    return torch.tensor([[int(v) for v in row.split(",")] for row in values])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("family", choices=["gpt2", "bert"])
    parser.add_argument("weights")
    parser.add_argument("actual")
    parser.add_argument("--heads", type=int, required=True)
    parser.add_argument("--tokens", action="append", required=True)
    parser.add_argument("--attention-mask", action="append")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()

    w = load_safetensors(args.weights)
    ids = rows(args.tokens)
    with torch.no_grad():
        if args.family == "gpt2":
            reference = gpt2(w, ids, args.heads)
        else:
            mask = rows(args.attention_mask) if args.attention_mask else torch.ones_like(ids)
            reference = bert_embedding(w, ids, mask, args.heads)
    reference = reference.numpy()
    actual = np.load(args.actual).astype(np.float64)
    if actual.shape != reference.shape:
        print(f"shape mismatch: {actual.shape} vs PyTorch {reference.shape}")
        return 1
    error = float(np.abs(actual - reference).max())
    scale = float(np.abs(reference).max())
    verdict = "ok" if error <= args.tolerance * scale else "MISMATCH"
    print(f"PyTorch {torch.__version__}: max abs error {error:.3e}, "
          f"max |reference| {scale:.3e}: {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
