#!/usr/bin/python3
"""Activation rounding as ggml's CPU matrix products apply it, for the float64 reference.

Before a dot product with a quantized weight row, ggml (and fathom) quantizes the
float32 activation row to the weight type's `vec_dot_type` (ggml-cpu type traits):

    weight type              activation type
    F32, F16                 none here (float activations)
    BF16                     BF16: float32 rounded to nearest even at 8 significant bits
    Q4_0, Q8_0, MXFP4        Q8_0: blocks of 32, fp16 scale, int8
    Q4_K, Q5_K, Q6_K         Q8_K: blocks of 256, float32 scale, int8

This module reproduces ggml's documented reference quantizers (ggml-quants.c,
quantize_row_q8_0_ref and quantize_row_q8_K_ref), computing in float32 as they do,
and returns the dequantized values in float64 (q * d, with the d the dot product uses):

  Q8_0   amax = max |x|;  d = amax / 127 (float32);  id = d ? 1/d : 0 (float32);
         q = roundf(x * id)  (half away from zero);  stored d = fp16(d)  (round to
         nearest even).  The quants use the float32 d, the product the fp16 one.
  Q8_K   max = the x with the largest |x| (first one on ties), kept signed;
         all-zero block -> d = 0, q = 0;  iscale = -127 / max (float32);
         q = min(127, nearest_int(iscale * x))  where nearest_int rounds half to
         even (ggml adds 1.5 * 2^23 in float32);  d = 1 / iscale  (float32).

    python3 act_quant.py --self-test
"""

import sys

import numpy as np

import dequant

QK8_0 = 32
QK8_K = 256

# weight ggml type -> activation layout (None: float activations, no rounding)
ACTIVATION_TYPE = {
    dequant.F32: None, dequant.F16: None, dequant.BF16: "bf16",
    dequant.Q4_0: "q8_0", dequant.Q8_0: "q8_0", dequant.MXFP4: "q8_0",
    dequant.Q4_K: "q8_K", dequant.Q5_K: "q8_K", dequant.Q6_K: "q8_K",
}


def activation_type(weight_type):
    """'bf16', 'q8_0', 'q8_K' or None for a weight's ggml type; unknown types are an error."""
    if weight_type not in ACTIVATION_TYPE:
        raise ValueError(f"no activation rule for weight type {dequant.type_name(weight_type)}")
    return ACTIVATION_TYPE[weight_type]


def _blocks(x, block):
    x32 = np.asarray(x, dtype=np.float64).astype(np.float32)
    if x32.ndim == 0 or x32.shape[-1] % block:
        raise ValueError(f"activation row length {x32.shape[-1] if x32.ndim else 0} "
                         f"is not a multiple of {block}")
    return x32.reshape(-1, block)


def quantize_q8_0(x):
    """x (..., n) -> (d float64 (n_blocks,) = the stored fp16 scale, q int32 (n_blocks, 32))."""
    b = _blocks(x, QK8_0)
    amax = np.max(np.abs(b), axis=1)                          # float32
    d = amax / np.float32(127)                                # float32 division
    nz = d != 0
    inv = np.zeros_like(d)
    inv[nz] = np.float32(1) / d[nz]                           # float32
    v = (b * inv[:, None]).astype(np.float64)                 # float32 product, exact in f64
    q = np.sign(v) * np.floor(np.abs(v) + 0.5)                # roundf: half away from zero (exact in f64)
    d16 = d.astype(np.float16).astype(np.float64)             # GGML_FP32_TO_FP16: round to nearest even
    return d16, q.astype(np.int32)


def quantize_q8_K(x):
    """x (..., n) -> (d float64 (n_blocks,) = the stored float32 scale, q int32 (n_blocks, 256))."""
    b = _blocks(x, QK8_K)
    a = np.abs(b)
    first = np.argmax(a, axis=1)                              # first largest |x|, as ggml's strict '>'
    mx = b[np.arange(b.shape[0]), first]                      # signed
    nz = mx != 0
    iscale = np.zeros_like(mx)
    iscale[nz] = np.float32(-127) / mx[nz]                    # float32
    v = b * iscale[:, None]                                   # float32 product
    q = np.minimum(127, np.rint(v.astype(np.float64)))        # nearest_int: half to even
    d = np.zeros_like(mx)
    d[nz] = np.float32(1) / iscale[nz]                        # float32
    q[~nz] = 0
    return d.astype(np.float64), q.astype(np.int32)


def roundtrip_q8_0(x):
    """x quantized to Q8_0 and back: float64, same shape as x."""
    x = np.asarray(x, dtype=np.float64)
    d, q = quantize_q8_0(x)
    return (q * d[:, None]).reshape(x.shape)


def roundtrip_q8_K(x):
    """x quantized to Q8_K and back: float64, same shape as x."""
    x = np.asarray(x, dtype=np.float64)
    d, q = quantize_q8_K(x)
    return (q * d[:, None]).reshape(x.shape)


def roundtrip_bf16(x):
    """x as float32, rounded to bf16 (nearest, ties to even) and back: float64, same shape."""
    bits = np.asarray(x, dtype=np.float64).astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return rounded.astype(np.uint32).view(np.float32).astype(np.float64)


def round_activations(x, weight_type):
    """Rows of x (last axis = input dim) as a matmul with a weight of weight_type sees them."""
    kind = activation_type(weight_type)
    if kind is None:
        return x
    if kind == "bf16":
        return roundtrip_bf16(x)
    return roundtrip_q8_0(x) if kind == "q8_0" else roundtrip_q8_K(x)


# ---------------------------------------------------------------------------
# Self-test

def _scalar_q8_0(row):
    """Element-by-element port with numpy float32 scalars (a second, independent path)."""
    out = []
    for i in range(0, len(row), QK8_0):
        blk = [np.float32(v) for v in row[i:i + QK8_0]]
        amax = np.float32(0)
        for v in blk:
            amax = max(amax, np.float32(abs(v)))
        d = np.float32(amax / np.float32(127))
        inv = np.float32(np.float32(1) / d) if d else np.float32(0)
        d16 = float(np.float16(d))
        for v in blk:
            x0 = float(np.float32(v * inv))
            q = int(x0 + 0.5) if x0 >= 0 else -int(-x0 + 0.5)   # roundf; x0 is exact in double
            out.append(q * d16)
    return np.array(out)


def _scalar_q8_K(row):
    out = []
    for i in range(0, len(row), QK8_K):
        blk = [np.float32(v) for v in row[i:i + QK8_K]]
        mx, amax = np.float32(0), np.float32(0)
        for v in blk:
            if abs(v) > amax:
                amax, mx = np.float32(abs(v)), v
        if not amax:
            out.extend([0.0] * QK8_K)
            continue
        iscale = np.float32(np.float32(-127) / mx)
        d = float(np.float32(np.float32(1) / iscale))
        for v in blk:
            # nearest_int: add 1.5 * 2^23 in float32 and take the low mantissa bits.
            t = np.float32(np.float32(iscale * v) + np.float32(12582912.0))
            q = int((int(np.array(t, dtype=np.float32).view(np.int32)) & 0x007FFFFF) - 0x00400000)
            out.append(min(127, q) * d)
    return np.array(out)


def self_test(check):
    """Hand-built cases for both quantizers; check(cond, what) records each result."""
    # Q8_0: amax 127 -> d = 1 exactly (in fp16 too), so the outputs are the integers roundf gives.
    x = np.zeros(32)
    x[:8] = [127.0, 2.5, -2.5, 0.5, -0.5, 1.49, -126.5, 3.5]
    d, q = quantize_q8_0(x)
    check(d.tolist() == [1.0] and q[0, :8].tolist() == [127, 3, -3, 1, -1, 1, -127, 4] and not q[0, 8:].any(),
          "act q8_0: amax 127 gives d = 1; ties round half away from zero (2.5 -> 3, -0.5 -> -1)")
    check(np.array_equal(roundtrip_q8_0(x)[:8], [127, 3, -3, 1, -1, 1, -127, 4]), "act q8_0: round trip = q * d")

    # Q8_0: the scale is stored as fp16 and the product uses the fp16 d, not amax / 127.
    x = np.linspace(-1.0, 1.0, 32)
    d32 = np.float32(1) / np.float32(127)
    d16 = float(np.float16(d32))
    y = roundtrip_q8_0(x)
    check(d16 != float(d32) and y[-1] == 127 * d16 and y[0] == -127 * d16 and y[-1] != 1.0,
          f"act q8_0: fp16 scale, amax 1 -> 127 * fp16(1/127) = {127 * d16!r}")
    # The quants come from id = 1/d with the float32 d (not the fp16 one), on float32 products;
    # compare with an element-by-element port.
    rng = np.random.default_rng(11)
    row = np.concatenate([rng.standard_normal(96) * 3, np.zeros(32), rng.standard_normal(32) * 1e-3])
    check(np.array_equal(roundtrip_q8_0(row), _scalar_q8_0(row)),
          "act q8_0: vectorised = scalar float32 port (5 blocks incl. all-zero and tiny)")
    z = roundtrip_q8_0(np.zeros((3, 64)))
    check(z.shape == (3, 64) and not z.any(), "act q8_0: all-zero block gives zeros (id = 0, no NaN)")
    two = np.concatenate([np.full(32, 0.3), np.full(32, 100.0)])
    check(np.array_equal(roundtrip_q8_0(two)[:32], roundtrip_q8_0(np.full(32, 0.3))),
          "act q8_0: blocks are independent (a large second block leaves the first alone)")

    # Q8_K: max = +127 -> iscale = -1, d = -1; ties round half to even (2.5 -> 2, 3.5 -> 4).
    x = np.zeros(256)
    x[:7] = [127.0, 2.5, -2.5, 3.5, 0.5, -1.5, 126.5]
    d, q = quantize_q8_K(x)
    check(d.tolist() == [-1.0] and q[0, :7].tolist() == [-127, -2, 2, -4, 0, 2, -126],
          "act q8_K: positive max gives negative d; ties round half to even")
    check(np.array_equal(roundtrip_q8_K(x)[:7], [127, 2, -2, 4, 0, -2, 126]),
          "act q8_K: round trip 2.5 -> 2, 3.5 -> 4, 0.5 -> 0, 126.5 -> 126 (q8_0 would give 3, 4, 1, 127)")
    # Signed max negative: the largest |x| is -127 (and +127 later loses the tie), so iscale = +1.
    x = np.zeros(256)
    x[[3, 9, 10, 11]] = [-127.0, 127.0, 4.5, -5.5]
    d, q = quantize_q8_K(x)
    check(d.tolist() == [1.0] and q[0, [3, 9, 10, 11]].tolist() == [-127, 127, 4, -6],
          "act q8_K: negative signed max (first of -127, +127) gives d = +1")
    # float32 scale (not fp16): amax 1 -> d = 1 / float32(-127 / 1).
    x = np.zeros(256)
    x[0], x[1] = 1.0, 0.25
    d_k = float(np.float32(1) / np.float32(np.float32(-127) / np.float32(1)))
    y = roundtrip_q8_K(x)
    check(y[0] == -127 * d_k and y[1] == -32 * d_k and d_k != float(np.float16(d_k)),
          "act q8_K: scale kept in float32 (1 / (-127 / max))")
    z = roundtrip_q8_K(np.zeros((2, 512)))
    check(z.shape == (2, 512) and not z.any(), "act q8_K: all-zero block gives zeros")
    row = np.concatenate([rng.standard_normal(256) * 2, -np.abs(rng.standard_normal(256)), np.zeros(256)])
    check(np.array_equal(roundtrip_q8_K(row), _scalar_q8_K(row)),
          "act q8_K: vectorised = scalar float32 port with ggml's nearest_int bit trick")

    # Which activation layout each weight type uses.
    check([activation_type(t) for t in (dequant.Q4_0, dequant.Q8_0, dequant.MXFP4, dequant.Q4_K,
                                        dequant.Q5_K, dequant.Q6_K, dequant.F32, dequant.F16, dequant.BF16)]
          == ["q8_0"] * 3 + ["q8_K"] * 3 + [None] * 2 + ["bf16"],
          "act: q4_0/q8_0/mxfp4 -> q8_0, K-quants -> q8_K, bf16 -> bf16, f32/f16 none")
    # bf16: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 and goes to the even 1; 1 + 3 * 2^-8
    # is a tie between 1 + 2^-7 and 1 + 2^-6 and goes to the even 1 + 2^-6; above a tie rounds up.
    check(np.array_equal(roundtrip_bf16([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, -2.0]),
                         [1.0, 1 + 2**-6, 1 + 2**-7, -2.0]),
          "act bf16: round to nearest, ties to even")
    xs = rng.standard_normal((2, 256))
    check(round_activations(xs, dequant.F32) is xs and
          np.array_equal(round_activations(xs, dequant.Q6_K), roundtrip_q8_K(xs)) and
          np.array_equal(round_activations(xs, dequant.MXFP4), roundtrip_q8_0(xs)),
          "act: round_activations dispatches by weight type")
    rel = np.max(np.abs(roundtrip_q8_0(xs) - xs)) / np.max(np.abs(xs))
    check(0 < rel < 1 / 127, f"act: q8_0 rounding error is at most half a step ({rel:.1e})")


def _main():
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    self_test(check)
    print("act_quant self-test:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        sys.exit(_main())
    print(__doc__)
    sys.exit(2)
