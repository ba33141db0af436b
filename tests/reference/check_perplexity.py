#!/usr/bin/python3
"""fathom perplexity and KL divergence against a computation by hand in NumPy.

For a tiny synthetic model of each architecture (F32 weights, f32 KV cache) and a text
longer than several windows:

  1. The windows.  fathom scores each token once: windows of --ctx tokens every
     --stride tokens, each scoring the positions the previous one did not (the first
     from its second token), every token predicted by the row before it.  This script
     redoes that by hand from the engine's own logits of each window (`fathom logits`
     on the window's token ids) in float64: mean NLL and perplexity must agree to
     1e-6 relative.
  2. The model.  The same windows through the independent float64 forward pass
     (forward.py): mean NLL within 1e-6 relative (float32 engine against float64;
     seen 1e-8).
  3. KL divergence.  The model against its own base file: KLD 0 and top-token
     agreement 100%; the Q8_0 model against the F32 base: small positive mean KLD
     (below 0.5 nats) with top-1 agreement above 80%; a base for another text is
     refused with exit code 2 and a one-line error.

The last line is "N passed, M failed"; the exit status is non-zero if anything failed.

    /usr/bin/python3 tests/reference/check_perplexity.py --fathom build/bin/fathom --workdir /tmp/ppl
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from forward import forward   # noqa: E402
from gguf_read import GGUFFile   # noqa: E402
from tally import Tally   # noqa: E402

CTX, STRIDE = 24, 10
TOL_WINDOWS = 1e-6
TOL_FORWARD = 1e-6

TEXT = ("Мама мыла раму, а кот сидел на коврике и думал о вечном. The cat sat on the mat "
        "and thought about eternity; 1234 + 5678 = 6912. ") * 3


def run(fathom, *args):
    return subprocess.run([fathom, *args], check=True, capture_output=True, text=True).stdout


def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))


def windowed_nll(tokens, logits_of):
    """Mean NLL over the scored positions; logits_of(start, end) -> (end-start, vocab)."""
    nll, scored_to, start = [], 1, 0
    while scored_to < len(tokens):
        end = min(start + CTX, len(tokens))
        lp = log_softmax(logits_of(start, end))
        for p in range(max(scored_to, start + 1), end):
            nll.append(-lp[p - 1 - start, tokens[p]])
        scored_to = max(scored_to, end)
        start += STRIDE
    return float(np.mean(nll)), len(nll)


def fathom_logits(fathom, model, ids, work):
    out = os.path.join(work, "window.npy")
    run(fathom, "logits", model, "--tokens", ",".join(map(str, ids)), "--out", out, "--kv-type", "f32")
    return np.load(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fathom", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    t = Tally()
    text = os.path.join(a.workdir, "text.txt")
    other = os.path.join(a.workdir, "other.txt")
    with open(text, "w", encoding="utf-8") as f:
        f.write(TEXT)
    with open(other, "w", encoding="utf-8") as f:
        f.write(TEXT[::-1])

    for arch in ("qwen3", "gpt-oss"):
        f32 = os.path.join(a.workdir, f"{arch}-f32.gguf")
        q8 = os.path.join(a.workdir, f"{arch}-q8_0.gguf")
        run(a.fathom, "synth", "--arch", arch, "--preset", "tiny", "--type", "f32", "--seed", "11", "--out", f32)
        run(a.fathom, "synth", "--arch", arch, "--preset", "tiny", "--type", "q8_0", "--seed", "11", "--out", q8)
        tokens = [int(x) for x in run(a.fathom, "tokenize", f32, TEXT, "--ids-only").strip().split(",")]
        window = ["--ctx", str(CTX), "--stride", str(STRIDE), "--kv-type", "f32"]
        base = os.path.join(a.workdir, f"{arch}-base.bin")
        got = json.loads(run(a.fathom, "perplexity", f32, text, *window, "--json", "--save-logits", base))["total"]

        ref_nll, n = windowed_nll(tokens, lambda s, e: fathom_logits(a.fathom, f32, tokens[s:e], a.workdir))
        t.check(f"{arch}: scored tokens", got["n_tokens"] == n == len(tokens) - 1, f"{got['n_tokens']} vs {n}")
        rel = abs(got["nll"] - ref_nll) / abs(ref_nll)
        t.check(f"{arch}: NLL from the engine's window logits, rel {rel:.1e} <= {TOL_WINDOWS}", rel <= TOL_WINDOWS,
                f"fathom {got['nll']} vs numpy {ref_nll}")
        ppl_rel = abs(got["ppl"] - np.exp(ref_nll)) / np.exp(ref_nll)
        t.check(f"{arch}: perplexity rel {ppl_rel:.1e} <= {TOL_WINDOWS}", ppl_rel <= TOL_WINDOWS,
                f"fathom {got['ppl']} vs numpy {np.exp(ref_nll)}")

        model = GGUFFile(f32)
        fwd_nll, _ = windowed_nll(tokens, lambda s, e: forward(model, tokens[s:e]))
        rel = abs(got["nll"] - fwd_nll) / abs(fwd_nll)
        t.check(f"{arch}: NLL from the float64 forward pass, rel {rel:.1e} <= {TOL_FORWARD}", rel <= TOL_FORWARD,
                f"fathom {got['nll']} vs reference {fwd_nll}")

        self_kld = json.loads(run(a.fathom, "perplexity", f32, text, *window, "--json", "--kld-base", base))["total"]
        t.check(f"{arch}: KLD against itself is 0", self_kld["kld"]["max"] == 0.0, json.dumps(self_kld["kld"]))
        t.check(f"{arch}: top-1 agreement with itself 100%", self_kld["same_top"]["mean"] == 1.0,
                json.dumps(self_kld["same_top"]))
        q = json.loads(run(a.fathom, "perplexity", q8, text, *window, "--json", "--kld-base", base))["total"]
        t.check(f"{arch}: Q8_0 vs F32 KLD small and positive ({q['kld']['mean']:.2e})",
                0 < q["kld"]["mean"] < 0.5, json.dumps(q["kld"]))
        t.check(f"{arch}: Q8_0 vs F32 same top {100 * q['same_top']['mean']:.1f}% > 80%",
                q["same_top"]["mean"] > 0.8, json.dumps(q["same_top"]))
        bad = subprocess.run([a.fathom, "perplexity", f32, other, *window, "--kld-base", base],
                             capture_output=True, text=True)
        t.check(f"{arch}: a base for another text is refused (exit 2, one line)",
                bad.returncode == 2 and bad.stderr.count("\n") == 1 and "other texts" in bad.stderr,
                f"rc {bad.returncode}: {bad.stderr!r}")
        bad = subprocess.run([a.fathom, "perplexity", f32, text, "--ctx", "32", "--kld-base", base],
                             capture_output=True, text=True)
        t.check(f"{arch}: a base for other windows is refused", bad.returncode == 2, f"rc {bad.returncode}")

    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
