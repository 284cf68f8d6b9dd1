"""Checks a compiled model's .npy output against the independent PyTorch
implementation of utils/torch_models.py, run in float64 on the same
safetensors checkpoint. It shares no code with Kiln.

usage: torch_reference.py
           {gpt2,gpt_bigcode,opt,gpt_neox,gptj,phi,gemma,qwen3,phi3,
            starcoder2,stablelm,granite,bert,roberta,distilbert}
           WEIGHTS ACTUAL.npy --heads H [--kv-heads H] [--rotary-pct P]
           [--rotary-dim D] [--rope-theta T] [--sliding-window W]
           [--multipliers EMBEDDING,ATTENTION,RESIDUAL,LOGITS] [--multi-head]
           [--logit-scale S]
           --tokens IDS [--tokens IDS ...]
           [--attention-mask MASK ...] [--tolerance T]

These return the logits of every position:
- GPT-2, OPT, GPT-BigCode and Falcon (multi-query unless --multi-head;
  Falcon with RoPE base --rope-theta);
- GPT-NeoX and Phi, rotating --rotary-pct of each head; GPT-J, rotating
  --rotary-dim features of each head;
- Gemma and Qwen3, with --kv-heads key/value heads and RoPE base
  --rope-theta;
- Phi-3, with --kv-heads, rotating --rotary-pct of each head and
  attending to the --sliding-window most recent tokens;
- StarCoder2, with --kv-heads and --sliding-window;
- StableLM, with --kv-heads, rotating --rotary-pct of each head;
- Granite, with --kv-heads and its four --multipliers;
- Cohere, with --kv-heads and logits multiplied by --logit-scale.
The LM head is tied but for GPT-NeoX, GPT-J, Phi, Phi-3 and checkpoints
with an lm_head. BERT returns the mean of the last hidden states over the
kept tokens, L2-normalised (the sentence-transformers embedding); RoBERTa
(padding id 1, LayerNorm epsilon 1e-5) and DistilBERT, imported from
their config.json, return the last hidden states. Exits 1 when the
largest absolute error exceeds T times the largest reference magnitude.
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "utils"))
from torch_models import (bert_embedding, cohere_logits,
                          distilbert_hidden_states, falcon_logits, gemma_logits,
                          gpt2_logits, gpt_bigcode_logits, gpt_neox_logits,
                          gptj_logits, granite_logits, load_safetensors,
                          opt_logits, phi3_logits, phi_logits, qwen3_logits,
                          roberta_hidden_states, stablelm_logits,
                          starcoder2_logits)


def rows(values):
    return torch.tensor([[int(v) for v in row.split(",")] for row in values])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("family",
                        choices=["gpt2", "gpt_bigcode", "opt", "gpt_neox",
                                 "gptj", "phi", "gemma", "qwen3", "phi3",
                                 "starcoder2", "stablelm", "granite", "cohere",
                                 "falcon", "bert", "roberta", "distilbert"])
    parser.add_argument("weights")
    parser.add_argument("actual")
    parser.add_argument("--heads", type=int, required=True)
    parser.add_argument("--kv-heads", type=int)
    parser.add_argument("--rotary-pct", type=float, default=0.25)
    parser.add_argument("--rotary-dim", type=int)
    parser.add_argument("--rope-theta", type=float, default=10000.0)
    parser.add_argument("--sliding-window", type=int)
    parser.add_argument("--multipliers")
    parser.add_argument("--multi-head", action="store_true")
    parser.add_argument("--logit-scale", type=float, default=0.0625)
    parser.add_argument("--tokens", action="append", required=True)
    parser.add_argument("--attention-mask", action="append")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()

    w = load_safetensors(args.weights)
    ids = rows(args.tokens)
    with torch.no_grad():
        if args.family in ("gpt2", "opt"):
            model = gpt2_logits if args.family == "gpt2" else opt_logits
            reference = model(w, ids, args.heads)
        elif args.family == "gpt_bigcode":
            reference = gpt_bigcode_logits(w, ids, args.heads, not args.multi_head)
        elif args.family == "falcon":
            reference = falcon_logits(w, ids, args.heads, not args.multi_head,
                                      theta=args.rope_theta)
        elif args.family == "gpt_neox":
            reference = gpt_neox_logits(w, ids, args.heads, args.rotary_pct)
        elif args.family == "gptj":
            reference = gptj_logits(w, ids, args.heads, args.rotary_dim)
        elif args.family == "phi":
            reference = phi_logits(w, ids, args.heads, args.rotary_pct)
        elif args.family in ("gemma", "qwen3"):
            model = gemma_logits if args.family == "gemma" else qwen3_logits
            reference = model(w, ids, args.heads, args.kv_heads or args.heads,
                              theta=args.rope_theta)
        elif args.family == "phi3":
            reference = phi3_logits(w, ids, args.heads, args.kv_heads or args.heads,
                                    args.rotary_pct, args.sliding_window)
        elif args.family == "starcoder2":
            reference = starcoder2_logits(w, ids, args.heads, args.kv_heads or args.heads,
                                          args.sliding_window)
        elif args.family == "granite":
            multipliers = [float(m) for m in args.multipliers.split(",")]
            reference = granite_logits(w, ids, args.heads, args.kv_heads or args.heads,
                                       *multipliers)
        elif args.family == "cohere":
            reference = cohere_logits(w, ids, args.heads, args.kv_heads or args.heads,
                                      args.logit_scale)
        elif args.family == "stablelm":
            reference = stablelm_logits(w, ids, args.heads, args.kv_heads or args.heads,
                                        args.rotary_pct)
        else:
            mask = rows(args.attention_mask) if args.attention_mask else torch.ones_like(ids)
            model = {"bert": bert_embedding, "roberta": roberta_hidden_states,
                     "distilbert": distilbert_hidden_states}[args.family]
            reference = model(w, ids, mask, args.heads)
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
