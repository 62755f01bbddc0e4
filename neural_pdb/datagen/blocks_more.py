"""Statement blocks for the builtin methods the first blocks never call (``rsplit``,
``removeprefix``, ``translate``, ``dict.fromkeys``, ``set.intersection``, ``bit_length``...).

Same contract as :mod:`blocks_text`. They are added to a share of generated functions by
:func:`neural_pdb.datagen.programs.generate_program` (``more_fraction``), from an RNG of
their own, so the original program stream stays reproducible.
"""

from __future__ import annotations

from .body import Body


def _sep(b: Body) -> str:
    return repr(b.rng.choice([" ", ",", "-", "a", "e", ".", "o"]))


def str_rsplit(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    parts = b.fresh("list_str", ("parts", "pieces", "fields"))
    limit = b.rng.choice(["", ", 1", ", 2", ", maxsplit=1"])
    sep = _sep(b) if limit or b.chance(0.6) else "None"
    b.add(f"{parts} = {s}.rsplit({sep}{limit})")
    b.declare(parts, "list_str")
    return True


def str_lines(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    rows = b.fresh("list_str", ("rows", "lines"))
    b.add(f"{rows} = {s}.replace({_sep(b)}, '\\n').splitlines()")
    b.declare(rows, "list_str")
    if b.chance(0.5):
        n = b.fresh("int", ("widest", "longest"))
        b.add(f"{n} = max((len(r) for r in {rows}), default=0)")
        b.declare(n, "int")
    return True


def str_rindex(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    c = repr(b.rng.choice("aeioust "))
    n = b.fresh("int", ("last", "pos"))
    method = b.rng.choice(["rindex", "index"])
    b.add(f"if {c} in {s}:")
    b.add(f"{n} = {s}.{method}({c})", 1)
    b.add("else:")
    b.add(f"{n} = -1", 1)
    b.declare(n, "int")
    return True


def str_affix(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    method = b.rng.choice(["removeprefix", "removesuffix"])
    affix = b.rng.choice([f"{s}[:2]", f"{s}[-1:]", repr(b.rng.choice(["a", "ab", "the", "x", "s", "ing"]))])
    if "[" in affix and method == "removeprefix" and b.chance(0.5):
        affix = f"{s}[:1]"
    b.add(f"{s} = {s}.{method}({affix})")
    b.touch(s)
    return True


def str_more_predicates(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    method = b.rng.choice(["isnumeric", "isdecimal", "istitle", "isidentifier", "isprintable", "isascii"])
    flag = b.fresh("bool", ("ok", "is_valid", "flag"))
    b.add(f"{flag} = {s}.{method}()")
    b.declare(flag, "bool")
    if b.chance(0.5):
        b.add(f"if {flag}:")
        b.add(f"{s} = {s}.{b.rng.choice(['casefold', 'swapcase', 'title'])}()", 1)
        b.touch(s)
    return True


def str_translate(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    table = b.fresh("any", ("table", "trans"))
    roll = b.rng.random()
    if roll < 0.4:
        src = "".join(b.rng.sample("aeioulnrst", 3))
        dst = "".join(b.rng.sample("AEIOU0123*", 3))
        b.add(f"{table} = str.maketrans({src!r}, {dst!r})")
    elif roll < 0.7:
        b.add(f"{table} = str.maketrans('', '', {''.join(b.rng.sample('aeiou ,.', 3))!r})")
    else:
        b.add(f"{table} = str.maketrans({{{b.rng.choice('aeiou')!r}: {b.rng.choice(['None', repr('*'), repr('_')])}}})")
    b.declare(table, "any")
    b.add(f"{s} = {s}.translate({table})")
    b.touch(s)
    return True


def str_encode_tabs(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    if b.chance(0.5):
        raw = b.fresh("any", ("raw", "data_bytes"))
        b.add(f"{raw} = {s}.encode({b.rng.choice(['', repr('utf-8')])})")
        b.declare(raw, "any")
        n = b.fresh("int", ("size", "nbytes"))
        b.add(f"{n} = len({raw})")
        b.declare(n, "int")
    else:
        b.add(f"{s} = {s}.replace(' ', '\\t').expandtabs({b.rng.choice([2, 4, 8])})")
        b.touch(s)
    return True


def dict_fromkeys(b: Body) -> bool:
    src = b.pick("list_str", "str", "list_int")
    if src is None:
        return False
    d = b.fresh("dict", ("marks", "flags", "table"))
    value = b.rng.choice(["0", "1", "False", "None"])
    b.add(f"{d} = dict.fromkeys({src}, {value})")
    # later blocks treat a "dict" as str -> int
    b.declare(d, "dict" if value in ("0", "1") and b.type_of(src) != "list_int" else "any")
    return True


def dict_popitem_clear(b: Body) -> bool:
    d = b.pick("dict")
    if d is None:
        return False
    if b.chance(0.6):
        k, v = b.fresh("str", ("last_key", "key")), b.fresh("int", ("last_val", "val"))
        b.add(f"if {d}:")
        b.add(f"{k}, {v} = {d}.popitem()", 1)
        b.add("else:")
        b.add(f"{k}, {v} = '', 0", 1)
        b.declare(k, "str")
        b.declare(v, "int")
    else:
        b.add(f"if len({d}) > {b.rng.randint(1, 4)}:")
        b.add(f"{d}.clear()", 1)
        b.touch(d)
    return True


def list_clear_copy(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    kind = b.type_of(lst)
    backup = b.fresh(kind, ("backup", "saved", "snapshot"))
    b.add(f"{backup} = {lst}.copy()")
    b.declare(backup, kind)
    b.add(f"if len({lst}) {b.rng.choice(['>', '>=', '<'])} {b.rng.randint(1, 5)}:")
    b.add(f"{lst}.clear()", 1)
    b.touch(lst)
    return True


def set_methods(b: Body) -> bool:
    first = b.pick("list_int", "list_str", "str", "set")
    if first is None:
        return False
    kind = b.type_of(first)
    others = [n for n, t in b.env.items() if t == kind and n != first]
    a = b.fresh("set", ("seen", "left_set", "pool"))
    b.add(f"{a} = set({first})")
    b.declare(a, "set" if kind in ("list_int", "set") else "any")
    other = f"set({b.rng.choice(others)})" if others else (f"set({first}[::2])" if kind != "set" else f"{{{b.rng.randint(0, 9)}}}")
    method = b.rng.choice(["intersection", "union", "difference", "symmetric_difference", "issubset",
                           "issuperset", "isdisjoint", "difference_update", "intersection_update"])
    if method.endswith("_update"):
        b.add(f"{a}.{method}({other})")
        b.touch(a)
    else:
        res = b.fresh("bool" if method.startswith("is") else "any", ("common", "merged", "flag"))
        b.add(f"{res} = {a}.{method}({other})")
        b.declare(res, "bool" if method.startswith("is") else "any")
    return True


def int_bits(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    res = b.fresh("int", ("bits", "ones", "width"))
    method = b.rng.choice(["bit_length", "bit_count"])
    b.add(f"{res} = {n}.{method}()")
    b.declare(res, "int")
    return True


def float_integer(b: Body) -> bool:
    x = b.pick("float", "int")
    if x is None:
        return False
    flag = b.fresh("bool", ("whole", "exact"))
    b.add(f"{flag} = float({x} / 2).is_integer()" if b.type_of(x) == "int" else f"{flag} = {x}.is_integer()")
    b.declare(flag, "bool")
    return True


BLOCKS = [str_rsplit, str_lines, str_rindex, str_affix, str_more_predicates, str_translate, str_encode_tabs,
          dict_fromkeys, dict_popitem_clear, list_clear_copy, set_methods, int_bits, float_integer]
