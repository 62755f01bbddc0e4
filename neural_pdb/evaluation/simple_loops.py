"""Ten hand-written simple loops: the smallest programs a trace model must get right.

Accumulating over ``range``, a list, a ``while`` loop, appending, counting, building a
string, ... each with one input. Measured by ``benchmarks/simple_loops.py``; the first is
the program of ``tests/training/test_default_model.py``. Written for this project, not
taken from any evaluation set, and kept out of every generated dataset as CruxEval is
(:mod:`neural_pdb.datagen.dedup`: every renaming of them), so that a model's score on them
measures what it learned from other programs.
"""

from __future__ import annotations

#: name -> (source of ``f``, the argument it is called with)
PROGRAMS: dict[str, tuple[str, str]] = {
    "sum range(n)": ("def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n", "3"),
    "sum range(3)": ("def f(n):\n    total = 0\n    for i in range(3):\n        total += i\n    return total\n", "3"),
    "other names": ("def f(n):\n    acc = 0\n    for k in range(n):\n        acc += k\n    return acc\n", "3"),
    "sum a list": ("def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n",
                   "[4, 1, 7]"),
    "sum doubled": ("def f(n):\n    total = 0\n    for i in range(n):\n        total += i * 2\n    return total\n", "3"),
    "append": ("def f(n):\n    out = []\n    for i in range(n):\n        out.append(i)\n    return out\n", "3"),
    "range(1, n)": ("def f(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n", "4"),
    "while": ("def f(n):\n    total = 0\n    i = 0\n    while i < n:\n        total += i\n        i += 1\n"
              "    return total\n", "3"),
    "count a letter": ("def f(s):\n    count = 0\n    for ch in s:\n        if ch == 'a':\n            count += 1\n"
                       "    return count\n", "'banana'"),
    "build a string": ("def f(s):\n    out = ''\n    for ch in s:\n        out = ch + out\n    return out\n", "'abc'"),
}
