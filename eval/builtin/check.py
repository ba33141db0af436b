#!/usr/bin/python3
"""Validate fathom evaluation sets in the JSONL item format (docs/EVAL.md).

    python3 eval/builtin/check.py                 # the built-in suite: ru.jsonl + en.jsonl next to this file
    python3 eval/builtin/check.py RU.jsonl EN.jsonl   # any parallel pair (first file ru, second en)
    python3 eval/builtin/check.py FILE.jsonl          # one file of any language, format only

Checks: UTF-8 without BOM, one JSON object per line, required fields and their types
per item type, mc answer index in range, ids unique per file, and for a pair: the same
ids in the same order with the same category / type / match / mc answer index / number
of choices, identical numeric answers and identical `check` expressions. Every `check`
expression (numbers, + - * / // % **, parentheses, unary signs only) is evaluated
safely and must equal the item's numeric answer within 1e-9 relative.

The built-in suite is held to more: at least 150 items per language, every
arithmetic and word_problem item is gen/number with a `check`, every gen prompt ends
with a final-answer instruction, ru items are written in Cyrillic and en items hold
no Cyrillic at all.

Prints a summary and exits 1 on any problem. Standard library only.
"""

import ast
import json
import math
import operator
import os
import re
import sys
from collections import Counter

CATEGORIES = ("arithmetic", "word_problem", "logic", "reading", "knowledge")
TYPES = ("mc", "gen")
MATCHES = ("number", "exact", "regex")
LANGS = ("ru", "en")
COMMON = {"id", "lang", "category", "type"}
MC_FIELDS = COMMON | {"question", "choices", "answer"}
GEN_FIELDS = COMMON | {"prompt", "answer", "match"}
OPTIONAL = {"check"}
MIN_ITEMS_BUILTIN = 150
NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
FINAL_INSTRUCTION = {
    "en": "Give the final answer",
    "ru": "Дайте окончательный ответ",
}

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class CheckError(Exception):
    pass


def safe_eval(expr):
    """Evaluate an arithmetic expression over number literals only."""
    if len(expr) > 500:
        raise CheckError("expression longer than 500 characters")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as e:
        raise CheckError("not a valid expression: %s" % e.msg)

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise CheckError("only numbers are allowed, found %r" % (node.value,))
            return node.value
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
            return _UNOPS[type(node.op)](ev(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow):
                if abs(right) > 64 or abs(left) > 1e6:
                    raise CheckError("power too large")
                if left < 0 and not float(right).is_integer():
                    raise CheckError("fractional power of a negative number")
            try:
                result = _BINOPS[type(node.op)](left, right)
            except ZeroDivisionError:
                raise CheckError("division by zero")
            if isinstance(result, complex):
                raise CheckError("complex result")
            return result
        raise CheckError("element not allowed: %s" % type(node).__name__)

    value = ev(tree)
    if not math.isfinite(value):
        raise CheckError("result is not finite")
    return value


def regex_problems(pattern):
    """Problems with a regex answer: must compile, no lookbehind or named groups, and
    non-ASCII characters only as literal sequences or alternatives, so the pattern means
    the same to a byte-oriented std::regex over UTF-8 and to a code-point engine."""
    out = []
    try:
        re.compile(pattern)
    except re.error as e:
        out.append("regex does not compile: %s" % e)
        return out
    if "(?<" in pattern or "(?P" in pattern:
        out.append("regex uses lookbehind or named groups (not in ECMAScript std::regex)")
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ord(ch) > 127:
                out.append("non-ASCII character %r inside [...]" % ch)
        elif ch == "[":
            in_class = True
        elif ord(ch) > 127 and i + 1 < len(pattern) and pattern[i + 1] in "?*+{":
            out.append("quantifier directly after non-ASCII character %r; wrap it in (?:...)" % ch)
        i += 1
    return out


def load(path, problems):
    items = []
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        problems.append("%s: cannot read: %s" % (path, e))
        return items
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append("%s: starts with a UTF-8 BOM" % path)
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("%s: not valid UTF-8: %s" % (path, e))
        return items
    if text and not text.endswith("\n"):
        problems.append("%s: last line has no newline" % path)
    for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        where = "%s:%d" % (path, n)
        if line.endswith("\r"):
            problems.append("%s: CRLF line ending" % where)
            line = line[:-1]
        if not line.strip():
            problems.append("%s: empty line" % where)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append("%s: invalid JSON: %s" % (where, e))
            continue
        if not isinstance(obj, dict):
            problems.append("%s: not a JSON object" % where)
            continue
        items.append((where, obj))
    return items


def nonempty_str(v):
    return isinstance(v, str) and v.strip() != ""


def check_item(where, it, problems, builtin, expected_lang):
    def bad(msg):
        problems.append("%s [%s]: %s" % (where, it.get("id", "?"), msg))

    for f in sorted(COMMON):
        if f not in it:
            bad("missing field %r" % f)
    if "id" in it and (not nonempty_str(it["id"]) or any(c.isspace() for c in it["id"])):
        bad("id must be a non-empty string without spaces")
    if it.get("lang") not in LANGS:
        bad("lang must be one of %s" % ", ".join(LANGS))
    elif expected_lang and it["lang"] != expected_lang:
        bad("lang %r in a file of %r items" % (it["lang"], expected_lang))
    if it.get("category") not in CATEGORIES:
        bad("category must be one of %s" % ", ".join(CATEGORIES))
    typ = it.get("type")
    if typ not in TYPES:
        bad("type must be 'mc' or 'gen'")
        return

    allowed = (MC_FIELDS if typ == "mc" else GEN_FIELDS) | OPTIONAL
    extra = sorted(set(it) - allowed)
    if extra:
        bad("unexpected field(s) for type %s: %s" % (typ, ", ".join(extra)))

    if typ == "mc":
        for f in ("question", "choices", "answer"):
            if f not in it:
                bad("missing field %r" % f)
        if "question" in it and not nonempty_str(it["question"]):
            bad("question must be a non-empty string")
        ch = it.get("choices")
        if not isinstance(ch, list) or not 3 <= len(ch) <= 5:
            bad("choices must be a list of 3 to 5 strings")
            ch = None
        elif not all(nonempty_str(c) for c in ch):
            bad("every choice must be a non-empty string")
        elif len(set(c.strip().lower() for c in ch)) != len(ch):
            bad("choices are not distinct")
        ans = it.get("answer")
        if isinstance(ans, bool) or not isinstance(ans, int):
            bad("mc answer must be an integer index")
        elif ch is not None and not 0 <= ans < len(ch):
            bad("mc answer index %d out of range 0..%d" % (ans, len(ch) - 1))
        if "check" in it:
            bad("check is only for gen/number items")
    else:
        for f in ("prompt", "answer", "match"):
            if f not in it:
                bad("missing field %r" % f)
        if "prompt" in it and not nonempty_str(it["prompt"]):
            bad("prompt must be a non-empty string")
        ans = it.get("answer")
        if not nonempty_str(ans):
            bad("gen answer must be a non-empty string")
            ans = None
        match = it.get("match")
        if match not in MATCHES:
            bad("match must be one of %s" % ", ".join(MATCHES))
        elif ans is not None:
            if match == "number" and not NUMBER_RE.match(ans):
                bad("number answer %r is not machine-readable (digits, optional '-' and '.')" % ans)
            if match == "regex":
                for p in regex_problems(ans):
                    bad(p)
        if "check" in it:
            if match != "number":
                bad("check is only for gen/number items")
            elif not nonempty_str(it["check"]):
                bad("check must be a non-empty string")
            elif ans is not None and NUMBER_RE.match(ans):
                try:
                    v = safe_eval(it["check"])
                    want = float(ans)
                    if not math.isclose(v, want, rel_tol=1e-9, abs_tol=1e-12):
                        bad("check %r = %r, but answer is %s" % (it["check"], v, ans))
                except CheckError as e:
                    bad("check %r: %s" % (it["check"], e))
        if builtin and "prompt" in it and it.get("lang") in FINAL_INSTRUCTION:
            if FINAL_INSTRUCTION[it["lang"]] not in it["prompt"]:
                bad("prompt lacks the final-answer instruction %r" % FINAL_INSTRUCTION[it["lang"]])

    if builtin:
        if it.get("category") in ("arithmetic", "word_problem"):
            if typ != "gen" or it.get("match") != "number":
                bad("arithmetic and word_problem items must be gen/number")
            elif "check" not in it:
                bad("arithmetic and word_problem items need a check expression")
        texts = [it.get("question"), it.get("prompt")] + list(it.get("choices") or [])
        if typ == "gen" and it.get("match") == "exact":
            texts.append(it.get("answer"))
        texts = [t for t in texts if isinstance(t, str)]
        if it.get("lang") == "en" and any(CYRILLIC_RE.search(t) for t in texts + [it.get("answer") if isinstance(it.get("answer"), str) else ""]):
            bad("en item contains Cyrillic text")
        if it.get("lang") == "ru" and not CYRILLIC_RE.search(it.get("question") or it.get("prompt") or ""):
            bad("ru item's text contains no Cyrillic")


def check_file(path, problems, builtin, expected_lang=None):
    items = load(path, problems)
    seen = {}
    for where, it in items:
        check_item(where, it, problems, builtin, expected_lang)
        iid = it.get("id")
        if isinstance(iid, str):
            if iid in seen:
                problems.append("%s: duplicate id %r (first at %s)" % (where, iid, seen[iid]))
            else:
                seen[iid] = where
    return items


def check_pair(ru_items, en_items, problems):
    if len(ru_items) != len(en_items):
        problems.append("ru has %d items, en has %d" % (len(ru_items), len(en_items)))
    for (rw, r), (ew, e) in zip(ru_items, en_items):
        if r.get("id") != e.get("id"):
            problems.append("%s / %s: ids differ or are out of order: %r vs %r" % (rw, ew, r.get("id"), e.get("id")))
            continue
        tag = "%s / %s [%s]" % (rw, ew, r.get("id"))
        for f in ("category", "type", "match"):
            if r.get(f) != e.get(f):
                problems.append("%s: %s differs: %r vs %r" % (tag, f, r.get(f), e.get(f)))
        if r.get("type") == "mc" and e.get("type") == "mc":
            if r.get("answer") != e.get("answer"):
                problems.append("%s: mc answer index differs: %r vs %r" % (tag, r.get("answer"), e.get("answer")))
            if isinstance(r.get("choices"), list) and isinstance(e.get("choices"), list) \
                    and len(r["choices"]) != len(e["choices"]):
                problems.append("%s: number of choices differs" % tag)
        if r.get("match") == "number" and e.get("match") == "number":
            ra, ea = r.get("answer"), e.get("answer")
            if ra != ea:
                problems.append("%s: numeric answers differ: %r vs %r" % (tag, ra, ea))
        if r.get("check") != e.get("check"):
            problems.append("%s: check expressions differ: %r vs %r" % (tag, r.get("check"), e.get("check")))


def summary(label, items):
    print("%s: %d items" % (label, len(items)))
    by_cat = Counter(it.get("category") for _, it in items)
    by_kind = Counter((it.get("category"), it.get("type"), it.get("match", "")) for _, it in items)
    for cat in CATEGORIES + tuple(sorted(c for c in by_cat if c not in CATEGORIES and c is not None)):
        if not by_cat.get(cat):
            continue
        kinds = ", ".join(
            "%s%s %d" % (t, "/" + m if m else "", n)
            for (c, t, m), n in sorted(by_kind.items(), key=lambda kv: (str(kv[0][1]), str(kv[0][2])))
            if c == cat)
        print("  %-13s %4d   (%s)" % (cat, by_cat[cat], kinds))
    types = Counter(it.get("type") for _, it in items)
    matches = Counter(it.get("match") for _, it in items if it.get("type") == "gen")
    print("  types: %s; gen match: %s" % (
        ", ".join("%s %d" % kv for kv in sorted(types.items(), key=lambda kv: str(kv[0]))),
        ", ".join("%s %d" % kv for kv in sorted(matches.items(), key=lambda kv: str(kv[0])))))


def main(argv):
    problems = []
    here = os.path.dirname(os.path.abspath(__file__))
    if len(argv) == 0:
        ru_path, en_path = os.path.join(here, "ru.jsonl"), os.path.join(here, "en.jsonl")
        ru = check_file(ru_path, problems, True, "ru")
        en = check_file(en_path, problems, True, "en")
        check_pair(ru, en, problems)
        for label, items in (("ru", ru), ("en", en)):
            if len(items) < MIN_ITEMS_BUILTIN:
                problems.append("%s: %d items, fewer than %d" % (label, len(items), MIN_ITEMS_BUILTIN))
        summary("ru (%s)" % os.path.relpath(ru_path), ru)
        summary("en (%s)" % os.path.relpath(en_path), en)
        checked = sum(1 for _, it in ru + en if "check" in it)
        print("check expressions evaluated: %d" % checked)
    elif len(argv) == 1:
        items = check_file(argv[0], problems, False)
        summary(argv[0], items)
    elif len(argv) == 2:
        ru = check_file(argv[0], problems, False, "ru")
        en = check_file(argv[1], problems, False, "en")
        check_pair(ru, en, problems)
        summary("ru (%s)" % argv[0], ru)
        summary("en (%s)" % argv[1], en)
    else:
        print(__doc__.strip().split("\n\n")[1])
        return 2
    if problems:
        print("\n%d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
