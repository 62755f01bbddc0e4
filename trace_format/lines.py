"""Map a predicted source line to its line number.

A model predicts the *text* of the next line, not its number. The same text can stand
on several lines (two ``i += 1``, two ``return x``), so the first textual match is wrong
in general. We use the program's structure: a frame's line must belong to the scope the
frame runs in (a call opens the scope of the function whose ``def`` it names; other
frames stay in the current scope). Among those, a line that can run next after the
current one (the static flow of the scope's statements: the next statement, a loop's
header, an ``else``, an ``except``) wins over one that cannot; ties and lines the flow
does not know go to the next line at or after the current one in reading order
(wrapping around for loops).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable

from .errors import UnresolvedLineError
from .frames import Event, Frame
from .marker import find_start_marker

MODULE_SCOPE = 0
_WRAP = 1_000_000


class ProgramStructure:
    """Which scope each line belongs to, and which lines open a scope."""

    def __init__(self, source: str) -> None:
        # A marked entry function starts the trace; otherwise the module scope does.
        self.has_entry_marker = find_start_marker(source) is not None
        self.lines = source.split("\n")
        n = len(self.lines)
        self.owner = [MODULE_SCOPE] * (n + 2)        # line -> scope id (head line of its def)
        self.head_of: dict[int, int] = {}             # def/decorator line -> scope id
        self.names: dict[int, str] = {MODULE_SCOPE: "<module>"}
        self.by_text: dict[str, list[int]] = {}
        self.flow = _StatementFlow()
        self.module_first: int | None = None          # the first statement of the module
        self.first_of: dict[int, int] = {}            # function scope -> its first statement's line
        self.repeatable: set[int] = set()             # lines whose line event may come twice in a row
        # line -> the unnamed code objects starting on it, in reading order: (co_name, the
        # names it binds); a call frame on such a line enters one of them, not a ``def``
        self.anonymous: dict[int, list[tuple[int, str, frozenset[str]]]] = {}
        self.resumable: set[int] = set()              # lines with a yield/await: a call there resumes
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
                self.flow.add_scope(node)
                if not isinstance(node, ast.ClassDef) and _code_body(node):
                    self.first_of[sid] = _start(_code_body(node)[0])
        self.flow.add_block(tree.body, None, None, ())
        self.module_first = _start(tree.body[0]) if tree.body else None
        for node in ast.walk(tree):  # lines whose line event can follow itself
            if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda,
                                 ast.Yield, ast.YieldFrom, ast.Await)):
                self.repeatable.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
                if type(node) in _ANONYMOUS:
                    self.anonymous.setdefault(node.lineno, []).append(
                        (node.col_offset, _ANONYMOUS[type(node)], _bound_names(node)))
                else:
                    self.resumable.add(node.lineno)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith)) \
                    and node.body and node.body[0].lineno == node.lineno:
                self.repeatable.add(node.lineno)
        for found in self.anonymous.values():   # ast.walk is breadth first, not reading order
            found.sort(key=lambda entry: entry[0])

    def next_lines(self, lineno: int) -> frozenset[int]:
        """Lines that can run right after ``lineno`` in the same scope (empty if unknown)."""
        return self.flow.successors.get(lineno, frozenset())

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

    def call_name(self, lineno: int, local_names: Iterable[str], caller_line: int | None) -> str | None:
        """The ``co_name`` of what a call frame on the non-``def`` line ``lineno`` enters:
        a comprehension, generator expression or lambda starting there (the one whose
        names the frame's locals are, else the first); None for a resumed generator
        function, whose own name is its scope's."""
        found = self.anonymous.get(lineno, ())
        if not found or lineno in self.head_of or (lineno in self.resumable and caller_line != lineno):
            return None
        names = set(local_names)
        return next((name for _, name, bound in found if names and names <= bound), found[0][1])

    def first_line_after_call(self, lineno: int, scope: int, entry: bool) -> int | None:
        """The line of the line event that follows a call frame on ``lineno`` opening
        ``scope`` (``entry``: the trace's first frame): a function's first statement, a
        script's first statement; None when more than one line is possible (a class body,
        a resumed generator, a comprehension)."""
        if entry and scope == MODULE_SCOPE:
            return self.module_first
        if self.head_of.get(lineno) == scope:
            return self.first_of.get(scope)
        return None

    def lines_after(self, lineno: int, scope: int | None = None) -> frozenset[int]:
        """The lines a line event can stand on after one on ``lineno`` in the same scope:
        its successors in the flow, itself only where it can repeat (a comprehension, a
        one-line loop, a multi-line statement); empty if unknown. ``scope``: the scope the
        event runs in, for a ``class``/``def`` head, which stands in two scopes: in the
        enclosing one the next statement follows it, in a class body its first statement
        (the flow has both; only that scope's lines are kept)."""
        nxt = self.next_lines(lineno)
        if lineno in nxt and lineno not in self.repeatable:
            stmt_lines = [n for n in nxt if n != lineno]
            nxt = frozenset(stmt_lines) if stmt_lines else nxt
        if scope is not None and nxt:
            nxt = frozenset(n for n in nxt if self._stands_in(n, scope))
        return nxt

    def _stands_in(self, lineno: int, sid: int) -> bool:
        """A non-call frame of scope ``sid`` may stand on ``lineno``: its own line, a nested
        ``def``/``class`` line, or its own head (a class body's first event)."""
        return self.owner[lineno] == sid or self.head_of.get(lineno) == sid

    def lines_of_scope(self, sid: int) -> list[int]:
        """The line numbers a non-call frame of scope ``sid`` may stand on: its own lines,
        its nested ``def``/``class`` lines, and its own head (a class body's first event)."""
        return [i for i in range(1, len(self.lines) + 1) if self.lines[i - 1].strip() and self._stands_in(i, sid)]

    def scope_name(self, sid: int) -> str:
        return self.names.get(sid, "<module>")


@dataclass
class _Position:
    scope: int
    lineno: int
    name: str | None = None    # the code's name where it is not the scope's (``<genexpr>``...)


@dataclass
class FrameLocator:
    """Assigns line numbers, function names and depths to frames in execution order."""

    structure: ProgramStructure
    stack: list[_Position] = field(default_factory=list)

    @classmethod
    def for_source(cls, source: str) -> "FrameLocator":
        return cls(ProgramStructure(source))

    def copy(self) -> "FrameLocator":
        return FrameLocator(self.structure, [_Position(p.scope, p.lineno, p.name) for p in self.stack])

    @property
    def scope(self) -> int:
        """The scope the next non-call frame runs in (the module before any frame)."""
        return self.stack[-1].scope if self.stack else MODULE_SCOPE

    def _pick(self, cands: list[int], scope: int | None, after: int, same_line_ok: bool) -> int:
        s = self.structure
        if scope is not None:
            inside = [c for c in cands if s.owner[c] == scope and c not in s.head_of]
            if not inside:  # a def line runs in its outer scope, e.g. a nested def statement;
                # a class body's first line event is on its own ``class`` line
                inside = [c for c in cands if s.owner[c] == scope or s.head_of.get(c) == scope]
            cands = inside
        if not cands:
            return -1
        if not (same_line_ok and after in cands):
            reachable = [c for c in cands if c in s.next_lines(after)]
            cands = reachable or cands

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
            # The first call of a script without an entry marker opens the module scope,
            # also when line 1 is a ``def`` line (it would otherwise open that function).
            if not self.stack and not s.has_entry_marker:
                scope = MODULE_SCOPE
            else:
                scope = s.scope_opened_by(lineno)
            caller = self.stack[-1].lineno if self.stack else None
            self.stack.append(_Position(scope, lineno, s.call_name(lineno, frame.locals, caller)))
        else:
            scope = self.stack[-1].scope if self.stack else MODULE_SCOPE
            if self.stack:
                self.stack[-1].lineno = lineno
        depth = len(self.stack) - 1
        name = (self.stack[-1].name if self.stack else None) or s.scope_name(scope)
        located = frame.with_position(lineno, name, depth)
        if frame.event is Event.RETURN and self.stack:
            self.stack.pop()
        return located


def locate_frames(source: str, frames: list[Frame] | tuple[Frame, ...]) -> list[Frame]:
    """Line numbers for a whole trace; raises :class:`UnresolvedLineError` on the first
    line that cannot be placed."""
    loc = FrameLocator.for_source(source)
    return [loc.locate_and_advance(f) for f in frames]


#: co_name of the code objects Python makes for expressions (3.12+ inlines comprehensions:
#: no call frame, so their names never come up there).
_ANONYMOUS = {ast.ListComp: "<listcomp>", ast.SetComp: "<setcomp>", ast.DictComp: "<dictcomp>",
              ast.GeneratorExp: "<genexpr>", ast.Lambda: "<lambda>"}


def _bound_names(node: ast.AST) -> frozenset[str]:
    """The locals an expression scope can show: a lambda's parameters, a comprehension's targets."""
    if isinstance(node, ast.Lambda):
        a = node.args
        params = a.posonlyargs + a.args + a.kwonlyargs + [p for p in (a.vararg, a.kwarg) if p]
        return frozenset(p.arg for p in params)
    return frozenset(n.id for g in getattr(node, "generators", ()) for n in ast.walk(g.target)
                     if isinstance(n, ast.Name))


class _StatementFlow:
    """Which line can run right after which, statement by statement (no expressions).

    An approximation of the control flow that only ranks candidates: a line it does not
    know has no successors, and the reading-order rule decides.
    """

    def __init__(self) -> None:
        self.successors: dict[int, frozenset[int]] = {}

    def _add(self, lines: Iterable[int], targets: Iterable[int | None]) -> None:
        found = frozenset(t for t in targets if t is not None)
        for line in lines:
            self.successors[line] = self.successors.get(line, frozenset()) | found

    def add_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        # After the call frame on the head (a ``def`` or decorator line), the first line
        # event is the first statement of the body (a class body: its ``class`` line first).
        heads = [node.lineno] + [d.lineno for d in node.decorator_list]
        first = _start(_code_body(node)[0]) if _code_body(node) else None
        self._add(heads, [first, node.lineno if isinstance(node, ast.ClassDef) else None])
        self.add_block(node.body, None, None, ())

    def add_block(self, body: list[ast.stmt], after: int | None, loop: tuple[int, int | None] | None,
                  handlers: tuple[int, ...]) -> None:
        """``after``: the line that runs when the block ends normally (None: the scope
        returns); ``loop``: (header, line after the loop) of the innermost loop;
        ``handlers``: ``except`` lines an exception here can go to."""
        for i, stmt in enumerate(body):
            nxt = _start(body[i + 1]) if i + 1 < len(body) else after
            self._add_statement(stmt, nxt, loop, handlers)

    def _add_statement(self, stmt: ast.stmt, nxt: int | None, loop: tuple[int, int | None] | None,
                       handlers: tuple[int, ...]) -> None:
        start = _start(stmt)
        end = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            header = range(start, stmt.body[0].lineno)
            exit_line = _start(stmt.orelse[0]) if stmt.orelse else nxt
            self._add(header, [*header, _start(stmt.body[0]), exit_line, *handlers])
            self.add_block(stmt.body, stmt.lineno, (stmt.lineno, nxt), handlers)
            self.add_block(stmt.orelse, nxt, loop, handlers)
        elif isinstance(stmt, ast.If):
            header = range(start, stmt.body[0].lineno)
            other = _start(stmt.orelse[0]) if stmt.orelse else nxt
            self._add(header, [*header, _start(stmt.body[0]), other, *handlers])
            self.add_block(stmt.body, nxt, loop, handlers)
            self.add_block(stmt.orelse, nxt, loop, handlers)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            # The line event back on the ``with`` line when the body ends (``__exit__``).
            header = range(start, stmt.body[0].lineno)
            self._add(header, [*header, _start(stmt.body[0]), nxt, *handlers])
            self.add_block(stmt.body, stmt.lineno, loop, handlers)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            final = _start(stmt.finalbody[0]) if stmt.finalbody else None
            done = final or nxt
            caught = tuple(h.lineno for h in stmt.handlers)
            self._add(range(start, stmt.body[0].lineno), [_start(stmt.body[0])])
            self.add_block(stmt.body, _start(stmt.orelse[0]) if stmt.orelse else done, loop,
                           handlers + caught + ((final,) if final else ()))
            for h in stmt.handlers:
                self._add(range(h.lineno, h.body[0].lineno), [_start(h.body[0]), *caught, *handlers])
                self.add_block(h.body, done, loop, handlers + ((final,) if final else ()))
            self.add_block(stmt.orelse, done, loop, handlers)
            self.add_block(stmt.finalbody, nxt, loop, handlers)
        else:
            if isinstance(stmt, ast.Break):
                targets = [loop[1] if loop else None]
            elif isinstance(stmt, ast.Continue):
                targets = [loop[0] if loop else None]
            elif isinstance(stmt, (ast.Return, ast.Raise)):
                targets = []
            else:  # simple statements, ``def``/``class`` statements, ``match`` (not modelled)
                targets = [nxt]
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                end = max(stmt.lineno, stmt.body[0].lineno - 1)  # the body is another scope
            span = range(start, end + 1)
            self._add(span, [*span, *targets, *handlers])


def _start(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _code_body(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.stmt]:
    """The statements that run: a function's docstring is not code (a class's is), nor are
    its ``global`` / ``nonlocal`` declarations (no line event stands on them)."""
    body = node.body
    if (not isinstance(node, ast.ClassDef) and len(body) > 1 and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
        body = body[1:]
    while len(body) > 1 and isinstance(body[0], (ast.Global, ast.Nonlocal)):
        body = body[1:]
    return body
