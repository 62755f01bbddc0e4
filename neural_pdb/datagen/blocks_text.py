"""Statement blocks over strings and numbers (str, int, float, bool).

Each block takes a :class:`Body`, returns False when the body lacks the variables it
needs, and otherwise emits a few lines and declares what it assigned. Loops are always
over finite collections or counters that strictly move toward their bound, so every
generated program terminates.
"""

from __future__ import annotations

from .body import Body
from .values import WORDS, rand_char, rand_word

STR_PREDICATES = ("isupper", "islower", "isdigit", "isalpha", "isspace", "isalnum")
STR_METHODS = ("upper", "lower", "title", "swapcase", "capitalize", "strip", "lstrip", "rstrip")


def _char(b: Body) -> str:
    return repr(rand_char(b.rng) if b.chance(0.7) else b.rng.choice("aeiouxyz"))


def str_method(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    method = b.rng.choice(STR_METHODS)
    if b.chance(0.5):
        b.add(f"{s} = {s}.{method}()")
        b.touch(s)
    else:
        new = b.fresh("str")
        b.add(f"{new} = {s}.{method}()")
        b.declare(new, "str")
    return True


def str_replace(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    old, new = _char(b), (_char(b) if b.chance(0.6) else repr(""))
    b.add(f"{s} = {s}.replace({old}, {new})" if b.chance(0.8) else f"{s} = {s}.replace({old}, {new}, 1)")
    b.touch(s)
    return True


def str_count(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    n = b.fresh("int", ("count", "hits"))
    b.add(f"{n} = {s}.count({_char(b)})")
    b.declare(n, "int")
    return True


def str_find(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    n = b.fresh("int", ("idx", "pos"))
    method = b.rng.choice(("find", "rfind"))
    b.add(f"{n} = {s}.{method}({_char(b)})")
    b.declare(n, "int")
    if b.chance(0.5):
        b.add(f"if {n} == -1:")
        if b.chance(0.4):
            b.add(f"return {s}", 1)
            b.returns += 1
        else:
            b.add(f"{n} = len({s})", 1)
    else:
        b.add(f"if {n} >= 0:")
        b.add(f"{s} = {s}[:{n}] + {s}[{n} + 1:]", 1)
        b.touch(s)
    return True


def str_build_loop(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    res = b.fresh("str", ("result", "out", "new_text"))
    ch = b.loop_name("str")
    cond = (f"{ch}.{b.rng.choice(STR_PREDICATES)}()" if b.chance(0.6)
            else f"{ch} in {b.rng.choice(['aeiou', 'abc', 'xyz', ' .,', '0123456789'])!r}")
    then = b.rng.choice([f"{ch}.upper()", f"{ch}.lower()", f"{ch} * 2", repr("*"), f"{ch}.swapcase()", "''"])
    other = b.rng.choice([ch, f"{ch}.upper()", repr("-"), f"{ch} + {ch}"])
    b.add(f"{res} = ''")
    b.add(f"for {ch} in {s}:")
    b.add(f"if {cond}:", 1)
    b.add(f"{res} += {then}", 2)
    if b.chance(0.7):
        b.add("else:", 1)
        b.add(f"{res} += {other}", 2)
    b.declare(res, "str")
    return True


def str_split(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    words = b.fresh("list_str", ("words", "parts"))
    sep = b.rng.choice(["", "", repr(" "), repr(","), repr("-"), _char(b)])
    b.add(f"{words} = {s}.split({sep})")
    b.declare(words, "list_str")
    return True


def str_join(b: Body) -> bool:
    words = b.pick("list_str")
    if words is None:
        return False
    s = b.fresh("str", ("joined", "line"))
    sep = b.rng.choice([repr(""), repr(" "), repr(", "), repr("-"), repr("|")])
    if b.chance(0.3):
        b.add(f"{s} = {sep}.join(reversed({words}))")
    else:
        b.add(f"{s} = {sep}.join({words})")
    b.declare(s, "str")
    return True


def str_slice(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    a, c = b.rng.randint(0, 3), b.rng.randint(2, 6)
    expr = b.rng.choice([f"{s}[::-1]", f"{s}[{a}:{c}]", f"{s}[{a}:]", f"{s}[:-{a + 1}]", f"{s}[::2]", f"{s}[-{c}:]"])
    if b.chance(0.4):
        b.add(f"{s} = {expr}")
        b.touch(s)
    else:
        new = b.fresh("str", ("sub", "piece", "tail", "head"))
        b.add(f"{new} = {expr}")
        b.declare(new, "str")
    return True


def str_prefix(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    fix = repr(b.rng.choice(["a", "b", "he", "th", "x", "1", " ", rand_word(b.rng)[:2]]))
    which = b.rng.choice(["startswith", "endswith"])
    b.add(f"if {s}.{which}({fix}):")
    if which == "startswith":
        b.add(f"{s} = {s}[len({fix}):]", 1)
    else:
        b.add(f"{s} = {s}[:-len({fix})]", 1)
    if b.chance(0.5):
        b.add("else:")
        b.add(f"{s} = {fix} + {s}" if which == "startswith" else f"{s} = {s} + {fix}", 1)
    b.touch(s)
    return True


def str_to_int(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    n = b.fresh("int", ("number", "num"))
    b.add(f"if {s}.isdigit():")
    b.add(f"{n} = int({s})", 1)
    b.add("else:")
    b.add(f"{n} = len({s})" if b.chance(0.7) else f"{n} = -1", 1)
    b.declare(n, "int")
    return True


def str_char_counts(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    d = b.fresh("dict", ("counts", "freq"))
    ch = b.loop_name("str")
    b.add(f"{d} = {{}}")
    b.add(f"for {ch} in {s}:")
    if b.chance(0.5):
        b.add(f"{d}[{ch}] = {d}.get({ch}, 0) + 1", 1)
    else:
        b.add(f"if {ch} in {d}:", 1)
        b.add(f"{d}[{ch}] += 1", 2)
        b.add("else:", 1)
        b.add(f"{d}[{ch}] = 1", 2)
    b.declare(d, "dict")
    return True


def str_positions(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    res = b.fresh("list_int", ("positions", "indices"))
    ch = b.loop_name("str")
    b.add(f"{res} = []")
    b.add(f"for i, {ch} in enumerate({s}):")
    b.add(f"if {ch} == {_char(b)}:" if b.chance(0.5) else f"if {ch}.{b.rng.choice(STR_PREDICATES)}():", 1)
    b.add(f"{res}.append(i)", 2)
    b.declare(res, "list_int")
    return True


def str_pad(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    width = b.rng.randint(3, 10)
    fill = repr(b.rng.choice("*-. #0"))
    expr = b.rng.choice([f"{s}.center({width}, {fill})", f"{s}.ljust({width}, {fill})", f"{s}.rjust({width}, {fill})",
                         f"{s}.zfill({width})"])
    b.add(f"{s} = {expr}")
    b.touch(s)
    return True


def str_format(b: Body) -> bool:
    s, n = b.pick("str"), b.pick("int")
    if s is None or n is None:
        return False
    new = b.fresh("str", ("label", "msg"))
    b.add(b.rng.choice([f"{new} = f'{{{s}}}:{{{n}}}'", f"{new} = {s} + str({n})", f"{new} = '{{}}-{{}}'.format({s}, {n})",
                        f"{new} = {s} * ({n} % 3)"]))
    b.declare(new, "str")
    return True


def str_partition(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    head, tail = b.fresh("str", ("head", "left")), b.fresh("str", ("tail", "right"))
    method = b.rng.choice(["partition", "rpartition"])
    b.add(f"{head}, _, {tail} = {s}.{method}({_char(b)})")
    b.declare(head, "str")
    b.declare(tail, "str")
    return True


def str_trim_loop(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    c = _char(b)
    if b.chance(0.5):
        b.add(f"while {s} and {s}[-1] == {c}:")
        b.add(f"{s} = {s}[:-1]", 1)
    else:
        b.add(f"while len({s}) > {b.rng.randint(2, 6)}:")
        b.add(f"{s} = {s}[1:]" if b.chance(0.5) else f"{s} = {s}[:-1]", 1)
    b.touch(s)
    return True


def str_chars_list(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    chars = b.fresh("list_str", ("chars", "letters"))
    b.add(b.rng.choice([f"{chars} = list({s})", f"{chars} = sorted({s})", f"{chars} = [c for c in {s} if c != ' ']"]))
    b.declare(chars, "list_str")
    return True


def str_vowels(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    n = b.fresh("int", ("vowels", "count"))
    b.add(b.rng.choice([f"{n} = sum(1 for c in {s} if c in 'aeiou')", f"{n} = len([c for c in {s} if c.isupper()])",
                        f"{n} = sum(ord(c) for c in {s}) % 100"]))
    b.declare(n, "int")
    return True


def int_arith(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    k = b.rng.randint(2, 9)
    other = b.pick("int") or str(b.rng.randint(1, 5))
    expr = b.rng.choice([f"{n} * {k} + {other}", f"{n} // {k}", f"{n} % {k}", f"{n} - {other}", f"abs({n} - {k})",
                         f"{n} ** 2", f"max({n}, {other})", f"min({n}, {k})", f"({n} + {other}) * {k}"])
    if b.chance(0.5):
        b.add(f"{n} = {expr}")
        b.touch(n)
    else:
        new = b.fresh("int")
        b.add(f"{new} = {expr}")
        b.declare(new, "int")
    return True


def int_aug(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    op = b.rng.choice(["+=", "-=", "*=", "//=", "%="])
    val = b.rng.randint(1, 4) if op not in ("//=", "%=") else b.rng.randint(2, 5)
    b.add(f"{n} {op} {val}")
    b.touch(n)
    return True


def int_digits(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    total, m = b.fresh("int", ("digit_sum", "total")), b.fresh("int", ("rest", "m"))
    b.add(f"{total} = 0")
    b.add(f"{m} = abs({n})")
    b.add(f"while {m} > 0:")
    b.add(f"{total} += {m} % 10" if b.chance(0.7) else f"{total} = {total} * 10 + {m} % 10", 1)
    b.add(f"{m} //= 10", 1)
    b.declare(total, "int")
    return True


def int_range_loop(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    acc = b.fresh("int", ("acc", "total"))
    i = b.loop_name("int")
    hi = b.rng.randint(2, 6)
    b.add(f"{acc} = {b.rng.choice(['0', '1', n])}")
    b.add(f"for {i} in range({b.rng.choice(['', '1, '])}{hi}):")
    body = b.rng.choice([f"{acc} += {i}", f"{acc} = {acc} * 2 - {i}", f"{acc} += {n} % ({i} + 1)"])
    if b.chance(0.4):
        b.add(f"if {i} % 2 == 0:", 1)
        b.add(body, 2)
    else:
        b.add(body, 1)
    b.declare(acc, "int")
    return True


def int_branch(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    t = b.rng.randint(0, 10)
    words = b.rng.sample(WORDS, 3)
    if b.chance(0.5):
        vals = [repr(w) for w in words]
        res = b.fresh("str", ("kind", "level"))
    else:
        res = b.fresh("int", ("sign", "level"))
        vals = [str(b.rng.randint(-3, 9)) for _ in range(3)]
    b.add(f"if {n} > {t}:")
    b.add(f"{res} = {vals[0]}", 1)
    if b.chance(0.6):
        b.add(f"elif {n} == {t}:" if b.chance(0.5) else f"elif {n} % 2 == 0:")
        b.add(f"{res} = {vals[1]}", 1)
    b.add("else:")
    b.add(f"{res} = {vals[2]}", 1)
    b.declare(res, "str" if vals[0].startswith("'") else "int")
    return True


def int_divmod(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    q, r = b.fresh("int", ("q", "quot")), b.fresh("int", ("r", "rem"))
    b.add(f"{q}, {r} = divmod({n}, {b.rng.randint(2, 7)})")
    b.declare(q, "int")
    b.declare(r, "int")
    return True


def int_swap(b: Body) -> bool:
    names = [n for n, t in b.env.items() if t == "int"]
    if len(names) < 2:
        return False
    x, y = b.rng.sample(names, 2)
    b.add(f"if {x} > {y}:")
    b.add(f"{x}, {y} = {y}, {x}", 1)
    b.touch(x)
    return True


def int_float(b: Body) -> bool:
    n = b.pick("int", "float")
    if n is None:
        return False
    f = b.fresh("float", ("ratio", "avg"))
    b.add(b.rng.choice([f"{f} = {n} / {b.rng.randint(2, 8)}", f"{f} = round({n} / 3, 2)", f"{f} = {n} * 1.5",
                        f"{f} = float({n}) - 0.5"]))
    b.declare(f, "float")
    return True


def float_ops(b: Body) -> bool:
    f = b.pick("float")
    if f is None:
        return False
    n = b.fresh("int", ("whole", "rounded"))
    b.add(b.rng.choice([f"{n} = int({f})", f"{n} = round({f})", f"{n} = int({f} * 10) % 7"]))
    b.declare(n, "int")
    return True


def bool_flag(b: Body) -> bool:
    x = b.pick("int", "str", "list_int", "list_str")
    if x is None:
        return False
    flag = b.fresh("bool")
    t = b.type_of(x)
    if t == "int":
        expr = b.rng.choice([f"{x} % 2 == 0", f"{x} > 0", f"{x} in (1, 2, 3)"])
    elif t == "str":
        expr = b.rng.choice([f"{x}.isalpha()", f"{x} == {x}[::-1]", f"len({x}) > 3", f"'a' in {x}", f"not {x}"])
    else:
        expr = b.rng.choice([f"len({x}) > 2", f"{x} == sorted({x})", f"not {x}", f"any({x})", f"all({x})"])
    b.add(f"{flag} = {expr}")
    b.declare(flag, "bool")
    if b.chance(0.5):
        b.add(f"if {flag}:" if b.chance(0.5) else f"if not {flag}:")
        y = b.pick("int", "str")
        if y and b.type_of(y) == "int":
            b.add(f"{y} += 1", 1)
        elif y:
            b.add(f"{y} = {y}.upper()", 1)
        else:
            b.add(f"{flag} = not {flag}", 1)
    return True


BLOCKS = [str_method, str_replace, str_count, str_find, str_build_loop, str_split, str_join, str_slice, str_prefix,
          str_to_int, str_char_counts, str_positions, str_pad, str_format, str_partition, str_trim_loop,
          str_chars_list, str_vowels, int_arith, int_aug, int_digits, int_range_loop, int_branch, int_divmod,
          int_swap, int_float, float_ops, bool_flag]
