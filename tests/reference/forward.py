#!/usr/bin/python3
"""Independent float64 NumPy forward pass for gpt-oss, qwen3 and qwen3moe GGUF models.

    forward(model, tokens) -> logits, float64 [n_tokens, n_vocab]

`model` is a GGUF path, a gguf_read.GGUFFile, or a (metadata, tensors) pair where
tensors maps GGUF tensor names to float64 arrays in numpy order (ggml dims
reversed: a Linear weight is (out, in), expert weights are (n_expert, out, in)).

Everything is computed for the whole sequence at once, in float64, from weights
dequantized to float64.  Positions are 0..n_tokens-1.

forward(model, tokens, act_quant=True) additionally rounds the input rows of every
matrix product the way ggml's CPU kernels (and fathom) do before their dot
products: Q8_0 for Q4_0/Q8_0/MXFP4 weights, Q8_K for Q4_K/Q5_K/Q6_K, BF16 for BF16
(see act_quant.py).  The rule follows each tensor's own ggml type, so F32/F16
weights (and the F32 router) are unaffected; the embedding
lookup is not a matrix product and is never affected.  That needs the tensor
types: a GGUF model has them; an in-memory model passes (metadata, tensors, types)
with types mapping tensor names to ggml type ids.  The default (False) is the pure
float64 reference.

Command line:
    python3 forward.py MODEL.gguf --tokens 1,2,3 --out ref.npy
    python3 forward.py --self-test
"""

import argparse
import math
import os
import sys
from dataclasses import dataclass

import numpy as np

import act_quant as aq
from gguf_read import GGUFFile

ARCHITECTURES = ("gpt-oss", "qwen3", "qwen3moe")

# gpt-oss SwiGLU constants (OpenAI reference: swiglu(alpha=1.702, limit=7.0)).
GPT_OSS_SWIGLU_ALPHA = 1.702
GPT_OSS_SWIGLU_LIMIT = 7.0


# ---------------------------------------------------------------------------
# Configuration from metadata

@dataclass
class Config:
    arch: str
    n_layer: int
    n_embd: int
    n_head: int
    n_kv_head: int
    head_dim: int
    eps: float
    rope_base: float
    # gpt-oss attention
    sliding_window: int = 0
    yarn_factor: float = 1.0
    yarn_original_context: int = 4096
    yarn_alpha: float = 1.0      # OpenAI ntk_alpha  (= llama.cpp yarn_beta_slow)
    yarn_beta: float = 32.0      # OpenAI ntk_beta   (= llama.cpp yarn_beta_fast)
    # mixture of experts
    n_expert: int = 0
    n_expert_used: int = 0
    expert_weights_norm: bool = True


def read_config(meta):
    arch = meta.get("general.architecture")
    if arch not in ARCHITECTURES:
        raise ValueError(f"unsupported architecture {arch!r} (supported: {', '.join(ARCHITECTURES)})")

    def key(name, default=None, required=False):
        full = f"{arch}.{name}"
        if full in meta:
            return meta[full]
        if required:
            raise KeyError(f"missing metadata key {full}")
        return default

    n_embd = int(key("embedding_length", required=True))
    n_head = int(key("attention.head_count", required=True))
    n_kv_head = int(key("attention.head_count_kv", n_head))
    head_dim = int(key("attention.key_length", n_embd // n_head))
    value_dim = int(key("attention.value_length", head_dim))
    if value_dim != head_dim:
        raise NotImplementedError(f"value_length {value_dim} != key_length {head_dim}")
    rope_dims = int(key("rope.dimension_count", head_dim))
    if rope_dims != head_dim:
        raise NotImplementedError(f"partial rotary embedding ({rope_dims} of {head_dim} dims)")
    if n_head % n_kv_head:
        raise ValueError(f"head_count {n_head} is not a multiple of head_count_kv {n_kv_head}")

    cfg = Config(
        arch=arch,
        n_layer=int(key("block_count", required=True)),
        n_embd=n_embd, n_head=n_head, n_kv_head=n_kv_head, head_dim=head_dim,
        eps=float(key("attention.layer_norm_rms_epsilon", required=True)),
        rope_base=float(key("rope.freq_base", 10000.0)),
        n_expert=int(key("expert_count", 0)),
        n_expert_used=int(key("expert_used_count", 0)),
        expert_weights_norm=bool(key("expert_weights_norm", True)),
    )
    if arch == "gpt-oss":
        cfg.sliding_window = int(key("attention.sliding_window", required=True))
        cfg.yarn_factor = float(key("rope.scaling.factor", 1.0))
        cfg.yarn_original_context = int(key("rope.scaling.original_context_length", 4096))
        cfg.yarn_alpha = float(key("rope.scaling.yarn_beta_slow", 1.0))
        cfg.yarn_beta = float(key("rope.scaling.yarn_beta_fast", 32.0))
    elif key("rope.scaling.type", "none") not in ("none", "linear") or \
            float(key("rope.scaling.factor", 1.0)) not in (0.0, 1.0):
        # Not needed for the synthetic models; refuse rather than silently differ.
        raise NotImplementedError(f"{arch}: rope scaling {key('rope.scaling.type')!r} "
                                  f"factor {key('rope.scaling.factor')}")
    if arch in ("gpt-oss", "qwen3moe"):
        if not 0 < cfg.n_expert_used <= cfg.n_expert:
            raise ValueError(f"bad expert counts: used {cfg.n_expert_used} of {cfg.n_expert}")
    return cfg


# ---------------------------------------------------------------------------
# Building blocks

def rms_norm(x, w, eps):
    """x / sqrt(mean(x^2) + eps) * w over the last axis."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def linear(h, weight, bias=None):
    """Rows of h times weight (out, in) transposed, plus bias."""
    y = h @ weight.T
    return y if bias is None else y + bias


def sigmoid(x):
    # exp(-log(1 + e^-x)) never overflows, for either sign of x.
    return np.exp(-np.logaddexp(0.0, -x))


def silu(x):
    return x * sigmoid(x)


def softmax(x, axis=-1):
    z = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return z / np.sum(z, axis=axis, keepdims=True)


def rope_inv_freq(head_dim, base):
    """Plain RoPE: inv_freq[i] = 1 / base^(2i/d) for pair i."""
    return 1.0 / base ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)


def yarn_concentration_and_inv_freq(head_dim, base, factor, original_context, alpha=1.0, beta=32.0):
    """YaRN as in OpenAI's gpt_oss/torch/model.py (RotaryEmbedding._compute_concentration_and_inv_freq).

    NTK-by-parts: pairs rotating fast enough (index < low) keep the original
    frequency (extrapolation), slow ones (index > high) are divided by `factor`
    (interpolation), with a linear ramp between.  low/high are NOT rounded
    (llama.cpp's ggml_rope_yarn_corr_dims floors/ceils them; OpenAI does not).
    cos and sin are both scaled by the concentration 0.1 ln(factor) + 1.
    """
    freq = base ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    if factor <= 1.0:
        return 1.0, 1.0 / freq
    concentration = 0.1 * math.log(factor) + 1.0
    d_half = head_dim / 2
    low = d_half * math.log(original_context / (beta * 2 * math.pi)) / math.log(base)
    high = d_half * math.log(original_context / (alpha * 2 * math.pi)) / math.log(base)
    if not high > low:
        raise ValueError(f"YaRN ramp is empty: low {low}, high {high}")
    interpolation = 1.0 / (factor * freq)
    extrapolation = 1.0 / freq
    ramp = (np.arange(d_half, dtype=np.float64) - low) / (high - low)
    mask = 1.0 - np.clip(ramp, 0.0, 1.0)
    inv_freq = interpolation * (1.0 - mask) + extrapolation * mask
    return concentration, inv_freq


def apply_rope_neox(x, positions, inv_freq, concentration=1.0):
    """NeoX-style rotation of x (n_tokens, n_heads, head_dim): pair i is (x[i], x[i + d/2])."""
    half = x.shape[-1] // 2
    angle = np.asarray(positions, dtype=np.float64)[:, None] * inv_freq[None, :]   # (T, d/2)
    cos = (np.cos(angle) * concentration)[:, None, :]
    sin = (np.sin(angle) * concentration)[:, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)


def attention_visibility(n_tokens, window=0):
    """visible[t, j]: causal (j <= t) and, with a window, t - window < j."""
    t = np.arange(n_tokens)[:, None]
    j = np.arange(n_tokens)[None, :]
    visible = j <= t
    if window:
        visible &= (t - j) < window
    return visible


def attention(q, k, v, visible, sinks=None):
    """Scaled dot-product attention with grouped KV heads and optional sink logits.

    q: (T, n_head, d); k, v: (T, n_kv, d); visible: (T, T) bool.
    Query head h reads KV head h // (n_head // n_kv).  With sinks (n_head,), each
    head's softmax also covers one extra logit whose probability carries no value.
    Returns (T, n_head * d), heads concatenated in order.
    """
    n_tokens, n_head, d = q.shape
    group = n_head // k.shape[1]
    kv_of_head = np.arange(n_head) // group
    k = k[:, kv_of_head, :]
    v = v[:, kv_of_head, :]
    scores = np.einsum("thd,shd->hts", q, k) / math.sqrt(d)
    scores = np.where(visible[None, :, :], scores, -np.inf)
    if sinks is not None:
        sink_col = np.broadcast_to(np.asarray(sinks, dtype=np.float64)[:, None, None], (n_head, n_tokens, 1))
        probs = softmax(np.concatenate([scores, sink_col], axis=-1))[..., :n_tokens]
    else:
        probs = softmax(scores)
    out = np.einsum("hts,shd->thd", probs, v)
    return out.reshape(n_tokens, n_head * d)


def top_k_experts(scores, k):
    """Indices (T, k) of the k largest scores per row; ties go to the lower index."""
    # A stable sort of the negated scores keeps equal scores in index order.
    return np.argsort(-scores, axis=-1, kind="stable")[:, :k]


def router_margin(scores, k):
    """Smallest gap between the k-th and (k+1)-th largest router score over all tokens.

    A tiny margin means a small rounding difference in an engine could select a
    different expert; reported by check_engine.py to explain MoE mismatches.
    """
    if k >= scores.shape[-1]:
        return math.inf
    top = -np.sort(-scores, axis=-1)
    return float(np.min(top[:, k - 1] - top[:, k]))


def _note_margin(stats, margin):
    if stats is not None:
        stats["min_router_margin"] = min(stats.get("min_router_margin", math.inf), margin)


def mixture_of_experts(h, expert_idx, expert_w, expert_fn):
    """sum over selected experts e of w_e * expert_fn(e, h) for each row of h."""
    out = None
    for e in np.unique(expert_idx):
        rows, slot = np.nonzero(expert_idx == e)     # a row selects an expert at most once
        y = expert_fn(int(e), h[rows])
        if out is None:
            out = np.zeros((h.shape[0], y.shape[1]))
        out[rows] += expert_w[rows, slot][:, None] * y
    return out


def swiglu_oai(g, u, alpha=GPT_OSS_SWIGLU_ALPHA, limit=GPT_OSS_SWIGLU_LIMIT):
    """gpt-oss gated activation: the gate is clamped above only, the linear part both ways."""
    g = np.minimum(g, limit)
    u = np.clip(u, -limit, limit)
    return g * sigmoid(alpha * g) * (u + 1.0)


# ---------------------------------------------------------------------------
# Architectures

class _Weights:
    """Tensor lookup with clear errors, optional biases and name aliases.

    With act_quant, linear() rounds its input rows as a ggml matmul with that
    weight's stored type would (types: name -> ggml type id).
    """

    def __init__(self, tensors, types=None, act_quant=False):
        self.t = tensors
        self.types = types
        self.act_quant = act_quant
        if act_quant and types is None:
            raise ValueError("act_quant needs the tensor types: pass a GGUF model or "
                             "(metadata, tensors, types)")

    def __contains__(self, name):
        return name in self.t

    def __call__(self, *names):
        for name in names:
            if name in self.t:
                return np.asarray(self.t[name], dtype=np.float64)
        raise KeyError(f"missing tensor {' / '.join(names)}")

    def optional(self, name):
        return np.asarray(self.t[name], dtype=np.float64) if name in self.t else None

    def act(self, h, name):
        """h as the matmul with weight `name` sees it (unchanged unless act_quant)."""
        if not self.act_quant:
            return h
        if name not in self.types:
            raise KeyError(f"no ggml type for tensor {name}")
        return aq.round_activations(h, self.types[name])

    def linear(self, h, name, bias_name=None):
        """linear() with weight `name`, its input rounded per act(), optional bias `bias_name`."""
        return linear(self.act(h, name), self(name), None if bias_name is None else self.optional(bias_name))


def _attention_inputs(W, cfg, i, h):
    """q (T, n_head, d), k, v (T, n_kv, d) from the normed hidden state, with optional biases."""
    p = f"blk.{i}."
    n = h.shape[0]
    q = W.linear(h, p + "attn_q.weight", p + "attn_q.bias")
    k = W.linear(h, p + "attn_k.weight", p + "attn_k.bias")
    v = W.linear(h, p + "attn_v.weight", p + "attn_v.bias")
    d = cfg.head_dim
    return q.reshape(n, cfg.n_head, d), k.reshape(n, cfg.n_kv_head, d), v.reshape(n, cfg.n_kv_head, d)


def _gpt_oss_layer(W, cfg, i, x, positions, rope, stats=None):
    p = f"blk.{i}."
    concentration, inv_freq = rope
    n = x.shape[0]

    h = rms_norm(x, W(p + "attn_norm.weight"), cfg.eps)
    q, k, v = _attention_inputs(W, cfg, i, h)
    q = apply_rope_neox(q, positions, inv_freq, concentration)
    k = apply_rope_neox(k, positions, inv_freq, concentration)
    # Even layers use the sliding window, odd layers full causal attention.
    window = cfg.sliding_window if i % 2 == 0 else 0
    sinks = W(p + "attn_sinks.weight", p + "attn_sinks")
    heads = attention(q, k, v, attention_visibility(n, window), sinks)
    x = x + W.linear(heads, p + "attn_output.weight", p + "attn_output.bias")

    h = rms_norm(x, W(p + "post_attention_norm.weight"), cfg.eps)
    router = W.linear(h, p + "ffn_gate_inp.weight", p + "ffn_gate_inp.bias")   # F32: never rounded
    idx = top_k_experts(router, cfg.n_expert_used)
    _note_margin(stats, router_margin(router, cfg.n_expert_used))
    weights = softmax(np.take_along_axis(router, idx, axis=-1))   # over the selected logits only

    gate_w, up_w, down_w = W(p + "ffn_gate_exps.weight"), W(p + "ffn_up_exps.weight"), W(p + "ffn_down_exps.weight")
    gate_b, up_b, down_b = (W.optional(p + "ffn_gate_exps.bias"), W.optional(p + "ffn_up_exps.bias"),
                            W.optional(p + "ffn_down_exps.bias"))

    def expert(e, rows):
        g = linear(W.act(rows, p + "ffn_gate_exps.weight"), gate_w[e], None if gate_b is None else gate_b[e])
        u = linear(W.act(rows, p + "ffn_up_exps.weight"), up_w[e], None if up_b is None else up_b[e])
        a = swiglu_oai(g, u)
        return linear(W.act(a, p + "ffn_down_exps.weight"), down_w[e], None if down_b is None else down_b[e])

    return x + mixture_of_experts(h, idx, weights, expert)


def _qwen3_attention(W, cfg, i, x, positions, inv_freq):
    p = f"blk.{i}."
    h = rms_norm(x, W(p + "attn_norm.weight"), cfg.eps)
    q, k, v = _attention_inputs(W, cfg, i, h)
    # Per-head RMSNorm of q and k, before rotation.
    q = rms_norm(q, W(p + "attn_q_norm.weight"), cfg.eps)
    k = rms_norm(k, W(p + "attn_k_norm.weight"), cfg.eps)
    q = apply_rope_neox(q, positions, inv_freq)
    k = apply_rope_neox(k, positions, inv_freq)
    heads = attention(q, k, v, attention_visibility(x.shape[0]))
    return x + W.linear(heads, p + "attn_output.weight", p + "attn_output.bias")


def _qwen3_layer(W, cfg, i, x, positions, inv_freq, stats=None):
    p = f"blk.{i}."
    x = _qwen3_attention(W, cfg, i, x, positions, inv_freq)
    h = rms_norm(x, W(p + "ffn_norm.weight"), cfg.eps)
    a = silu(W.linear(h, p + "ffn_gate.weight")) * W.linear(h, p + "ffn_up.weight")
    return x + W.linear(a, p + "ffn_down.weight")


def _qwen3moe_layer(W, cfg, i, x, positions, inv_freq, stats=None):
    p = f"blk.{i}."
    x = _qwen3_attention(W, cfg, i, x, positions, inv_freq)
    h = rms_norm(x, W(p + "ffn_norm.weight"), cfg.eps)
    router = W.linear(h, p + "ffn_gate_inp.weight")                 # F32: never rounded
    probs = softmax(router)                                         # over all experts
    idx = top_k_experts(probs, cfg.n_expert_used)
    _note_margin(stats, router_margin(router, cfg.n_expert_used))
    weights = np.take_along_axis(probs, idx, axis=-1)
    if cfg.expert_weights_norm:
        weights = weights / np.sum(weights, axis=-1, keepdims=True)

    gate_w, up_w, down_w = W(p + "ffn_gate_exps.weight"), W(p + "ffn_up_exps.weight"), W(p + "ffn_down_exps.weight")

    def expert(e, rows):
        g = linear(W.act(rows, p + "ffn_gate_exps.weight"), gate_w[e])
        u = linear(W.act(rows, p + "ffn_up_exps.weight"), up_w[e])
        return linear(W.act(silu(g) * u, p + "ffn_down_exps.weight"), down_w[e])

    return x + mixture_of_experts(h, idx, weights, expert)


def _open(model):
    """(metadata, tensors, types or None) of a path, GGUFFile, or 2- or 3-tuple."""
    if isinstance(model, (str, os.PathLike, bytes, bytearray)):
        model = GGUFFile(model)
    if isinstance(model, GGUFFile):
        return model.metadata, model.tensors, {n: info.ggml_type for n, info in model.tensor_infos.items()}
    if len(model) == 3:
        return tuple(model)
    metadata, tensors = model
    return metadata, tensors, None


def forward(model, tokens, stats=None, act_quant=False):
    """Logits (n_tokens, n_vocab) in float64 for tokens at positions 0..n_tokens-1.

    If stats is a dict, MoE models record "min_router_margin" in it (see router_margin).
    With act_quant, inputs to matrix products with quantized weights are rounded as
    ggml rounds them (module docstring); the default is the pure float64 reference.
    """
    metadata, tensors, types = _open(model)
    cfg = read_config(metadata)
    W = _Weights(tensors, types, act_quant)

    tokens = np.asarray(tokens, dtype=np.int64)
    embd = W("token_embd.weight")
    if tokens.ndim != 1 or tokens.size == 0:
        raise ValueError("tokens must be a non-empty 1-D sequence")
    if tokens.min() < 0 or tokens.max() >= embd.shape[0]:
        raise ValueError(f"token id out of range [0, {embd.shape[0]})")
    if embd.shape[1] != cfg.n_embd:
        raise ValueError(f"token_embd width {embd.shape[1]} != embedding_length {cfg.n_embd}")

    positions = np.arange(tokens.size)
    x = embd[tokens]
    if cfg.arch == "gpt-oss":
        rope = yarn_concentration_and_inv_freq(cfg.head_dim, cfg.rope_base, cfg.yarn_factor,
                                               cfg.yarn_original_context, cfg.yarn_alpha, cfg.yarn_beta)
        for i in range(cfg.n_layer):
            x = _gpt_oss_layer(W, cfg, i, x, positions, rope, stats)
    else:
        inv_freq = rope_inv_freq(cfg.head_dim, cfg.rope_base)
        layer = _qwen3_layer if cfg.arch == "qwen3" else _qwen3moe_layer
        for i in range(cfg.n_layer):
            x = layer(W, cfg, i, x, positions, inv_freq, stats)

    h = rms_norm(x, W("output_norm.weight"), cfg.eps)
    out_name = "output.weight" if "output.weight" in W else "token_embd.weight"   # tied embeddings
    return W.linear(h, out_name)


# ---------------------------------------------------------------------------
# Self-test: small random models built in memory (never from fathom).

def make_test_model(arch, seed=0, n_layer=2, n_embd=64, n_head=4, n_kv_head=2, head_dim=16,
                    n_vocab=97, n_ff=48, n_expert=4, n_expert_used=2, sliding_window=5,
                    yarn_factor=8.0, identical_experts=False):
    """(metadata, tensors) for a random model; weights scaled so activations stay O(1)."""
    rng = np.random.default_rng(seed)

    def w(*shape, scale=1.0):
        return rng.standard_normal(shape) * scale / math.sqrt(shape[-1])

    def norm_w(n):
        return 1.0 + 0.1 * rng.standard_normal(n)

    meta = {
        "general.architecture": arch,
        f"{arch}.block_count": n_layer,
        f"{arch}.embedding_length": n_embd,
        f"{arch}.attention.head_count": n_head,
        f"{arch}.attention.head_count_kv": n_kv_head,
        f"{arch}.attention.key_length": head_dim,
        f"{arch}.attention.value_length": head_dim,
        f"{arch}.attention.layer_norm_rms_epsilon": 1e-5 if arch == "gpt-oss" else 1e-6,
        f"{arch}.rope.freq_base": 150000.0 if arch == "gpt-oss" else 1000000.0,
    }
    t = {"token_embd.weight": rng.standard_normal((n_vocab, n_embd)),
         "output_norm.weight": norm_w(n_embd),
         "output.weight": w(n_vocab, n_embd)}
    if arch in ("gpt-oss", "qwen3moe"):
        meta[f"{arch}.expert_count"] = n_expert
        meta[f"{arch}.expert_used_count"] = n_expert_used
    if arch == "gpt-oss":
        meta.update({
            "gpt-oss.attention.sliding_window": sliding_window,
            "gpt-oss.rope.scaling.type": "yarn",
            "gpt-oss.rope.scaling.factor": yarn_factor,
            "gpt-oss.rope.scaling.original_context_length": 4096,
        })

    def experts(make):
        if identical_experts:
            one = make(1)
            return np.repeat(one, n_expert, axis=0)
        return make(n_expert)

    for i in range(n_layer):
        p = f"blk.{i}."
        t[p + "attn_norm.weight"] = norm_w(n_embd)
        t[p + "attn_q.weight"] = w(n_head * head_dim, n_embd)
        t[p + "attn_k.weight"] = w(n_kv_head * head_dim, n_embd)
        t[p + "attn_v.weight"] = w(n_kv_head * head_dim, n_embd)
        t[p + "attn_output.weight"] = w(n_embd, n_head * head_dim)
        if arch == "gpt-oss":
            for name, n in (("attn_q", n_head * head_dim), ("attn_k", n_kv_head * head_dim),
                            ("attn_v", n_kv_head * head_dim), ("attn_output", n_embd)):
                t[p + name + ".bias"] = 0.1 * rng.standard_normal(n)
            t[p + "attn_sinks.weight"] = rng.standard_normal(n_head)
            t[p + "post_attention_norm.weight"] = norm_w(n_embd)
            t[p + "ffn_gate_inp.weight"] = w(n_expert, n_embd)
            t[p + "ffn_gate_inp.bias"] = 0.1 * rng.standard_normal(n_expert)
            # Larger gate/up scale so the +-7 clamps are actually reached.
            t[p + "ffn_gate_exps.weight"] = experts(lambda e: w(e, n_ff, n_embd, scale=4.0))
            t[p + "ffn_gate_exps.bias"] = experts(lambda e: rng.standard_normal((e, n_ff)))
            t[p + "ffn_up_exps.weight"] = experts(lambda e: w(e, n_ff, n_embd, scale=4.0))
            t[p + "ffn_up_exps.bias"] = experts(lambda e: rng.standard_normal((e, n_ff)))
            t[p + "ffn_down_exps.weight"] = experts(lambda e: w(e, n_embd, n_ff))
            t[p + "ffn_down_exps.bias"] = experts(lambda e: 0.1 * rng.standard_normal((e, n_embd)))
        else:
            t[p + "attn_q_norm.weight"] = norm_w(head_dim)
            t[p + "attn_k_norm.weight"] = norm_w(head_dim)
            t[p + "ffn_norm.weight"] = norm_w(n_embd)
            if arch == "qwen3":
                t[p + "ffn_gate.weight"] = w(n_ff, n_embd)
                t[p + "ffn_up.weight"] = w(n_ff, n_embd)
                t[p + "ffn_down.weight"] = w(n_embd, n_ff)
            else:
                t[p + "ffn_gate_inp.weight"] = w(n_expert, n_embd)
                t[p + "ffn_gate_exps.weight"] = experts(lambda e: w(e, n_ff, n_embd))
                t[p + "ffn_up_exps.weight"] = experts(lambda e: w(e, n_ff, n_embd))
                t[p + "ffn_down_exps.weight"] = experts(lambda e: w(e, n_embd, n_ff))
    return meta, t


def _self_test():
    import gguf_write

    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    def close(a, b, tol=1e-12):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.max(np.abs(a - b)) <= tol * max(1.0, np.max(np.abs(b)))

    rng = np.random.default_rng(1)

    # --- RoPE ---------------------------------------------------------------
    x = np.array([[[1.0, 0.0, 0.0, 0.0]]])
    got = apply_rope_neox(x, [1], rope_inv_freq(4, 10000.0))
    check(close(got[0, 0], [math.cos(1), 0, math.sin(1), 0]), "rope: NeoX pairs (i, i+d/2), hand value")
    q = rng.standard_normal((1, 1, 16))
    k = rng.standard_normal((1, 1, 16))
    inv = rope_inv_freq(16, 10000.0)

    def rotated_dot(pq, pk, conc=1.0, inv_freq=inv):
        return np.sum(apply_rope_neox(q, [pq], inv_freq, conc) * apply_rope_neox(k, [pk], inv_freq, conc))

    check(abs(rotated_dot(7, 3) - rotated_dot(20, 16)) < 1e-12, "rope: score depends only on relative position")
    check(close(np.linalg.norm(apply_rope_neox(q, [11], inv)), np.linalg.norm(q)), "rope: rotation keeps the norm")
    check(close(apply_rope_neox(q, [0], inv), q), "rope: position 0 is the identity")

    # --- YaRN ---------------------------------------------------------------
    conc, inv1 = yarn_concentration_and_inv_freq(64, 150000.0, 1.0, 4096)
    check(conc == 1.0 and close(inv1, rope_inv_freq(64, 150000.0)), "yarn: factor 1 equals plain rope")
    d, base, factor, orig = 8, 10000.0, 4.0, 64
    conc, inv_y = yarn_concentration_and_inv_freq(d, base, factor, orig, 1.0, 32.0)
    # By hand: low = 4 ln(64/(32*2 pi)) / ln(1e4) = -0.497150, high = 4 ln(64/(2 pi)) / ln(1e4) = 1.008000.
    low = 4 * math.log(1 / math.pi) / math.log(base)
    high = 4 * math.log(64 / (2 * math.pi)) / math.log(base)
    check(abs(low + 0.497150) < 1e-6 and abs(high - 1.008000) < 1e-6, "yarn: unrounded low/high by hand")
    freq = base ** (np.arange(0, d, 2) / d)
    m0 = 1 - (0 - low) / (high - low)     # pair 0: inside the ramp
    m1 = 1 - (1 - low) / (high - low)     # pair 1: inside the ramp (rounded corr dims would clip it)
    want = [m0 / freq[0] + (1 - m0) / (factor * freq[0]), m1 / freq[1] + (1 - m1) / (factor * freq[1]),
            1 / (factor * freq[2]), 1 / (factor * freq[3])]
    check(close(inv_y, want) and abs(conc - (0.1 * math.log(4) + 1)) < 1e-15,
          "yarn: ramp blend, interpolation past `high`, concentration 0.1 ln(f) + 1")
    conc8, inv8 = yarn_concentration_and_inv_freq(16, 10000.0, 8.0, 4096)
    check(abs(rotated_dot(5, 0, conc8, inv8) - conc8 ** 2 * np.sum(
        apply_rope_neox(q, [5], inv8) * apply_rope_neox(k, [0], inv8))) < 1e-12,
          "yarn: concentration scales both cos and sin (scores by conc^2)")

    # --- attention, sinks, window, GQA -------------------------------------
    T, H, Hkv, D = 6, 4, 2, 8
    q, k, v = rng.standard_normal((T, H, D)), rng.standard_normal((T, Hkv, D)), rng.standard_normal((T, Hkv, D))
    full = attention_visibility(T)
    plain = attention(q, k, v, full)
    check(close(attention(q, k, v, full, np.full(H, -1e4)), plain), "sinks: a -inf-like sink is ordinary softmax")
    check(np.max(np.abs(attention(q, k, v, full, np.full(H, 1e4)))) < 1e-12, "sinks: a huge sink absorbs all mass")
    q1, k1, v1 = np.ones((1, 1, 4)), np.full((1, 1, 4), 0.5), np.array([[[1.0, 2.0, 3.0, 4.0]]])
    s = 1.0   # score = q.k / sqrt(4) = 2 * 0.5 / 2 * 2 = 1
    p_real = math.exp(s) / (math.exp(s) + math.exp(0.3))
    check(close(attention(q1, k1, v1, attention_visibility(1), np.array([0.3])), p_real * v1.reshape(1, 4)),
          "sinks: one key, hand value p = e^s / (e^s + e^sink), output p * v")
    vis = attention_visibility(5, window=2)
    check(np.array_equal(vis, np.array([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 1, 1, 0, 0],
                                        [0, 0, 1, 1, 0], [0, 0, 0, 1, 1]], bool)),
          "window: key j visible to t iff t - window < j <= t")
    check(np.array_equal(attention_visibility(T, window=T), full), "window: window >= n_tokens is causal")
    vz = np.concatenate([np.zeros((T, 1, D)), np.ones((T, 1, D))], axis=1)
    out = attention(q, k, vz, full).reshape(T, H, D)
    check(np.all(out[:, :2] == 0) and close(out[:, 2:], np.ones((T, 2, D))),
          "gqa: heads 0,1 read kv head 0; heads 2,3 read kv head 1")
    check(close(attention(q, k, v, full)[0].reshape(H, D), v[0][np.arange(H) // 2]),
          "attention: first position sees only itself")

    # --- MoE helpers --------------------------------------------------------
    check(router_margin(np.array([[2.0, 3.0, 2.5, 0.0], [4.0, 0.0, 3.9, 3.0]]), 2) == 0.5 and
          router_margin(np.zeros((1, 2)), 2) == math.inf, "router margin: k-th minus (k+1)-th score")
    check(np.array_equal(top_k_experts(np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]]), 2),
                         [[1, 2], [0, 1]]), "top-k: ties go to the lower index")
    act = swiglu_oai(np.array([10.0, -1.0]), np.array([-9.0, 0.5]))
    want = [7 * (1 / (1 + math.exp(-1.702 * 7))) * (-7 + 1), -1 * (1 / (1 + math.exp(1.702))) * 1.5]
    check(close(act, want), "swiglu_oai: gate clamped above at 7, up clipped to [-7, 7], (u + 1)")

    # --- whole models -------------------------------------------------------
    tokens = rng.integers(0, 97, size=12)
    for arch in ARCHITECTURES:
        model = make_test_model(arch, seed=3)
        base_logits = forward(model, tokens)
        check(base_logits.shape == (12, 97) and np.all(np.isfinite(base_logits)), f"{arch}: shape and finite")
        s_cut = 6
        changed = tokens.copy()
        changed[s_cut + 1:] = (changed[s_cut + 1:] + 5) % 97
        other = forward(model, changed)
        check(np.array_equal(other[:s_cut + 1], base_logits[:s_cut + 1]) and
              not np.allclose(other[s_cut + 1:], base_logits[s_cut + 1:]),
              f"{arch}: causal (changing later tokens leaves earlier logits bit-identical)")
        prefix = forward(model, tokens[:5])
        check(close(prefix, base_logits[:5], 1e-12), f"{arch}: a prefix's logits equal the full run's")

        # Round trip through a GGUF file (f32 weights) with our writer and reader.
        meta, tens = model
        # Float metadata is stored as f32, so compare against the read-back metadata.
        blob = gguf_write.gguf_bytes(meta, {n: (a, "f32") for n, a in tens.items()})
        g = GGUFFile(blob)
        rounded = {n: a.astype(np.float32).astype(np.float64) for n, a in tens.items()}
        same_meta = all(np.float32(v) == g.metadata[k] if isinstance(v, float) else v == g.metadata[k]
                        for k, v in meta.items())
        check(same_meta and np.array_equal(forward(g, tokens), forward((g.metadata, rounded), tokens)),
              f"{arch}: GGUF round trip gives the same logits")

        # Tied output: no output.weight means token_embd is reused.
        tied = {n: a for n, a in tens.items() if n != "output.weight"}
        untied = dict(tied, **{"output.weight": tens["token_embd.weight"]})
        check(np.array_equal(forward((meta, tied), tokens), forward((meta, untied), tokens)),
              f"{arch}: missing output.weight means tied embeddings")

    # gpt-oss: window >= n_tokens equals full attention; a smaller window matters.
    T = 12
    logits_T = forward(make_test_model("gpt-oss", seed=4, sliding_window=T), tokens)
    logits_inf = forward(make_test_model("gpt-oss", seed=4, sliding_window=10**6), tokens)
    logits_small = forward(make_test_model("gpt-oss", seed=4, sliding_window=3), tokens)
    check(np.array_equal(logits_T, logits_inf), "gpt-oss: sliding window >= n_tokens equals full attention")
    check(np.array_equal(logits_small[:3], logits_inf[:3]) and not np.allclose(logits_small[3:], logits_inf[3:]),
          "gpt-oss: window 3 changes only positions >= 3")

    # gpt-oss: at model level, -inf-like sinks are all alike (and, by the attention
    # check above, equal to no sink at all); real sinks change the result.
    meta, tens = make_test_model("gpt-oss", seed=5)
    with_sinks = {}
    for value in (-1e4, -1e6):
        t2 = dict(tens)
        for i in range(2):
            t2[f"blk.{i}.attn_sinks.weight"] = np.full(4, value)
        with_sinks[value] = forward((meta, t2), tokens)
    check(np.array_equal(with_sinks[-1e4], with_sinks[-1e6]) and
          not np.allclose(forward((meta, tens), tokens), with_sinks[-1e4]),
          "gpt-oss: sinks of -1e4 and -1e6 agree exactly; real sinks change the result")

    # gpt-oss: identical experts make routing irrelevant (weights sum to 1): equals 1 expert top-1.
    meta4, t4 = make_test_model("gpt-oss", seed=6, n_expert=4, n_expert_used=2, identical_experts=True)
    meta1 = dict(meta4, **{"gpt-oss.expert_count": 1, "gpt-oss.expert_used_count": 1})
    t1 = {n: (a[:1] if "_exps" in n or "ffn_gate_inp" in n else a) for n, a in t4.items()}
    check(close(forward((meta4, t4), tokens), forward((meta1, t1), tokens), 1e-12),
          "gpt-oss: 4 identical experts (top-2) equal a single expert (top-1)")

    # qwen3moe with one expert, top-1, equals the dense qwen3 with that expert's weights.
    meta_m, tm = make_test_model("qwen3moe", seed=7, n_expert=1, n_expert_used=1)
    meta_d = {k.replace("qwen3moe", "qwen3"): v for k, v in meta_m.items() if "expert" not in k}
    meta_d["general.architecture"] = "qwen3"
    td = {}
    for n, a in tm.items():
        if n.endswith("ffn_gate_inp.weight"):
            continue
        td[n.replace("_exps", "")] = a[0] if "_exps" in n else a
    check(close(forward((meta_m, tm), tokens), forward((meta_d, td), tokens), 1e-12),
          "qwen3moe: 1 expert, top-1 equals the dense qwen3 MLP")
    # Identical experts with normalised weights also equal dense; without normalisation they do not.
    meta_m, tm = make_test_model("qwen3moe", seed=8, n_expert=4, n_expert_used=2, identical_experts=True)
    td = {n.replace("_exps", ""): (a[0] if "_exps" in n else a) for n, a in tm.items()
          if not n.endswith("ffn_gate_inp.weight")}
    dense = forward((meta_d, td), tokens)
    check(close(forward((meta_m, tm), tokens), dense, 1e-12), "qwen3moe: identical experts, normalised top-2 = dense")
    meta_nn = dict(meta_m, **{"qwen3moe.expert_weights_norm": False})
    check(not np.allclose(forward((meta_nn, tm), tokens), dense),
          "qwen3moe: expert_weights_norm=false keeps raw probabilities (differs)")

    # Single token, computed by hand (no rotation at position 0, softmax over one key).
    # r(name, v) is the input rounding of the matmul with weight `name` (identity: pure reference).
    def by_hand(arch, meta, tens, tok, r=lambda name, v: v):
        cfg = read_config(meta)
        nh, nkv, hd = cfg.n_head, cfg.n_kv_head, cfg.head_dim
        kv_of = np.arange(nh) // (nh // nkv)

        def mm(name, v, e=None):
            wt = tens[name] if e is None else tens[name][e]
            return wt @ r(name, v)

        x = tens["token_embd.weight"][tok]
        h = rms_norm(x, tens["blk.0.attn_norm.weight"], cfg.eps)
        vv = (mm("blk.0.attn_v.weight", h) + tens.get("blk.0.attn_v.bias", 0)).reshape(nkv, hd)
        if arch == "qwen3":
            heads = vv[kv_of]
        else:
            qq = (mm("blk.0.attn_q.weight", h) + tens["blk.0.attn_q.bias"]).reshape(nh, hd)
            kk = (mm("blk.0.attn_k.weight", h) + tens["blk.0.attn_k.bias"]).reshape(nkv, hd)
            conc, _ = yarn_concentration_and_inv_freq(hd, cfg.rope_base, cfg.yarn_factor, 4096)
            score = np.sum(qq * kk[kv_of], axis=1) * conc ** 2 / math.sqrt(hd)
            p = 1 / (1 + np.exp(tens["blk.0.attn_sinks.weight"] - score))
            heads = p[:, None] * vv[kv_of]
        x = x + mm("blk.0.attn_output.weight", heads.reshape(-1)) + tens.get("blk.0.attn_output.bias", 0)
        if arch == "qwen3":
            h = rms_norm(x, tens["blk.0.ffn_norm.weight"], cfg.eps)
            g, u = mm("blk.0.ffn_gate.weight", h), mm("blk.0.ffn_up.weight", h)
            x = x + mm("blk.0.ffn_down.weight", g / (1 + np.exp(-g)) * u)
        else:
            h = rms_norm(x, tens["blk.0.post_attention_norm.weight"], cfg.eps)
            g = mm("blk.0.ffn_gate_exps.weight", h, 0) + tens["blk.0.ffn_gate_exps.bias"][0]
            u = mm("blk.0.ffn_up_exps.weight", h, 0) + tens["blk.0.ffn_up_exps.bias"][0]
            g, u = np.minimum(g, 7), np.clip(u, -7, 7)
            a = g / (1 + np.exp(-1.702 * g)) * (u + 1)
            x = x + mm("blk.0.ffn_down_exps.weight", a, 0) + tens["blk.0.ffn_down_exps.bias"][0]
        return mm("output.weight", rms_norm(x, tens["output_norm.weight"], cfg.eps))

    for arch in ("qwen3", "gpt-oss"):
        meta, tens = make_test_model(arch, seed=9, n_layer=1, n_expert=1, n_expert_used=1)
        check(close(forward((meta, tens), [17])[0], by_hand(arch, meta, tens, 17), 1e-12),
              f"{arch}: single token by hand")

    # --- activation rounding (act_quant) -----------------------------------
    aq.self_test(check)

    # Float weights: act_quant changes nothing, bit for bit (f32 GGUF; f16/bf16 too).
    for arch in ARCHITECTURES:
        meta, tens = make_test_model(arch, seed=12)
        for wtype in ("f32", "f16", "bf16"):
            g = GGUFFile(gguf_write.gguf_bytes(meta, {n: (a, wtype) for n, a in tens.items()}))
            check(np.array_equal(forward(g, tokens, act_quant=True), forward(g, tokens)),
                  f"{arch}: act_quant=True equals act_quant=False for an all-{wtype} GGUF model")
    try:
        forward(make_test_model("qwen3", seed=12), tokens, act_quant=True)
        check(False, "act_quant without tensor types is refused")
    except ValueError:
        check(True, "act_quant without tensor types is refused")

    # Each quantized linear rounds its own input by its own type, by hand; float ones and the
    # F32 router do not.  Weights stay float64: the declared types only pick the rounding.
    # (Widths of 256 so the Q8_K blocks fit.)
    from dequant import F16, F32 as T_F32, MXFP4, Q4_0, Q4_K, Q5_K, Q6_K, Q8_0
    wide = dict(n_layer=1, n_embd=256, head_dim=64, n_ff=256, n_expert=1, n_expert_used=1)
    type_of = {"attn_q": Q8_0, "attn_k": Q4_K, "attn_v": Q6_K, "attn_output": MXFP4,
               "ffn_gate": Q5_K, "ffn_up": F16, "ffn_down": Q4_0,
               "ffn_gate_exps": Q4_K, "ffn_up_exps": Q8_0, "ffn_down_exps": Q6_K}
    for arch in ("qwen3", "gpt-oss"):
        meta, tens = make_test_model(arch, seed=13, **wide)
        types = {n: T_F32 for n in tens}
        for n in tens:
            stem = n.split(".")[-2] if n.startswith("blk.") else n.split(".")[0]
            if n.endswith(".weight") and stem in type_of:
                types[n] = type_of[stem]
        types["output.weight"] = Q5_K

        def r(name, v):
            return aq.round_activations(v, types[name])

        want = by_hand(arch, meta, tens, 17, r)
        got = forward((meta, tens, types), [17], act_quant=True)[0]
        pure = forward((meta, tens, types), [17])[0]
        check(close(got, want, 1e-12) and not close(got, pure, 1e-6),
              f"{arch}: act_quant single token by hand (per-tensor q8_0/q8_K rounding, f16 and router exact)")

    # qwen3moe: one expert, top-1, with act_quant equals the dense qwen3 with the same types.
    meta_m, tm = make_test_model("qwen3moe", seed=14, n_layer=1, n_embd=256, head_dim=64, n_ff=256,
                                 n_expert=1, n_expert_used=1)
    types_m = {n: (Q6_K if n.endswith("_exps.weight") or
                   (".attn_" in n and n.endswith(".weight") and "norm" not in n) else T_F32) for n in tm}
    types_m["output.weight"] = Q8_0
    meta_d = {k.replace("qwen3moe", "qwen3"): v for k, v in meta_m.items() if "expert" not in k}
    meta_d["general.architecture"] = "qwen3"
    td = {n.replace("_exps", ""): (a[0] if "_exps" in n else a) for n, a in tm.items()
          if not n.endswith("ffn_gate_inp.weight")}
    types_d = {n.replace("_exps", ""): t for n, t in types_m.items() if not n.endswith("ffn_gate_inp.weight")}
    moe_aq = forward((meta_m, tm, types_m), tokens, act_quant=True)
    check(close(moe_aq, forward((meta_d, td, types_d), tokens, act_quant=True), 1e-12) and
          not close(moe_aq, forward((meta_m, tm, types_m), tokens), 1e-6),
          "qwen3moe: act_quant, 1 expert top-1 equals dense qwen3 (expert inputs rounded like dense)")

    # Tied output: the unembedding rounds by token_embd's type.
    types_t = dict(types_m, **{"token_embd.weight": Q4_0})
    tied = {n: a for n, a in tm.items() if n != "output.weight"}
    untied = dict(tied, **{"output.weight": tm["token_embd.weight"]})
    check(np.array_equal(forward((meta_m, tied, types_t), tokens, act_quant=True),
                         forward((meta_m, untied, dict(types_t, **{"output.weight": Q4_0})), tokens,
                                 act_quant=True)),
          "act_quant: tied output rounds by token_embd's type")

    print("forward self-test:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description="float64 reference logits for a GGUF model")
    ap.add_argument("model", nargs="?", help="GGUF file")
    ap.add_argument("--tokens", help="comma-separated token ids")
    ap.add_argument("--out", help="where to write the logits (.npy, float64 [n_tokens, n_vocab])")
    ap.add_argument("--act-quant", action="store_true",
                    help="round matmul inputs for quantized weights as ggml does (see act_quant.py)")
    ap.add_argument("--self-test", action="store_true", help="run the built-in sanity checks")
    args = ap.parse_args(argv)
    if args.self_test:
        return _self_test()
    if not (args.model and args.tokens and args.out):
        ap.error("MODEL, --tokens and --out are required (or --self-test)")
    tokens = [int(t) for t in args.tokens.split(",") if t.strip()]
    logits = forward(args.model, tokens, act_quant=args.act_quant)
    np.save(args.out, logits)
    print(f"wrote {args.out}: {logits.shape[0]} x {logits.shape[1]}, "
          f"argmax {np.argmax(logits, axis=1).tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
