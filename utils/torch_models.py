"""GPT-2, OPT, GPT-NeoX, GPT-J, Phi, LLaMA, Gemma, Qwen3, Phi-3, StarCoder2, BERT, RoBERTa and DistilBERT
forward passes written directly in PyTorch, independent of Kiln: they read a safetensors checkpoint with the Hugging Face tensor names
and follow the Hugging Face definitions of these architectures.

Shared by the PyTorch cross-check of compiled models
(test/Codegen/Inputs/torch_reference.py, in float64) and the whole-model
benchmarks (bench/torch_bench.py, in float32): the dtype of the loaded
weights is the dtype of the computation.
"""

import json
import math
import struct

import numpy as np
import torch


def load_safetensors(path, dtype=torch.float64, prefix=""):
    """Every tensor of a safetensors file as a `dtype` torch tensor, keyed
    by its name without `prefix` (BERT checkpoints prefix theirs with
    "bert.")."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = memoryview(data)[8 + length :]
    dtypes = {"F32": np.float32, "F64": np.float64}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=dtypes[entry["dtype"]])
        key = name[len(prefix):] if name.startswith(prefix) else name
        # A copy: the file's bytes are read-only.
        tensors[key] = torch.from_numpy(
            array.reshape(entry["shape"]).copy()).to(dtype)
    return tensors


def layer_norm(x, weight, bias, eps):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], weight, bias, eps)


def split_heads(x, heads):
    batch, seq, width = x.shape
    return x.view(batch, seq, heads, width // heads).transpose(1, 2)


def merge_heads(x):
    batch, heads, seq, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, seq, heads * head_dim)


def layer_count(w, prefix):
    """The number of layers whose tensors are named `prefix`{i}.…"""
    return len({name[len(prefix):].split(".")[0] for name in w
                if name.startswith(prefix)})


def causal_mask(seq, window=None):
    """[seq, seq], True where a query may not see a key: a later one, or
    with a `window`, one that is not among the `window` most recent."""
    mask = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
    if window is not None:
        mask |= torch.tril(torch.ones(seq, seq, dtype=torch.bool), diagonal=-window)
    return mask


def attention(q, k, v, mask, scale=None):
    """softmax(q k^T scale + mask) v, with mask True where hidden; the scale
    is 1 / sqrt(d) unless given."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-1, -2) * scale
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def add_layer_outputs(x, h, attended, mlp, norm, mlp_norm_weight):
    """The residual stream `x` after a pre-norm layer whose attention read
    `h` and returned `attended`: parallel without an MLP norm (the MLP reads
    `h` too, and both outputs add to x), else sequential (the MLP reads
    norm(x + attended, "post_attention_layernorm"))."""
    if mlp_norm_weight is None:
        return x + attended + mlp(h)
    x = x + attended
    return x + mlp(norm(x, "post_attention_layernorm"))


def gpt2_logits(w, ids, heads, last_position=False):
    """GPT-2: pre-norm, Conv1D ([in, out]) projections, GELU (tanh); the
    logits of every position (tied LM head), or of the last one only."""
    batch, seq = ids.shape
    x = w["wte.weight"][ids] + w["wpe.weight"][:seq]
    layers = layer_count(w, "h.")
    causal = causal_mask(seq)
    for i in range(layers):
        p = lambda name: w[f"h.{i}.{name}"]
        # Conv1D: x [.., in] times weight [in, out] plus bias, one addmm.
        conv1d = lambda t, name: torch.addmm(
            p(name + ".bias"), t.reshape(-1, t.shape[-1]),
            p(name + ".weight")).view(*t.shape[:-1], -1)
        h = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), 1e-5)
        qkv = conv1d(h, "attn.c_attn")
        q, k, v = (split_heads(t, heads) for t in qkv.chunk(3, dim=-1))
        a = merge_heads(attention(q, k, v, causal))
        x = x + conv1d(a, "attn.c_proj")
        h = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), 1e-5)
        h = torch.nn.functional.gelu(conv1d(h, "mlp.c_fc"), approximate="tanh")
        x = x + conv1d(h, "mlp.c_proj")
    if last_position:
        x = x[:, -1:]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], 1e-5)
    return x @ w["wte.weight"].T


def gpt_bigcode_logits(w, ids, heads, multi_query=True):
    """GPT-BigCode (SantaCoder, StarCoder): GPT-2 on nn.Linear ([out, in])
    projections. With multi_query, c_attn holds every head's query, then
    one key and one value head that all heads share; without, each head's
    query, key and value side by side. The logits of every position (tied
    LM head)."""
    batch, seq = ids.shape
    x = w["wte.weight"][ids] + w["wpe.weight"][:seq]
    causal = causal_mask(seq)
    d_model = x.shape[-1]
    head_dim = d_model // heads
    for i in range(layer_count(w, "h.")):
        p = lambda name: w[f"h.{i}.{name}"]
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        h = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), 1e-5)
        qkv = linear(h, "attn.c_attn")
        if multi_query:
            q, k, v = qkv.split([d_model, head_dim, head_dim], dim=-1)
            q = split_heads(q, heads)
            k, v = (split_heads(t, 1).expand(-1, heads, -1, -1) for t in (k, v))
        else:
            per_head = qkv.view(batch, seq, heads, 3 * head_dim).transpose(1, 2)
            q, k, v = per_head.split(head_dim, dim=-1)
        x = x + linear(merge_heads(attention(q, k, v, causal)), "attn.c_proj")
        h = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), 1e-5)
        h = torch.nn.functional.gelu(linear(h, "mlp.c_fc"), approximate="tanh")
        x = x + linear(h, "mlp.c_proj")
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], 1e-5)
    return x @ w["wte.weight"].T


def opt_logits(w, ids, heads):
    """OPT: GPT-2's pre-norm decoder with separate nn.Linear Q, K, V, ReLU,
    and a position table whose rows 0 and 1 no position uses; the logits
    of every position (tied head)."""
    batch, seq = ids.shape
    d = lambda name: w[f"model.decoder.{name}"]
    x = d("embed_tokens.weight")[ids] + d("embed_positions.weight")[2:seq + 2]
    prefix = "model.decoder.layers."
    layers = layer_count(w, prefix)
    causal = causal_mask(seq)
    for i in range(layers):
        p = lambda name: w[f"{prefix}{i}.{name}"]
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        norm = lambda t, name: layer_norm(t, p(name + ".weight"), p(name + ".bias"), 1e-5)
        h = norm(x, "self_attn_layer_norm")
        q, k, v = (split_heads(linear(h, f"self_attn.{n}_proj"), heads)
                   for n in ("q", "k", "v"))
        x = x + linear(merge_heads(attention(q, k, v, causal)), "self_attn.out_proj")
        h = torch.relu(linear(norm(x, "final_layer_norm"), "fc1"))
        x = x + linear(h, "fc2")
    x = layer_norm(x, d("final_layer_norm.weight"), d("final_layer_norm.bias"), 1e-5)
    return x @ d("embed_tokens.weight").T


def rotate_half_rope(x, theta, rotary_dim=None):
    """Rotary position embeddings on [batch, heads, seq, head_dim], pairing
    feature i with i + rotary_dim / 2 among the first rotary_dim features
    (all of them by default; LLaMA, Gemma, GPT-NeoX); the rest pass."""
    seq = x.shape[-2]
    rotary_dim = rotary_dim or x.shape[-1]
    rotated, passed = x[..., :rotary_dim], x[..., rotary_dim:]
    inv_freq = 1.0 / theta ** (torch.arange(0, rotary_dim, 2, dtype=x.dtype) / rotary_dim)
    angles = torch.arange(seq, dtype=x.dtype)[:, None] * inv_freq[None, :]
    cos, sin = torch.cat((angles, angles), -1).cos(), torch.cat((angles, angles), -1).sin()
    first, second = rotated[..., : rotary_dim // 2], rotated[..., rotary_dim // 2 :]
    rotated = rotated * cos + torch.cat((-second, first), -1) * sin
    return torch.cat((rotated, passed), -1)


def rotate_every_two_rope(x, theta, rotary_dim):
    """Rotary position embeddings on [batch, heads, seq, head_dim], pairing
    features 2i and 2i + 1 among the first rotary_dim (GPT-J); the rest
    pass."""
    seq = x.shape[-2]
    rotated, passed = x[..., :rotary_dim], x[..., rotary_dim:]
    inv_freq = 1.0 / theta ** (torch.arange(0, rotary_dim, 2, dtype=x.dtype) / rotary_dim)
    angles = torch.arange(seq, dtype=x.dtype)[:, None] * inv_freq[None, :]
    cos = angles.cos().repeat_interleave(2, dim=-1)
    sin = angles.sin().repeat_interleave(2, dim=-1)
    swapped = torch.stack((-rotated[..., 1::2], rotated[..., ::2]), dim=-1).flatten(-2)
    return torch.cat((rotated * cos + swapped * sin, passed), -1)


def gptj_logits(w, ids, heads, rotary_dim, eps=1e-5, theta=10000.0):
    """GPT-J: attention and MLP side by side on one shared layer norm;
    projections of Q, K, V and the attention output without biases; RoPE
    pairing features 2i and 2i + 1 among the first rotary_dim of each head;
    tanh-approximated GELU; an output projection with a bias."""
    batch, seq = ids.shape
    x = w["transformer.wte.weight"][ids]
    prefix = "transformer.h."
    layers = layer_count(w, prefix)
    causal = causal_mask(seq)
    for i in range(layers):
        p = lambda name: w[f"{prefix}{i}.{name}"]
        h = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), eps)
        q, k, v = (split_heads(h @ p(f"attn.{n}_proj.weight").T, heads)
                   for n in ("q", "k", "v"))
        q, k = (rotate_every_two_rope(t, theta, rotary_dim) for t in (q, k))
        attn = merge_heads(attention(q, k, v, causal)) @ p("attn.out_proj.weight").T
        up = torch.nn.functional.linear(h, p("mlp.fc_in.weight"), p("mlp.fc_in.bias"))
        mlp = torch.nn.functional.linear(
            torch.nn.functional.gelu(up, approximate="tanh"),
            p("mlp.fc_out.weight"), p("mlp.fc_out.bias"))
        x = x + attn + mlp
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return torch.nn.functional.linear(x, w["lm_head.weight"], w["lm_head.bias"])


def gpt_neox_logits(w, ids, heads, rotary_pct, eps=1e-5, theta=10000.0):
    """GPT-NeoX (Pythia): attention and MLP side by side on their own layer
    norms, x + attn(ln1(x)) + mlp(ln2(x)); a fused QKV projection whose
    output holds each head's Q, K and V together; RoPE on the first
    rotary_pct of each head; exact GELU; an untied output projection."""
    batch, seq = ids.shape
    x = w["gpt_neox.embed_in.weight"][ids]
    prefix = "gpt_neox.layers."
    layers = layer_count(w, prefix)
    causal = causal_mask(seq)
    head_dim = x.shape[-1] // heads
    rotary_dim = int(head_dim * rotary_pct)
    for i in range(layers):
        p = lambda name: w[f"{prefix}{i}.{name}"]
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        norm = lambda t, name: layer_norm(t, p(name + ".weight"), p(name + ".bias"), eps)
        qkv = linear(norm(x, "input_layernorm"), "attention.query_key_value")
        qkv = qkv.view(batch, seq, heads, 3 * head_dim).transpose(1, 2)
        q, k, v = qkv.split(head_dim, dim=-1)
        q, k = (rotate_half_rope(t, theta, rotary_dim) for t in (q, k))
        attn = linear(merge_heads(attention(q, k, v, causal)), "attention.dense")
        h = torch.nn.functional.gelu(
            linear(norm(x, "post_attention_layernorm"), "mlp.dense_h_to_4h"))
        x = x + attn + linear(h, "mlp.dense_4h_to_h")
    x = layer_norm(x, w["gpt_neox.final_layer_norm.weight"],
                   w["gpt_neox.final_layer_norm.bias"], eps)
    return x @ w["embed_out.weight"].T


def phi_logits(w, ids, heads, partial_rotary_factor, eps=1e-5, theta=10000.0):
    """Phi-1.5 and Phi-2: attention and MLP side by side on one shared
    layer norm, x + attn(ln(x)) + mlp(ln(x)); RoPE on the first
    partial_rotary_factor of each head; tanh-approximated GELU; an output
    projection with a bias."""
    batch, seq = ids.shape
    x = w["model.embed_tokens.weight"][ids]
    prefix = "model.layers."
    layers = layer_count(w, prefix)
    causal = causal_mask(seq)
    rotary_dim = int(x.shape[-1] // heads * partial_rotary_factor)
    for i in range(layers):
        p = lambda name: w[f"{prefix}{i}.{name}"]
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        h = layer_norm(x, p("input_layernorm.weight"), p("input_layernorm.bias"), eps)
        q, k, v = (split_heads(linear(h, f"self_attn.{n}_proj"), heads)
                   for n in ("q", "k", "v"))
        q, k = (rotate_half_rope(t, theta, rotary_dim) for t in (q, k))
        attn = linear(merge_heads(attention(q, k, v, causal)), "self_attn.dense")
        mlp = linear(torch.nn.functional.gelu(linear(h, "mlp.fc1"), approximate="tanh"),
                     "mlp.fc2")
        x = x + attn + mlp
    x = layer_norm(x, w["model.final_layernorm.weight"],
                   w["model.final_layernorm.bias"], eps)
    return torch.nn.functional.linear(x, w["lm_head.weight"], w["lm_head.bias"])


def llama_logits(w, ids, heads, kv_heads, eps=1e-6, theta=10000.0,
                 embed_scale=1.0, gamma_offset=0.0, activation=torch.nn.functional.silu,
                 qk_norm=False, rotary_dim=None, window=None, attention_scale=None,
                 residual_scale=1.0, logits_divisor=1.0):
    """LLaMA's pre-norm decoder: RMS norms, RoPE, grouped-query attention
    without biases, a gated MLP (SwiGLU by default) and an LM head that is
    `lm_head.weight` or, without one, the tied embeddings; the logits of
    every position. The variants: embeddings multiplied by `embed_scale`,
    RMS norms that scale by `gamma_offset` + weight, with `qk_norm` an RMS
    norm on each head of the queries and keys before RoPE, RoPE on the first
    `rotary_dim` features of each head, attention to the `window` most
    recent tokens only, scores multiplied by `attention_scale` instead of
    1 / sqrt(head_dim), attention and MLP outputs multiplied by
    `residual_scale` before they join the residual stream, and logits
    divided by `logits_divisor`."""
    batch, seq = ids.shape
    embed = w["model.embed_tokens.weight"]
    x = embed[ids] * embed_scale
    prefix = "model.layers."
    layers = layer_count(w, prefix)
    causal = causal_mask(seq, window)

    def rms_norm(t, weight):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * (gamma_offset + weight)

    for i in range(layers):
        p = lambda name: w[f"{prefix}{i}.{name}.weight"]
        h = rms_norm(x, p("input_layernorm"))
        q = split_heads(h @ p("self_attn.q_proj").T, heads)
        k = split_heads(h @ p("self_attn.k_proj").T, kv_heads)
        v = split_heads(h @ p("self_attn.v_proj").T, kv_heads)
        if qk_norm:
            q, k = rms_norm(q, p("self_attn.q_norm")), rms_norm(k, p("self_attn.k_norm"))
        q, k = rotate_half_rope(q, theta, rotary_dim), rotate_half_rope(k, theta, rotary_dim)
        k, v = (t.repeat_interleave(heads // kv_heads, dim=1) for t in (k, v))
        attended = merge_heads(attention(q, k, v, causal, attention_scale))
        x = x + residual_scale * (attended @ p("self_attn.o_proj").T)
        h = rms_norm(x, p("post_attention_layernorm"))
        gate = activation(h @ p("mlp.gate_proj").T)
        x = x + residual_scale * ((gate * (h @ p("mlp.up_proj").T)) @ p("mlp.down_proj").T)
    logits = rms_norm(x, w["model.norm.weight"]) @ w.get("lm_head.weight", embed).T
    return logits / logits_divisor


def gemma_logits(w, ids, heads, kv_heads, eps=1e-6, theta=10000.0):
    """Gemma: LLaMA with embeddings scaled by sqrt(hidden_size), RMS norms
    that scale by 1 + weight, a GeGLU MLP with tanh-approximated GELU and a
    tied LM head."""
    gelu_tanh = lambda t: torch.nn.functional.gelu(t, approximate="tanh")
    return llama_logits(w, ids, heads, kv_heads, eps, theta,
                        embed_scale=math.sqrt(w["model.embed_tokens.weight"].shape[1]),
                        gamma_offset=1.0, activation=gelu_tanh)


def falcon_logits(w, ids, heads, multi_query=True, eps=1e-5, theta=10000.0):
    """Falcon (Falcon-7B): RoPE, exact GELU, layer norms with biases and
    projections whose biases the checkpoint may have; query_key_value holds
    every head's query then one shared key and value head with multi_query,
    each head's query, key and value together without. Layers without a
    `post_attention_layernorm` are parallel: attention and MLP read the same
    norm and both add to the residual. The tied LM head's logits."""
    embed = w["transformer.word_embeddings.weight"]
    x = embed[ids]
    batch, seq = ids.shape
    prefix = "transformer.h."
    causal = causal_mask(seq)
    head_dim = x.shape[-1] // heads
    for i in range(layer_count(w, prefix)):
        p = lambda name: w.get(f"{prefix}{i}.{name}")
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        norm = lambda t, name: layer_norm(t, p(name + ".weight"), p(name + ".bias"), eps)
        h = norm(x, "input_layernorm")
        qkv = linear(h, "self_attention.query_key_value")
        if multi_query:
            qkv = qkv.view(batch, seq, heads + 2, head_dim).transpose(1, 2)
            q, k, v = qkv[:, :-2], qkv[:, -2:-1], qkv[:, -1:]
            k, v = (t.expand(-1, heads, -1, -1) for t in (k, v))
        else:
            qkv = qkv.view(batch, seq, heads, 3, head_dim).transpose(1, 2)
            q, k, v = qkv[..., 0, :], qkv[..., 1, :], qkv[..., 2, :]
        q, k = rotate_half_rope(q, theta), rotate_half_rope(k, theta)
        attended = linear(merge_heads(attention(q, k, v, causal)), "self_attention.dense")
        mlp = lambda t: linear(torch.nn.functional.gelu(linear(t, "mlp.dense_h_to_4h")),
                               "mlp.dense_4h_to_h")
        x = add_layer_outputs(x, h, attended, mlp, norm, p("post_attention_layernorm.weight"))
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return x @ w.get("lm_head.weight", embed).T


def cohere_logits(w, ids, heads, kv_heads, logit_scale, eps=1e-5, theta=10000.0):
    """Cohere (Command R, Aya 23): attention and a SwiGLU MLP side by side
    on one layer norm without bias, RoPE on interleaved pairs of features,
    grouped-query attention without biases, and the tied LM head, whose
    logits are multiplied by `logit_scale`."""
    embed = w["model.embed_tokens.weight"]
    x = embed[ids]
    prefix = "model.layers."
    causal = causal_mask(ids.shape[1])
    for i in range(layer_count(w, prefix)):
        p = lambda name: w[f"{prefix}{i}.{name}.weight"]
        h = layer_norm(x, p("input_layernorm"), None, eps)
        q = rotate_every_two_rope(split_heads(h @ p("self_attn.q_proj").T, heads), theta,
                                  x.shape[-1] // heads)
        k = rotate_every_two_rope(split_heads(h @ p("self_attn.k_proj").T, kv_heads), theta,
                                  x.shape[-1] // heads)
        v = split_heads(h @ p("self_attn.v_proj").T, kv_heads)
        k, v = (t.repeat_interleave(heads // kv_heads, dim=1) for t in (k, v))
        attended = merge_heads(attention(q, k, v, causal)) @ p("self_attn.o_proj").T
        gate = torch.nn.functional.silu(h @ p("mlp.gate_proj").T)
        x = x + attended + (gate * (h @ p("mlp.up_proj").T)) @ p("mlp.down_proj").T
    x = layer_norm(x, w["model.norm.weight"], None, eps)
    return (x @ w.get("lm_head.weight", embed).T) * logit_scale


def granite_logits(w, ids, heads, kv_heads, embedding_multiplier, attention_multiplier,
                   residual_multiplier, logits_scaling, eps=1e-6, theta=10000.0):
    """Granite: LLaMA with its four multipliers: of the embeddings, of the
    attention scores (in place of 1 / sqrt(head_dim)), of each attention and
    MLP output before the residual add, and the divisor of the logits."""
    return llama_logits(w, ids, heads, kv_heads, eps, theta, embed_scale=embedding_multiplier,
                        attention_scale=attention_multiplier,
                        residual_scale=residual_multiplier, logits_divisor=logits_scaling)


def qwen3_logits(w, ids, heads, kv_heads, eps=1e-6, theta=10000.0):
    """Qwen3: LLaMA with an RMS norm on each head of the queries and keys
    before RoPE."""
    return llama_logits(w, ids, heads, kv_heads, eps, theta, qk_norm=True)


def starcoder2_logits(w, ids, heads, kv_heads, window=None, eps=1e-5, theta=10000.0):
    """StarCoder2: a pre-norm decoder with layer norms, biases on every
    projection, RoPE, grouped-query attention over the `window` most recent
    tokens, a plain MLP with tanh-approximated GELU, and the tied LM head."""
    batch, seq = ids.shape
    embed = w["model.embed_tokens.weight"]
    x = embed[ids]
    prefix = "model.layers."
    layers = layer_count(w, prefix)
    causal = causal_mask(seq, window)
    for i in range(layers):
        p = lambda name: w[f"{prefix}{i}.{name}"]
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        norm = lambda t, name: layer_norm(t, p(name + ".weight"), p(name + ".bias"), eps)
        h = norm(x, "input_layernorm")
        q = rotate_half_rope(split_heads(linear(h, "self_attn.q_proj"), heads), theta)
        k = rotate_half_rope(split_heads(linear(h, "self_attn.k_proj"), kv_heads), theta)
        v = split_heads(linear(h, "self_attn.v_proj"), kv_heads)
        k, v = (t.repeat_interleave(heads // kv_heads, dim=1) for t in (k, v))
        x = x + linear(merge_heads(attention(q, k, v, causal)), "self_attn.o_proj")
        h = torch.nn.functional.gelu(linear(norm(x, "post_attention_layernorm"), "mlp.c_fc"),
                                     approximate="tanh")
        x = x + linear(h, "mlp.c_proj")
    x = layer_norm(x, w["model.norm.weight"], w["model.norm.bias"], eps)
    return x @ w.get("lm_head.weight", embed).T


def phi3_logits(w, ids, heads, kv_heads, partial_rotary_factor=1.0, window=None,
                eps=1e-5, theta=10000.0):
    """Phi-3: LLaMA with Q, K and V fused in `qkv_proj` and the MLP's gate
    and up projections in `gate_up_proj` (gate first), RoPE on the first
    partial_rotary_factor of each head, and a sliding window."""
    w = dict(w)
    prefix = "model.layers."
    for i in range(layer_count(w, prefix)):
        p = f"{prefix}{i}."
        qkv = w.pop(p + "self_attn.qkv_proj.weight")
        head_dim = qkv.shape[0] // (heads + 2 * kv_heads)
        q, k, v = qkv.split([heads * head_dim, kv_heads * head_dim, kv_heads * head_dim])
        w[p + "self_attn.q_proj.weight"], w[p + "self_attn.k_proj.weight"] = q, k
        w[p + "self_attn.v_proj.weight"] = v
        gate, up = w.pop(p + "mlp.gate_up_proj.weight").chunk(2)
        w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"] = gate, up
    head_dim = w["model.layers.0.self_attn.o_proj.weight"].shape[1] // heads
    return llama_logits(w, ids, heads, kv_heads, eps, theta,
                        rotary_dim=int(head_dim * partial_rotary_factor), window=window)


def stablelm_logits(w, ids, heads, kv_heads, partial_rotary_factor=0.25,
                    eps=1e-5, theta=10000.0):
    """StableLM: a pre-norm decoder with layer norms (weights and biases),
    biases on Q, K and V where the checkpoint has them and none on the
    output projection or the SwiGLU MLP, RoPE on the first
    partial_rotary_factor of each head, grouped-query attention, and an
    LM head that is `lm_head.weight` or the tied embeddings. Layers without
    a `post_attention_layernorm` are parallel (use_parallel_residual): the
    MLP reads the attention's normed input, and both add to the residual."""
    embed = w["model.embed_tokens.weight"]
    x = embed[ids]
    prefix = "model.layers."
    causal = causal_mask(ids.shape[1])
    rotary_dim = int(embed.shape[1] // heads * partial_rotary_factor)
    for i in range(layer_count(w, prefix)):
        p = lambda name: w.get(f"{prefix}{i}.{name}")
        linear = lambda t, name: torch.nn.functional.linear(
            t, p(name + ".weight"), p(name + ".bias"))
        norm = lambda t, name: layer_norm(t, p(name + ".weight"), p(name + ".bias"), eps)
        mlp = lambda t: linear(torch.nn.functional.silu(linear(t, "mlp.gate_proj"))
                               * linear(t, "mlp.up_proj"), "mlp.down_proj")
        h = norm(x, "input_layernorm")
        q = rotate_half_rope(split_heads(linear(h, "self_attn.q_proj"), heads), theta, rotary_dim)
        k = rotate_half_rope(split_heads(linear(h, "self_attn.k_proj"), kv_heads), theta,
                             rotary_dim)
        v = split_heads(linear(h, "self_attn.v_proj"), kv_heads)
        k, v = (t.repeat_interleave(heads // kv_heads, dim=1) for t in (k, v))
        attended = linear(merge_heads(attention(q, k, v, causal)), "self_attn.o_proj")
        x = add_layer_outputs(x, h, attended, mlp, norm, p("post_attention_layernorm.weight"))
    x = layer_norm(x, w["model.norm.weight"], w["model.norm.bias"], eps)
    return x @ w.get("lm_head.weight", embed).T


# Where BERT and DistilBERT keep each part of a layer.
BERT_LAYER = {"layers": "encoder.layer", "q": "attention.self.query",
              "k": "attention.self.key", "v": "attention.self.value",
              "o": "attention.output.dense",
              "attn_norm": "attention.output.LayerNorm",
              "up": "intermediate.dense", "down": "output.dense",
              "mlp_norm": "output.LayerNorm"}
DISTILBERT_LAYER = {"layers": "transformer.layer", "q": "attention.q_lin",
                    "k": "attention.k_lin", "v": "attention.v_lin",
                    "o": "attention.out_lin", "attn_norm": "sa_layer_norm",
                    "up": "ffn.lin1", "down": "ffn.lin2",
                    "mlp_norm": "output_layer_norm"}


def post_norm_encoder(w, x, mask, heads, names, eps):
    """BERT's layers on the embedded `x`: post-norm, nn.Linear ([out, in])
    projections, exact GELU, under the tensor `names` of a layer. Tokens
    that `mask` drops are hidden from every query."""
    hidden = (mask == 0)[:, None, None, :]
    prefix = names["layers"] + "."
    layers = layer_count(w, prefix)
    for i in range(layers):
        p = lambda part, kind: w[f"{prefix}{i}.{names[part]}.{kind}"]
        linear = lambda t, part: torch.nn.functional.linear(
            t, p(part, "weight"), p(part, "bias"))
        norm = lambda t, part: layer_norm(t, p(part, "weight"), p(part, "bias"), eps)
        q, k, v = (split_heads(linear(x, n), heads) for n in ("q", "k", "v"))
        x = norm(x + linear(merge_heads(attention(q, k, v, hidden)), "o"), "attn_norm")
        h = torch.nn.functional.gelu(linear(x, "up"))
        x = norm(x + linear(h, "down"), "mlp_norm")
    return x


def embed(w, ids, positions, token_types, eps):
    """Token plus position (plus token type 0) embeddings, layer-normed.
    `positions` [batch, seq] are the position ids, 0 .. seq - 1 if None."""
    batch, seq = ids.shape
    if positions is None:
        positions = torch.arange(seq).expand(batch, seq)
    e = lambda name: w[f"embeddings.{name}"]
    x = e("word_embeddings.weight")[ids] + e("position_embeddings.weight")[positions]
    if token_types:
        x = x + e("token_type_embeddings.weight")[0]
    return layer_norm(x, e("LayerNorm.weight"), e("LayerNorm.bias"), eps)


def bert_hidden_states(w, ids, mask, heads, positions=None, eps=1e-12):
    """BERT: the last hidden states."""
    x = embed(w, ids, positions, token_types=True, eps=eps)
    return post_norm_encoder(w, x, mask, heads, BERT_LAYER, eps)


def roberta_hidden_states(w, ids, mask, heads, padding_idx=1, eps=1e-5):
    """RoBERTa: BERT whose positions count the tokens that are not padding,
    from padding_idx + 1 on (padding itself at padding_idx), as Hugging
    Face's create_position_ids_from_input_ids numbers them."""
    not_padding = (ids != padding_idx).long()
    positions = torch.cumsum(not_padding, dim=1) * not_padding + padding_idx
    return bert_hidden_states(w, ids, mask, heads, positions, eps)


def distilbert_hidden_states(w, ids, mask, heads):
    """DistilBERT: BERT without token types, under its own names; the last
    hidden states."""
    x = embed(w, ids, None, token_types=False, eps=1e-12)
    return post_norm_encoder(w, x, mask, heads, DISTILBERT_LAYER, 1e-12)


def bert_embedding(w, ids, mask, heads):
    """The sentence-transformers embedding of BERT: the last hidden states
    mean-pooled over the tokens `mask` keeps, L2-normalised."""
    x = bert_hidden_states(w, ids, mask, heads)
    keep = mask[:, :, None].to(x.dtype)
    pooled = (x * keep).sum(1) / keep.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1, eps=1e-12)
