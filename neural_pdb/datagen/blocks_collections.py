"""Statement blocks over collections (list, dict, set, tuple) and exceptions.

Same contract as :mod:`blocks_text`: a block returns False when the body lacks what it
needs; loops run over finite collections or shrink one toward empty.
"""

from __future__ import annotations

from .body import Body
from .values import rand_word


def _num(b: Body, lo: int = 0, hi: int = 9) -> str:
    return str(b.rng.randint(lo, hi))


def list_filter_loop(b: Body) -> bool:
    lst = b.pick("list_int")
    if lst is None:
        return False
    res = b.fresh("list_int", ("result", "evens", "out", "kept"))
    x = b.loop_name("int")
    cond = b.rng.choice([f"{x} % 2 == 0", f"{x} > {_num(b)}", f"{x} < {_num(b)}", f"{x} not in {res}", f"{x} % 3 != 0"])
    val = b.rng.choice([x, f"{x} * 2", f"{x} + 1", f"{x} ** 2", f"-{x}", f"{x} // 2"])
    b.add(f"{res} = []")
    b.add(f"for {x} in {lst}:")
    b.add(f"if {cond}:", 1)
    b.add(f"{res}.append({val})", 2)
    if b.chance(0.3):
        b.add("else:", 1)
        b.add(f"{res}.insert(0, {x})", 2)
    b.declare(res, "list_int")
    return True


def list_comprehension(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    if b.type_of(lst) == "list_int":
        res, t = b.fresh("list_int", ("doubled", "squares", "result")), "list_int"
        expr = b.rng.choice([f"[x * {_num(b, 2, 4)} for x in {lst}]", f"[x for x in {lst} if x > {_num(b)}]",
                             f"[x - i for i, x in enumerate({lst})]", f"[abs(x) % 5 for x in {lst}]",
                             f"[{lst}.count(x) for x in {lst}]"])
    else:
        res, t = b.fresh("list_str", ("upper", "short", "result")), "list_str"
        expr = b.rng.choice([f"[w.upper() for w in {lst}]", f"[w for w in {lst} if len(w) > {_num(b, 1, 4)}]",
                             f"[w[::-1] for w in {lst}]", f"[w[0] for w in {lst} if w]", f"[w.strip() for w in {lst}]"])
    b.add(f"{res} = {expr}")
    b.declare(res, t)
    return True


def list_aggregate(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    n = b.fresh("int", ("total", "biggest", "smallest", "length"))
    if b.type_of(lst) == "list_int":
        expr = b.rng.choice([f"sum({lst})", f"max({lst}, default=0)", f"min({lst}, default=-1)", f"len({lst})",
                             f"sum(x for x in {lst} if x > 0)", f"len(set({lst}))"])
    else:
        expr = b.rng.choice([f"len({lst})", f"sum(len(w) for w in {lst})", f"len(max({lst}, key=len, default=''))"])
    b.add(f"{n} = {expr}")
    b.declare(n, "int")
    return True


def list_mutate(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    is_int = b.type_of(lst) == "list_int"
    v = _num(b, -2, 9) if is_int else repr(rand_word(b.rng))
    op = b.rng.choice(["append", "insert", "extend", "reverse", "sort", "pop", "remove", "sort_rev", "setitem", "del"])
    if op == "append":
        b.add(f"{lst}.append({v})")
    elif op == "insert":
        b.add(f"{lst}.insert({b.rng.randint(0, 2)}, {v})")
    elif op == "extend":
        b.add(f"{lst}.extend([{v}, {v}])" if b.chance(0.5) else f"{lst} += [{v}]")
    elif op == "reverse":
        b.add(f"{lst}.reverse()")
    elif op == "sort":
        b.add(f"{lst}.sort()")
    elif op == "sort_rev":
        b.add(f"{lst}.sort(reverse=True)" if is_int else f"{lst}.sort(key=len)")
    elif op == "pop":
        b.add(f"if {lst}:")
        b.add(f"{lst}.pop({b.rng.choice(['', '0'])})", 1)
    elif op == "remove":
        b.add(f"if {v} in {lst}:")
        b.add(f"{lst}.remove({v})", 1)
    elif op == "setitem":
        b.add(f"if len({lst}) > 1:")
        b.add(f"{lst}[1] = {v}" if b.chance(0.5) else f"{lst}[0], {lst}[-1] = {lst}[-1], {lst}[0]", 1)
    else:
        b.add(f"if {lst}:")
        b.add(f"del {lst}[{b.rng.choice(['0', '-1'])}]", 1)
    b.touch(lst)
    return True


def list_index_loop(b: Body) -> bool:
    lst = b.pick("list_int")
    if lst is None:
        return False
    i = b.loop_name("int")
    b.add(f"for {i} in range(len({lst})):")
    body = b.rng.choice([f"{lst}[{i}] = {lst}[{i}] + {i}", f"{lst}[{i}] *= 2", f"{lst}[{i}] = {lst}[{i}] % 4"])
    if b.chance(0.5):
        b.add(f"if {lst}[{i}] {b.rng.choice(['>', '<', '=='])} {_num(b, 0, 5)}:", 1)
        b.add(body, 2)
    else:
        b.add(body, 1)
    b.touch(lst)
    return True


def list_while_pop(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    out = b.fresh("list_int" if b.type_of(lst) == "list_int" else "list_str", ("taken", "stack"))
    b.add(f"{out} = []")
    b.add(f"while {lst}:" if b.chance(0.6) else f"while len({lst}) > {b.rng.randint(1, 3)}:")
    b.add(f"{out}.append({lst}.pop())", 1)
    b.declare(out, b.type_of(lst))
    b.touch(lst)
    return True


def list_enumerate_count(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    n = b.fresh("int", ("count", "matches"))
    x = b.loop_name("int" if b.type_of(lst) == "list_int" else "word")
    b.add(f"{n} = 0")
    b.add(f"for i, {x} in enumerate({lst}):")
    if b.type_of(lst) == "list_int":
        b.add(b.rng.choice([f"if {x} > i:", f"if {x} == i:", f"if i % 2 == 0:", f"if {x} % 2 == 1:"]), 1)
    else:
        b.add(b.rng.choice([f"if len({x}) > i:", f"if {x}.startswith('{rand_word(b.rng)[0]}'):", f"if i % 2 == 0:"]), 1)
    b.add(f"{n} += 1" if b.chance(0.7) else f"{n} += i", 2)
    b.declare(n, "int")
    return True


def list_zip(b: Body) -> bool:
    names = [n for n, t in b.env.items() if t == "list_int"]
    if not names:
        return False
    a = b.rng.choice(names)
    c = b.rng.choice(names) if b.chance(0.5) else f"{a}[1:]"
    res = b.fresh("list_int", ("sums", "diffs"))
    b.add(f"{res} = [x {b.rng.choice(['+', '-', '*'])} y for x, y in zip({a}, {c})]")
    b.declare(res, "list_int")
    return True


def list_slice_sort(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    t = b.type_of(lst)
    new = b.fresh(t, ("top", "rest", "ordered"))
    k = b.rng.randint(1, 3)
    b.add(f"{new} = " + b.rng.choice([f"sorted({lst})[:{k}]", f"sorted({lst}, reverse=True)", f"{lst}[{k}:]",
                                      f"{lst}[::-1]", f"{lst}[:]", f"{lst}.copy()", f"{lst}[::2]", f"{lst} + {lst}[:{k}]"]))
    b.declare(new, t)
    return True


def list_find_index(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    is_int = b.type_of(lst) == "list_int"
    v = _num(b, 0, 6) if is_int else repr(rand_word(b.rng))
    if b.chance(0.5):
        n = b.fresh("int", ("where", "pos"))
        b.add(f"{n} = {lst}.index({v}) if {v} in {lst} else -1")
        b.declare(n, "int")
    else:
        x = b.loop_name("int" if is_int else "word")
        b.add(f"for i, {x} in enumerate({lst}):")
        b.add(f"if {x} == {v}:", 1)
        b.add("return i", 2)
        b.returns += 1
    return True


def list_pairs(b: Body) -> bool:
    lst = b.pick("list_int")
    if lst is None:
        return False
    pairs = b.fresh("any", ("pairs",))
    b.add(f"{pairs} = []")
    b.add(f"for i in range(len({lst})):")
    b.add(f"for j in range(i + 1, len({lst})):", 1)
    b.add(f"if {lst}[i] + {lst}[j] == {_num(b, 2, 12)}:" if b.chance(0.6) else f"if {lst}[i] > {lst}[j]:", 2)
    b.add(f"{pairs}.append((i, j))", 3)
    b.declare(pairs, "any")
    return True


def dict_items_loop(b: Body) -> bool:
    d = b.pick("dict")
    if d is None:
        return False
    res = b.fresh("list_str", ("keys", "big", "selected"))
    b.add(f"{res} = []")
    b.add(f"for key, val in {d}.items():")
    b.add(f"if val {b.rng.choice(['>', '<', '>=', '!='])} {_num(b, 0, 5)}:", 1)
    b.add(f"{res}.append(key)", 2)
    b.declare(res, "list_str")
    return True


def dict_update(b: Body) -> bool:
    d = b.pick("dict")
    if d is None:
        return False
    key = repr(rand_word(b.rng) if b.chance(0.6) else b.rng.choice("abcde"))
    op = b.rng.randint(0, 4)
    if op == 0:
        b.add(f"{d}[{key}] = {d}.get({key}, 0) + {b.rng.randint(1, 3)}")
    elif op == 1:
        b.add(f"if {key} in {d}:")
        b.add(f"del {d}[{key}]", 1)
        if b.chance(0.5):
            b.add("else:")
            b.add(f"{d}[{key}] = {_num(b)}", 1)
    elif op == 2:
        b.add(f"{d}.update({{{key}: {_num(b)}}})")
    elif op == 3:
        n = b.fresh("int", ("removed", "old"))
        b.add(f"{n} = {d}.pop({key}, {_num(b, -1, 0)})")
        b.declare(n, "int")
    else:
        b.add(f"{d}.setdefault({key}, {_num(b)})")
    b.touch(d)
    return True


def dict_comprehension(b: Body) -> bool:
    d = b.pick("dict")
    if d is None:
        return False
    new = b.fresh("dict", ("scaled", "kept"))
    b.add(f"{new} = " + b.rng.choice([f"{{k: v * 2 for k, v in {d}.items()}}", f"{{k: v for k, v in {d}.items() if v > {_num(b, 0, 4)}}}",
                                      f"{{k.upper(): v for k, v in {d}.items()}}", f"dict(sorted({d}.items()))"]))
    b.declare(new, "dict")
    return True


def dict_aggregate(b: Body) -> bool:
    d = b.pick("dict")
    if d is None:
        return False
    if b.chance(0.5):
        n = b.fresh("int", ("total", "largest"))
        b.add(f"{n} = " + b.rng.choice([f"sum({d}.values())", f"max({d}.values(), default=0)", f"len({d})"]))
        b.declare(n, "int")
    else:
        keys = b.fresh("list_str", ("keys", "ranked"))
        b.add(f"{keys} = " + b.rng.choice([f"sorted({d})", f"list({d}.keys())", f"sorted({d}, key={d}.get)"]))
        b.declare(keys, "list_str")
    return True


def dict_from_list(b: Body) -> bool:
    lst = b.pick("list_str", "list_int")
    if lst is None:
        return False
    d = b.fresh("dict" if b.type_of(lst) == "list_str" else "any", ("counts", "index", "lengths"))
    if b.type_of(lst) == "list_str":
        b.add(b.rng.choice([f"{d} = {{w: len(w) for w in {lst}}}", f"{d} = {{w: i for i, w in enumerate({lst})}}"]))
        b.declare(d, "dict")
        return True
    b.add(f"{d} = {{}}")
    b.add(f"for x in {lst}:")
    if b.chance(0.5):
        b.add(f"{d}[x % 3] = {d}.get(x % 3, 0) + x", 1)
    else:
        b.add(f"{d}.setdefault(x % 2 == 0, []).append(x)", 1)
    b.declare(d, "any")
    return True


def set_ops(b: Body) -> bool:
    x = b.pick("set", "list_int")
    if x is None:
        return False
    s = b.fresh("set", ("unique", "seen"))
    if b.type_of(x) == "list_int":
        b.add(f"{s} = set({x})")
    else:
        other = b.pick("set") or "{" + ", ".join(_num(b) for _ in range(3)) + "}"
        b.add(f"{s} = {x} {b.rng.choice(['|', '&', '-', '^'])} {other}")
    b.declare(s, "set")
    if b.chance(0.5):
        v = _num(b)
        b.add(f"if {v} in {s}:" if b.chance(0.5) else f"if {v} not in {s}:")
        b.add(f"{s}.discard({v})" if b.chance(0.5) else f"{s}.add({v})", 1)
    return True


def set_seen_loop(b: Body) -> bool:
    lst = b.pick("list_int", "list_str")
    if lst is None:
        return False
    seen = b.fresh("set", ("seen",))
    dups = b.fresh(b.type_of(lst), ("dups", "repeated"))
    x = b.loop_name("int" if b.type_of(lst) == "list_int" else "word")
    b.add(f"{seen} = set()")
    b.add(f"{dups} = []")
    b.add(f"for {x} in {lst}:")
    b.add(f"if {x} in {seen}:", 1)
    b.add(f"{dups}.append({x})", 2)
    b.add("else:", 1)
    b.add(f"{seen}.add({x})", 2)
    b.declare(seen, "set")
    b.declare(dups, b.type_of(lst))
    return True


def tuple_ops(b: Body) -> bool:
    t = b.pick("tuple", "list_int")
    if t is None:
        return False
    if b.type_of(t) == "tuple":
        n = b.fresh("int", ("first", "count"))
        b.add(f"{n} = " + b.rng.choice([f"{t}[0] if {t} else 0", f"len({t})", f"{t}.count({_num(b)})", f"sum({t})"]))
        b.declare(n, "int")
    else:
        new = b.fresh("tuple", ("pair", "bounds"))
        b.add(f"{new} = " + b.rng.choice([f"(min({t}), max({t})) if {t} else (0, 0)", f"tuple({t})", f"(len({t}), sum({t}))"]))
        b.declare(new, "tuple")
    return True


def try_int(b: Body) -> bool:
    s = b.pick("str")
    if s is None:
        return False
    n = b.fresh("int", ("number", "value"))
    b.add("try:")
    b.add(f"{n} = int({s})", 1)
    b.add("except ValueError:")
    b.add(f"{n} = {b.rng.choice(['0', '-1', f'len({s})'])}", 1)
    b.declare(n, "int")
    return True


def try_lookup(b: Body) -> bool:
    c = b.pick("dict", "list_int", "list_str")
    if c is None:
        return False
    is_dict = b.type_of(c) == "dict"
    n = b.fresh("int" if b.type_of(c) != "list_str" else "str", ("found", "item"))
    key = repr(b.rng.choice("abcde") if b.chance(0.5) else rand_word(b.rng)) if is_dict else str(b.rng.randint(-2, 6))
    b.add("try:")
    b.add(f"{n} = {c}[{key}]", 1)
    b.add(f"except {'KeyError' if is_dict else 'IndexError'}:")
    b.add(f"{n} = {'None' if b.chance(0.3) else ('0' if b.type_of(c) != 'list_str' else repr(''))}", 1)
    b.declare(n, b.type_of(c) == "list_str" and "str" or "int")
    return True


def try_divide(b: Body) -> bool:
    n = b.pick("int")
    if n is None:
        return False
    other = b.pick("int") or "0"
    res = b.fresh("float", ("ratio", "share"))
    b.add("try:")
    b.add(f"{res} = {n} / ({other} - {b.rng.randint(0, 3)})", 1)
    b.add("except ZeroDivisionError:")
    b.add(f"{res} = 0.0", 1)
    b.declare(res, "float")
    return True


def guard_raise(b: Body) -> bool:
    x = b.pick("int", "str", "list_int")
    if x is None:
        return False
    t = b.type_of(x)
    cond = {"int": f"{x} < {b.rng.randint(-3, 0)}", "str": f"not {x}", "list_int": f"len({x}) == 0"}[t]
    exc = b.rng.choice(["ValueError", "ValueError", "TypeError", "RuntimeError"])
    b.add(f"if {cond}:")
    b.add(f"raise {exc}('{b.rng.choice(['invalid input', 'empty', 'negative value', 'bad ' + x])}')", 1)
    return True


def early_return(b: Body) -> bool:
    x = b.pick("list_int", "list_str", "str", "dict", "int")
    if x is None:
        return False
    t = b.type_of(x)
    cond = {"int": f"{x} == {b.rng.randint(0, 3)}", "str": f"len({x}) < {b.rng.randint(1, 4)}"}.get(t, f"not {x}")
    b.add(f"if {cond}:")
    b.add(f"return {b.rng.choice([x, 'None', '0', repr(''), '[]', '-1'])}", 1)
    b.returns += 1
    return True


BLOCKS = [list_filter_loop, list_comprehension, list_aggregate, list_mutate, list_index_loop, list_while_pop,
          list_enumerate_count, list_zip, list_slice_sort, list_find_index, list_pairs, dict_items_loop, dict_update,
          dict_comprehension, dict_aggregate, dict_from_list, set_ops, set_seen_loop, tuple_ops, try_int, try_lookup,
          try_divide, guard_raise, early_return]
