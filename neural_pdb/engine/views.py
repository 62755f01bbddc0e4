"""Frame views: what the engine (and pdb's commands) see of one running activation.

``bdb`` and ``pdb`` read a handful of attributes of a Python frame: ``f_code``
(``co_filename``, ``co_name``, ``co_firstlineno``, ``co_flags``, argument names),
``f_lineno``, ``f_back``, ``f_globals`` and ``f_locals``. A :class:`FrameView` offers
exactly those for a frame of any backend, so bdb's own stepping rules and pdb's own
command code run unchanged over predicted frames, and over recorded frames when the
session travels back in time.

Values of a predicted (or recorded) frame are rebuilt from their reprs with
``ast.literal_eval``; a value that cannot be rebuilt stands as a :class:`PredictedValue`
whose repr is the predicted repr, so ``p x`` shows what the model said.
"""

from __future__ import annotations

import ast
import builtins
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Mapping


class PredictedValue:
    """A value known only by its repr (an object, a function, a truncated repr)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PredictedValue) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def rebuild_value(text: str) -> Any:
    """The Python value a repr stands for, when it is a literal; else a PredictedValue."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return PredictedValue(text)


def rebuild_exception(text: str) -> BaseException | None:
    """``ZeroDivisionError('division by zero')`` -> the exception, for builtin
    exception types with literal arguments; None otherwise."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords):
        return None
    kind = getattr(builtins, node.func.id, None)
    if not (isinstance(kind, type) and issubclass(kind, BaseException)):
        return None
    try:
        args = [ast.literal_eval(a) for a in node.args]
        return kind(*args)
    except Exception:  # a literal that is not, or a constructor that refuses its arguments
        return None


def exception_text(text: str) -> str:
    """What pdb prints of an exception (``traceback.format_exception_only``'s last line)
    when only its repr is known: ``InsufficientFunds('need 130 more')`` ->
    ``InsufficientFunds: need 130 more``; the repr itself when it is not of that form."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)) and not node.keywords):
        return text
    name = ast.unparse(node.func)
    try:
        args = tuple(ast.literal_eval(a) for a in node.args)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    message = "" if not args else str(args[0]) if len(args) == 1 else str(args)
    return f"{name}: {message}" if message else name


def rebuild_namespace(reprs: Mapping[str, str]) -> dict[str, Any]:
    return {name: rebuild_value(text) for name, text in reprs.items()}


@dataclass(frozen=True)
class CodeView:
    """The attributes of a code object that bdb and pdb read."""

    co_filename: str
    co_name: str
    co_firstlineno: int
    co_flags: int = 0
    co_argcount: int = 0
    co_kwonlyargcount: int = 0
    co_varnames: tuple[str, ...] = ()

    @classmethod
    def of(cls, code: Any) -> "CodeView":
        return cls(code.co_filename, code.co_name, code.co_firstlineno, code.co_flags, code.co_argcount,
                   code.co_kwonlyargcount, tuple(code.co_varnames))


class FrameView:
    """One activation (a call of a function, a module run, a generator), identified by
    the object itself: bdb compares frames with ``is``. ``f_lineno`` follows the
    activation's events. ``f_locals`` / ``f_globals`` are made on first use after each
    :meth:`bind` (live dicts at the real program's frontier, rebuilt values otherwise)
    and then kept, as pdb keeps ``curframe_locals``, so that edits are not lost."""

    def __init__(self, code: CodeView, back: "FrameView | None", key: Hashable = None, lineno: int = 0,
                 live: Any = None) -> None:
        self.f_code = code
        self.f_back = back
        self.f_lineno = lineno
        self.key = key
        self.live = live
        self.f_trace = None
        # the resolved locals (reprs) of this activation's latest call/line frame
        self.last_items: tuple[tuple[str, str], ...] = ()
        self.module_view: "FrameView | None | bool" = False   # found on first use
        # what pdb writes into a frame's locals and finds there later (``__return__``):
        # name -> (value, history index from which it is there)
        self.sticky: dict[str, tuple[Any, int]] = {}
        self._locals: dict[str, Any] | None = {}
        self._globals: dict[str, Any] | None = {}
        self._make_locals: Callable[[], dict[str, Any]] | None = None
        self._make_globals: Callable[[], dict[str, Any]] | None = None

    @property
    def last_reprs(self) -> dict[str, str]:
        return dict(self.last_items)

    def bind(self, make_locals: Callable[[], dict[str, Any]], make_globals: Callable[[], dict[str, Any]]) -> None:
        self._locals = self._globals = None
        self._make_locals, self._make_globals = make_locals, make_globals

    @property
    def f_locals(self) -> dict[str, Any]:
        if self._locals is None:
            self._locals = self._make_locals() if self._make_locals else {}
        return self._locals

    @f_locals.setter
    def f_locals(self, value: dict[str, Any]) -> None:
        self._locals = value

    @property
    def f_globals(self) -> dict[str, Any]:
        if self._globals is None:
            self._globals = self._make_globals() if self._make_globals else {}
        return self._globals

    @f_globals.setter
    def f_globals(self, value: dict[str, Any]) -> None:
        self._globals = value

    def __repr__(self) -> str:
        return f"<FrameView {self.f_code.co_name} {self.f_code.co_filename}:{self.f_lineno}>"


class ProgramCode:
    """Code views for the functions of the program a model predicts, from its source:
    first line and argument names come from the ``def`` (pdb's ``args`` reads them)."""

    def __init__(self, filename: str, source: str) -> None:
        self.filename = filename
        self.by_line: dict[int, CodeView] = {}
        self.by_name: dict[str, list[CodeView]] = {}
        try:
            tree = ast.parse(source)
        except SyntaxError:
            tree = None
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._add(self._function_code(node))
                elif isinstance(node, ast.ClassDef):
                    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    self._add(CodeView(filename, node.name, first))
        self.module = CodeView(filename, "<module>", 1)

    def _add(self, code: CodeView) -> None:
        self.by_line[code.co_firstlineno] = code
        self.by_name.setdefault(code.co_name, []).append(code)

    def _function_code(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> CodeView:
        a = node.args
        names = [x.arg for x in a.posonlyargs + a.args]
        flags = 0
        kwonly = [x.arg for x in a.kwonlyargs]
        names += kwonly
        if a.vararg:
            names.append(a.vararg.arg)
            flags |= inspect.CO_VARARGS
        if a.kwarg:
            names.append(a.kwarg.arg)
            flags |= inspect.CO_VARKEYWORDS
        if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _own_nodes(node)):
            flags |= inspect.CO_GENERATOR
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        return CodeView(self.filename, node.name, first, flags, len(a.posonlyargs) + len(a.args), len(kwonly),
                        tuple(names))

    def for_call(self, function: str | None, lineno: int | None) -> CodeView:
        """The code a call frame enters: by its line (a ``def`` or decorator line), else
        by function name, else a code view made from what the frame says."""
        if function in (None, "<module>"):
            return self.module
        if lineno is not None and lineno in self.by_line and self.by_line[lineno].co_name == function:
            return self.by_line[lineno]
        found = self.by_name.get(function or "")
        if found:
            return found[0]
        return CodeView(self.filename, function or "?", lineno or 1)


def _own_nodes(func: ast.AST):
    """The nodes of a function body, not descending into nested scopes."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))
