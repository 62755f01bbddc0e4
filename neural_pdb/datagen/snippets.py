"""Whole functions and classes written as templates: recursion, classes with methods,
exceptions raised in one function and caught in another.

Each template is source with ``{f}`` for its name, plus the parameter types its entry
takes, so the program generator can call it with drawn arguments. Small argument ranges
keep recursion shallow (and traces short).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    source: str
    params: tuple[str, ...]          # value types of the parameters (see values.MAKERS)
    ret: str = "any"


RECURSIVE = [
    Template("def {f}(n):\n    if n <= 1:\n        return 1\n    return n * {f}(n - 1)\n", ("small",), "int"),
    Template("def {f}(n):\n    if n < 2:\n        return n\n    return {f}(n - 1) + {f}(n - 2)\n", ("small",), "int"),
    Template("def {f}(n):\n    if n < 10:\n        return n\n    return n % 10 + {f}(n // 10)\n", ("int",), "int"),
    Template("def {f}(base, exp):\n    if exp == 0:\n        return 1\n    half = {f}(base, exp // 2)\n    if exp % 2 == 0:\n"
             "        return half * half\n    return half * half * base\n", ("small", "small"), "int"),
    Template("def {f}(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n", ("int", "int"), "int"),
    Template("def {f}(a, b):\n    if b == 0:\n        return a\n    return {f}(b, a % b)\n", ("int", "int"), "int"),
    Template("def {f}(s):\n    if len(s) <= 1:\n        return s\n    return {f}(s[1:]) + s[0]\n", ("str",), "str"),
    Template("def {f}(s):\n    if len(s) < 2:\n        return True\n    if s[0] != s[-1]:\n        return False\n"
             "    return {f}(s[1:-1])\n", ("str",), "bool"),
    Template("def {f}(items):\n    if not items:\n        return 0\n    return items[0] + {f}(items[1:])\n", ("list_int",), "int"),
    Template("def {f}(items):\n    result = []\n    for item in items:\n        if isinstance(item, list):\n"
             "            result.extend({f}(item))\n        else:\n            result.append(item)\n    return result\n",
             ("nested",), "list_int"),
    Template("def {f}(items, target):\n    lo, hi = 0, len(items) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n"
             "        if items[mid] == target:\n            return mid\n        if items[mid] < target:\n"
             "            lo = mid + 1\n        else:\n            hi = mid - 1\n    return -1\n", ("sorted", "small"), "int"),
    Template("def {f}(n):\n    if n == 0:\n        return []\n    return [n] + {f}(n - 1)\n", ("small",), "list_int"),
    Template("def {f}(items):\n    if len(items) <= 1:\n        return items\n    pivot = items[0]\n"
             "    left = [x for x in items[1:] if x < pivot]\n    right = [x for x in items[1:] if x >= pivot]\n"
             "    return {f}(left) + [pivot] + {f}(right)\n", ("list_int",), "list_int"),
    Template("def {f}(n, depth=0):\n    if n <= 1:\n        return depth\n    if n % 2 == 0:\n        return {f}(n // 2, depth + 1)\n"
             "    return {f}(3 * n + 1, depth + 1)\n", ("small",), "int"),
    Template("def {f}(text, sub):\n    if not sub or sub not in text:\n        return 0\n    i = text.index(sub)\n"
             "    return 1 + {f}(text[i + len(sub):], sub)\n", ("str", "char"), "int"),
]

#: Classes for scripts: (source with {C}, lines of module code using it with {C} and {obj}).
CLASSES = [
    ("class {C}:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n        self.items.append(item)\n\n"
     "    def pop(self):\n        if not self.items:\n            raise IndexError('pop from empty stack')\n"
     "        return self.items.pop()\n\n    def size(self):\n        return len(self.items)\n",
     ["{obj} = {C}()", "for x in {list_int}:\n    {obj}.push(x)", "top = {obj}.pop()", "print(top, {obj}.size())",
      "try:\n    while True:\n        {obj}.pop()\nexcept IndexError as e:\n    print('empty:', e)"]),
    ("class {C}:\n    def __init__(self, owner, balance=0):\n        self.owner = owner\n        self.balance = balance\n\n"
     "    def deposit(self, amount):\n        if amount <= 0:\n            raise ValueError('amount must be positive')\n"
     "        self.balance += amount\n        return self.balance\n\n    def withdraw(self, amount):\n"
     "        if amount > self.balance:\n            raise ValueError('insufficient funds')\n        self.balance -= amount\n"
     "        return self.balance\n",
     ["{obj} = {C}({name}, {int})", "{obj}.deposit({small_pos})", "try:\n    {obj}.withdraw({int})\nexcept ValueError as err:\n    print(err)",
      "print({obj}.owner, {obj}.balance)"]),
    ("class {C}:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n\n    def move(self, dx, dy):\n"
     "        return {C}(self.x + dx, self.y + dy)\n\n    def dist(self):\n        return abs(self.x) + abs(self.y)\n\n"
     "    def __repr__(self):\n        return f'{C}({{self.x}}, {{self.y}})'\n",
     ["{obj} = {C}({int}, {int})", "{obj} = {obj}.move({small}, -{small})", "d = {obj}.dist()", "print({obj}, d)"]),
    ("class {C}:\n    def __init__(self):\n        self.counts = {{}}\n\n    def add(self, word):\n"
     "        self.counts[word] = self.counts.get(word, 0) + 1\n\n    def most_common(self):\n        best = None\n"
     "        for word, n in self.counts.items():\n            if best is None or n > self.counts[best]:\n"
     "                best = word\n        return best\n",
     ["{obj} = {C}()", "for w in {list_str}:\n    {obj}.add(w)", "top = {obj}.most_common()", "print(top, len({obj}.counts))"]),
    ("class {C}:\n    def __init__(self, name, grades):\n        self.name = name\n        self.grades = grades\n\n"
     "    def average(self):\n        if not self.grades:\n            return 0.0\n        return sum(self.grades) / len(self.grades)\n\n"
     "    def passed(self, limit=5):\n        return self.average() >= limit\n",
     ["{obj} = {C}({name}, {list_int})", "avg = {obj}.average()", "ok = {obj}.passed()", "print({obj}.name, avg, ok)"]),
    ("class {C}:\n    def __init__(self, capacity):\n        self.capacity = capacity\n        self.queue = []\n\n"
     "    def offer(self, item):\n        if len(self.queue) >= self.capacity:\n            return False\n"
     "        self.queue.append(item)\n        return True\n\n    def poll(self):\n        return self.queue.pop(0) if self.queue else None\n",
     ["{obj} = {C}({small_pos})", "accepted = [{obj}.offer(x) for x in {list_int}]", "first = {obj}.poll()",
      "print(accepted, first)"]),
]
CLASS_NAMES = ("Stack", "Account", "Point", "WordCounter", "Student", "BoundedQueue")

#: Two functions where the first raises and the second catches: exceptions across frames.
RAISE_CATCH = [
    Template("def {g}(value):\n    if value < 0:\n        raise ValueError(f'negative: {{value}}')\n    return value * 2\n\n\n"
             "def {f}(values):\n    out = []\n    for v in values:\n        try:\n            out.append({g}(v))\n"
             "        except ValueError as e:\n            out.append(str(e))\n    return out\n", ("list_int",), "any"),
    Template("def {g}(text):\n    if not text.isdigit():\n        raise TypeError('not a number: ' + text)\n    return int(text)\n\n\n"
             "def {f}(parts):\n    total = 0\n    bad = 0\n    for p in parts:\n        try:\n            total += {g}(p)\n"
             "        except TypeError:\n            bad += 1\n    return total, bad\n", ("list_str",), "tuple"),
    Template("def {g}(d, key):\n    return d[key]\n\n\ndef {f}(d, keys):\n    found = []\n    for k in keys:\n        try:\n"
             "            found.append({g}(d, k))\n        except KeyError:\n            found.append(None)\n        finally:\n"
             "            pass\n    return found\n", ("dict", "keys"), "any"),
]


def pick_recursive(rng: random.Random) -> Template:
    return rng.choice(RECURSIVE)


def special_value(rng: random.Random, type_name: str) -> str | None:
    """Literals for template-only types (``nested``, ``sorted``, ``keys``); None for others."""
    if type_name == "nested":
        return repr([rng.randint(0, 9), [rng.randint(0, 9), [rng.randint(0, 9)]], rng.randint(0, 9)][: rng.randint(2, 4)])
    if type_name == "sorted":
        return repr(sorted(rng.sample(range(0, 15), rng.randint(1, 6))))
    if type_name == "keys":
        return repr([rng.choice("abcde") for _ in range(rng.randint(1, 3))])
    return None
