#!/usr/bin/python3
"""A small, independent GGUF (v2/v3) reader for the float64 reference.

File layout (little-endian throughout):
    magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
    n_kv x   { string key | u32 value_type | value }
    n_tensors x { string name | u32 n_dims | u64 dims[n_dims] | u32 ggml_type | u64 offset }
    padding to `general.alignment` (default 32)
    tensor data; each tensor's offset is relative to the start of this section.

A string is a u64 byte length followed by UTF-8 bytes (no terminator).  Tensor
dims are in ggml order: dims[0] is the contiguous (fastest-varying) axis, so a
ggml [n_embd, n_vocab] tensor is the numpy array of shape (n_vocab, n_embd).

Usage:
    python3 gguf_read.py FILE.gguf     # print metadata and the tensor table
    python3 gguf_read.py --self-test   # round-trip + the shared third-party file
"""

import mmap
import os
import struct
import sys
from dataclasses import dataclass

import numpy as np

import dequant

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# GGUF metadata value types.
T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_FLOAT32, T_BOOL, \
    T_STRING, T_ARRAY, T_UINT64, T_INT64, T_FLOAT64 = range(13)

# Fixed-size scalar types: struct format (little-endian).
_SCALAR_FORMAT = {
    T_UINT8: "<B", T_INT8: "<b", T_UINT16: "<H", T_INT16: "<h",
    T_UINT32: "<I", T_INT32: "<i", T_FLOAT32: "<f", T_BOOL: "<?",
    T_UINT64: "<Q", T_INT64: "<q", T_FLOAT64: "<d",
}
# Same types as numpy dtypes, for reading long arrays in one go.
_SCALAR_DTYPE = {
    T_UINT8: "<u1", T_INT8: "<i1", T_UINT16: "<u2", T_INT16: "<i2",
    T_UINT32: "<u4", T_INT32: "<i4", T_FLOAT32: "<f4", T_BOOL: "<u1",
    T_UINT64: "<u8", T_INT64: "<i8", T_FLOAT64: "<f8",
}


class GGUFError(ValueError):
    pass


@dataclass
class TensorInfo:
    name: str
    dims: tuple          # ggml order: dims[0] contiguous
    ggml_type: int
    offset: int          # absolute byte offset in the file
    nbytes: int

    @property
    def shape(self):
        """numpy shape: ggml dims reversed."""
        return tuple(reversed(self.dims))

    @property
    def n_elements(self):
        n = 1
        for d in self.dims:
            n *= d
        return n


class _Cursor:
    """Sequential little-endian reads from a buffer, with bounds checks."""

    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.buf):
            raise GGUFError(f"truncated file: need {n} bytes at offset {self.pos}")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def scalar(self, vtype):
        fmt = _SCALAR_FORMAT[vtype]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def u32(self):
        return self.scalar(T_UINT32)

    def u64(self):
        return self.scalar(T_UINT64)

    def string(self):
        n = self.u64()
        return bytes(self.take(n)).decode("utf-8")

    def value(self, vtype):
        if vtype in _SCALAR_FORMAT:
            v = self.scalar(vtype)
            return bool(v) if vtype == T_BOOL else v
        if vtype == T_STRING:
            return self.string()
        if vtype == T_ARRAY:
            item_type = self.u32()
            n = self.u64()
            if item_type in _SCALAR_DTYPE:
                # Bulk read; convert to plain Python values so metadata compares simply.
                dtype = np.dtype(_SCALAR_DTYPE[item_type])
                arr = np.frombuffer(self.take(n * dtype.itemsize), dtype=dtype)
                if item_type == T_BOOL:
                    return [bool(x) for x in arr]
                return arr.tolist()
            return [self.value(item_type) for _ in range(n)]
        raise GGUFError(f"unknown metadata value type {vtype} at offset {self.pos}")


class GGUFFile:
    """A parsed GGUF file.  Tensors are dequantized to float64 on first use."""

    def __init__(self, source):
        """source: a file path, or bytes-like holding a whole GGUF file."""
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as f:
                self._buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            self.path = os.fspath(source)
        else:
            self._buf = bytes(source)
            self.path = None
        self._cache = {}
        self._parse()

    def _parse(self):
        cur = _Cursor(memoryview(self._buf))
        if bytes(cur.take(4)) != GGUF_MAGIC:
            raise GGUFError("not a GGUF file (bad magic)")
        self.version = cur.u32()
        if self.version not in (2, 3):
            # v1 used u32 counts; a byte-swapped (big-endian) file shows up here too.
            raise GGUFError(f"unsupported GGUF version {self.version}")
        n_tensors = cur.u64()
        n_kv = cur.u64()

        self.metadata = {}
        self.metadata_types = {}
        for _ in range(n_kv):
            key = cur.string()
            vtype = cur.u32()
            if key in self.metadata:
                raise GGUFError(f"duplicate metadata key {key!r}")
            self.metadata[key] = cur.value(vtype)
            self.metadata_types[key] = vtype

        raw_infos = []
        for _ in range(n_tensors):
            name = cur.string()
            n_dims = cur.u32()
            dims = tuple(cur.u64() for _ in range(n_dims))
            ggml_type = cur.u32()
            offset = cur.u64()
            raw_infos.append((name, dims, ggml_type, offset))

        self.alignment = int(self.metadata.get("general.alignment", DEFAULT_ALIGNMENT))
        if self.alignment <= 0 or self.alignment & (self.alignment - 1):
            raise GGUFError(f"general.alignment {self.alignment} is not a power of two")
        self.data_offset = _align(cur.pos, self.alignment)

        self.tensor_infos = {}
        for name, dims, ggml_type, offset in raw_infos:
            if name in self.tensor_infos:
                raise GGUFError(f"duplicate tensor name {name!r}")
            if offset % self.alignment:
                raise GGUFError(f"{name}: data offset {offset} not aligned to {self.alignment}")
            info = TensorInfo(name, dims, ggml_type, self.data_offset + offset, 0)
            info.nbytes = dequant.tensor_nbytes(ggml_type, dims)
            if info.offset + info.nbytes > len(self._buf):
                raise GGUFError(f"{name}: data runs past the end of the file")
            self.tensor_infos[name] = info

    # -- metadata ---------------------------------------------------------

    def get(self, key, default=None):
        return self.metadata.get(key, default)

    @property
    def architecture(self):
        return self.metadata.get("general.architecture")

    # -- tensors ----------------------------------------------------------

    def has_tensor(self, name):
        return name in self.tensor_infos

    def raw_bytes(self, name):
        info = self.tensor_infos[name]
        return np.frombuffer(self._buf, dtype=np.uint8, count=info.nbytes, offset=info.offset)

    def tensor(self, name):
        """float64 array in numpy order (ggml dims reversed)."""
        if name not in self._cache:
            info = self.tensor_infos[name]
            flat = dequant.dequantize(self.raw_bytes(name), info.ggml_type, info.n_elements)
            arr = flat.reshape(info.shape)
            arr.setflags(write=False)   # shared via the cache: keep callers honest
            self._cache[name] = arr
        return self._cache[name]

    @property
    def tensors(self):
        """A lazy read-only mapping name -> float64 array."""
        return _LazyTensors(self)


class _LazyTensors:
    def __init__(self, gguf):
        self._g = gguf

    def __getitem__(self, name):
        if name not in self._g.tensor_infos:
            raise KeyError(name)
        return self._g.tensor(name)

    def __contains__(self, name):
        return name in self._g.tensor_infos

    def __iter__(self):
        return iter(self._g.tensor_infos)

    def __len__(self):
        return len(self._g.tensor_infos)

    def get(self, name, default=None):
        return self[name] if name in self else default


def _align(n, alignment):
    return (n + alignment - 1) // alignment * alignment


def read_gguf(source):
    return GGUFFile(source)


def load_gguf(source):
    """Eager form: (metadata dict, {name: float64 numpy array})."""
    g = GGUFFile(source)
    return g.metadata, {name: g.tensor(name) for name in g.tensor_infos}


# ---------------------------------------------------------------------------
# Command line

def _describe(value):
    if isinstance(value, list):
        head = ", ".join(repr(v) for v in value[:4])
        return f"[{head}{', ...' if len(value) > 4 else ''}] (n={len(value)})"
    return repr(value)


def _dump(path):
    g = GGUFFile(path)
    print(f"GGUF v{g.version}, {len(g.metadata)} metadata keys, {len(g.tensor_infos)} tensors, "
          f"alignment {g.alignment}, data at {g.data_offset}")
    for k, v in g.metadata.items():
        print(f"  {k} = {_describe(v)}")
    for info in g.tensor_infos.values():
        print(f"  {info.name:40s} {dequant.type_name(info.ggml_type):6s} ggml{list(info.dims)} "
              f"numpy{info.shape} @{info.offset}")


def _self_test():
    import gguf_write

    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    # 1. Round-trip every metadata type and the float tensor encodings.
    rng = np.random.default_rng(0)
    a32 = rng.standard_normal((3, 64))
    a16 = rng.standard_normal((2, 5, 32))
    meta = {
        "general.architecture": "test",
        "t.u8": (T_UINT8, 200), "t.i8": (T_INT8, -5), "t.u16": (T_UINT16, 60000),
        "t.i16": (T_INT16, -30000), "t.u32": (T_UINT32, 4000000000), "t.i32": (T_INT32, -7),
        "t.f32": (T_FLOAT32, 0.5), "t.bool": (T_BOOL, True), "t.u64": (T_UINT64, 2**40),
        "t.i64": (T_INT64, -2**40), "t.f64": (T_FLOAT64, 1e-300), "t.str": "héllo",
        "t.arr_str": ["a", "", "ccc"], "t.arr_i32": (T_ARRAY, (T_INT32, [1, -2, 3])),
        "t.nested": (T_ARRAY, (T_ARRAY, [(T_UINT8, [1, 2]), (T_UINT8, [3])])),
    }
    blob = gguf_write.gguf_bytes(meta, {
        "a32": (a32, "f32"), "a16": (a16, "f16"), "abf": (a32, "bf16"),
    }, alignment=64)
    g = GGUFFile(blob)
    expect = {"t.u8": 200, "t.i8": -5, "t.u16": 60000, "t.i16": -30000, "t.u32": 4000000000,
              "t.i32": -7, "t.f32": 0.5, "t.bool": True, "t.u64": 2**40, "t.i64": -2**40,
              "t.f64": 1e-300, "t.str": "héllo", "t.arr_str": ["a", "", "ccc"],
              "t.arr_i32": [1, -2, 3], "t.nested": [[1, 2], [3]]}
    check(all(g.metadata[k] == v for k, v in expect.items()), "metadata round-trip, all 13 value types")
    check(g.alignment == 64 and g.data_offset % 64 == 0, "general.alignment honoured")
    check(g.tensor_infos["a16"].dims == (32, 5, 2), "ggml dims are numpy shape reversed")
    check(np.array_equal(g.tensor("a32"), a32.astype(np.float32).astype(np.float64)), "F32 tensor")
    check(np.array_equal(g.tensor("a16"), a16.astype(np.float16).astype(np.float64)), "F16 tensor")
    bf_expect = (a32.astype(np.float32).view(np.uint32) & 0xFFFF0000).view(np.float32)  # truncation writer
    check(np.array_equal(g.tensor("abf"), bf_expect.astype(np.float64)), "BF16 tensor")

    # 2. A real GGUF written by another program (llama.cpp's vocab files).
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.join(here, "..", "..", "..", "shared", "tokenizer-vectors", "ggml-vocab-gpt-2.gguf")
    if os.path.exists(shared):
        g = GGUFFile(shared)
        toks = g.metadata.get("tokenizer.ggml.tokens", [])
        merges = g.metadata.get("tokenizer.ggml.merges", [])
        check(g.version == 3 and g.architecture == "gpt2", "gpt-2 vocab: v3, architecture gpt2")
        check(len(toks) == 50257 and toks[0] == "!" and toks[50256] == "<|endoftext|>",
              "gpt-2 vocab: 50257 tokens, first '!', last '<|endoftext|>'")
        check(len(merges) == 50000 and merges[0] == "Ġ t", "gpt-2 vocab: 50000 merges, first 'Ġ t'")
        check(len(g.tensor_infos) == 0, "gpt-2 vocab: no tensors")
    else:
        print("skip third-party file (not found: %s)" % shared)

    # 3. Malformed input is rejected, not misread.
    for bad, what in ((b"GGUX" + blob[4:], "bad magic"), (blob[:40], "truncated")):
        try:
            GGUFFile(bad)
            check(False, f"rejects {what}")
        except GGUFError:
            check(True, f"rejects {what}")

    print("gguf_read self-test:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        sys.exit(_self_test())
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    _dump(sys.argv[1])
