"""Values rebuilt from reprs, compared as values, and sorted into kinds.

A prediction is judged on the value it denotes, not on its text: ``{'a': 1, 'b': 2}``
and ``{'b': 2, 'a': 1}`` are the same dict, a set's repr order does not matter. A repr
that cannot be rebuilt (an elided ``'aaa...<+12 chars>``, ``<__main__.A object>``, a
model's garbage) is not a value: :func:`rebuild_value` says so and the prediction counts
as wrong wherever a value is required.

Equality is strict about types (``True`` is not ``1``, ``1.0`` is not ``1``): a world
model that predicts ``1`` where the program holds ``True`` has the state wrong. This is
stricter than CruxEval's own ``==`` only for bool/int/float mixes.
"""

from __future__ import annotations

import ast
import math
from typing import Any

#: Names a repr may contain besides literals (``float('inf')`` prints as ``inf``).
_NAMED_CONSTANTS = {"inf": math.inf, "nan": math.nan, "None": None, "True": True, "False": False}
#: Calls a builtin repr may contain: ``set()``, ``frozenset({1})``.
_CONSTRUCTORS = {"set": set, "frozenset": frozenset}
_MAX_REPR_LEN = 100_000


class _NotAValue(Exception):
    pass


def _build(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in _NAMED_CONSTANTS:
        return _NAMED_CONSTANTS[node.id]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_build(e) for e in node.elts]
        kind = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)]
        try:
            return kind(items)
        except TypeError:  # an unhashable element in a set
            raise _NotAValue() from None
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):  # {**x}
            raise _NotAValue()
        try:
            return {_build(k): _build(v) for k, v in zip(node.keys, node.values)}
        except TypeError:
            raise _NotAValue() from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand)
        if isinstance(operand, (int, float, complex)) and not isinstance(operand, bool):
            return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        # complex numbers print as (1+2j)
        left, right = _build(node.left), _build(node.right)
        if isinstance(left, (int, float)) and isinstance(right, complex):
            return left + right if isinstance(node.op, ast.Add) else left - right
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONSTRUCTORS
            and not node.keywords and len(node.args) <= 1):
        try:
            return _CONSTRUCTORS[node.func.id](*[_build(a) for a in node.args])
        except TypeError:
            raise _NotAValue() from None
    raise _NotAValue()


def rebuild_value(text: str | None) -> tuple[bool, Any]:
    """``(True, value)`` for a repr of a literal-like value, ``(False, None)`` otherwise.

    Accepts what ``ast.literal_eval`` accepts plus ``inf``/``nan`` and ``frozenset(...)``;
    never evaluates anything else.
    """
    if text is None or len(text) > _MAX_REPR_LEN:
        return False, None
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return True, _build(tree.body)
    except (SyntaxError, ValueError, _NotAValue, RecursionError, MemoryError):
        return False, None


def values_equal(a: Any, b: Any) -> bool:
    """Equality of rebuilt values, strict about types, ``nan`` equal to ``nan``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, complex):
        return values_equal(a.real, b.real) and values_equal(a.imag, b.imag)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    return a == b


def reprs_equal(expected: str | None, predicted: str | None) -> bool:
    """Two reprs denote the same value; reprs that are not values (objects, functions)
    must then match as text."""
    ok_e, value_e = rebuild_value(expected)
    if not ok_e:
        return expected is not None and expected == predicted
    ok_p, value_p = rebuild_value(predicted)
    return ok_p and values_equal(value_e, value_p)


def value_kind(value: Any) -> str:
    """The kind a value is reported under: int, float, str, bool, list, tuple, dict, set,
    None, bytes, or other."""
    if value is None:
        return "None"
    for kind in (bool, int, float, str, bytes, list, tuple, dict):
        if type(value) is kind:
            return kind.__name__
    if isinstance(value, (set, frozenset)):
        return "set"
    return "other"


def repr_kind(text: str | None) -> str:
    """The kind of the value a repr denotes; ``unrebuildable`` when it is not a value."""
    ok, value = rebuild_value(text)
    return value_kind(value) if ok else "unrebuildable"
