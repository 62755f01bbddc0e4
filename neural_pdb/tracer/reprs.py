"""The tracer's repr policy: deterministic, bounded, never raising.

- No memory addresses: ``<function f>`` not ``<function f at 0x...>``; any `` at 0x...``
  in a repr is removed (``<__main__.A object>``).
- Builtin containers (exact list, tuple, dict, set, frozenset) are rendered element by
  element with this same policy, so an address inside a list is removed too; they print
  as Python prints them (a set in its iteration order; run with PYTHONHASHSEED=0 for
  reproducible order of string sets).
- A length cap: a repr longer than ``max_len`` is cut and ends with ``...`` plus the
  number of characters cut, e.g. ``'aaaa...<+120 chars>``.
- A ``__repr__`` that raises (or recurses forever) gives ``<repr failed: ExcName>``;
  self-referencing containers give ``[...]``/``{...}`` as Python does.
"""

from __future__ import annotations

import re
import types
from typing import Any

DEFAULT_MAX_LEN = 200
_ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]+")
_MAX_DEPTH = 20


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


def safe_repr(obj: Any, max_len: int = DEFAULT_MAX_LEN) -> str:
    """The repr of ``obj`` under the policy above."""
    try:
        return elide(_repr(obj, set(), 0), max_len)
    except RecursionError:
        return "<repr failed: RecursionError>"
