"""Minimal GGUF v3 writer, used only by the reference's self-tests to build small
models in memory (so the reader and the forward pass are exercised without fathom).

Metadata values: str, bool, int (written as i32 if negative else u32, or u64 if
large), float (f32), list of str/int/float, or an explicit (gguf_type, value)
tuple; for arrays, (T_ARRAY, (item_type, items)).

Tensors: {name: (numpy array in numpy order, "f32" | "f16" | "bf16")}, or
{name: (raw_bytes, ggml_type, ggml_dims)} for pre-encoded (e.g. quantized) data.
"""

import struct

import numpy as np

from gguf_read import (GGUF_MAGIC, T_ARRAY, T_BOOL, T_FLOAT32, T_INT32, T_STRING,
                       T_UINT32, T_UINT64, _SCALAR_FORMAT, _align)
import dequant


def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _infer(value):
    if isinstance(value, tuple):
        return value
    if isinstance(value, bool):
        return T_BOOL, value
    if isinstance(value, str):
        return T_STRING, value
    if isinstance(value, (int, np.integer)):
        value = int(value)
        if value < 0:
            return T_INT32, value
        return (T_UINT32 if value < 2**32 else T_UINT64), value
    if isinstance(value, (float, np.floating)):
        return T_FLOAT32, float(value)
    if isinstance(value, list):
        item_type = _infer(value[0])[0] if value else T_UINT32
        return T_ARRAY, (item_type, value)
    raise TypeError(f"cannot infer GGUF type of {value!r}")


def _value(vtype, value):
    if vtype in _SCALAR_FORMAT:
        return struct.pack(_SCALAR_FORMAT[vtype], value)
    if vtype == T_STRING:
        return _string(value)
    if vtype == T_ARRAY:
        item_type, items = value
        out = struct.pack("<IQ", item_type, len(items))
        for item in items:   # for nested arrays each item is (inner_type, inner_items)
            out += _value(item_type, item)
        return out
    raise TypeError(f"bad GGUF type {vtype}")


def _encode_float(arr, type_name):
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if type_name == "f32":
        return arr.astype("<f4").tobytes(), dequant.F32
    if type_name == "f16":
        return arr.astype("<f2").tobytes(), dequant.F16
    if type_name == "bf16":
        # Truncating conversion: simple, and the self-tests only need a known rule.
        bits = arr.astype("<f4").view("<u4") >> 16
        return bits.astype("<u2").tobytes(), dequant.BF16
    raise ValueError(type_name)


def gguf_bytes(metadata, tensors, alignment=32):
    meta = dict(metadata)
    if alignment != 32:
        meta["general.alignment"] = (T_UINT32, alignment)

    encoded = []
    for name, spec in tensors.items():
        if len(spec) == 2:
            arr, type_name = spec
            data, gtype = _encode_float(arr, type_name)
            dims = tuple(reversed(np.shape(arr)))
        else:
            data, gtype, dims = spec
        encoded.append((name, bytes(data), gtype, tuple(dims)))

    out = bytearray(GGUF_MAGIC + struct.pack("<IQQ", 3, len(encoded), len(meta)))
    for key, value in meta.items():
        vtype, v = _infer(value)
        out += _string(key) + struct.pack("<I", vtype) + _value(vtype, v)

    offset = 0
    offsets = []
    for name, data, gtype, dims in encoded:
        offsets.append(offset)
        out += _string(name) + struct.pack("<I", len(dims))
        out += struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", gtype, offset)
        offset = _align(offset + len(data), alignment)

    out += b"\0" * (_align(len(out), alignment) - len(out))
    for (name, data, gtype, dims), off in zip(encoded, offsets):
        out += data
        out += b"\0" * (_align(len(data), alignment) - len(data))
    return bytes(out)
