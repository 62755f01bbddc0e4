"""A function's call frame (its parameters' reprs) as the argument text of a call.

A call frame's LOCALS are the parameters, by name, as reprs. To run the function for
real on them (CruxEval style, ``f(*eval("(ARGS,)"))``) they become an argument list in
the order of the signature: ``*args`` splatted, keyword-only parameters by name,
``**kwargs`` unpacked.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Mapping

from trace_format.marker import strip_all_markers


class CallShapeError(ValueError):
    """Locals that cannot be a call of the function (a parameter is missing)."""


@dataclass(frozen=True)
class Signature:
    positional: tuple[str, ...]
    varargs: str | None
    keyword_only: tuple[str, ...]
    varkw: str | None

    @property
    def names(self) -> tuple[str, ...]:
        extra = tuple(n for n in (self.varargs,) if n) + self.keyword_only + tuple(n for n in (self.varkw,) if n)
        return self.positional + extra


def find_function(source: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function ``name`` defined anywhere in ``source`` (top level first)."""
    try:
        tree = ast.parse(strip_all_markers(source))
    except SyntaxError:
        return None
    found = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    top = [n for n in found if n in tree.body]
    return (top or found or [None])[0]


def is_top_level_function(source: str, name: str) -> bool:
    try:
        tree = ast.parse(strip_all_markers(source))
    except SyntaxError:
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in tree.body)


def signature_of(source: str, name: str) -> Signature | None:
    node = find_function(source, name)
    if node is None:
        return None
    a = node.args
    return Signature(tuple(p.arg for p in a.posonlyargs + a.args), a.vararg.arg if a.vararg else None,
                     tuple(p.arg for p in a.kwonlyargs), a.kwarg.arg if a.kwarg else None)


def args_text(signature: Signature, call_locals: Mapping[str, str]) -> str:
    """``"[1, 2], 'a'"``: the argument list that binds the parameters to these reprs.

    Raises :class:`CallShapeError` when a parameter has no value."""
    missing = [n for n in signature.names if n not in call_locals]
    if missing:
        raise CallShapeError(f"no value for parameter {', '.join(missing)}")
    parts = [call_locals[n] for n in signature.positional]
    if signature.varargs:
        parts.append(f"*{call_locals[signature.varargs]}")
    parts += [f"{n}={call_locals[n]}" for n in signature.keyword_only]
    if signature.varkw:
        parts.append(f"**{call_locals[signature.varkw]}")
    return ", ".join(parts)
