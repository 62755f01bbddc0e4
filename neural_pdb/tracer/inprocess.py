"""Tracing in this process: a whole script as ``__main__``, or one call of a function.

Both leave the caller's interpreter as they found it (``sys.argv``, ``sys.path[0]``,
``sys.modules['__main__']`` and the script's own modules, the standard streams, the
trace function). They trust the
program to end: a program that swallows ``BaseException`` in a loop, or exhausts memory,
can still hurt this process; :func:`run_traced_subprocess` cannot be hurt that way.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import sys
import types
from typing import Iterator, Sequence

from trace_format import Trace, add_start_marker

from ..program import Program, ProgramError, check_syntax, read_program
from .recorder import FrameRecorder, TraceStopped, TimeLimitAlarm
from .results import TraceLimits, TraceResult, exception_line


def normalize_newlines(source: str) -> str:
    """``\\r\\n`` and ``\\r`` as ``\\n``: Python reads them so, and line N of the trace's
    source must be line N of the program."""
    return source.replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _captured_output(capture: bool) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    if not capture:
        yield out, err
        return
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO("")  # input() gets EOFError instead of waiting for a user
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    finally:
        sys.stdin = saved_stdin


@contextlib.contextmanager
def _as_main(main: types.ModuleType, argv: list[str], script_dir: str) -> Iterator[None]:
    """``sys.modules['__main__']``, ``sys.argv`` and ``sys.path[0]`` as ``python script``
    sets them, restored afterwards."""
    saved_main = sys.modules.get("__main__")
    saved_argv = sys.argv
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    sys.modules["__main__"] = main
    sys.argv = argv
    sys.path.insert(0, script_dir)
    try:
        yield
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        sys.argv = saved_argv
        sys.path[:] = saved_path
        # The script's own modules (next to it) must not stay cached for the next
        # program traced in this process: another script's helper.py is another module.
        for name in set(sys.modules) - saved_modules:
            path = getattr(sys.modules[name], "__file__", None)
            if path and os.path.dirname(os.path.abspath(path)) == script_dir:
                del sys.modules[name]


def trace_script(path_or_program: str | os.PathLike | Program, argv: Sequence[str] = (),
                 limits: TraceLimits = TraceLimits(), capture_output: bool = False) -> TraceResult:
    """Run a whole script as ``__main__`` (``sys.argv = [script, *argv]``) and record its
    trace from the module scope's call frame on line 1.

    Raises :class:`ProgramError` for a path that is not a readable Python script (a
    one-line message); whatever the program does when it runs is in the result.
    """
    program = path_or_program if isinstance(path_or_program, Program) else read_program(os.fspath(path_or_program))
    source = normalize_newlines(program.source)
    check_syntax(source, program.filename)  # a hand-made Program may not compile
    code = compile(source, program.filename, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__dict__.update({"__file__": program.filename, "__builtins__": builtins})
    recorder = FrameRecorder(program.filename, source, limits)
    with _captured_output(capture_output) as (out, err), \
            _as_main(main, [program.filename, *argv], os.path.dirname(program.filename)):
        error = recorder.run(lambda: exec(code, main.__dict__))
    trace = Trace(source, tuple(recorder.frames), recorder.finished)
    return TraceResult(trace, error, out.getvalue(), err.getvalue())


def mark_entry(source: str, entry: str, filename: str = "<input>") -> str:
    """``source`` with ``# << START_OF_TRACE`` on ``entry``'s ``def`` line, or a
    :class:`ProgramError`."""
    source = normalize_newlines(source)
    check_syntax(source, filename)
    try:
        return add_start_marker(source, entry)
    except ValueError as e:
        raise ProgramError(f"Error: {e} in {filename}") from None


def compile_args(args: str) -> types.CodeType:
    """The arguments text (``"'abc', 2"``) as the tuple expression CruxEval calls with."""
    text = args.strip()
    # "'a'," already ends with the comma that makes a tuple (CruxEval has such inputs)
    expression = "()" if not text else f"({text})" if text.endswith(",") else f"({text},)"
    try:
        return compile(expression, "<args>", "eval", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        raise ProgramError(f"Error: the arguments are not a Python expression list: {args!r}") from None


def trace_call(source: str, entry: str, args: str, filename: str = "<input>",
               limits: TraceLimits = TraceLimits(), capture_output: bool = True) -> TraceResult:
    """CruxEval style: run ``source``'s module body untraced, then trace
    ``entry(*eval(f"({args},)"))`` from its call frame to its return.

    ``Trace.source`` is the marked source (see :func:`trace_format.add_start_marker`).
    Raises :class:`ProgramError` for source that does not compile, no top-level
    function ``entry``, or ``args`` that do not parse; a crash of the module body or of
    the arguments' evaluation is the result's error (with no frames).
    """
    marked = mark_entry(source, entry, filename)
    code = compile(marked, filename, "exec", dont_inherit=True)
    args_code = compile_args(args)
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    empty = Trace(marked)
    recorder = FrameRecorder(filename, marked, limits)
    with _captured_output(capture_output) as (out, err):
        setup_error = _run_untraced(lambda: exec(code, namespace), limits)
        function = namespace.get(entry)
        if setup_error is None and not callable(function):
            setup_error = f"TypeError: {entry} is not a function when the module body has run"
        if setup_error is None:
            try:
                call_args = eval(args_code, namespace)
            except Exception as e:
                setup_error = f"bad arguments: {exception_line(e)}"
        if setup_error is not None:
            return TraceResult(empty, setup_error, out.getvalue(), err.getvalue())
        error = recorder.run(lambda: function(*call_args))
    trace = Trace(marked, tuple(recorder.frames), recorder.finished)
    return TraceResult(trace, error, out.getvalue(), err.getvalue())


def _run_untraced(body, limits: TraceLimits) -> str | None:
    """The module body before an entry call: same time limit, no frames."""
    stopped: list[str] = []

    def on_alarm() -> None:
        stopped.append(f"stopped: time limit of {limits.max_seconds:g} s (in the module body)")
        raise TraceStopped(stopped[0])

    try:
        with TimeLimitAlarm(limits.max_seconds, on_alarm):
            try:
                body()
            except TraceStopped:
                pass
            except KeyboardInterrupt:
                raise
            except BaseException as e:
                return exception_line(e)
    except TraceStopped:
        pass
    return stopped[0] if stopped else None
