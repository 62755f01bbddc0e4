"""Map a predicted source line to its line number.

A model predicts the *text* of the next line, not its number. The same text can stand
on several lines (two ``i += 1``, two ``return x``), so the first textual match is wrong
in general. We use the program's structure: a frame's line must belong to the scope the
frame runs in (a call opens the scope of the function whose ``def`` it names; other
frames stay in the current scope), and among those, the next line at or after the
current one in reading order wins (wrapping around for loops).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .errors import UnresolvedLineError
from .frames import Event, Frame

MODULE_SCOPE = 0
_WRAP = 1_000_000


class ProgramStructure:
    """Which scope each line belongs to, and which lines open a scope."""

    def __init__(self, source: str) -> None:
        self.lines = source.split("\n")
        n = len(self.lines)
        self.owner = [MODULE_SCOPE] * (n + 2)        # line -> scope id (head line of its def)
        self.head_of: dict[int, int] = {}             # def/decorator line -> scope id
        self.names: dict[int, str] = {MODULE_SCOPE: "<module>"}
        self.by_text: dict[str, list[int]] = {}
        for i, text in enumerate(self.lines, start=1):
            self.by_text.setdefault(text, []).append(i)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return
        for node in ast.walk(tree):  # breadth first: inner scopes overwrite outer ones
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                sid = node.lineno
                self.names[sid] = node.name
                for line in [node.lineno] + [d.lineno for d in node.decorator_list]:
                    self.head_of[line] = sid
                end = node.end_lineno or node.lineno
                for line in range(node.body[0].lineno, end + 1):
                    if line < len(self.owner):
                        self.owner[line] = sid

    def candidates(self, source_line: str) -> list[int]:
        found = self.by_text.get(source_line)
        if found:
            return found
        want = source_line.rstrip()
        return [i for i, t in enumerate(self.lines, start=1) if t.rstrip() == want]

    def scope_opened_by(self, lineno: int) -> int:
        """The scope a call frame at ``lineno`` enters: the function whose head it is, or
        (generator resumes, comprehensions) the scope that owns the line."""
        return self.head_of.get(lineno, self.owner[lineno] if lineno < len(self.owner) else MODULE_SCOPE)

    def scope_name(self, sid: int) -> str:
        return self.names.get(sid, "<module>")


@dataclass
class _Position:
    scope: int
    lineno: int


@dataclass
class FrameLocator:
    """Assigns line numbers, function names and depths to frames in execution order."""

    structure: ProgramStructure
    stack: list[_Position] = field(default_factory=list)

    @classmethod
    def for_source(cls, source: str) -> "FrameLocator":
        return cls(ProgramStructure(source))

    def copy(self) -> "FrameLocator":
        return FrameLocator(self.structure, [_Position(p.scope, p.lineno) for p in self.stack])

    def _pick(self, cands: list[int], scope: int | None, after: int, same_line_ok: bool) -> int:
        s = self.structure
        if scope is not None:
            inside = [c for c in cands if s.owner[c] == scope and c not in s.head_of]
            if not inside:  # a def line runs in its outer scope, e.g. a nested def statement
                inside = [c for c in cands if s.owner[c] == scope]
            cands = inside
        if not cands:
            return -1

        def distance(c: int) -> int:
            if c > after or (same_line_ok and c == after):
                return c - after
            return c - after + _WRAP
        return min(cands, key=distance)

    def locate(self, frame: Frame) -> int:
        """The line number of ``frame`` given the frames located so far (does not advance)."""
        s = self.structure
        cands = s.candidates(frame.source_line)
        if not cands:
            raise UnresolvedLineError(frame.source_line)
        top = self.stack[-1] if self.stack else None
        if frame.event is Event.CALL:
            heads = [c for c in cands if c in s.head_of]
            after = top.lineno if top else 0
            found = self._pick(heads or cands, None, after, True)
        elif top is None:
            found = self._pick(cands, MODULE_SCOPE, 0, True)
        else:
            same_ok = frame.event in (Event.RETURN, Event.EXCEPTION)
            found = self._pick(cands, top.scope, top.lineno, same_ok)
        if found < 0:
            raise UnresolvedLineError(frame.source_line,
                                      f"predicted line is not in the current scope: {frame.source_line.strip()!r}")
        return found

    def locate_and_advance(self, frame: Frame) -> Frame:
        lineno = self.locate(frame)
        s = self.structure
        if frame.event is Event.CALL:
            scope = s.scope_opened_by(lineno)
            self.stack.append(_Position(scope, lineno))
        else:
            scope = self.stack[-1].scope if self.stack else MODULE_SCOPE
            if self.stack:
                self.stack[-1].lineno = lineno
        depth = len(self.stack) - 1
        located = frame.with_position(lineno, s.scope_name(scope), depth)
        if frame.event is Event.RETURN and self.stack:
            self.stack.pop()
        return located


def locate_frames(source: str, frames: list[Frame] | tuple[Frame, ...]) -> list[Frame]:
    """Line numbers for a whole trace; raises :class:`UnresolvedLineError` on the first
    line that cannot be placed."""
    loc = FrameLocator.for_source(source)
    return [loc.locate_and_advance(f) for f in frames]
