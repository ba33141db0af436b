#!/usr/bin/python3
"""Seed inputs for the fuzz targets, one folder per target: small valid files of every
kind the parsers read, so the fuzzer starts from the formats' structure.

    /usr/bin/python3 fuzz/seeds.py OUT_DIR
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "convert"))

from gguf_write import gguf_bytes              # noqa: E402
from hf_checkpoint import tokenizer_files, write_safetensors   # noqa: E402


def main(out):
    dirs = {t: os.path.join(out, t) for t in
            ("gguf", "safetensors", "tokenizer_json", "bpe", "chat_parsers", "chat_request")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    rng = np.random.default_rng(1)
    meta = {"general.architecture": "qwen3", "general.name": "seed", "qwen3.block_count": 1,
            "tokenizer.ggml.tokens": ["a", "b", "<|im_end|>"], "tokenizer.ggml.token_type": [1, 1, 3]}
    tensors = {"token_embd.weight": (rng.standard_normal((3, 8)).astype(np.float32), "f32"),
               "output_norm.weight": (np.ones(8, dtype=np.float32), "f16")}
    with open(os.path.join(dirs["gguf"], "small.gguf"), "wb") as f:
        f.write(gguf_bytes(meta, tensors))

    write_safetensors(os.path.join(dirs["safetensors"], "small.safetensors"),
                      {"a.weight": ("F32", rng.standard_normal((2, 3)).astype(np.float32)),
                       "b.bias": ("F32", rng.standard_normal(4).astype(np.float32))})

    tokenizer_files(dirs["tokenizer_json"])
    os.replace(os.path.join(dirs["tokenizer_json"], "tokenizer.json"), os.path.join(dirs["tokenizer_json"], "tiny.json"))
    os.remove(os.path.join(dirs["tokenizer_json"], "tokenizer_config.json"))

    for i, text in enumerate(["Hello, world!", "Привет, мир! Ёжик 1234,5", "emoji 👩‍👩‍👧 tab\tCRLF\r\n",
                              "<|im_start|>user\nhi<|im_end|>", "\xff\xfe broken"]):
        with open(os.path.join(dirs["bpe"], f"text{i}"), "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)

    def stream(tokens):  # tokens: (text, special); 0xFF separates, 0xFE marks special
        return b"\xff".join((b"\xfe" if s else b"") + t.encode() for t, s in tokens)
    streams = [
        [("<|channel|>", True), ("analysis", False), ("<|message|>", True), ("think", False), ("<|end|>", True),
         ("<|start|>", True), ("assistant", False), ("<|channel|>", True), ("final", False), ("<|message|>", True),
         ("Ответ", False), ("<|return|>", True)],
        [("<|channel|>", True), ("commentary to=functions.f ", False), ("<|constrain|>", True), ("json", False),
         ("<|message|>", True), ('{"a": 1}', False), ("<|call|>", True)],
        [("<think>", True), ("\nhmm\n", False), ("</think>", True), ("\n\nanswer", False), ("<|im_end|>", True)],
        [("<tool_call>", True), ('\n{"name": "f", "arguments": {"x": 1}}\n', False), ("</tool_call>", True)],
    ]
    for i, s in enumerate(streams):
        with open(os.path.join(dirs["chat_parsers"], f"stream{i}"), "wb") as f:
            f.write(stream(s))

    requests = [
        {"model": "m", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Привет"}],
         "temperature": 0.5, "max_tokens": 10, "stream": True, "stream_options": {"include_usage": True},
         "stop": ["END"], "logprobs": True, "top_logprobs": 2, "reasoning_effort": "high", "seed": 7},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]},
                      {"role": "assistant", "content": None, "reasoning_content": "r",
                       "tool_calls": [{"id": "c1", "type": "function",
                                       "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "ok"}],
         "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
         "tool_choice": "auto", "chat_template_kwargs": {"enable_thinking": False}},
        {"prompt": [[1, 2, 3], "text"], "echo": True, "logprobs": 1, "max_tokens": 0},
        {"prompt": "plain", "n": 1, "response_format": {"type": "json_object"}},
    ]
    for i, r in enumerate(requests):
        with open(os.path.join(dirs["chat_request"], f"request{i}.json"), "w", encoding="utf-8") as f:
            json.dump(r, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
