"""Tiny Hugging Face checkpoints written from scratch (safetensors + config.json +
tokenizer.json), in the layouts transformers and OpenAI publish, for convert's tests.

Shapes are those of fathom's "tiny" presets. Experts share most of their weights, as
trained experts do, so that rounding noise cannot swap near-tied expert choices.
"""

import json
import os
import struct

import numpy as np

N_VOCAB = 512


def bf16_bits(x):
    """float -> bfloat16 bits (uint16), round to nearest even."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def write_safetensors(path, tensors):
    """tensors: name -> (dtype string, numpy array of the stored bytes' element type)."""
    header, blobs, offset = {}, [], 0
    for name, (dtype, arr) in tensors.items():
        data = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def tokenizer_files(folder):
    """A byte-level BPE vocabulary: the 256 byte characters, a few merges, three specials."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    chars = {b: chr(c) for b, c in zip(bs, cs)}
    vocab = {chars[b]: i for i, b in enumerate(range(256))}
    merges = []
    for a, b in [("t", "h"), ("th", "e"), ("Ġ", "th"), ("i", "n"), ("Ġ", "a"), ("e", "r")]:
        merges.append(f"{a} {b}")
        vocab[a + b] = len(vocab)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    added = [{"id": len(vocab) + i, "content": s, "special": True} for i, s in enumerate(specials)]
    tok = {"model": {"type": "BPE", "vocab": vocab, "merges": merges},
           "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True},
           "normalizer": None, "added_tokens": added}
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump(tok, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "add_bos_token": False}, f)


class Rng:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def matrix(self, out, inp):
        return self.rng.uniform(-1, 1, (out, inp)) * np.sqrt(3.0 / inp)

    def experts(self, n, out, inp, spread=0.1):
        shared = self.matrix(out, inp)
        return np.stack([np.sqrt(1 - spread ** 2) * shared + spread * self.matrix(out, inp) for _ in range(n)])

    def norm(self, n):
        return 1.0 + self.rng.uniform(-0.1, 0.1, n)

    def small(self, *shape):
        return self.rng.uniform(-0.1, 0.1, shape)

    def output(self, vocab, n_embd):
        w = self.matrix(vocab, n_embd)
        return w * np.exp(1.5 * self.rng.standard_normal((vocab, 1)))


def bf16(x):
    return ("BF16", bf16_bits(x))


def qwen3_checkpoint(folder, moe=False, seed=1, shards=1, tied=False):
    os.makedirs(folder, exist_ok=True)
    r = Rng(seed)
    e, layers, heads, kv, hd, ff = 256, 3, 4, 2, 64, 512
    n_expert, ff_e = 8, 256
    cfg = {"architectures": ["Qwen3MoeForCausalLM" if moe else "Qwen3ForCausalLM"],
           "model_type": "qwen3_moe" if moe else "qwen3", "hidden_size": e, "num_hidden_layers": layers,
           "num_attention_heads": heads, "num_key_value_heads": kv, "head_dim": hd, "rms_norm_eps": 1e-6,
           "rope_theta": 1000000.0, "vocab_size": N_VOCAB, "max_position_embeddings": 40960,
           "tie_word_embeddings": tied, "torch_dtype": "bfloat16", "intermediate_size": ff}
    if moe:
        cfg.update({"moe_intermediate_size": ff_e, "num_experts": n_expert, "num_experts_per_tok": 3,
                    "norm_topk_prob": True})
    t = {"model.embed_tokens.weight": bf16(r.rng.uniform(-1, 1, (N_VOCAB, e)) * np.sqrt(3.0)),
         "model.norm.weight": bf16(r.norm(e))}
    if not tied:
        t["lm_head.weight"] = bf16(r.output(N_VOCAB, e))
    for i in range(layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = bf16(r.norm(e))
        t[p + "post_attention_layernorm.weight"] = bf16(r.norm(e))
        t[p + "self_attn.q_proj.weight"] = bf16(r.matrix(heads * hd, e))
        t[p + "self_attn.k_proj.weight"] = bf16(r.matrix(kv * hd, e))
        t[p + "self_attn.v_proj.weight"] = bf16(r.matrix(kv * hd, e))
        t[p + "self_attn.o_proj.weight"] = bf16(r.matrix(e, heads * hd))
        t[p + "self_attn.q_norm.weight"] = bf16(r.norm(hd))
        t[p + "self_attn.k_norm.weight"] = bf16(r.norm(hd))
        if moe:
            t[p + "mlp.gate.weight"] = bf16(r.matrix(n_expert, e))
            for name, (o, inp) in {"gate_proj": (ff_e, e), "up_proj": (ff_e, e), "down_proj": (e, ff_e)}.items():
                for x, w in enumerate(r.experts(n_expert, o, inp)):
                    t[f"{p}mlp.experts.{x}.{name}.weight"] = bf16(w)
        else:
            t[p + "mlp.gate_proj.weight"] = bf16(r.matrix(ff, e))
            t[p + "mlp.up_proj.weight"] = bf16(r.matrix(ff, e))
            t[p + "mlp.down_proj.weight"] = bf16(r.matrix(e, ff))
    _write(folder, cfg, t, shards)


def gpt_oss_checkpoint(folder, seed=2, shards=1):
    os.makedirs(folder, exist_ok=True)
    r = Rng(seed)
    e, layers, heads, kv, hd, n_expert, ff = 256, 2, 4, 2, 64, 8, 256
    cfg = {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "hidden_size": e,
           "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv, "head_dim": hd,
           "intermediate_size": ff, "num_local_experts": n_expert, "experts_per_token": 4,
           "num_experts_per_tok": 4, "sliding_window": 8, "rms_norm_eps": 1e-5, "rope_theta": 150000,
           "rope_scaling": {"rope_type": "yarn", "factor": 32.0, "beta_fast": 32.0, "beta_slow": 1.0,
                            "original_max_position_embeddings": 4096, "truncate": False},
           "vocab_size": N_VOCAB, "max_position_embeddings": 131072, "tie_word_embeddings": False,
           "layer_types": ["sliding_attention", "full_attention"],
           "quantization_config": {"quant_method": "mxfp4"}}
    t = {"model.embed_tokens.weight": bf16(r.rng.uniform(-1, 1, (N_VOCAB, e)) * np.sqrt(3.0)),
         "model.norm.weight": bf16(r.norm(e)), "lm_head.weight": bf16(r.output(N_VOCAB, e))}

    def mxfp4(rows, inp):
        """OpenAI blocks [n_expert, rows, inp/32, 16] and scales; experts share 90% of nibbles."""
        shared = r.rng.integers(0, 256, (rows, inp // 32, 16), dtype=np.uint8)
        blocks = np.stack([np.where(r.rng.random(shared.shape) < 0.1,
                                    r.rng.integers(0, 256, shared.shape, dtype=np.uint8), shared)
                           for _ in range(n_expert)])
        # 2^(e-127) with e near 121: values of about 1/sqrt(fan_in) scale.
        scales = (121 + r.rng.integers(-1, 2, (n_expert, rows, inp // 32))).astype(np.uint8)
        return ("U8", blocks), ("U8", scales)

    for i in range(layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = bf16(r.norm(e))
        t[p + "post_attention_layernorm.weight"] = bf16(r.norm(e))
        for name, (o, inp) in {"q_proj": (heads * hd, e), "k_proj": (kv * hd, e), "v_proj": (kv * hd, e),
                               "o_proj": (e, heads * hd)}.items():
            t[f"{p}self_attn.{name}.weight"] = bf16(r.matrix(o, inp))
            t[f"{p}self_attn.{name}.bias"] = bf16(r.small(o))
        t[p + "self_attn.sinks"] = bf16(r.rng.uniform(-1, 1, heads))
        t[p + "mlp.router.weight"] = bf16(r.matrix(n_expert, e))
        t[p + "mlp.router.bias"] = bf16(r.small(n_expert))
        t[p + "mlp.experts.gate_up_proj_blocks"], t[p + "mlp.experts.gate_up_proj_scales"] = mxfp4(2 * ff, e)
        t[p + "mlp.experts.gate_up_proj_bias"] = bf16(r.small(n_expert, 2 * ff))
        t[p + "mlp.experts.down_proj_blocks"], t[p + "mlp.experts.down_proj_scales"] = mxfp4(e, ff)
        t[p + "mlp.experts.down_proj_bias"] = bf16(r.small(n_expert, e))
    _write(folder, cfg, t, shards)


def _write(folder, cfg, tensors, shards):
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    tokenizer_files(folder)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
        return
    names = list(tensors)
    weight_map = {}
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: tensors[n] for n in names[s::shards]}
        write_safetensors(os.path.join(folder, file), part)
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)
