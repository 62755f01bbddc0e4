"""Normalized program source, to keep CruxEval (the evaluation set) out of training data.

Two functions are the same program when they are equal after parsing and unparsing
(comments, blank lines, quotes and spacing gone), with the start marker removed and
every name bound inside the function (its name, parameters, locals) renamed in order
of first appearance. A generated program is rejected if any of its top-level functions
matches a CruxEval function under this normalization.
"""

from __future__ import annotations

import ast
import builtins
import json
from collections.abc import Iterable
from pathlib import Path

from trace_format import strip_all_markers

_BUILTIN_NAMES = set(dir(builtins))


class _Canonicalizer(ast.NodeTransformer):
    """Renames parameters, locals and function names to v0, v1, ... in order of appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _canon(self, name: str) -> str:
        if name in _BUILTIN_NAMES and name not in self.names:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.name = self._canon(node.name)
        self.generic_visit(node)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._canon(node.arg)
        node.annotation = None
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._canon(node.id)
        return node


def function_sources(source: str) -> list[ast.FunctionDef]:
    tree = ast.parse(strip_all_markers(source))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)]


def normalize_function(node: ast.FunctionDef) -> str:
    """The canonical text of one function (see the module docstring)."""
    node = _Canonicalizer().visit(ast.parse(ast.unparse(node)).body[0])
    return ast.unparse(node)


def normalize_source(source: str) -> str:
    """Canonical text of a whole program: parsed and unparsed, markers removed, each
    top-level function canonicalized on its own."""
    tree = ast.parse(strip_all_markers(source))
    parts = [normalize_function(n) if isinstance(n, ast.FunctionDef) else ast.unparse(n) for n in tree.body]
    return "\n".join(parts)


class CruxEvalIndex:
    """The normalized functions of a CruxEval JSONL file (field ``code``)."""

    def __init__(self, normalized: set[str]) -> None:
        self.normalized = normalized

    @classmethod
    def load(cls, path: str | Path) -> "CruxEvalIndex":
        normalized: set[str] = set()
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    code = json.loads(line)["code"]
                    try:
                        normalized.update(normalize_function(n) for n in function_sources(code))
                    except SyntaxError:
                        continue  # a sample that does not parse cannot match a generated program
        return cls(normalized)

    @classmethod
    def of_sources(cls, sources: Iterable[str]) -> "CruxEvalIndex":
        """The normalized functions of programs given as source text."""
        return cls({normalize_function(n) for source in sources for n in function_sources(source)})

    def __or__(self, other: "CruxEvalIndex") -> "CruxEvalIndex":
        return CruxEvalIndex(self.normalized | other.normalized)

    def overlaps(self, source: str) -> bool:
        """True if any top-level function of ``source`` is one of the index's (CruxEval's,
        and in datasets also the simple-loop benchmark's: ``dataset.evaluation_index``)."""
        return any(normalize_function(n) in self.normalized for n in function_sources(source))
