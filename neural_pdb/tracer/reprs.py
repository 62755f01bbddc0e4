"""The tracer's repr policy: deterministic, bounded, never raising.

- No memory addresses: ``<function f>`` not ``<function f at 0x...>``; any `` at 0x...``
  in the repr of an object is removed (``<__main__.A object>``); the reprs of numbers,
  strings, bytes, booleans and None are never changed (a string may say "at 0x10").
- Builtin containers (exact list, tuple, dict, set, frozenset) are rendered element by
  element with this same policy, so an address inside a list is removed too; they print
  as Python prints them (a set in its iteration order; run with PYTHONHASHSEED=0 for
  reproducible order of string sets).
- A length cap: a repr longer than ``max_len`` is cut and ends with ``...`` plus the
  number of characters cut, e.g. ``'aaaa...<+120 chars>``.
- A ``__repr__`` that raises (or recurses forever) gives ``<repr failed: ExcName>``;
  self-referencing containers give ``[...]``/``{...}`` as Python does.
- Never exactly ``..`` (the format's "unchanged" mark): a ``__repr__`` returning it gives
  ``<repr '..'>``.

Speed: a container holding only numbers, strings, bytes, booleans and None (nested at
most ``_MAX_DEPTH`` deep) is rendered by the builtin ``repr``, which gives exactly the
policy's text for those, about 20 times faster than element by element.
"""

from __future__ import annotations

import re
import types
from typing import Any

DEFAULT_MAX_LEN = 200
_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]+")
_MAX_DEPTH = 20
_CONTAINERS = (list, tuple, set, frozenset, dict)
# Exact types whose builtin repr is already the policy's text (no address, no special form).
_ATOMS = frozenset({int, float, complex, str, bytes, bool, type(None)})


def elide(text: str, max_len: int) -> str:
    if max_len <= 0 or len(text) <= max_len:
        return text
    return f"{text[:max_len]}...<+{len(text) - max_len} chars>"


def _function_repr(obj: Any) -> str | None:
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return f"<function {obj.__qualname__}>" if isinstance(obj, types.FunctionType) else f"<built-in function {obj.__name__}>"
    if isinstance(obj, types.MethodType):
        return f"<bound method {getattr(obj.__func__, '__qualname__', '?')}>"
    if isinstance(obj, types.GeneratorType):
        return f"<generator object {obj.__qualname__}>"
    if isinstance(obj, types.ModuleType):
        return f"<module '{obj.__name__}'>"
    return None


def _repr(obj: Any, active: set[int], depth: int) -> str:
    if type(obj) in _ATOMS:
        return "..." if depth > _MAX_DEPTH else repr(obj)
    special = _function_repr(obj)
    if special is not None:
        return special
    kind = type(obj)
    if depth > _MAX_DEPTH:
        return "..."
    if kind in (list, tuple, set, frozenset, dict):
        if id(obj) in active:
            return {list: "[...]", dict: "{...}"}.get(kind, "...")
        active.add(id(obj))
        try:
            if kind is dict:
                body = ", ".join(f"{_repr(k, active, depth + 1)}: {_repr(v, active, depth + 1)}" for k, v in obj.items())
                return "{" + body + "}"
            parts = [_repr(x, active, depth + 1) for x in obj]
            if kind is list:
                return "[" + ", ".join(parts) + "]"
            if kind is tuple:
                return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"
            if not parts:
                return "set()" if kind is set else "frozenset()"
            body = "{" + ", ".join(parts) + "}"
            return body if kind is set else f"frozenset({body})"
        finally:
            active.discard(id(obj))
    try:
        text = repr(obj)
    except RecursionError:
        return "<repr failed: RecursionError>"
    except Exception as e:  # a user's __repr__ may raise anything
        return f"<repr failed: {type(e).__name__}>"
    if not isinstance(text, str):
        return f"<repr failed: {type(text).__name__} returned>"
    return _ADDRESS_RE.sub("", text)




def _only_atoms(obj: Any, depth: int, active: set[int]) -> bool:
    """True if ``repr(obj)`` equals the policy's text: builtin containers of atoms, no
    cycle, nothing deeper than the policy renders."""
    if depth > _MAX_DEPTH:
        return False
    kind = type(obj)
    if kind in _ATOMS:
        return True
    if kind not in _CONTAINERS or id(obj) in active:
        return False
    if depth == _MAX_DEPTH and len(obj):  # its elements would be at depth _MAX_DEPTH + 1
        return False
    items = [obj.keys(), obj.values()] if kind is dict else [obj]
    if all(set(map(type, part)) <= _ATOMS for part in items):  # the common flat case, at C speed
        return True
    active.add(id(obj))
    try:
        return all(type(x) in _ATOMS or _only_atoms(x, depth + 1, active) for part in items for x in part)
    finally:
        active.discard(id(obj))


def safe_repr(obj: Any, max_len: int = DEFAULT_MAX_LEN) -> str:
    """The repr of ``obj`` under the policy above."""
    try:
        kind = type(obj)
        if kind in _ATOMS:
            text = repr(obj)
        elif kind in _CONTAINERS and _only_atoms(obj, 0, set()):
            text = repr(obj)
        else:
            text = _repr(obj, set(), 0)
    except RecursionError:
        return "<repr failed: RecursionError>"
    except Exception as e:  # e.g. a dict changed size while it was walked
        return f"<repr failed: {type(e).__name__}>"
    if text == "..":
        text = "<repr '..'>"
    return elide(text, max_len)
