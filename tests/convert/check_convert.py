#!/usr/bin/python3
"""fathom convert and quantize end to end, on tiny checkpoints this script writes.

  logits   convert's GGUF: every tensor equal to the checkpoint's, and run by fathom
           (--kv-type f32) vs hf_forward.py, the float64 reference reading the
           safetensors themselves: rel <= 1e-4 for F32 weights, 3e-2 and the argmax on
           95% of positions for BF16 (whose activations are rounded to BF16) (Qwen3 one
           file, Qwen3 tied in 2 shards, Qwen3-MoE in 3 shards, gpt-oss with its MXFP4
           experts written as F32).
  mxfp4    gpt-oss --type auto keeps the experts MXFP4: every element of the GGUF
           tensors equals OpenAI's layout dequantized, and logits keep the argmax.
  quantize Q8_0 of an F32 model keeps fathom's top-1 on >= 99% of positions; q4_k_m
           runs; MXFP4 experts to q4_k are refused (exit 2) unless --keep-experts/--force.
  errors   missing shard, wrong shape, wrong dtype, unknown model_type: one line, exit 2;
           a full disk (the temp file a symlink to /dev/full): one line, non-zero; never
           an output or a temp file left behind.

    check_convert.py --fathom build/bin/fathom --workdir /tmp/conv
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import hf_checkpoint as hc          # noqa: E402
import hf_forward                   # noqa: E402
from forward import forward         # noqa: E402
from gguf_read import GGUFFile      # noqa: E402

TOKENS = [int(t) for t in np.random.default_rng(5).integers(0, hc.N_VOCAB - 3, 48)]
TOL = 1e-4
TOL_ROUNDED = 3e-2
BF16 = 30


class Checks:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def __call__(self, ok, what):
        print(f"{what}  {'PASS' if ok else 'FAIL'}", flush=True)
        self.passed += bool(ok)
        self.failed += not ok


def run(cmd):
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr


def fathom_logits(fathom, gguf, work):
    out = os.path.join(work, os.path.basename(gguf) + ".npy")
    rc, err = run([fathom, "logits", gguf, "--tokens", ",".join(map(str, TOKENS)), "--kv-type", "f32", "-o", out])
    if rc != 0:
        raise RuntimeError(err)
    return np.load(out).astype(np.float64)


def rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def check_logits(ck, fathom, folder, work, name, convert_args=()):
    out = os.path.join(work, name + ".gguf")
    rc, err = run([fathom, "convert", folder, out, *convert_args])
    if rc != 0:
        ck(False, f"{name}: convert failed: {err.strip()}")
        return None
    g = GGUFFile(out)
    meta, want = hf_forward.load(folder)
    exact = all(np.array_equal(g.tensors[t], want[t]) for t in g.tensor_infos)
    ck(exact, f"{name}: every tensor equal to the checkpoint's")
    # BF16 weights take BF16 activations, as in ggml: the reference rounds them the same
    # way, and a last-bit difference can cross a rounding step, hence the looser bound.
    types = {t: info.ggml_type for t, info in g.tensor_infos.items()}
    ref = forward((meta, want, types), TOKENS, act_quant=True)
    got = fathom_logits(fathom, out, work)
    r = rel(got, ref)
    rounded = any(t == BF16 for t in types.values())
    tol = TOL_ROUNDED if rounded else TOL
    agree = float(np.mean(np.argmax(got, 1) == np.argmax(ref, 1)))
    ck(r <= tol and agree >= 0.95,
       f"{name}: logits vs hf_forward (activations rounded as the engine does) rel {r:.2e} (<= {tol}), "
       f"argmax agreement {agree:.3f} (>= 0.95)")
    return out


def check_mxfp4(ck, fathom, folder, work):
    out = os.path.join(work, "gpt-oss-auto.gguf")
    rc, err = run([fathom, "convert", folder, out])
    if rc != 0:
        ck(False, f"gpt-oss auto: convert failed: {err.strip()}")
        return None
    g = GGUFFile(out)
    meta, want = hf_forward.load(folder)
    exact = True
    for name, info in g.tensor_infos.items():
        if "_exps.weight" in name:
            exact &= info.ggml_type == 39 and np.array_equal(g.tensors[name], want[name])
    ck(exact, "gpt-oss auto: experts stored MXFP4, every element equal to OpenAI's layout dequantized")
    ref = forward((meta, want), TOKENS)
    got = fathom_logits(fathom, out, work)
    agree = float(np.mean(np.argmax(got, 1) == np.argmax(ref, 1)))
    ck(agree >= 0.95, f"gpt-oss auto: argmax agreement with float64 reference {agree:.3f} (>= 0.95; "
                      f"activations are rounded to Q8_0 for MXFP4 matmuls)")
    return out


def check_quantize(ck, fathom, f32_gguf, mxfp4_gguf, work):
    q8 = os.path.join(work, "q8_0.gguf")
    rc, err = run([fathom, "quantize", f32_gguf, q8, "--type", "q8_0"])
    ck(rc == 0 and "total" in err, "quantize q8_0: runs and prints the group summary")
    if rc == 0:
        a, b = fathom_logits(fathom, f32_gguf, work), fathom_logits(fathom, q8, work)
        agree = float(np.mean(np.argmax(a, 1) == np.argmax(b, 1)))
        ck(agree >= 0.99, f"quantize q8_0: top-1 agreement with F32 {agree:.3f} (>= 0.99)")
    rc, err = run([fathom, "quantize", f32_gguf, os.path.join(work, "q4km.gguf"), "--type", "q4_k_m"])
    types = {i.ggml_type for n, i in GGUFFile(os.path.join(work, "q4km.gguf")).tensor_infos.items()} if rc == 0 else set()
    ck(rc == 0 and {12, 14} <= types, f"quantize q4_k_m: runs, mixes Q4_K and Q6_K ({sorted(types)})")
    if mxfp4_gguf:
        rc, err = run([fathom, "quantize", mxfp4_gguf, os.path.join(work, "x.gguf"), "--type", "q4_k"])
        ck(rc == 2 and "MXFP4" in err and len(err.strip().splitlines()) == 1,
           f"quantize: MXFP4 experts to q4_k refused: {err.strip()}")
        keep = os.path.join(work, "keep.gguf")
        rc, err = run([fathom, "quantize", mxfp4_gguf, keep, "--type", "q4_k", "--keep-experts"])
        ok = rc == 0 and all(i.ggml_type == 39 for n, i in GGUFFile(keep).tensor_infos.items() if "_exps.weight" in n)
        ck(ok, "quantize --keep-experts: experts stay MXFP4")
        rc, err = run([fathom, "quantize", mxfp4_gguf, os.path.join(work, "force.gguf"), "--type", "q4_k", "--force"])
        ck(rc == 0, "quantize --force: MXFP4 experts requantized")


def expect_error(ck, fathom, folder, out, what, code=2):
    rc, err = run([fathom, "convert", folder, out])
    lines = err.strip().splitlines()
    left = [p for p in (out, out + ".tmp") if os.path.lexists(p)]
    ck(rc == code and len(lines) == 1 and not left,
       f"error {what}: exit {rc}, {lines[-1] if lines else '(no message)'}")


def check_errors(ck, fathom, good, work):
    def variant(name, edit):
        d = os.path.join(work, "bad-" + name)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(good, d)
        edit(d)
        return d

    out = os.path.join(work, "bad.gguf")
    expect_error(ck, fathom, variant("shard", lambda d: os.remove(os.path.join(d, "model-00002-of-00003.safetensors"))),
                 out, "missing shard")

    def rewrite(d, tensor, arr, dtype="BF16"):
        index = json.load(open(os.path.join(d, "model.safetensors.index.json")))["weight_map"]
        path = os.path.join(d, index[tensor])
        tensors = hf_forward.read_safetensors(path)
        stored = {n: ("BF16", hc.bf16_bits(a)) for n, a in tensors.items()}
        stored[tensor] = (dtype, arr)
        hc.write_safetensors(path, stored)

    t = "model.layers.1.self_attn.q_proj.weight"
    expect_error(ck, fathom, variant("shape", lambda d: rewrite(d, t, hc.bf16_bits(np.zeros((128, 256))))),
                 out, "wrong shape")
    expect_error(ck, fathom, variant("dtype", lambda d: rewrite(d, t, np.zeros((256, 256), np.int32), "I32")),
                 out, "wrong dtype")

    def arch(d):
        cfg = json.load(open(os.path.join(d, "config.json")))
        cfg["model_type"] = "llama"
        json.dump(cfg, open(os.path.join(d, "config.json"), "w"))
    expect_error(ck, fathom, variant("arch", arch), out, "unknown model_type")

    full = os.path.join(work, "full.gguf")
    for p in (full, full + ".tmp"):
        if os.path.lexists(p):
            os.remove(p)
    os.symlink("/dev/full", full + ".tmp")
    expect_error(ck, fathom, good, full, "disk full", code=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fathom", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    ck = Checks()
    w = a.workdir
    hc.qwen3_checkpoint(os.path.join(w, "qwen3"))
    hc.qwen3_checkpoint(os.path.join(w, "qwen3-tied"), tied=True, shards=2, seed=3)
    hc.qwen3_checkpoint(os.path.join(w, "qwen3moe"), moe=True, shards=3, seed=4)
    hc.gpt_oss_checkpoint(os.path.join(w, "gpt-oss"))
    check_logits(ck, a.fathom, os.path.join(w, "qwen3"), w, "qwen3-bf16")
    f32 = check_logits(ck, a.fathom, os.path.join(w, "qwen3"), w, "qwen3-f32", ["--type", "f32"])
    check_logits(ck, a.fathom, os.path.join(w, "qwen3-tied"), w, "qwen3-tied-2-shards")
    check_logits(ck, a.fathom, os.path.join(w, "qwen3moe"), w, "qwen3moe-3-shards")
    check_logits(ck, a.fathom, os.path.join(w, "gpt-oss"), w, "gpt-oss-f32", ["--type", "f32"])
    mxfp4 = check_mxfp4(ck, a.fathom, os.path.join(w, "gpt-oss"), w)
    if f32:
        check_quantize(ck, a.fathom, f32, mxfp4, w)
    check_errors(ck, a.fathom, os.path.join(w, "qwen3moe"), w)
    print(f"{ck.passed} passed, {ck.failed} failed")
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
