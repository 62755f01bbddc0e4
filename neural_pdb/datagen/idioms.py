"""The everyday loop idioms, as whole small programs: summing over ``range(n)``, counting
letters, building a string or a list, a ``while`` counter, a running maximum, a linear
search with an early return, counting into a dict, nested loops, digit sums.

The block generator (:mod:`.programs`) composes several blocks into one function, with
loop names of its own (``x``, ``num``, ``v``...): the plainest programs people write (and
debug first) were rare in its stream, and the default model got their second pass wrong
(it kept ``i`` unchanged). An ``idiom_fraction`` of generated programs is replaced by one
of these (:func:`neural_pdb.datagen.programs.generate_program`), drawn from an RNG of its
own so the program stream stays the same. Names come from the pools people use (``i``,
``total``, ``count``, ``result``...); the same function shape under any names counts as
one program for deduplication, so ``benchmarks/simple_loops.py``'s programs are kept
out of the data by :mod:`.dedup` (every renaming of them).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .values import WORDS, rand_list_int, rand_str

INDEX = ("i", "i", "i", "j", "k", "idx", "n_i", "step", "t")
TOTAL = ("total", "total", "acc", "s", "result", "res", "sum_", "count", "value", "answer")
ITEM = ("x", "num", "n_", "v", "item", "val", "e", "value_")
CHAR = ("ch", "c", "char", "letter")
LIST = ("xs", "nums", "items", "values", "data", "arr", "lst", "numbers")
TEXT = ("s", "text", "word", "string", "name")
OUT = ("out", "result", "res", "acc", "built", "parts")
FUNC = ("f", "f", "f", "f", "total_of", "count_of", "solve", "compute", "build", "scan", "process")

#: An idiom: the body lines of a function (unindented) and its parameters with their argument literals.
Idiom = tuple[list[str], dict[str, str]]
Template = Callable[[random.Random], Idiom]


def _n(rng: random.Random) -> str:
    return str(rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 6]))


def _list(rng: random.Random) -> str:
    return repr(rand_list_int(rng, 5))


def _text(rng: random.Random) -> str:
    return repr(rng.choice(WORDS) if rng.random() < 0.6 else rand_str(rng)[:7])


def _names(rng: random.Random, *pools: tuple[str, ...]) -> list[str]:
    """One name from each pool, all different."""
    out: list[str] = []
    for pool in pools:
        out.append(rng.choice([p for p in pool if p not in out]))
    return out


def _guarded(rng: random.Random, chance: float, guard: Callable[[], str], body: str) -> list[str]:
    """A loop's body line, under ``if guard():`` with chance ``chance`` (the guard is drawn
    only then)."""
    if rng.random() < chance:
        return [f"    if {guard()}:", f"        {body}"]
    return [f"    {body}"]


def range_sum(rng: random.Random) -> Idiom:
    i, total, n = _names(rng, INDEX, TOTAL, ("n", "n", "limit", "k", "size"))
    rng_expr = rng.choice([f"range({n})", f"range({n})", f"range(1, {n})", f"range(1, {n} + 1)", f"range({n}, 0, -1)",
                           f"range(0, {n}, 2)"])
    body = rng.choice([f"{total} += {i}", f"{total} += {i}", f"{total} += {i} * {rng.randint(2, 3)}",
                       f"{total} = {total} + {i} * {i}", f"{total} -= {i}", f"{total} += 1"])
    start = rng.choice(["0", "0", "0", "1", str(rng.randint(2, 9))])
    lines = [f"{total} = {start}", f"for {i} in {rng_expr}:",
             *_guarded(rng, 0.25, lambda: f"{i} % 2 == {rng.randint(0, 1)}", body)]
    return lines + [f"return {total}"], {n: _n(rng)}


def list_sum(rng: random.Random) -> Idiom:
    x, total, xs = _names(rng, ITEM, TOTAL, LIST)
    body = rng.choice([f"{total} += {x}", f"{total} += {x}", f"{total} = {total} + {x}", f"{total} += {x} * {x}"])
    lines = [f"{total} = 0", f"for {x} in {xs}:",
             *_guarded(rng, 0.35, lambda: f"{x} {rng.choice(['>', '<', '>=', '!='])} {rng.randint(0, 5)}", body)]
    return lines + [f"return {total}"], {xs: _list(rng)}


def while_counter(rng: random.Random) -> Idiom:
    i, total, n = _names(rng, INDEX, TOTAL, ("n", "limit", "k"))
    lines = [f"{total} = 0", f"{i} = {rng.choice(['0', '0', '1'])}", f"while {i} {rng.choice(['<', '<', '<='])} {n}:",
             f"    {rng.choice([f'{total} += {i}', f'{total} += {i} * 2', f'{total} += 1'])}",
             f"    {i} += {rng.choice(['1', '1', '1', '2'])}", f"return {rng.choice([total, total, i])}"]
    return lines, {n: _n(rng)}


def append_loop(rng: random.Random) -> Idiom:
    i, out, n = _names(rng, INDEX, OUT, ("n", "k", "size"))
    expr = rng.choice([i, i, f"{i} * {i}", f"{i} * 2", f"{i} + 1", f"str({i})", f"{i} % 3"])
    lines = [f"{out} = []", f"for {i} in range({n}):",
             *_guarded(rng, 0.3, lambda: f"{i} % 2 == 0", f"{out}.append({expr})")]
    return lines + [f"return {out}"], {n: _n(rng)}


def map_list(rng: random.Random) -> Idiom:
    x, out, xs = _names(rng, ITEM, OUT, LIST)
    expr = rng.choice([f"{x} * 2", f"{x} + 1", f"-{x}", f"{x} % 3", f"abs({x})", f"{x} // 2"])
    guard = lambda: rng.choice(  # noqa: E731
        [f"{x} > {rng.randint(0, 4)}", f"{x} < {rng.randint(0, 4)}", f"{x} % 2 == 0"])
    lines = [f"{out} = []", f"for {x} in {xs}:", *_guarded(rng, 0.4, guard, f"{out}.append({expr})")]
    return lines + [f"return {out}"], {xs: _list(rng)}


def count_chars(rng: random.Random) -> Idiom:
    ch, count, s = _names(rng, CHAR, ("count", "count", "n", "total", "hits", "k"), TEXT)
    cond = rng.choice([f"{ch} == {rng.choice('aeiost')!r}", f"{ch} in 'aeiou'", f"{ch}.isupper()", f"{ch}.isdigit()",
                       f"{ch} != ' '", f"{ch} == {ch}.lower()"])
    lines = [f"{count} = 0", f"for {ch} in {s}:", f"    if {cond}:", f"        {count} += 1", f"return {count}"]
    return lines, {s: _text(rng)}


def build_string(rng: random.Random) -> Idiom:
    ch, out, s = _names(rng, CHAR, OUT, TEXT)
    body = rng.choice([f"{out} = {ch} + {out}", f"{out} += {ch}", f"{out} += {ch}.upper()", f"{out} += {ch} * 2",
                       f"{out} = {out} + {ch} + '-'"])
    lines = [f"{out} = ''", f"for {ch} in {s}:", f"    {body}", f"return {out}"]
    return lines, {s: _text(rng)}


def running_max(rng: random.Random) -> Idiom:
    x, best, xs = _names(rng, ITEM, ("best", "biggest", "m", "top", "smallest", "lo"), LIST)
    op = ">" if best in ("best", "biggest", "m", "top") else "<"
    lines = [f"{best} = {xs}[0]", f"for {x} in {xs}:", f"    if {x} {op} {best}:", f"        {best} = {x}",
             f"return {best}"]
    values = rand_list_int(rng, 5) or [rng.randint(0, 9)]
    return lines, {xs: repr(values)}


def linear_search(rng: random.Random) -> Idiom:
    i, x, xs, target = _names(rng, INDEX, ITEM, LIST, ("target", "key", "goal", "wanted"))
    values = rand_list_int(rng, 5) or [1]
    goal = rng.choice(values) if rng.random() < 0.6 else rng.randint(-3, 12)
    if rng.random() < 0.5:
        lines = [f"for {i}, {x} in enumerate({xs}):", f"    if {x} == {target}:", f"        return {i}", "return -1"]
    else:
        lines = [f"for {i} in range(len({xs})):", f"    if {xs}[{i}] == {target}:", f"        return {i}", "return -1"]
    return lines, {xs: repr(values), target: str(goal)}


def dict_count(rng: random.Random) -> Idiom:
    w, counts, words = _names(rng, ("w", "word", "x", "key", "ch"), ("counts", "freq", "seen", "d"),
                              ("words", "items", "keys", "tokens"))
    body = rng.choice([f"{counts}[{w}] = {counts}.get({w}, 0) + 1",
                       f"if {w} in {counts}:\n        {counts}[{w}] += 1\n    else:\n        {counts}[{w}] = 1"])
    values = [rng.choice(WORDS[:6]) if rng.random() < 0.6 else rng.choice("abc") for _ in range(rng.randint(1, 5))]
    lines = [f"{counts} = {{}}", f"for {w} in {words}:", *("    " + line for line in body.split("\n    ")),
             f"return {counts}"]
    return lines, {words: repr(values)}


def nested_loops(rng: random.Random) -> Idiom:
    i, j, total, n = _names(rng, ("i", "i", "a", "r"), ("j", "j", "b", "c_"), TOTAL, ("n", "k", "size"))
    inner = rng.choice([f"range({i})", f"range({n})", f"range({i}, {n})"])
    body = rng.choice([f"{total} += {j}", f"{total} += {i} * {j}", f"{total} += 1"])
    lines = [f"{total} = 0", f"for {i} in range({n}):", f"    for {j} in {inner}:", f"        {body}", f"return {total}"]
    return lines, {n: str(rng.randint(0, 3))}


def digit_sum(rng: random.Random) -> Idiom:
    n, total = _names(rng, ("n", "num", "x"), TOTAL)
    body = rng.choice([f"{total} += {n} % 10", f"{total} = {total} * 10 + {n} % 10", f"{total} += 1"])
    lines = [f"{total} = 0", f"while {n} > 0:", f"    {body}", f"    {n} //= 10", f"return {total}"]
    return lines, {n: str(rng.choice([rng.randint(0, 99), rng.randint(100, 9999)]))}


def product_loop(rng: random.Random) -> Idiom:
    k, result, n = _names(rng, INDEX, ("result", "prod", "fact", "p"), ("n", "k", "m"))
    lines = [f"{result} = 1", f"for {k} in range(1, {n} + 1):", f"    {result} *= {k}", f"return {result}"]
    return lines, {n: str(rng.randint(0, 6))}


TEMPLATES: tuple[Template, ...] = (range_sum, range_sum, list_sum, while_counter, append_loop, map_list, count_chars,
                                   build_string, running_max, linear_search, dict_count, nested_loops, digit_sum,
                                   product_loop)


def idiom_program(rng: random.Random) -> tuple[str, str, str | None, str | None]:
    """``(kind, source, entry, args)``: a call of a one-idiom function (three in four), or the
    same idiom at module level with its inputs assigned and the result printed."""
    lines, inputs = rng.choice(TEMPLATES)(rng)
    if rng.random() < 0.75:
        name = rng.choice(FUNC)
        body = "\n".join("    " + line for text in lines for line in text.split("\n"))
        source = f"def {name}({', '.join(inputs)}):\n{body}\n"
        return "call", source, name, ", ".join(inputs.values())
    # module level: a return becomes the printed result (an early return becomes a print)
    head = [f"{name} = {value}" for name, value in inputs.items()]
    if any(line.strip().startswith("return") and line.startswith(" ") for line in lines):
        return "call", "def f(" + ", ".join(inputs) + "):\n" + "\n".join("    " + line for line in lines) + "\n", "f", \
            ", ".join(inputs.values())
    body = [f"print({line.strip().removeprefix('return ')})" if line.startswith("return") else line for line in lines]
    return "script", "\n".join(head + body) + "\n", None, None
