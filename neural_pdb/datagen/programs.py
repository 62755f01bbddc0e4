"""The program generator: short, real-looking functions (called once with drawn
arguments, CruxEval style) and whole scripts (module-level code calling functions with
literal arguments).

Deterministic: the same seed gives the same programs. Every program is valid Python and
terminates (loops are bounded by construction); some raise, on purpose, as real programs
do. :func:`generate_program` is the entry point.
"""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass

from . import blocks_collections, blocks_more, blocks_text, snippets
from .body import NAME_POOLS, Body
from .rename import rename_program
from .script_dress import assemble_script, dress_script
from .seeding import own_rng
from .widen import widen_args
from .idioms import idiom_program
from .values import NAMES, literal, rand_literal, rand_str

ALL_BLOCKS = blocks_text.BLOCKS + blocks_collections.BLOCKS
#: Parameter types and how often a parameter has each.
PARAM_WEIGHTS = {"str": 30, "list_int": 20, "list_str": 12, "dict": 10, "int": 14, "char": 5, "small": 5, "bool": 2,
                 "float": 2}
#: Value type -> body type.
BODY_TYPE = {"char": "str", "small": "int"}
PARAM_NAMES = {"str": ("text", "s", "string", "word", "sentence", "name", "line"), "char": ("char", "c", "sep", "letter"),
               "int": ("n", "num", "k", "x", "limit", "count", "start"), "small": ("n", "times", "k", "depth", "size"),
               "list_int": ("nums", "numbers", "arr", "values", "items", "data", "lst"),
               "list_str": ("words", "names", "strings", "parts", "tokens"), "dict": ("d", "counts", "mapping", "stock", "ages"),
               "bool": ("flag", "reverse", "strict"), "float": ("x", "ratio", "price")}
FUNC_NAMES = ("f", "process", "transform", "count_items", "normalize", "summarize", "encode", "clean", "analyze",
              "merge", "solve", "compute", "score", "build", "collect", "filter_values", "parse", "check", "helper",
              "convert", "update_counts", "split_parts", "rotate", "compress", "tally", "format_name", "combine")


@dataclass(frozen=True)
class GeneratedProgram:
    """``kind`` is ``"call"`` (trace ``entry(*args)``, args as CruxEval writes an input:
    ``"'abc', 3"``) or ``"script"`` (trace the whole module)."""

    kind: str
    source: str
    entry: str | None = None
    args: str | None = None


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _params(rng: random.Random, count: int) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for _ in range(count):
        t = _weighted(rng, PARAM_WEIGHTS)
        names = [n for n in PARAM_NAMES[t] if n not in {p for p, _ in params}]
        if names:
            params.append((rng.choice(names), t))
    return params


def _return_line(b: Body) -> str:
    candidates = [n for n in reversed(b.order)]
    if not candidates:
        return "return None"
    first = candidates[0] if b.chance(0.6) else b.rng.choice(candidates)
    roll = b.rng.random()
    if roll < 0.15 and len(candidates) > 1:
        second = b.rng.choice([c for c in candidates if c != first])
        return f"return {first}, {second}"
    if roll < 0.25 and b.type_of(first) in ("list_int", "list_str", "str", "dict", "set"):
        return f"return len({first})" if b.chance(0.5) else f"return {first}" if b.type_of(first) != "set" else f"return sorted({first})"
    if b.type_of(first) == "set":
        return f"return sorted({first})"
    return f"return {first}"


def gen_body(rng: random.Random, params: list[tuple[str, str]], n_blocks: int, helper: tuple[str, str, str] | None = None) -> Body:
    """A body of ``n_blocks`` blocks over ``params``; ``helper`` = (name, param type, return type)
    of a function the body may call."""
    b = Body(rng)
    for name, t in params:
        b.declare(name, BODY_TYPE.get(t, t))
    done, tries = 0, 0
    helper_called = False
    while done < n_blocks and tries < n_blocks * 8:
        tries += 1
        if helper and not helper_called and (done >= n_blocks // 2 or rng.random() < 0.3):
            helper_called = _call_helper(b, helper)
            if helper_called:
                done += 1
                continue
        block = rng.choice(ALL_BLOCKS)
        before = len(b.lines)
        if block(b):
            done += 1
            if b.returns > 1:  # two early exits read unnaturally; drop the later one
                del b.lines[before:]
                b.returns -= 1
    if helper and not helper_called:
        _call_helper(b, helper, force=True)
    b.add(_return_line(b))
    return b


def _call_helper(b: Body, helper: tuple[str, str, str], force: bool = False) -> bool:
    name, ptype, rtype = helper
    ptype = BODY_TYPE.get(ptype, ptype)
    arg = b.pick(ptype)
    elem_list = {"int": "list_int", "str": "list_str"}.get(ptype)
    coll = b.pick(elem_list) if elem_list else None
    if coll and b.chance(0.5):
        res = b.fresh("any", ("results", "mapped"))
        if b.chance(0.5):
            b.add(f"{res} = [{name}(x) for x in {coll}]")
        else:
            b.add(f"{res} = []")
            b.add(f"for x in {coll}:")
            b.add(f"{res}.append({name}(x))", 1)
        b.declare(res, "any")
        return True
    if arg is None:
        if not force:
            return False
        arg = rand_literal(b.rng, ptype if ptype in ("str", "int") else "int")
    res = b.fresh(rtype if rtype in NAME_POOLS else "any", ("res", "value"))
    b.add(f"{res} = {name}({arg})")
    b.declare(res, rtype if rtype in NAME_POOLS else "any")
    return True


def _add_more_blocks(b: Body, fraction: float) -> None:
    """With chance ``fraction``, one block of :mod:`.blocks_more` before the final return,
    drawn from an RNG of its own (seeded by the body): the caller's RNG sees nothing."""
    own = own_rng("more", "\n".join(b.lines))
    if own.random() >= fraction:
        return
    ret = b.lines.pop()
    main, b.rng = b.rng, own
    try:
        for block in own.sample(blocks_more.BLOCKS, len(blocks_more.BLOCKS)):
            if block(b):
                break
    finally:
        b.rng = main
        b.lines.append(ret)


def _function(rng: random.Random, name: str, params: list[tuple[str, str]], n_blocks: int,
              helper: tuple[str, str, str] | None = None, more: float = 0.0) -> tuple[str, str]:
    """Source of a generated function and the type of what it most likely returns
    (``more``: the chance of one more block calling a method the main blocks never do)."""
    b = gen_body(rng, params, n_blocks, helper)
    if more > 0:
        _add_more_blocks(b, more)
    header = f"def {name}({', '.join(p for p, _ in params)}):"
    ret = b.lines[-1].strip().removeprefix("return ")
    return "\n".join([header] + b.lines) + "\n", b.env.get(ret, "any")


def _args_literal(rng: random.Random, types: list[str] | tuple[str, ...]) -> str:
    parts = []
    for t in types:
        special = snippets.special_value(rng, t)
        parts.append(special if special is not None else rand_literal(rng, t))
    return ", ".join(parts)


def _helper(rng: random.Random, taken: set[str], more: float = 0.0) -> tuple[str, tuple[str, str, str]]:
    """A one-parameter helper function: generated, or a recursive template."""
    name = rng.choice([n for n in FUNC_NAMES if n not in taken and n != "f"])
    taken.add(name)
    if rng.random() < 0.35:
        tpl = rng.choice([t for t in snippets.RECURSIVE if len(t.params) == 1 and t.params[0] in ("small", "int", "str")])
        return tpl.source.format(f=name), (name, tpl.params[0], tpl.ret)
    ptype = rng.choice(["int", "str", "str", "int", "list_int"])
    pname = rng.choice(PARAM_NAMES[ptype])
    src, ret = _function(rng, name, [(pname, ptype)], rng.randint(1, 2), more=more)
    return src, (name, ptype, ret)


def gen_call_program(rng: random.Random, more: float = 0.0) -> GeneratedProgram:
    """One entry function ``f`` (maybe with a helper before it) and drawn arguments."""
    roll = rng.random()
    if roll < 0.12:
        tpl = snippets.pick_recursive(rng)
        return GeneratedProgram("call", tpl.source.format(f="f"), "f", _args_literal(rng, tpl.params))
    if roll < 0.18:
        tpl = rng.choice(snippets.RAISE_CATCH)
        g = rng.choice(["check", "convert", "lookup", "validate", "get_value"])
        return GeneratedProgram("call", tpl.source.format(f="f", g=g), "f", _args_literal(rng, tpl.params))
    helper_src, helper = ("", None)
    if roll < 0.38:
        helper_src, helper = _helper(rng, {"f"}, more)
    params = _params(rng, rng.choices([1, 2, 3], weights=[45, 40, 15])[0])
    src, _ = _function(rng, "f", params, rng.randint(2, 5), helper, more)
    source = (helper_src + "\n\n" + src) if helper_src else src
    return GeneratedProgram("call", source, "f", _args_literal(rng, [t for _, t in params]))


def gen_script(rng: random.Random, dress_fraction: float = 0.0, more: float = 0.0) -> GeneratedProgram:
    """Module-level code: one to three functions (or a class), then calls with literal
    arguments, assignments, a loop, prints; a ``dress_fraction`` of them also get what real
    scripts have around that (:mod:`.script_dress`)."""
    taken: set[str] = set()
    defs: list[str] = []
    calls: list[str] = []
    if rng.random() < 0.3:
        cls_src, uses = rng.choice(snippets.CLASSES)
        cname = snippets.CLASS_NAMES[snippets.CLASSES.index((cls_src, uses))]
        obj = rng.choice(["obj", "item", "x", cname.lower(), "inst"])
        fill = {"C": cname, "obj": obj}
        defs.append(cls_src.format(C=cname))
        for use in uses:
            calls.append(use.format(**fill, list_int=rand_literal(rng, "list_int"), list_str=rand_literal(rng, "list_str"),
                                    name=repr(rng.choice(NAMES)), int=rng.randint(0, 30), small=rng.randint(1, 5),
                                    small_pos=rng.randint(1, 9)))
    for _ in range(rng.choices([1, 2, 3], weights=[50, 35, 15])[0] if not defs else rng.randint(0, 1)):
        name = rng.choice([n for n in FUNC_NAMES if n not in taken])
        taken.add(name)
        if rng.random() < 0.2:
            tpl = snippets.pick_recursive(rng)
            defs.append(tpl.source.format(f=name))
            types = list(tpl.params)
        else:
            params = _params(rng, rng.choices([1, 2], weights=[60, 40])[0])
            defs.append(_function(rng, name, params, rng.randint(1, 4), more=more)[0])
            types = [t for _, t in params]
        var = rng.choice(["result", "out", "value", "answer", "res", "r", name.split("_")[0] + "_result"])
        style = rng.random()
        if style < 0.5:
            calls.append(f"{var} = {name}({_args_literal(rng, types)})")
            calls.append(f"print({var})" if rng.random() < 0.7 else f"print('{name}:', {var})")
        elif style < 0.75 and len(types) == 1:
            data = ", ".join(_args_literal(rng, types) for _ in range(rng.randint(2, 3)))
            calls.append(f"for arg in [{data}]:\n    print({name}(arg))")
        else:
            data_name = rng.choice(["data", "inputs", "sample", "payload"])
            if data_name in taken:
                data_name += "2"
            taken.add(data_name)
            calls.append(f"{data_name} = {_args_literal(rng, types[:1])}")
            rest = _args_literal(rng, types[1:])
            calls.append(f"{var} = {name}({data_name}{', ' + rest if rest else ''})")
            calls.append(f"print({data_name}, {var})")
    if rng.random() < 0.2:
        calls.insert(0, f"{rng.choice(['LIMIT', 'DEBUG', 'GREETING', 'SCALE'])} = {literal(rng.choice([3, True, rand_str(rng), 2.5]))}")
    return GeneratedProgram("script", assemble_script(*dress_script(defs, calls, dress_fraction)))


def generate_program(rng: random.Random, script_fraction: float = 0.3, dress_fraction: float = 0.0,
                     rename_fraction: float = 0.0, widen_fraction: float = 0.0,
                     more_fraction: float = 0.0, idiom_fraction: float = 0.0) -> GeneratedProgram:
    """One program; the source is checked to parse (a generator bug must not reach the data).

    The other fractions are shares of changes made after the fact: scripts dressed
    (:mod:`.script_dress`), programs renamed (:mod:`.rename`), calls with longer arguments
    (:mod:`.widen`), functions with a block of :mod:`.blocks_more`, programs replaced by one
    everyday loop idiom (:mod:`.idioms`). They draw nothing from ``rng`` (:mod:`.seeding`):
    the program stream is the same for any value of them."""
    program = gen_script(rng, dress_fraction, more_fraction) if rng.random() < script_fraction \
        else gen_call_program(rng, more_fraction)
    if idiom_fraction > 0 and own_rng("idiom?", program.source).random() < idiom_fraction:
        # its names are already drawn from the pools people use: no renaming or widening
        program = GeneratedProgram(*idiom_program(own_rng("idiom", program.source)))
        ast.parse(program.source)
        return program
    if rename_fraction > 0:
        own = own_rng("rename?", program.source)
        if own.random() < rename_fraction:
            # CruxEval's entry is always f: keep that name in half of the renamed programs
            keep = frozenset({"f"}) if own.random() < 0.5 else frozenset()
            source, entry = rename_program(program.source, program.entry, keep)
            program = GeneratedProgram(program.kind, source, entry, program.args)
    if widen_fraction > 0 and program.args:
        if own_rng("widen?", program.source).random() < widen_fraction:
            program = GeneratedProgram(program.kind, program.source, program.entry,
                                       widen_args(program.args, program.source))
    ast.parse(program.source)
    return program
