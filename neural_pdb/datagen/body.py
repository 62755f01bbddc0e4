"""The state of a function body being generated: its lines, its typed variables, its names.

Blocks (``blocks_*.py``) read and extend a :class:`Body`: they pick variables of the
types they need, emit lines, and declare the variables they create. Types are the
generator's own small vocabulary: ``str int float bool list_int list_str dict set tuple``
and ``any`` (a value that is only ever returned or printed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Names people give to values of each type; a fresh name is drawn from these first.
NAME_POOLS: dict[str, tuple[str, ...]] = {
    "str": ("text", "s", "word", "line", "name", "result", "out", "msg", "prefix", "chunk", "part", "label", "res"),
    "int": ("n", "count", "total", "idx", "k", "num", "acc", "size", "pos", "step", "score", "m", "i_max"),
    "float": ("avg", "ratio", "mean", "rate", "share", "value"),
    "bool": ("flag", "found", "ok", "is_valid", "done", "seen_all", "has_more"),
    "list_int": ("nums", "values", "items", "arr", "data", "result", "out", "res", "scores", "evens", "xs"),
    "list_str": ("words", "parts", "names", "tokens", "chars", "letters", "keys", "labels", "lines"),
    "dict": ("counts", "d", "mapping", "table", "freq", "index", "totals", "scores_by"),
    "set": ("seen", "unique", "visited", "pool", "tags", "common"),
    "tuple": ("pair", "point", "bounds", "t", "coords"),
    "any": ("result", "res", "out", "groups", "pairs", "inverse", "info", "found_at"),
}
LOOP_NAMES = {"str": ("ch", "c", "letter", "char"), "int": ("x", "n_i", "num", "v", "item", "val"),
              "word": ("w", "word", "token", "part", "item")}


@dataclass
class Body:
    rng: random.Random
    env: dict[str, str] = field(default_factory=dict)   # variable -> type
    lines: list[str] = field(default_factory=list)
    indent: int = 1
    used: set[str] = field(default_factory=set)
    order: list[str] = field(default_factory=list)       # variables, most recently assigned last
    returns: int = 0                                     # return statements emitted so far
    helpers: list[str] = field(default_factory=list)     # source of helper functions to put first

    def add(self, line: str, extra: int = 0) -> None:
        self.lines.append("    " * (self.indent + extra) + line)

    def pick(self, *types: str) -> str | None:
        names = [n for n, t in self.env.items() if t in types]
        if not names:
            return None
        # Prefer recently assigned variables: programs read what they just computed.
        recent = [n for n in reversed(self.order) if n in names][:3]
        return self.rng.choice(recent if recent and self.rng.random() < 0.6 else names)

    def type_of(self, name: str) -> str:
        return self.env[name]

    def fresh(self, type_name: str, hints: tuple[str, ...] = ()) -> str:
        """A new variable name (not yet declared: call :meth:`declare` once assigned)."""
        pool = list(hints) + list(NAME_POOLS.get(type_name, ())) + list(NAME_POOLS["any"])
        for name in pool:
            if name not in self.used and name not in self.env:
                self.used.add(name)
                return name
        i = 2
        while f"{pool[0]}{i}" in self.used or f"{pool[0]}{i}" in self.env:
            i += 1
        self.used.add(f"{pool[0]}{i}")
        return f"{pool[0]}{i}"

    def loop_name(self, kind: str) -> str:
        for name in self.rng.sample(LOOP_NAMES[kind], len(LOOP_NAMES[kind])):
            if name not in self.env and name not in self.used:
                self.used.add(name)
                return name
        return self.fresh("int", ("j", "jj"))

    def declare(self, name: str, type_name: str) -> None:
        self.env[name] = type_name
        self.used.add(name)
        if name in self.order:
            self.order.remove(name)
        self.order.append(name)

    def touch(self, name: str) -> None:
        """Mark ``name`` as just modified (it becomes a likely return value)."""
        if name in self.order:
            self.order.remove(name)
            self.order.append(name)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p
