"""Which functions of a program may run a given line before they return.

pdb traces every call of a file that has a breakpoint (``Bdb.break_anywhere`` asks only
whether the file has one): for a real program that costs nothing. For a model it costs a
prediction per frame, so ``continue`` and ``until`` would predict the inside of every call
while any breakpoint exists. The engine instead asks this module whether the called
function can reach an enabled breakpoint line, and has the model force the call's return
frame when it cannot.

The answer is static and conservative: a function reaches a line when the line lies in
its ``def`` (nested functions and classes included), or when it refers by name (a call, a
callback passed on, an attribute or method name, a class) to a function or class that
reaches it. Special methods (``__eq__``, ``__iter__``, ``__str__``...) run without being
named, so any function may reach them; dynamic lookups (``getattr``, ``eval``...) and code
the source does not show (a lambda, a function the model invented) reach everything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

#: names through which a function can run code it does not name
_DYNAMIC = frozenset({"getattr", "eval", "exec", "globals", "locals", "vars", "__import__", "importlib",
                      "__dict__", "__getattribute__", "compile", "breakpoint"})


@dataclass
class _Scope:
    first: int                       # first line (decorators included): the code's co_firstlineno
    last: int
    names: set[str] = field(default_factory=set)   # every name and attribute referred to inside
    special: bool = False            # a dunder method: run implicitly by operators and builtins


class BreakpointReach:
    """Reachability of lines from the functions and classes of one source text."""

    def __init__(self, source: str) -> None:
        self._scopes: dict[int, _Scope] = {}
        self._by_name: dict[str, list[_Scope]] = {}
        self._special: list[_Scope] = []
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                scope = _Scope(first, node.end_lineno or node.lineno, _referred_names(node),
                               isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                               and node.name.startswith("__") and node.name.endswith("__"))
                self._scopes[first] = scope
                self._by_name.setdefault(node.name, []).append(scope)
        self._special = [s for s in self._scopes.values() if s.special]

    def may_reach(self, first_line: int, lines: Iterable[int]) -> bool:
        """Whether the code starting at ``first_line`` may run one of ``lines`` before it
        returns (True when in doubt)."""
        targets = set(lines)
        if not targets:
            return False
        start = self._scopes.get(first_line)
        if start is None:
            return True
        seen: set[int] = set()
        todo = [start]
        while todo:
            scope = todo.pop()
            if scope.first in seen:
                continue
            seen.add(scope.first)
            if any(scope.first <= line <= scope.last for line in targets) or scope.names & _DYNAMIC:
                return True
            for name in scope.names:
                todo.extend(self._by_name.get(name, ()))
            todo.extend(self._special)
        return False


def _referred_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.isidentifier():
            names.add(sub.value)   # getattr(obj, "method"), a dispatch table keyed by name
    return names
