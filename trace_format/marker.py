"""The ``# << START_OF_TRACE`` marker on the entry function's ``def`` line."""

from __future__ import annotations

import ast

START_MARKER = "# << START_OF_TRACE"
_SEP = " "


def add_start_marker(source: str, function: str) -> str:
    """``source`` with the marker at the end of the ``def`` line of top-level ``function``.

    Raises ``ValueError`` if the source has no such function, ``SyntaxError`` if it does
    not parse.
    """
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function:
            lines = source.split("\n")
            i = node.lineno - 1
            lines[i] = lines[i] + _SEP + START_MARKER
            return "\n".join(lines)
    raise ValueError(f"no top-level function named {function!r}")


def has_start_marker(line: str) -> bool:
    return line.rstrip().endswith(START_MARKER)


def strip_start_marker(line: str) -> str:
    """The line without the marker (a suffix, with the one space we put before it)."""
    stripped = line.rstrip()
    if not stripped.endswith(START_MARKER):
        return line
    return stripped.removesuffix(START_MARKER).removesuffix(_SEP)


def find_start_marker(source: str) -> tuple[int, str] | None:
    """(line number, function name) of the marked entry function, or None."""
    for i, line in enumerate(source.split("\n"), start=1):
        if has_start_marker(line):
            head = line.strip()
            for prefix in ("async def ", "def "):
                if head.startswith(prefix):
                    return i, head[len(prefix):].split("(", 1)[0].strip()
            return i, ""
    return None


def strip_all_markers(source: str) -> str:
    return "\n".join(strip_start_marker(l) for l in source.split("\n"))
