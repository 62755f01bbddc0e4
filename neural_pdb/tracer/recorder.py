"""The frame recorder: ``sys.settrace`` events of one program turned into CWM frames.

Why ``sys.settrace`` on every Python version, and not ``sys.monitoring`` (3.12+): the
format *is* the settrace protocol (``call`` on entering a scope, generator resumes
included; ``line`` before a line; ``return`` on leaving, a ``yield`` included;
``exception`` where an exception is raised or passes, then ``return`` ``None`` when it
leaves the scope), and pdb reports the same events. ``sys.monitoring`` splits these
into PY_START/PY_RESUME/PY_YIELD/PY_RETURN/PY_UNWIND/RAISE/RERAISE/LINE with other
rules (e.g. no separate unwind return value, line events per instruction offset); a
mapping is possible but every difference would change the trace our models learn.
Equivalence matters more than speed here, so one mechanism, the one the format is
defined by.

Only frames whose code comes from the program's file are recorded: the stdlib, other
modules and the tracer itself never appear; only the thread that runs the program is
traced (``sys.settrace`` is per thread). Depth counts recorded scopes only (the entry
scope is 0).

Comprehensions: 3.11 runs each in its own scope (a ``<listcomp>`` call frame, depth + 1,
whose hidden iterator ``.0`` is not shown); 3.12+ inlines list/set/dict comprehensions
(PEP 709), so their lines are line frames of the enclosing function, whose locals show
the iteration variable while it runs (at module level the variable is not shown: see
:func:`scope_locals`). Generator expressions are scopes on every version.
"""

from __future__ import annotations

import inspect
import sys
import time
import types
from typing import Any, Callable

from trace_format import Event, Frame

from .reprs import safe_repr
from .results import TraceLimits, exception_line

# Names Python puts in every class body; the user did not write them.
_IMPLICIT_CLASS_NAMES = frozenset({"__module__", "__qualname__", "__doc__", "__annotations__",
                                   "__firstlineno__", "__static_attributes__", "__classcell__",
                                   "__classdictcell__", "__type_params__"})


_EVENTS = {"call": Event.CALL, "line": Event.LINE}


class TraceStopped(BaseException):
    """Raised into the program to end a run at a limit. A ``BaseException`` so that the
    program's ``except Exception:`` does not swallow it (a bare ``except:`` can: only the
    subprocess runner's wall-clock kill is a hard guarantee)."""


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def user_globals(namespace: dict[str, Any]) -> dict[str, Any]:
    """The module scope's locals: globals not of the form ``__x__`` and not modules."""
    return {k: v for k, v in namespace.items()
            if not _is_dunder(k) and not isinstance(v, types.ModuleType)}


def scope_locals(frame: types.FrameType) -> dict[str, Any]:
    """The locals a frame shows in the trace, by kind of scope."""
    if frame.f_code.co_name == "<module>":
        # The globals themselves, not ``f_locals``: on 3.12 a module-level comprehension
        # (inlined, PEP 709) makes ``f_locals`` a merged copy, and writing that copy back
        # after the trace function warns "assigning None to unbound local" into the
        # program's stderr and adds ``__warningregistry__`` to its globals.
        return user_globals(frame.f_globals)
    namespace = frame.f_locals
    if frame.f_code.co_flags & inspect.CO_OPTIMIZED:
        # A function. ``.0`` (a 3.11 comprehension's hidden iterator) is not a name
        # the user wrote, and 3.12+ inlined comprehensions have no such local.
        if ".0" in namespace:
            return {k: v for k, v in namespace.items() if k.isidentifier()}
        return namespace
    return {k: v for k, v in namespace.items() if k not in _IMPLICIT_CLASS_NAMES}


class FrameRecorder:
    """Records the frames of the program in ``filename`` while :meth:`run` runs.

    ``source`` is the text the frames' source lines come from (the marked source for an
    entry call). Recording ends when the first recorded scope (the entry scope) returns.
    """

    def __init__(self, filename: str, source: str, limits: TraceLimits) -> None:
        self.filename = filename
        self.lines = source.split("\n")
        self.limits = limits
        self.frames: list[Frame] = []
        self.finished = False
        self.stop_reason: str | None = None
        self._open: list[types.FrameType] = []
        self._deadline = 0.0
        self._max_frames, self._max_depth = limits.max_frames, limits.max_depth

    # -- running ---------------------------------------------------------------------

    def run(self, body: Callable[[], Any]) -> str | None:
        """Call ``body`` with tracing on; return the one-line error, or None.

        A ``KeyboardInterrupt`` is re-raised once tracing is off; every other way the
        run can end becomes the error line."""
        previous = sys.gettrace()
        self._deadline = time.monotonic() + self.limits.max_seconds
        error: str | None = None
        try:
            with TimeLimitAlarm(self.limits.max_seconds + 1.0, self._on_alarm):
                sys.settrace(self._trace_call)
                try:
                    body()
                except TraceStopped:
                    pass
                except SystemExit as e:  # sys.exit(0) is a normal end, as for python
                    error = None if e.code in (None, 0) else exception_line(e)
                except KeyboardInterrupt:
                    raise
                except BaseException as e:  # anything the program raises is its result
                    error = exception_line(e)
                finally:
                    sys.settrace(previous)
        except TraceStopped:  # the alarm fired between the body's end and the timer's reset
            sys.settrace(previous)
        if self.stop_reason is not None:
            return f"stopped: {self.stop_reason}"
        if error is None and not self.finished:
            if not self.frames:  # e.g. the entry name was rebound to a builtin
                return "stopped: nothing was traced (no code of the program ran)"
            return "stopped: the program turned tracing off"
        return error

    # -- trace functions -------------------------------------------------------------

    def _trace_call(self, frame: types.FrameType, event: str, arg: Any):
        # The global trace function: only "call" events come here.
        if self.finished or self.stop_reason is not None or frame.f_code.co_filename != self.filename:
            return None
        self._record(frame, event, arg)
        return self._trace_local

    def _trace_local(self, frame: types.FrameType, event: str, arg: Any):
        # "line", "return" or "exception" ("opcode" events are never switched on)
        if self.finished or self.stop_reason is not None:
            return None
        self._record(frame, event, arg)
        return self._trace_local

    def _stop(self, reason: str) -> None:
        self.stop_reason = reason
        sys.settrace(None)
        raise TraceStopped(reason)

    def _on_alarm(self) -> None:
        self.stop_reason = self.stop_reason or f"time limit of {self.limits.max_seconds:g} s"
        raise TraceStopped(self.stop_reason)

    def _record(self, frame: types.FrameType, event: str, arg: Any) -> None:
        try:
            if (len(self.frames) >= self._max_frames or time.monotonic() > self._deadline
                    or (event == "call" and len(self._open) > self._max_depth)):
                self._check_limits(event)  # raises, with the reason
            self.frames.append(self._make_frame(frame, event, arg))
        except TraceStopped:
            raise
        except BaseException as e:  # a bug or RecursionError in here must not pass silently
            self._stop(f"tracer failed: {exception_line(e)}")

    def _check_limits(self, event: str) -> None:
        limits = self.limits
        if len(self.frames) >= limits.max_frames:
            self._stop(f"more than {limits.max_frames} frames")
        if time.monotonic() > self._deadline:
            self._stop(f"time limit of {limits.max_seconds:g} s")
        if event == "call" and len(self._open) > limits.max_depth:
            self._stop(f"more than {limits.max_depth} nested calls")

    def _make_frame(self, frame: types.FrameType, event: str, arg: Any) -> Frame:
        max_repr = self.limits.max_repr
        lineno = frame.f_lineno or 1  # a module's call event reports line 0
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        function = frame.f_code.co_name
        if event == "call":
            depth = len(self._open)
            self._open.append(frame)
        else:
            depth = len(self._open) - 1
        if event in ("call", "line"):
            # built directly as Frame.local_items: this runs for every frame
            values = tuple([(k, safe_repr(v, max_repr)) for k, v in scope_locals(frame).items()])
            return Frame(_EVENTS[event], line, values, None, lineno, function, depth)
        if event == "return":
            if self._open:
                self._open.pop()
            if not self._open:
                self.finished = True
            return Frame(Event.RETURN, line, (), safe_repr(arg, max_repr), lineno, function, depth)
        exc_type, exc_value, _ = arg
        shown = exc_value if exc_value is not None else exc_type
        return Frame(Event.EXCEPTION, line, (), safe_repr(shown, max_repr), lineno, function, depth)


class TimeLimitAlarm:
    """A SIGALRM backstop for the time limit: a program stuck in one long line produces
    no events to check the clock at. Only in the main thread, where signals can be
    handled; the previous handler and timer are restored."""

    def __init__(self, seconds: float, on_alarm: Callable[[], None]) -> None:
        self.seconds = seconds
        self.on_alarm = on_alarm
        self.active = False

    def __enter__(self) -> "TimeLimitAlarm":
        import signal
        import threading
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
            return self

        def on_alarm(signum, frame):
            self.on_alarm()

        self._signal = signal
        self._old_handler = signal.signal(signal.SIGALRM, on_alarm)
        # Repeating: a program whose bare ``except:`` swallowed the first one gets another.
        self._old_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds, 1.0)
        self.active = True
        return self

    def __exit__(self, *exc) -> None:
        if self.active:
            signal = self._signal
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
            if self._old_timer[0] > 0:
                signal.setitimer(signal.ITIMER_REAL, *self._old_timer)
