"""PyTorch's side of Kiln's benchmarks: attention and whole models, timed in
this process on the threads the caller gives it.

usage: torch_bench.py attention --threads T --seqs S,S,.. --heads H --head-dim D
       torch_bench.py model {gpt2,bert} WEIGHTS --threads T --heads H
           --tokens IDS [--tokens IDS ...] --output-prefix PATH

The caller pins the process (taskset) and sets OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS before PyTorch starts; this script sets
torch.set_num_threads. It prints one JSON document: for attention, the
median seconds of every variant (matmul-softmax-matmul in two spellings) and
the best one per problem; for a model, the median seconds per sequence
length, after writing each float32 output to PATH-<seq>.npy.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "utils"))
from torch_models import bert_hidden_states, gpt2_logits, load_safetensors


def median_seconds(function, warmup, repetitions):
    """The median wall time of `repetitions` calls after `warmup` calls."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def attention_matmul(q, k, v, causal_mask, scale):
    """Batched matmul, in-place scale, mask and softmax, matmul."""
    scores = torch.matmul(q, k.transpose(-1, -2)).mul_(scale)
    if causal_mask is not None:
        scores.masked_fill_(causal_mask, float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def attention_baddbmm(q, k, v, additive_mask, scale):
    """One baddbmm that scales and adds the mask, softmax, bmm over heads."""
    heads, seq, dim = q.shape[1:]
    q3, k3, v3 = (t.reshape(heads, seq, dim) for t in (q, k, v))
    if additive_mask is None:
        scores = torch.bmm(q3, k3.transpose(1, 2)).mul_(scale)
    else:
        scores = torch.baddbmm(additive_mask.expand(heads, seq, seq), q3,
                               k3.transpose(1, 2), alpha=scale)
    return torch.bmm(torch.softmax(scores, dim=-1), v3).view(q.shape)


def bench_attention(args):
    results = []
    for seq in args.seqs:
        shape = (1, args.heads, seq, args.head_dim)
        generator = torch.Generator().manual_seed(seq)
        q, k, v = (torch.rand(shape, generator=generator) * 2 - 1 for _ in range(3))
        scale = 1.0 / math.sqrt(args.head_dim)
        hidden = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
        additive = torch.zeros(seq, seq).masked_fill_(hidden, float("-inf"))
        for causal in (False, True):
            variants = {
                "matmul": lambda: attention_matmul(q, k, v, hidden if causal else None, scale),
                "baddbmm": lambda: attention_baddbmm(q, k, v, additive if causal else None, scale),
            }
            # Both spellings must compute the same attention.
            outputs = [f() for f in variants.values()]
            assert torch.allclose(outputs[0], outputs[1], atol=1e-5)
            seconds = {name: median_seconds(f, args.warmup, args.repetitions)
                       for name, f in variants.items()}
            best = min(seconds, key=seconds.get)
            results.append({"seq": seq, "causal": causal, "seconds": seconds[best],
                            "variant": best, "variants": seconds})
    return results


def bench_model(args):
    prefix = "bert." if args.family == "bert" else ""
    w = load_safetensors(args.weights, torch.float32, prefix)
    results = []
    for tokens in args.tokens:
        ids = torch.tensor([[int(t) for t in tokens.split(",")]])
        if args.family == "gpt2":
            forward = lambda: gpt2_logits(w, ids, args.heads, args.last_position)
        else:
            forward = lambda: bert_hidden_states(w, ids, torch.ones_like(ids), args.heads)
        seq = ids.shape[1]
        seconds = median_seconds(forward, args.warmup, args.repetitions)
        np.save(f"{args.output_prefix}-{seq}.npy", forward().numpy())
        results.append({"seq": seq, "seconds": seconds})
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repetitions", type=int, default=5)
    commands = parser.add_subparsers(dest="command", required=True)
    attention = commands.add_parser("attention")
    attention.add_argument("--seqs", type=lambda s: [int(x) for x in s.split(",")],
                           required=True)
    attention.add_argument("--heads", type=int, required=True)
    attention.add_argument("--head-dim", type=int, required=True)
    model = commands.add_parser("model")
    model.add_argument("family", choices=["gpt2", "bert"])
    model.add_argument("weights")
    model.add_argument("--heads", type=int, required=True)
    model.add_argument("--tokens", action="append", required=True)
    model.add_argument("--output-prefix", required=True)
    model.add_argument("--last-position", action="store_true",
                       help="gpt2: the logits of the last position only")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    with torch.inference_mode():
        results = bench_attention(args) if args.command == "attention" else bench_model(args)
    json.dump({"torch": torch.__version__, "threads": args.threads,
               "results": results}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
