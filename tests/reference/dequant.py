#!/usr/bin/python3
"""NumPy dequantization of ggml tensor types to float64.

Block layouts follow ggml (ggml-common.h / ggml-quants.c).  Every decoder takes
the raw bytes of whole blocks and is vectorised over blocks: the bytes are
viewed as a (n_blocks, block_bytes) uint8 array and sliced into fields.

    type    id  elems/block  bytes  layout
    F32      0      1          4
    F16      1      1          2    IEEE binary16
    Q4_0     2     32         18    f16 d; u8 qs[16]
    Q8_0     8     32         34    f16 d; i8 qs[32]
    Q4_K    12    256        144    f16 d; f16 dmin; u8 scales[12]; u8 qs[128]
    Q5_K    13    256        176    f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]
    Q6_K    14    256        210    u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d
    BF16    30      1          2    top half of an IEEE binary32
    MXFP4   39     32         17    u8 e (E8M0); u8 qs[16]

Run `python3 dequant.py --self-test` to check each decoder on hand-built blocks.
"""

import sys

import numpy as np

F32, F16, Q4_0, Q8_0, Q4_K, Q5_K, Q6_K, BF16, MXFP4 = 0, 1, 2, 8, 12, 13, 14, 30, 39

QK_K = 256  # super-block size of the K-quants

# type -> (name, elements per block, bytes per block)
TYPES = {
    F32: ("f32", 1, 4),
    F16: ("f16", 1, 2),
    Q4_0: ("q4_0", 32, 18),
    Q8_0: ("q8_0", 32, 34),
    Q4_K: ("q4_k", QK_K, 144),
    Q5_K: ("q5_k", QK_K, 176),
    Q6_K: ("q6_k", QK_K, 210),
    BF16: ("bf16", 1, 2),
    MXFP4: ("mxfp4", 32, 17),
}
TYPE_BY_NAME = {name: t for t, (name, _, _) in TYPES.items()}

# FP4 (E2M1) code points, doubled so they are integers; ggml's E8M0 "half" scale
# divides by two again (see dequant_mxfp4).
MXFP4_VALUES = np.array([0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12], dtype=np.float64)


def type_name(ggml_type):
    return TYPES[ggml_type][0] if ggml_type in TYPES else f"type{ggml_type}"


def tensor_nbytes(ggml_type, dims):
    """Bytes of a tensor with ggml dims; rows (dims[0]) must hold whole blocks."""
    if ggml_type not in TYPES:
        raise ValueError(f"unsupported ggml type {ggml_type}")
    _, block_elems, block_bytes = TYPES[ggml_type]
    row = dims[0] if dims else 1
    if row % block_elems:
        raise ValueError(f"row length {row} is not a multiple of the {type_name(ggml_type)} "
                         f"block size {block_elems}")
    n = 1
    for d in dims:
        n *= d
    return n // block_elems * block_bytes


def _f16(b):
    """(n, 2) uint8 little-endian -> (n,) float64."""
    return np.ascontiguousarray(b).view("<f2")[..., 0].astype(np.float64)


# --- per-type decoders: blocks is (n_blocks, block_bytes) uint8 -> (n_blocks, block_elems) f64

def dequant_q4_0(blocks):
    d = _f16(blocks[:, 0:2])[:, None]
    qs = blocks[:, 2:18]
    # Byte j holds element j in its low nibble and element j+16 in its high nibble.
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float64) - 8.0
    return q * d


def dequant_q8_0(blocks):
    d = _f16(blocks[:, 0:2])[:, None]
    q = blocks[:, 2:34].view(np.int8).astype(np.float64)
    return q * d


def _scale_min_k4(scales):
    """Unpack the 8 six-bit (scale, min) pairs of a Q4_K/Q5_K block (ggml get_scale_min_k4).

    Sub-blocks 0..3 keep their low 6 bits in bytes 0..3 (scale) and 4..7 (min).
    Sub-blocks 4..7 keep the low 4 bits in the nibbles of bytes 8..11 and their top
    2 bits in the spare top bits of bytes 0..3 (scale) and 4..7 (min).
    """
    q = scales.astype(np.int64)
    sc = np.empty((q.shape[0], 8), dtype=np.int64)
    mn = np.empty((q.shape[0], 8), dtype=np.int64)
    sc[:, :4] = q[:, 0:4] & 63
    mn[:, :4] = q[:, 4:8] & 63
    sc[:, 4:] = (q[:, 8:12] & 0x0F) | ((q[:, 0:4] >> 6) << 4)
    mn[:, 4:] = (q[:, 8:12] >> 4) | ((q[:, 4:8] >> 6) << 4)
    return sc.astype(np.float64), mn.astype(np.float64)


def _k4_nibbles(qs):
    """(nb, 128) packed nibbles -> (nb, 8, 32): 64-element chunk c uses bytes 32c..32c+31,
    low nibbles are sub-block 2c, high nibbles sub-block 2c+1."""
    qs = qs.reshape(-1, 4, 32)
    return np.stack([qs & 0x0F, qs >> 4], axis=2).reshape(-1, 8, 32).astype(np.int64)


def dequant_q4_k(blocks):
    d = _f16(blocks[:, 0:2])[:, None, None]
    dmin = _f16(blocks[:, 2:4])[:, None, None]
    sc, mn = _scale_min_k4(blocks[:, 4:16])
    q = _k4_nibbles(blocks[:, 16:144])
    y = d * sc[:, :, None] * q - dmin * mn[:, :, None]
    return y.reshape(-1, QK_K)


def dequant_q5_k(blocks):
    d = _f16(blocks[:, 0:2])[:, None, None]
    dmin = _f16(blocks[:, 2:4])[:, None, None]
    sc, mn = _scale_min_k4(blocks[:, 4:16])
    qh = blocks[:, 16:48].astype(np.int64)          # (nb, 32)
    q = _k4_nibbles(blocks[:, 48:176])              # (nb, 8, 32)
    # The fifth bit of element l of sub-block s is bit s of qh[l].
    s = np.arange(8)[None, :, None]
    q = q + 16 * ((qh[:, None, :] >> s) & 1)
    y = d * sc[:, :, None] * q - dmin * mn[:, :, None]
    return y.reshape(-1, QK_K)


def dequant_q6_k(blocks):
    ql = blocks[:, 0:128].reshape(-1, 2, 64).astype(np.int64)    # per 128-element half
    qh = blocks[:, 128:192].reshape(-1, 2, 32).astype(np.int64)
    sc = blocks[:, 192:208].view(np.int8).astype(np.float64)     # (nb, 16)
    d = _f16(blocks[:, 208:210])[:, None]
    # Within a half, element 32g + l (g = 0..3, l = 0..31) takes:
    #   low 4 bits: g=0 ql[l]&15, g=1 ql[l+32]&15, g=2 ql[l]>>4, g=3 ql[l+32]>>4
    #   high 2 bits: (qh[l] >> 2g) & 3
    low = np.stack([ql[:, :, :32] & 0x0F, ql[:, :, 32:] & 0x0F,
                    ql[:, :, :32] >> 4, ql[:, :, 32:] >> 4], axis=2)       # (nb, 2, 4, 32)
    high = np.stack([(qh >> (2 * g)) & 3 for g in range(4)], axis=2)       # (nb, 2, 4, 32)
    q = ((low | (high << 4)) - 32).reshape(-1, QK_K).astype(np.float64)
    # Each run of 16 consecutive elements shares one signed 8-bit scale.
    return d * np.repeat(sc, 16, axis=1) * q


def dequant_mxfp4(blocks):
    e = blocks[:, 0].astype(np.int64)
    # ggml stores the FP4 values doubled (MXFP4_VALUES) and uses the E8M0 scale
    # halved: d = 2^(e-127) / 2 = 2^(e-128).  ldexp is exact, including e = 0, 1.
    d = np.ldexp(1.0, e - 128)[:, None]
    qs = blocks[:, 1:17]
    idx = np.concatenate([qs & 0x0F, qs >> 4], axis=1)   # low nibbles 0..15, high 16..31
    return MXFP4_VALUES[idx] * d


_BLOCK_DECODERS = {
    Q4_0: dequant_q4_0, Q8_0: dequant_q8_0, Q4_K: dequant_q4_k,
    Q5_K: dequant_q5_k, Q6_K: dequant_q6_k, MXFP4: dequant_mxfp4,
}


def dequantize(raw, ggml_type, n_elements):
    """Raw tensor bytes -> flat float64 array of n_elements (in ggml memory order)."""
    raw = np.frombuffer(raw, dtype=np.uint8) if not isinstance(raw, np.ndarray) else raw.view(np.uint8)
    if ggml_type not in TYPES:
        raise ValueError(f"unsupported ggml type {ggml_type}")
    _, block_elems, block_bytes = TYPES[ggml_type]
    if n_elements % block_elems:
        raise ValueError(f"{n_elements} elements is not a whole number of {type_name(ggml_type)} blocks")
    n_blocks = n_elements // block_elems
    if raw.size < n_blocks * block_bytes:
        raise ValueError("not enough bytes for the tensor")
    raw = np.ascontiguousarray(raw[:n_blocks * block_bytes])
    if ggml_type == F32:
        return raw.view("<f4").astype(np.float64)
    if ggml_type == F16:
        return raw.view("<f2").astype(np.float64)
    if ggml_type == BF16:
        # bf16 is the upper 16 bits of a binary32.
        return (raw.view("<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    blocks = raw.reshape(n_blocks, block_bytes)
    return _BLOCK_DECODERS[ggml_type](blocks).reshape(-1)


# ---------------------------------------------------------------------------
# Self-test: hand-built blocks.  Expected values are written out literally where
# short, and otherwise come from a plain scalar transcription of ggml's C loops
# (deliberately a different code shape from the vectorised decoders above).

def _h(x):
    """float -> 2 little-endian bytes of its binary16 encoding."""
    return np.array([x], dtype="<f2").tobytes()


def _scalar_scale_min_k4(j, q):
    if j < 4:
        return q[j] & 63, q[j + 4] & 63
    return (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)


def _scalar_q4_k(d, dmin, scales, qs):
    y = []
    is_ = 0
    for j in range(0, QK_K, 64):
        sc, m = _scalar_scale_min_k4(is_, scales)
        d1, m1 = d * sc, dmin * m
        sc, m = _scalar_scale_min_k4(is_ + 1, scales)
        d2, m2 = d * sc, dmin * m
        q = qs[j // 2: j // 2 + 32]
        y += [d1 * (b & 0xF) - m1 for b in q]
        y += [d2 * (b >> 4) - m2 for b in q]
        is_ += 2
    return y


def _scalar_q5_k(d, dmin, scales, qh, qs):
    y = []
    is_ = 0
    u1, u2 = 1, 2
    for j in range(0, QK_K, 64):
        sc, m = _scalar_scale_min_k4(is_, scales)
        d1, m1 = d * sc, dmin * m
        sc, m = _scalar_scale_min_k4(is_ + 1, scales)
        d2, m2 = d * sc, dmin * m
        ql = qs[j // 2: j // 2 + 32]
        y += [d1 * ((ql[l] & 0xF) + (16 if qh[l] & u1 else 0)) - m1 for l in range(32)]
        y += [d2 * ((ql[l] >> 4) + (16 if qh[l] & u2 else 0)) - m2 for l in range(32)]
        is_ += 2
        u1 <<= 2
        u2 <<= 2
    return y


def _scalar_q6_k(d, ql, qh, sc):
    y = [0.0] * QK_K
    for n in range(2):
        L, H, S, base = ql[64 * n:], qh[32 * n:], sc[8 * n:], 128 * n
        for l in range(32):
            is_ = l // 16
            q1 = ((L[l] & 0xF) | (((H[l] >> 0) & 3) << 4)) - 32
            q2 = ((L[l + 32] & 0xF) | (((H[l] >> 2) & 3) << 4)) - 32
            q3 = ((L[l] >> 4) | (((H[l] >> 4) & 3) << 4)) - 32
            q4 = ((L[l + 32] >> 4) | (((H[l] >> 6) & 3) << 4)) - 32
            y[base + l] = d * S[is_] * q1
            y[base + l + 32] = d * S[is_ + 2] * q2
            y[base + l + 64] = d * S[is_ + 4] * q3
            y[base + l + 96] = d * S[is_ + 6] * q4
    return y


def _pack_scale_min_k4(sc, m):
    """Inverse of get_scale_min_k4 for 8 six-bit scales and mins."""
    q = [0] * 12
    for j in range(4):
        q[j] = sc[j] | ((sc[j + 4] >> 4) << 6)
        q[j + 4] = m[j] | ((m[j + 4] >> 4) << 6)
        q[j + 8] = (sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4)
    return q


def self_test():
    ok = True

    def check(got, want, what):
        nonlocal ok
        good = np.array_equal(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64))
        print(("ok   " if good else "FAIL ") + what)
        if not good:
            got, want = np.asarray(got).ravel(), np.asarray(want).ravel()
            bad = np.nonzero(got != want)[0][:5]
            print("     first mismatches (index, got, want):",
                  [(int(i), float(got[i]), float(want[i])) for i in bad])
        ok = ok and good

    # F32 / F16 / BF16: bit patterns decoded by hand.
    raw = np.array([0x3F800000, 0xC0490FDB, 0x00000001], dtype="<u4").tobytes()
    check(dequantize(raw, F32, 3), [1.0, np.float32(-3.14159274101257324).item(), 2.0 ** -149], "F32")
    raw = np.array([0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000], dtype="<u2").tobytes()
    check(dequantize(raw, F16, 6), [1.0, -2.0, 0.5, 65504.0, 2.0 ** -24, -0.0], "F16 (incl. max, subnormal)")
    raw = np.array([0x3F80, 0xC040, 0x4049, 0x0001], dtype="<u2").tobytes()
    check(dequantize(raw, BF16, 4), [1.0, -3.0, 3.140625, 2.0 ** -133], "BF16 (incl. subnormal)")

    # Q4_0: d = 0.5; byte j = j | (15-j) << 4  =>  x[j] = (j-8)/2, x[j+16] = (7-j)/2.
    j = np.arange(16)
    raw = _h(0.5) + bytes((j | ((15 - j) << 4)).tolist())
    want = np.concatenate([(j - 8) * 0.5, (7 - j) * 0.5])
    check(dequantize(raw, Q4_0, 32), want, "Q4_0 single block")
    # A second block with d = -2 and all bytes 0x0F: low nibble 15 -> 7*-2, high 0 -> -8*-2.
    raw2 = raw + _h(-2.0) + bytes([0x0F] * 16)
    check(dequantize(raw2, Q4_0, 64)[32:], [-14.0] * 16 + [16.0] * 16, "Q4_0 second block")

    # Q8_0: d = 0.25, qs = j - 16 (as int8) => x[j] = (j - 16) / 4; then qs = -128, 127.
    j = np.arange(32)
    raw = _h(0.25) + (j - 16).astype(np.int8).tobytes()
    raw += _h(3.0) + np.array([-128, 127] * 16, dtype=np.int8).tobytes()
    check(dequantize(raw, Q8_0, 64), np.concatenate([(j - 16) / 4.0, [-384.0, 381.0] * 16]), "Q8_0")

    # Q4_K: d = 1, dmin = 0.5; scales/mins chosen to use the high bits of sub-blocks 4..7.
    sc = [1, 2, 3, 63, 17, 33, 47, 60]
    mn = [0, 5, 10, 62, 16, 31, 48, 63]
    scales = _pack_scale_min_k4(sc, mn)
    qs = [(i * 7 + 3) & 0xFF for i in range(128)]
    raw = _h(1.0) + _h(0.5) + bytes(scales) + bytes(qs)
    got = dequantize(raw, Q4_K, 256)
    check(got, _scalar_q4_k(1.0, 0.5, scales, qs), "Q4_K vs scalar transcription")
    # By hand: element 0 = low nibble of qs[0]=3 -> 1*1*3 - 0.5*0 = 3.
    # element 32 (sub-block 1) = high nibble of qs[0] = 0 -> 1*2*0 - 0.5*5 = -2.5.
    # element 200 (chunk 3, sub-block 6, l=8) = low nibble of qs[104] = (731 & 255) = 219 -> 11
    #   -> 1*47*11 - 0.5*48 = 493.
    # element 255 (sub-block 7, l=31) = high nibble of qs[127] = (892 & 255) = 124 -> 7
    #   -> 1*60*7 - 0.5*63 = 388.5.
    check(got[[0, 32, 200, 255]], [3.0, -2.5, 493.0, 388.5], "Q4_K hand-computed elements")

    # Q5_K: same scales; qh sets fifth bits in a known pattern.
    qh = [(i * 37 + 11) & 0xFF for i in range(32)]
    raw = _h(0.25) + _h(2.0) + bytes(scales) + bytes(qh) + bytes(qs)
    got = dequantize(raw, Q5_K, 256)
    check(got, _scalar_q5_k(0.25, 2.0, scales, qh, qs), "Q5_K vs scalar transcription")
    # element 0: nibble 3, qh[0] = 11 = 0b1011, bit 0 set -> 19 -> 0.25*1*19 - 2*0 = 4.75.
    # element 32: high nibble 0, bit 1 of qh[0] set -> 16 -> 0.25*2*16 - 2*5 = -2.
    # element 65 (sub-block 2, l=1): low nibble of qs[33] = 234 -> 10; qh[1] = 48 = 0b110000,
    #   bit 2 clear -> 10 -> 0.25*3*10 - 2*10 = -12.5.
    # element 112 (sub-block 3, l=16): high nibble of qs[48] = 83 -> 5; qh[16] = 603&255 = 91
    #   = 0b1011011, bit 3 set -> 21 -> 0.25*63*21 - 2*62 = 206.75.
    check(got[[0, 32, 65, 112]], [4.75, -2.0, -12.5, 206.75], "Q5_K hand-computed elements")

    # Q6_K: d = 0.5; signed scales -8..7; ql/qh patterns.
    ql = [(i * 13 + 5) & 0xFF for i in range(128)]
    qh6 = [(i * 29 + 7) & 0xFF for i in range(64)]
    sc6 = list(range(-8, 8))
    raw = bytes(ql) + bytes(qh6) + np.array(sc6, dtype=np.int8).tobytes() + _h(0.5)
    got = dequantize(raw, Q6_K, 256)
    check(got, _scalar_q6_k(0.5, ql, qh6, sc6), "Q6_K vs scalar transcription")
    # element 0: ql[0]=5 low 5, qh[0]=7 bits0-1 = 3 -> 5|48 = 53 - 32 = 21; scale sc[0] = -8
    #   -> 0.5*-8*21 = -84.
    # element 70 (g=2, l=6): ql[6] = 83 high nibble 5; qh[6] = 181 = 0b10110101, bits4-5 = 3
    #   -> 5|48 = 53 -> 21; scale sc[70//16 = 4] = -4 -> 0.5*-4*21 = -42.
    # element 255 (half 1, g=3, l=31): ql[64+63=127] = 1656&255 = 120 high nibble 7;
    #   qh[32+31=63] = 1834&255 = 42 = 0b00101010, bits6-7 = 0 -> 7 - 32 = -25; sc[15] = 7
    #   -> 0.5*7*-25 = -87.5.
    check(got[[0, 70, 255]], [-84.0, -42.0, -87.5], "Q6_K hand-computed elements")

    # MXFP4: e = 128 -> d = 2^(1)/2 = 1: values are the table itself.
    j = np.arange(16)
    raw = bytes([128]) + bytes((j | ((15 - j) << 4)).tolist())
    table = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]
    check(dequantize(raw, MXFP4, 32), table + table[::-1], "MXFP4 e=128 (d=1)")
    # e = 125 -> d = 2^-2/2 = 1/8; byte 0x7F -> low nibble 15 (-12), high 7 (12).
    raw = bytes([125]) + bytes([0x7F] * 16)
    check(dequantize(raw, MXFP4, 32), [-1.5] * 16 + [1.5] * 16, "MXFP4 e=125 (d=1/8)")
    # e = 0 -> d = 2^-128 (ggml's subnormal half-scale); nibble 1 -> 2^-128.
    raw = bytes([0]) + bytes([0x11] * 16)
    check(dequantize(raw, MXFP4, 32), [2.0 ** -128] * 32, "MXFP4 e=0")

    # Multi-block tensors decode block by block in order.
    blk_a = bytes([128]) + bytes([0x21] * 16)   # low 1 -> 1, high 2 -> 2
    blk_b = bytes([129]) + bytes([0x21] * 16)   # d = 2
    check(dequantize(blk_a + blk_b, MXFP4, 64), [1] * 16 + [2] * 16 + [2] * 16 + [4] * 16,
          "MXFP4 two blocks in order")

    print("dequant self-test:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    print(__doc__)
    sys.exit(2)
