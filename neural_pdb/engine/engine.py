"""The engine: one debugging session over the frames of any backend, without a UI.

It owns what pdb's ``Bdb`` owns (breakpoints, the stepping state, the stack at a stop)
plus what pdb lacks: the history of every frame so far, so that ``back`` restores an
earlier stop exactly and stepping forward again replays recorded frames up to the live
frontier.

Stepping semantics are bdb's own, defined once: the engine *is* a ``bdb.Bdb`` whose
``dispatch_*`` rules run over :class:`~neural_pdb.engine.views.FrameView` objects fed
from the backend's frames instead of being called by ``sys.settrace``. So step, next,
return, until, continue, breakpoints (line, function, conditions, ignore counts,
temporary) and their numbering behave exactly as in pdb, for the real program and for
a model alike. Two things a trace function would do implicitly are made explicit:

- a frame whose ``dispatch_call`` answers None is not traced: its later events are
  not dispatched (Python would not report them), until the frame is entered again;
- frames pdb shows around the program (``bdb.py(600)run()``, ``<string>``) come from
  the real program; for a model they are stood in by views with the same names, so
  ``where`` reads the same.

Time travel restores the program's state at an earlier stop (lines, stack, values) and
replays recorded frames forward; it does not roll back the debugger's own counters
(breakpoint hits and ignore counts), which count every crossing, replayed or not.
"""

from __future__ import annotations

import bdb
import inspect
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from trace_format import Event, Frame

from .backend import Backend, FrameInfo, ProgramOutcome
from .reach import BreakpointReach
from .repeats import RepeatedStates
from .views import CodeView, FrameView, ProgramCode, exception_text, rebuild_exception, rebuild_value

def _bdb_run_position() -> tuple[int, int]:
    """(first line of ``Bdb.run``, line of its ``exec(cmd, ...)``) in this Python's bdb."""
    lines, first = inspect.getsourcelines(bdb.Bdb.run)
    for offset, text in enumerate(lines):
        if text.strip().startswith("exec(cmd"):
            return first, first + offset
    return first, first


def _pdb_main_views() -> list[tuple[FrameView, int]]:
    """Views of ``pdb.main()`` and ``Pdb._run()`` at the lines that run the program: a
    post-mortem stack under ``python -m pdb`` starts there."""
    import pdb
    out: list[tuple[FrameView, int]] = []
    back = None
    for func, name, needle in ((pdb.main, "main", "pdb._run(target)"), (pdb.Pdb._run, "_run", "self.run(")):
        try:
            lines, first = inspect.getsourcelines(func)
        except (OSError, TypeError):
            return []
        at = next((first + i for i, t in enumerate(lines) if t.strip().startswith(needle)), first)
        back = FrameView(CodeView(pdb.__file__, name, first), back, lineno=at)
        out.append((back, at))
    return out


@dataclass(frozen=True)
class EventRecord:
    """One frame of the history and the activation it ran in."""

    frame: Frame
    info: FrameInfo
    view: FrameView
    #: a call frame whose inside the backend was allowed to skip (``skip_call``)
    skipped_inside: bool = False


@dataclass
class Stop:
    """Where the session stands: the event stopped at and the stack as pdb builds it."""

    event: str                     # "call", "line", "return", "exception"
    index: int                     # the event's index in the history
    view: FrameView
    stack: list[tuple[FrameView, int]]
    curindex: int
    info: FrameInfo
    return_value: Any = None
    exception_text: str = ""       # "ZeroDivisionError: division by zero" on an exception stop
    traceback: Any = None          # live traceback of an exception stop (real backend)
    live: bool = False             # at the running program's frontier: namespaces are live
    # what `back` needs to restore this stop exactly
    namespaces: list[tuple] = field(default_factory=list)   # each stack view's locals (reprs) here
    model_stack: list[FrameView] = field(default_factory=list)
    untraced: frozenset = frozenset()
    frame: Frame | None = None     # the frame stopped at
    log_index: int = 0             # the shell's command count when it stopped here


@dataclass
class ProgramEnd:
    """The program ended (or, for ``exception``, died: ``stop`` is its post-mortem stop)."""

    outcome: ProgramOutcome
    stop: Stop | None = None


class Engine(bdb.Bdb):
    """A session: ``start()``, then ``set_step()``/``set_next(view)``/... and ``resume()``
    until a :class:`Stop` or :class:`ProgramEnd`; ``back()`` to travel back."""

    def __init__(self, backend: Backend, message: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.mainpyfile = self.canonic(backend.filename)
        self.program = ProgramCode(backend.filename, backend.source)
        self.reach = BreakpointReach(backend.source)
        #: where the engine reports what pdb prints outside a stop ("Deleted breakpoint ...")
        self.message: Callable[[str], None] = message or (lambda text: None)
        #: pdb's display expressions, per frame view (pdb's ``displaying``)
        self.displaying: dict[FrameView, dict[str, Any]] = {}
        #: a predicted state repeated this often in one activation stops the session there
        #: (the model backends' prediction config; the real program has none: never)
        self.repeats = RepeatedStates(getattr(getattr(backend, "config", None), "max_repeats", 0))
        self._reset_session()

    # -- session state -------------------------------------------------------------
    def _reset_session(self) -> None:
        self.reset()
        self.history: list[EventRecord] = []
        self.cursor = 0                          # next history index to dispatch
        self.stops: list[Stop] = []              # stops made, for `back`
        self.finished: ProgramEnd | None = None
        self._views: dict[Any, FrameView] = {}   # live frame -> view (real backend)
        self._model_stack: list[FrameView] = []  # open activations (model backend)
        self._suspended: list[FrameView] = []    # generators that yielded (model backend)
        self._untraced: set[FrameView] = set()
        self._stop: Stop | None = None
        self._skip_inside = False
        self._wait_for_mainpyfile = True
        self._first_pending = False
        self._interrupt_pending = False
        self._root: FrameView | None = None
        self.displaying.clear()
        self.repeats.clear()

    @property
    def at_frontier(self) -> bool:
        return self.cursor >= len(self.history)

    def program_frames(self) -> list[Frame]:
        """The CWM frames of the program's own code so far (what a model would predict),
        without the frames of other files a real program also runs."""
        return [r.frame for r in self.history[:self.cursor] if self.canonic(r.view.f_code.co_filename) == self.mainpyfile]

    # -- running -------------------------------------------------------------------
    def start(self) -> Stop | ProgramEnd:
        """(Re)start the program; stop where pdb first stops (the first line of the
        program). Breakpoints are kept, as pdb keeps them."""
        self._reset_session()
        self._first: Frame | None = self.backend.start()
        self._first_pending = True
        self.set_step()
        return self.resume()

    def resume(self) -> Stop | ProgramEnd:
        """Run until the stepping state set by ``set_*`` says stop, or the program ends.
        Ctrl-C stops at the next frame (pdb: "Program interrupted")."""
        self._stop = None
        if self.finished is not None:
            return self.finished
        last = self.stops[-1] if self.stops else None
        if last is not None and last.event == "return" and self.stopframe is last.view and self.stoplineno != -1:
            # bdb's dispatch_return, after user_return: a 'next' or 'until' issued at a
            # return stop stops at the very next event (in the caller)
            self._set_stopinfo(None, None)
        interrupted = False
        while True:
            ahead = self._can_run_ahead()
            try:
                if ahead:
                    if not self.backend.run_events(self._on_live_event):  # type: ignore[attr-defined]
                        return self._end()
                else:
                    record = self._next_record()
                    if record is None:
                        return self._end()
                    self._dispatch(record)
            except KeyboardInterrupt:
                # stop at the next frame; a second Ctrl-C before it comes changes nothing
                if not interrupted:
                    self.message("\nProgram interrupted. (Use 'cont' to resume).")
                interrupted = True
                if ahead:
                    self._interrupt_pending = True   # seen by the program's thread
                else:
                    self._set_stopinfo(None, None)
                continue
            if self._stop is not None:
                return self._stop

    def _can_run_ahead(self) -> bool:
        """A backend that can call the engine from the program's own thread
        (``run_events``) hands over only at stops, not at every event."""
        return (hasattr(self.backend, "run_events") and self.cursor >= len(self.history)
                and not self._first_pending and self.finished is None)

    def _on_live_event(self, frame: Frame, info: FrameInfo) -> bool:
        """One event, dispatched in the program's thread while the engine's thread waits
        for the hand-over; True: stop here."""
        if self._interrupt_pending:
            self._interrupt_pending = False
            self._set_stopinfo(None, None)
        record = self._record(frame, info)
        self.history.append(record)
        self.cursor = len(self.history)
        self._dispatch(record)
        return self._stop is not None

    def _next_record(self) -> EventRecord | None:
        if self.cursor < len(self.history):
            record = self.history[self.cursor]
            self.cursor += 1
            return record
        if self.finished is not None:
            return None
        if self._first_pending:
            self._first_pending = False
            frame = self._first
        else:
            skip = self._skip_inside
            self._skip_inside = False
            frame = self.backend.next_frame(skip_call=skip)
            if frame is not None and skip and self.history:
                last = self.history[-1]
                self.history[-1] = EventRecord(last.frame, last.info, last.view, skipped_inside=True)
        if frame is None:
            return None
        record = self._record(frame, self.backend.info())
        self.history.append(record)
        self.cursor = len(self.history)
        if record.info.predicted and record.info.live is None and self.repeats.see(id(record.view), frame):
            # a loop the model does not leave: stop here, as Ctrl-C would (see engine.repeats)
            self.message(f"\n*** The model predicted this state {self.repeats.limit} times in this call: "
                         "a loop it does not leave. (Use 'cont' to resume).")
            self._set_stopinfo(None, None)
        return record

    def _end(self) -> ProgramEnd:
        outcome = getattr(self.backend, "outcome", None)
        stop = None
        if outcome is None:
            outcome, stop = self._predicted_outcome()
        elif outcome.kind == "exception" and outcome.traceback is not None:
            stop = self._post_mortem_stop(outcome.traceback)
        self.finished = ProgramEnd(outcome, stop)
        return self.finished

    def _predicted_outcome(self) -> tuple[ProgramOutcome, Stop | None]:
        """How frames without a backend's word ended: an exception that left the entry
        scope (exception and return frames to the end) is uncaught; its post-mortem stop
        is where it was raised."""
        i = len(self.history) - 1
        raised = None
        while i >= 0 and self.history[i].frame.event in (Event.EXCEPTION, Event.RETURN):
            if self.history[i].frame.event is Event.EXCEPTION:
                raised = i
            i -= 1
        if raised is None or self.history[-1].frame.event is not Event.RETURN:
            return ProgramOutcome(), None
        last = self.history[-1]
        if not any(r.frame.event is Event.EXCEPTION and r.view is last.view for r in self.history[raised:]):
            return ProgramOutcome(), None  # the entry scope returned normally
        record = self.history[raised]
        _, value, _ = self._exception_info(record)
        text = exception_text(str(value)) if isinstance(value, _PredictedException) else \
            traceback.format_exception_only(type(value), value)[-1].strip()
        view = record.view
        view.f_lineno = record.frame.lineno or view.f_lineno
        stack, curindex = self.get_stack(view, None)
        for v, _ in stack:
            self._bind(v, None, live=False)
        stop = Stop("post_mortem", raised, view, stack, curindex, record.info, frame=record.frame)
        return ProgramOutcome("exception", message=text, traceback_text=f"{text}\n"), stop

    # -- building views ------------------------------------------------------------
    def _record(self, frame: Frame, info: FrameInfo) -> EventRecord:
        if info.live is not None:
            view = self._live_view(info.live)
        else:
            view = self._model_view(frame)
        return EventRecord(frame, info, view)

    def _live_view(self, live: Any) -> FrameView:
        view = self._views.get(live)
        if view is None:
            back = self._live_view_of_caller(live.f_back) if live.f_back is not None else None
            view = FrameView(CodeView.of(live.f_code), back, key=live, lineno=live.f_lineno, live=live)
            self._views[live] = view
        return view

    def _live_view_of_caller(self, live: Any) -> FrameView:
        """A caller first seen as a caller (``Bdb.run``, the frames below it) had no call
        event: like a frame without ``f_trace``, it is not traced until bdb says so."""
        known = live in self._views
        view = self._live_view(live)
        if not known:
            self._untraced.add(view)
        return view

    def _resumed_generator(self, code: CodeView, frame: Frame) -> FrameView | None:
        """A call of a generator function whose locals are those a suspended activation
        of it yielded with is that activation resumed (one view, as one real frame: bdb's
        stepping compares frames by identity)."""
        if not code.co_flags & inspect.CO_GENERATOR:
            return None
        for i in range(len(self._suspended) - 1, -1, -1):
            view = self._suspended[i]
            if view.f_code is code and view.last_items == frame.local_items:
                del self._suspended[i]
                return view
        return None

    def _synthetic_root(self) -> FrameView:
        """Views standing for pdb's ``bdb.py(600)run()`` and ``<string>(1)<module>()``."""
        if self._root is None:
            first, exec_line = _bdb_run_position()
            run = FrameView(CodeView(bdb.__file__, "run", first), None, lineno=exec_line)
            self._root = FrameView(CodeView("<string>", "<module>", 1), run, lineno=1)
            self.botframe = run
        return self._root

    def _model_view(self, frame: Frame) -> FrameView:
        if frame.event is Event.CALL:
            parent = self._model_stack[-1] if self._model_stack else self._synthetic_root()
            code = self.program.for_call(frame.function, frame.lineno)
            resumed = self._resumed_generator(code, frame)
            if resumed is not None:
                resumed.f_back = parent   # a generator runs under whoever resumes it
                return resumed
            return FrameView(code, parent, lineno=frame.lineno or 0)
        if self._model_stack:
            view = self._model_stack[-1]
            if frame.event is Event.RETURN and view.f_code.co_flags & inspect.CO_GENERATOR:
                self._suspended.append(view)   # it yielded (or finished): it may be resumed
            return view
        # a frame outside any call (a malformed prediction): run it in the module scope
        view = FrameView(self.program.module, self._synthetic_root(), lineno=frame.lineno or 0)
        self._model_stack.append(view)
        return view

    # -- dispatching one event through bdb's rules ------------------------------------
    def _dispatch(self, record: EventRecord) -> None:
        frame, view, info = record.frame, record.view, record.info
        live = info.live is not None
        if frame.lineno is not None:
            view.f_lineno = frame.lineno
        if frame.event is Event.LINE or frame.event is Event.CALL:
            view.last_items = frame.local_items
        self._bind(view, record, live=live and self.at_frontier)
        event = frame.event
        if not live:
            if event is Event.CALL:
                self._model_stack.append(view)
            elif event is Event.RETURN and self._model_stack and self._model_stack[-1] is view:
                self._model_stack.pop()
            if event is Event.CALL and self.botframe is None:
                self._synthetic_root()
        self._current = record
        if event is Event.CALL:
            self._dispatch_call(record)
        elif view in self._untraced:
            return
        elif event is Event.LINE:
            self.dispatch_line(view)
        elif event is Event.RETURN:
            self.dispatch_return(view, self._event_value(record))
        else:
            self.dispatch_exception(view, self._exception_info(record))

    def _dispatch_call(self, record: EventRecord) -> None:
        view = record.view
        self._predict_skipped_call_again(record)
        traced = self.dispatch_call(view, None)
        if traced is None:
            self._untraced.add(view)
            if record.info.live is None and self.at_frontier:
                self._skip_inside = True     # a model need not predict the inside
        else:
            self._untraced.discard(view)

    def break_anywhere(self, frame: FrameView) -> bool:
        """pdb's rule (any breakpoint in the file) for the real program; for predicted
        frames, only when the called code can reach an enabled breakpoint line, so that
        ``continue`` forces the return of every other call instead of predicting its inside."""
        if not super().break_anywhere(frame):
            return False
        if frame.live is not None:
            return True
        filename = self.canonic(frame.f_code.co_filename)
        lines = [line for line in self.breaks.get(filename, ())
                 if any(bp.enabled for bp in bdb.Breakpoint.bplist.get((filename, line), ()))]
        return self.reach.may_reach(frame.f_code.co_firstlineno, lines)

    def _predict_skipped_call_again(self, record: EventRecord) -> None:
        """A recorded call whose inside was skipped, replayed where it is now traced (after
        ``back``, the user steps into it): the backend predicts on from that call (the
        history after it is dropped). A backend that cannot rewind keeps its history."""
        if not record.skipped_inside or self.at_frontier:
            return
        if not (self.stop_here(record.view) or self.break_anywhere(record.view)):
            return
        dropped = len(self.history) - self.cursor
        if self.backend.rewind(dropped):
            del self.history[self.cursor:]
            self.history[-1] = EventRecord(record.frame, record.info, record.view)

    def _event_value(self, record: EventRecord) -> Any:
        if record.info.live is not None:
            return record.info.live_value
        return rebuild_value(record.frame.value or "None")

    def _exception_info(self, record: EventRecord) -> tuple:
        if record.info.live is not None and isinstance(record.info.live_value, tuple):
            return record.info.live_value
        exc = rebuild_exception(record.frame.value or "")
        if exc is None:
            return (_PredictedException, _PredictedException(record.frame.value or "?"), None)
        return (type(exc), exc, None)

    def _bind(self, view: FrameView, record: EventRecord | None, live: bool) -> None:
        """Give ``view`` the namespaces pdb's commands and breakpoint conditions use
        (made on first use: most frames are dispatched without anyone looking)."""
        if live and view.live is not None:
            frame = view.live
            view.bind(lambda: frame.f_locals, lambda: frame.f_globals)
            return
        module = self._module_view(view)
        module_items = module.last_items if module is not None else ()
        if view.f_code.co_name == "<module>" or view is self._root:
            made: list[dict[str, Any]] = []

            def module_ns() -> dict[str, Any]:
                if not made:
                    ns = {k: rebuild_value(v) for k, v in module_items}
                    ns.setdefault("__name__", "__main__")
                    made.append(ns)
                return made[0]
            view.bind(module_ns, module_ns)
            if view is not self._root and self._root is not None and view.f_back is self._root:
                self._root.bind(module_ns, module_ns)
        else:
            items, now = view.last_items, self.cursor - 1
            sticky = {k: value for k, (value, since) in view.sticky.items() if since <= now}
            view.bind(lambda: {**{k: rebuild_value(v) for k, v in items}, **sticky},
                      lambda: {k: rebuild_value(v) for k, v in module_items})

    def _module_view(self, view: FrameView) -> FrameView | None:
        """The module activation of the view's file below it (its globals), found once."""
        if view.module_view is False:
            v: FrameView | None = view
            while v is not None and not (v.f_code.co_name == "<module>"
                                         and v.f_code.co_filename == view.f_code.co_filename):
                v = v.f_back
            view.module_view = v
        return view.module_view  # type: ignore[return-value]

    # -- bdb's hooks: decide a stop ----------------------------------------------------
    def user_call(self, frame: FrameView, argument_list: Any) -> None:
        if self._wait_for_mainpyfile:
            return
        if self.stop_here(frame):
            self._make_stop("call", frame)

    def user_line(self, frame: FrameView) -> None:
        if self._wait_for_mainpyfile:
            if self.mainpyfile != self.canonic(frame.f_code.co_filename) or frame.f_lineno <= 0:
                return
            self._wait_for_mainpyfile = False
        self._make_stop("line", frame)

    def user_return(self, frame: FrameView, return_value: Any) -> None:
        if self._wait_for_mainpyfile:
            return
        frame.f_locals["__return__"] = return_value
        frame.sticky["__return__"] = (return_value, self.cursor - 1)   # pdb's stays in the frame's locals
        self._make_stop("return", frame, return_value=return_value)

    def user_exception(self, frame: FrameView, exc_info: tuple) -> None:
        if self._wait_for_mainpyfile:
            return
        exc_type, exc_value, exc_traceback = exc_info
        frame.f_locals["__exception__"] = exc_type, exc_value
        prefix = "Internal " if (not exc_traceback and exc_type is StopIteration) else ""
        if exc_type is _PredictedException:
            text = exception_text(str(exc_value))
        else:
            text = traceback.format_exception_only(exc_type, exc_value)[-1].strip()
        self._make_stop("exception", frame, exception_text=prefix + text, tb=exc_traceback)

    def do_clear(self, arg: str) -> None:
        """bdb deletes a temporary breakpoint when it is hit; pdb says so."""
        try:
            bp = self.get_bpbynumber(arg)
        except ValueError:
            return
        self.clear_bpbynumber(arg)
        self.message("Deleted %s" % bp)

    def _make_stop(self, event: str, view: FrameView, return_value: Any = None, exception_text: str = "",
                   tb: Any = None) -> None:
        record = self._current
        live = record.info.live is not None and self.at_frontier
        stack, curindex = self.get_stack(view, tb if live else None)
        for v, _ in stack:
            if v is not view:
                self._bind(v, None, live=live)
        stop = Stop(event, self.cursor - 1, view, stack, curindex, record.info, return_value=return_value,
                    exception_text=exception_text, traceback=tb if live else None, live=live,
                    frame=record.frame)
        stop.namespaces = [v.last_items for v, _ in stack]
        stop.model_stack = list(self._model_stack)
        stop.untraced = frozenset(self._untraced)
        self.stops.append(stop)
        self._stop = stop

    def get_stack(self, f: Any, t: Any) -> tuple[list[tuple[FrameView, int]], int]:
        """bdb's get_stack over views: the frame's callers up to the bottom frame, then
        (at an exception stop of the real program) the frames of the exception's
        traceback below it, which ``down`` can visit as in pdb."""
        stack: list[tuple[FrameView, int]] = []
        if t is not None and f is not None and t.tb_frame is getattr(f, "live", f):
            t = t.tb_next
        while f is not None:
            stack.append((f, f.f_lineno))
            if f is self.botframe:
                break
            f = f.f_back
        stack.reverse()
        i = max(0, len(stack) - 1)
        while t is not None:
            stack.append((self._live_view(t.tb_frame), t.tb_lineno))
            t = t.tb_next
        if f is None:
            i = max(0, len(stack) - 1)
        return stack, i

    def _post_mortem_stop(self, tb: Any) -> Stop | None:
        """pdb's post-mortem stop: the stack of the uncaught exception's traceback, from
        the program's bottom frame on."""
        frames = []
        while tb is not None:
            if tb.tb_frame in self._views or frames:
                frames.append((self._live_view(tb.tb_frame), tb.tb_lineno))
            tb = tb.tb_next
        start = next((i for i, (v, _) in enumerate(frames) if v is self.botframe), 0)
        stack = frames[start:]
        if not stack:
            return None
        for v, n in stack:
            v.f_lineno = n
            self._bind(v, None, live=True)
        view = stack[-1][0]
        stack = _pdb_main_views() + stack  # pdb's traceback starts in its own main()
        return Stop("post_mortem", len(self.history) - 1, view, stack, len(stack) - 1, FrameInfo(), traceback=tb,
                    live=True)

    def set_step(self) -> None:
        """bdb's set_step, which also starts tracing the caller of a frame that is
        returning (bdb does it through ``frame_returning`` during ``user_return``)."""
        stop = self.stops[-1] if self.stops else None
        if stop is not None and stop.event == "return" and stop.view.f_back is not None:
            self._untraced.discard(stop.view.f_back)
        self._set_stopinfo(None, None)

    def set_continue(self) -> None:
        """bdb's, without touching ``sys.settrace`` (the program is not traced in this
        thread): with no breakpoint nothing stops anyway."""
        self._set_stopinfo(self.botframe, None, -1)

    # -- time travel -------------------------------------------------------------------
    def back(self) -> Stop | None:
        """Return to the previous stop, its state restored exactly; None at the first."""
        if len(self.stops) < 2:
            return None
        self.stops.pop()
        stop = self.stops[-1]
        self.finished = None
        self.cursor = stop.index + 1
        self._model_stack = list(stop.model_stack)
        self._untraced = set(stop.untraced)
        self._restore_namespaces(stop)
        stop.live = False
        self._stop = stop
        return stop

    def _restore_namespaces(self, stop: Stop) -> None:
        for (view, lineno), locals_items in zip(stop.stack, stop.namespaces):
            view.f_lineno = lineno
            view.last_items = tuple(locals_items)
        for view, _ in stop.stack:
            self._bind(view, None, live=False)
        if stop.event == "return":
            stop.view.f_locals["__return__"] = stop.return_value

    def refresh(self, stop: Stop) -> None:
        """Re-read a stop's namespaces after its frame's locals were edited."""
        if stop.frame is not None and stop.frame.has_locals:
            stop.view.last_items = stop.frame.local_items
        self._bind(stop.view, None, live=stop.live)

    def replace_current_frame(self, frame: Frame) -> None:
        """A backend edited the current frame (``!x = 5`` on a prediction): the history
        forgets what came after it, and the stop shows the edited values."""
        stop = self.stops[-1] if self.stops else None
        if stop is None:
            return
        old = self.history[stop.index]
        self.history[stop.index] = EventRecord(frame, old.info, old.view)
        del self.history[stop.index + 1:]
        self.cursor = len(self.history)
        stop.frame = frame
        self.finished = None
        self.refresh(stop)

    def close(self) -> None:
        self.backend.close()


class _PredictedException(Exception):
    """An exception known only by its predicted repr (a user-defined class)."""

