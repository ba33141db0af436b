#!/usr/bin/python3
"""float64 reference logits straight from a Hugging Face checkpoint folder.

Reads config.json and the safetensors shards itself and hands forward.py the weights
under llama.cpp's names, in transformers' orientation (out, in). Nothing here comes
from fathom's converter: the name mapping, the stacking of Qwen3-MoE experts, and the
dequantization of OpenAI's MXFP4 experts (as transformers' convert_moe_packed_tensors
does it: byte k holds element 2k in its low nibble and 2k+1 in its high one, scaled by
2^(scale - 127)) and the split of interleaved gate/up rows are written out again from
the published layouts, so a converter bug cannot cancel out.

    hf_forward.py HF_DIR --tokens 1,2,3 --out ref.npy
"""

import argparse
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from forward import forward   # noqa: E402

FP4_VALUES = np.array([+0.0, +0.5, +1.0, +1.5, +2.0, +3.0, +4.0, +6.0,
                       -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0])
_NUMPY = {"F32": np.float32, "F16": np.float16, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        data = raw[8 + n + b:8 + n + e]
        if t["dtype"] == "BF16":
            arr = (np.frombuffer(data, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(data, _NUMPY[t["dtype"]])
        out[name] = arr.reshape(t["shape"])
    return out


def read_folder(folder):
    tensors = {}
    for f in sorted(os.listdir(folder)):
        if f.endswith(".safetensors"):
            tensors.update(read_safetensors(os.path.join(folder, f)))
    return tensors


def mxfp4_dequant(blocks, scales):
    """OpenAI [..., rows, n_blocks, 16] uint8 + [..., rows, n_blocks] -> float64 [..., rows, n_blocks * 32]."""
    lo, hi = FP4_VALUES[blocks & 0x0F], FP4_VALUES[blocks >> 4]
    vals = np.stack([lo, hi], axis=-1).reshape(*blocks.shape[:-1], 32)
    vals = vals * np.exp2(scales.astype(np.float64) - 127.0)[..., None]
    return vals.reshape(*blocks.shape[:-2], blocks.shape[-2] * 32)


def metadata(cfg):
    kind = cfg["model_type"]
    arch = {"qwen3": "qwen3", "qwen3_moe": "qwen3moe", "gpt_oss": "gpt-oss"}[kind]
    n_head = cfg["num_attention_heads"]
    m = {"general.architecture": arch,
         f"{arch}.block_count": cfg["num_hidden_layers"],
         f"{arch}.embedding_length": cfg["hidden_size"],
         f"{arch}.attention.head_count": n_head,
         f"{arch}.attention.head_count_kv": cfg.get("num_key_value_heads", n_head),
         f"{arch}.attention.key_length": cfg.get("head_dim", cfg["hidden_size"] // n_head),
         f"{arch}.attention.layer_norm_rms_epsilon": cfg["rms_norm_eps"],
         f"{arch}.rope.freq_base": cfg["rope_theta"]}
    if kind == "qwen3_moe":
        m.update({f"{arch}.expert_count": cfg["num_experts"], f"{arch}.expert_used_count": cfg["num_experts_per_tok"],
                  f"{arch}.expert_weights_norm": cfg.get("norm_topk_prob", True)})
    if kind == "gpt_oss":
        rs = cfg["rope_scaling"]
        m.update({f"{arch}.expert_count": cfg["num_local_experts"],
                  f"{arch}.expert_used_count": cfg.get("num_experts_per_tok", cfg.get("experts_per_token")),
                  f"{arch}.attention.sliding_window": cfg["sliding_window"],
                  f"{arch}.rope.scaling.factor": rs["factor"],
                  f"{arch}.rope.scaling.original_context_length": rs["original_max_position_embeddings"],
                  f"{arch}.rope.scaling.yarn_beta_fast": rs.get("beta_fast", 32.0),
                  f"{arch}.rope.scaling.yarn_beta_slow": rs.get("beta_slow", 1.0)})
    return m


def weights(cfg, hf):
    """GGUF name -> float64 array (out, in) / (n_expert, out, in) / (n_expert, out)."""
    kind = cfg["model_type"]
    W = {"token_embd.weight": hf["model.embed_tokens.weight"], "output_norm.weight": hf["model.norm.weight"]}
    if "lm_head.weight" in hf and not cfg.get("tie_word_embeddings", False):
        W["output.weight"] = hf["lm_head.weight"]
    for i in range(cfg["num_hidden_layers"]):
        p, g = f"model.layers.{i}.", f"blk.{i}."
        W[g + "attn_norm.weight"] = hf[p + "input_layernorm.weight"]
        for proj, name in (("q_proj", "attn_q"), ("k_proj", "attn_k"), ("v_proj", "attn_v"), ("o_proj", "attn_output")):
            W[g + name + ".weight"] = hf[p + f"self_attn.{proj}.weight"]
            if p + f"self_attn.{proj}.bias" in hf:
                W[g + name + ".bias"] = hf[p + f"self_attn.{proj}.bias"]
        if kind == "gpt_oss":
            W[g + "attn_sinks.weight"] = hf[p + "self_attn.sinks"]
            W[g + "post_attention_norm.weight"] = hf[p + "post_attention_layernorm.weight"]
            W[g + "ffn_gate_inp.weight"] = hf[p + "mlp.router.weight"]
            W[g + "ffn_gate_inp.bias"] = hf[p + "mlp.router.bias"]
            x = p + "mlp.experts."
            gate_up = mxfp4_dequant(hf[x + "gate_up_proj_blocks"], hf[x + "gate_up_proj_scales"])
            W[g + "ffn_gate_exps.weight"], W[g + "ffn_up_exps.weight"] = gate_up[:, 0::2], gate_up[:, 1::2]
            bias = hf[x + "gate_up_proj_bias"]
            W[g + "ffn_gate_exps.bias"], W[g + "ffn_up_exps.bias"] = bias[:, 0::2], bias[:, 1::2]
            W[g + "ffn_down_exps.weight"] = mxfp4_dequant(hf[x + "down_proj_blocks"], hf[x + "down_proj_scales"])
            W[g + "ffn_down_exps.bias"] = hf[x + "down_proj_bias"]
            continue
        W[g + "attn_q_norm.weight"] = hf[p + "self_attn.q_norm.weight"]
        W[g + "attn_k_norm.weight"] = hf[p + "self_attn.k_norm.weight"]
        W[g + "ffn_norm.weight"] = hf[p + "post_attention_layernorm.weight"]
        if kind == "qwen3_moe":
            W[g + "ffn_gate_inp.weight"] = hf[p + "mlp.gate.weight"]
            for proj, name in (("gate_proj", "ffn_gate_exps"), ("up_proj", "ffn_up_exps"), ("down_proj", "ffn_down_exps")):
                W[g + name + ".weight"] = np.stack([hf[f"{p}mlp.experts.{e}.{proj}.weight"]
                                                    for e in range(cfg["num_experts"])])
        else:
            for proj, name in (("gate_proj", "ffn_gate"), ("up_proj", "ffn_up"), ("down_proj", "ffn_down")):
                W[g + name + ".weight"] = hf[p + f"mlp.{proj}.weight"]
    return {n: np.asarray(a, dtype=np.float64) for n, a in W.items()}


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    return metadata(cfg), weights(cfg, read_folder(folder))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    logits = forward(load(args.folder), [int(t) for t in args.tokens.split(",")])
    np.save(args.out, logits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
