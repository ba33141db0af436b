#!/usr/bin/env bash
# fathom eval end to end on a tiny model: against a fathom server (--endpoint) it gives
# the same results as in-process; the final answer is scored from the answer channel,
# never the reasoning; an interrupted run resumes to the same results; bad input is one
# line and exit 2.
source "$(dirname "$0")/../lib/cli_check.sh"

"$fathom" synth --arch gpt-oss --preset tiny --type q8_0 --seed 1 --out "$work/tiny.gguf" 2>/dev/null
cat >"$work/tasks.jsonl" <<'JSONL'
{"id": "mc-1", "lang": "en", "category": "knowledge", "type": "mc", "question": "Water freezes at", "choices": ["zero degrees", "fifty degrees", "ninety degrees"], "answer": 0}
{"id": "mc-1", "lang": "ru", "category": "knowledge", "type": "mc", "question": "Вода замерзает при", "choices": ["нуле градусов", "пятидесяти градусах", "девяноста градусах"], "answer": 0}
{"id": "mc-2", "lang": "en", "category": "knowledge", "type": "mc", "question": "The capital of France is", "choices": ["Paris", "Rome", "Berlin", "Madrid"], "answer": 0}
{"id": "mc-2", "lang": "ru", "category": "knowledge", "type": "mc", "question": "Столица Франции —", "choices": ["Париж", "Рим", "Берлин", "Мадрид"], "answer": 0}
{"id": "gen-1", "lang": "en", "category": "arithmetic", "type": "gen", "prompt": "What is 6 × 7? Give the final answer as a number.", "answer": "42", "match": "number"}
{"id": "gen-1", "lang": "ru", "category": "arithmetic", "type": "gen", "prompt": "Сколько будет 6 × 7? Дайте окончательный ответ числом.", "answer": "42", "match": "number"}
{"id": "gen-2", "lang": "en", "category": "arithmetic", "type": "gen", "prompt": "SCRIPTED: what is 40 + 2? Give the final answer as a number.", "answer": "42", "match": "number"}
{"id": "gen-2", "lang": "ru", "category": "arithmetic", "type": "gen", "prompt": "SCRIPTED: сколько будет 40 + 2? Дайте окончательный ответ числом.", "answer": "42", "match": "number"}
JSONL
# The scripted reply reasons towards a wrong number and answers the right one: only
# the answer channel may be scored.
cat >"$work/script.json" <<'JSON'
{"replies": [{"match": "SCRIPTED", "output": "<|channel|>analysis<|message|>Maybe 999? Ответ: 999<|end|><|start|>assistant<|channel|>final<|message|>Ответ: 42<|return|>"}]}
JSON

"$fathom" serve "$work/tiny.gguf" --port 0 --parallel 2 --ctx 1024 --test-script "$work/script.json" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|^fathom: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/serve.log")
  [ -n "$port" ] && break
  sleep 0.1
done
check "server started" test -n "$port"

common=(--suite "$work/tasks.jsonl" --max-tokens 150 --reasoning low --json)
rm -f "$work"/*.results.jsonl
"$fathom" eval --endpoint "http://127.0.0.1:$port" --model "tiny gpt-oss" "${common[@]}" --parallel 2 \
  --out "$work/endpoint.results.jsonl" >"$work/endpoint.json" 2>/dev/null
check "endpoint run" test -s "$work/endpoint.json"
"$fathom" eval "$work/tiny.gguf" "${common[@]}" --parallel 2 --ctx 1024 \
  --out "$work/local.results.jsonl" >"$work/local.json" 2>/dev/null
check "in-process run" test -s "$work/local.json"

# An interrupted run: two finished lines and one cut off mid-write.
head -n 2 "$work/local.results.jsonl" >"$work/resumed.results.jsonl"
sed -n 3p "$work/local.results.jsonl" | head -c 40 >>"$work/resumed.results.jsonl"
"$fathom" eval "$work/tiny.gguf" "${common[@]}" --ctx 1024 --out "$work/resumed.results.jsonl" >"$work/resumed.json" 2>/dev/null

check "results agree" /usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def load(name):
    out = {}
    for line in open(f"{work}/{name}.results.jsonl", encoding="utf-8"):
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        out[r["key"]] = r
    return out
local, endpoint, resumed = load("local"), load("endpoint"), load("resumed")
assert len(local) == 8, sorted(local)
fields = ("correct", "output", "loglik", "pred", "correct_norm", "correct_bytes")
for key, r in local.items():
    if "gen-2" in key:          # scripted on the server only
        continue
    for f in fields:
        if f in r:
            a, b = r[f], endpoint[key][f]
            if f == "loglik":
                assert all(abs(x - y) <= 1e-3 * max(1, abs(x)) for x, y in zip(a, b)), (key, a, b)
            else:
                assert a == b, (key, f, a, b)
assert set(resumed) == set(local), (sorted(resumed), sorted(local))
for key, r in local.items():
    for f in fields:
        if f in r:
            assert resumed[key][f] == r[f], (key, f)
for lang in ("en", "ru"):
    s = endpoint[f"gen-2|{lang}|low"]
    assert s["correct"] and s["extracted"] == "42", s
    assert "999" in s["reasoning"] and "999" not in s["output"], s
    assert 0 < s["reasoning_tokens"] < s["completion_tokens"], s
rep = json.load(open(f"{work}/endpoint.json"))
cells = {(c["setting"], c["type"], c["lang"]): c for c in rep["cells"]}
assert cells[("-", "mc", "ru")]["acc"]["n"] == 2 and cells[("low", "gen", "en")]["acc"]["n"] == 2, cells
assert {(d["setting"], d["type"]) for d in rep["ru_minus_en"]} == {("-", "mc"), ("low", "gen")}, rep["ru_minus_en"]
PY

bad_input "no model" eval --suite builtin
bad_input "both" eval "$work/tiny.gguf" --endpoint http://127.0.0.1:1 --model x --suite builtin
bad_input "endpoint without --model" eval --endpoint http://127.0.0.1:1 --suite builtin
bad_input "bad effort" eval "$work/tiny.gguf" --suite builtin --reasoning extreme
bad_input "missing suite file" eval "$work/tiny.gguf" --suite "$work/nope.jsonl"
echo '{"id": "x", "lang": "en", "type": "mc", "question": "q", "choices": ["a"], "answer": 0}' >"$work/bad.jsonl"
bad_input "bad item" eval "$work/tiny.gguf" --suite "$work/bad.jsonl"

finish
