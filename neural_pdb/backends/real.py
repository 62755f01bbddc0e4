"""The real backend: the program runs for real, as under ``python -m pdb``.

The program runs in a worker thread, started exactly as pdb starts it (``__main__``
replaced by the script's namespace, ``sys.argv`` and ``sys.path[0]`` set, the code run
through ``bdb.Bdb.run`` as ``exec(compile(SOURCE, FILENAME, 'exec'))``), so its frames
and everything pdb shows of them (``bdb.py(600)run()``, ``<string>(1)<module>()``) are
the same. A trace function reports every event of every frame to the engine and waits
until the engine asks for the next one: the engine decides where to stop, with bdb's
rules, and reads the live frame while the program waits.

Each event is also turned into a CWM frame (locals by the tracer's repr policy; the
module scope's locals are its user globals), so a real session and a predicted one can
be compared frame by frame.
"""

from __future__ import annotations

import bdb
import linecache
import os
import queue
import sys
import threading
import traceback
import types
from typing import Any, Callable

from trace_format import Event, Frame
from neural_pdb.engine.backend import FrameInfo, ProgramOutcome
from neural_pdb.tracer.reprs import safe_repr

_GO = "go"
_QUIT = "quit"
_ATOMS = frozenset({int, float, bool, type(None), str, bytes})
_EVENTS = {"call": Event.CALL, "line": Event.LINE, "return": Event.RETURN, "exception": Event.EXCEPTION}


def _is_user_global(name: str, value: Any) -> bool:
    return not (name.startswith("__") and name.endswith("__")) and not isinstance(value, types.ModuleType)


class _ProgramRunner(bdb.Bdb):
    """Runs the program under a trace function that hands every event to the engine.
    A ``Bdb`` only so that the program runs inside ``Bdb.run``, as under pdb."""

    def __init__(self, backend: "RealBackend") -> None:
        super().__init__()
        self.backend = backend

    def __repr__(self) -> str:
        # it stands where pdb's Pdb stands in the program's stack (``a`` at Bdb.run)
        return f"<pdb.Pdb object at {id(self):#x}>"

    def trace_dispatch(self, frame: types.FrameType, event: str, arg: Any):
        if self.quitting:
            return None
        if self.botframe is None and event == "call":
            # pdb reports the lines of Bdb.run after the program (its last stop is
            # there); the engine decides, as bdb does, whether they are traced
            self.botframe = frame.f_back
            if self.botframe is not None:
                self.botframe.f_trace = self.trace_dispatch
        kind = _EVENTS.get(event)
        if kind is not None:
            self.backend._hand_over(frame, kind, arg)
        return self.trace_dispatch


class RealBackend:
    """Frames of the real program; see the module docstring."""

    name = "real"

    def __init__(self, filename: str, argv: list[str] | tuple[str, ...] = (), max_repr: int = 200,
                 use_main_module: bool = True, module: str | None = None) -> None:
        # -m MODULE: run as pdb runs a module (runpy's code object, no <string> frame)
        self.module = module
        self._module_details = None
        if module is not None:
            import runpy
            self._module_details = runpy._get_module_details(module)
            filename = self._module_details[2].co_filename
        self.filename = os.path.realpath(filename) if module is None else filename  # as pdb prints it
        with open(self.filename, encoding="utf-8") as fh:
            self.source = fh.read()
        self.argv = list(argv)
        self.max_repr = max_repr
        # False: run in a namespace of its own instead of ``__main__`` (a second program
        # beside a session's, as `compare` runs one)
        self.use_main_module = use_main_module
        self.outcome: ProgramOutcome | None = None
        self._thread: threading.Thread | None = None
        self._to_main: queue.Queue = queue.Queue()
        self._to_worker: queue.Queue = queue.Queue()
        self._owed = False           # an event is on its way to the engine
        self._done = True
        self._info = FrameInfo()
        self._callback: Callable[[Frame, FrameInfo], bool] | None = None
        self._user_depth: dict[Any, int] = {}
        self._saved_main: dict[str, Any] | None = None
        self._saved_argv: list[str] | None = None
        self._saved_path0: str | None = None

    # -- Backend protocol ----------------------------------------------------------------
    def start(self) -> Frame | None:
        self.close()
        self.outcome = None
        self._to_main = queue.Queue()
        self._to_worker = queue.Queue()
        self._user_depth = {}
        self._done = False
        self._enter_program_environment()
        self._thread = threading.Thread(target=self._run, name="neural-pdb program", daemon=True)
        self._owed = True
        self._thread.start()
        return self._receive()

    def next_frame(self, skip_call: bool = False) -> Frame | None:
        if self._done:
            return None
        if not self._owed:
            self._owed = True
            self._to_worker.put(_GO)
        return self._receive()

    def info(self) -> FrameInfo:
        return self._info

    def run_events(self, on_event: Callable[[Frame, FrameInfo], bool]) -> bool:
        """Run on, calling ``on_event(frame, info)`` in the program's thread at each
        event, until it answers True (then True: the program waits at that event) or the
        program ends (False). The engine uses it to hand over only at stops instead of at
        every event. An exception of ``on_event`` is raised here."""
        if self._done:
            return False
        self._callback = on_event
        if not self._owed:
            self._owed = True
            self._to_worker.put(_GO)
        item = self._to_main.get()   # Ctrl-C here: the program runs on; call again to wait
        self._owed = False
        self._callback = None
        return self._accept(item) is not None

    def jump(self, lineno: int) -> str | None:
        """pdb's ``jump`` at the current stop: set the next line to run. None when done,
        else why it failed (CPython's message)."""
        if self._done or self._owed:
            return "the program is not stopped"
        self._to_worker.put(("jump", lineno))
        _, error = self._to_main.get()
        return error

    def rewind(self, n_frames: int) -> bool:
        return n_frames == 0  # a real program cannot run backwards

    def edit_locals(self, changes: dict[str, str]) -> Frame:
        raise NotImplementedError("the real backend edits the live frame through the engine")

    def evaluate(self, expression: str, frame_index: int) -> Any:
        live = self._info.live
        if live is None:
            raise RuntimeError("the program is not running")
        return eval(expression, live.f_globals, live.f_locals)

    def close(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive() and not self._done:
            if not self._owed:
                self._to_worker.put(_QUIT)
                self._owed = True
            try:
                while True:  # let the program unwind (BdbQuit) and finish
                    item = self._to_main.get(timeout=2.0)
                    if item[0] == "end":
                        break
                    self._to_worker.put(_QUIT)
            except queue.Empty:
                pass  # a program stuck outside Python code: its daemon thread is left
        self._thread = None
        self._done = True
        self._owed = False
        self._info = FrameInfo()
        self._leave_program_environment()

    # -- the hand-over between the engine and the program's thread ---------------------
    def _receive(self) -> Frame | None:
        item = self._to_main.get()       # Ctrl-C here leaves _owed set: nothing is lost
        self._owed = False
        return self._accept(item)

    def _accept(self, item: tuple) -> Frame | None:
        if item[0] == "error":
            raise item[1]
        if item[0] == "end":
            self._done = True
            self.outcome = item[1]
            self._info = FrameInfo()
            if self._thread is not None:
                self._thread.join(timeout=2.0)
            return None
        _, frame, info = item
        self._info = info
        return frame

    def _hand_over(self, live: types.FrameType, kind: Event, arg: Any) -> None:
        """In the program's thread: report one event, then wait for the engine. A failure
        of ours is reported to the engine's thread, never raised into the program."""
        try:
            frame = self._to_frame(live, kind, arg)
            info = FrameInfo(live=live, live_value=arg)
            on_event = self._callback
            if on_event is None or on_event(frame, info):
                self._to_main.put(("event", frame, info))
            else:
                return
        except BaseException as e:  # the session shows it; the program waits here
            self._to_main.put(("error", e))
        while True:
            command = self._to_worker.get()
            if command == _GO:
                return
            if command == _QUIT:
                raise bdb.BdbQuit
            if command[0] == "jump":
                # CPython allows setting f_lineno only from the frame's own thread, in its
                # trace function at a line event: here
                try:
                    live.f_lineno = command[1]
                    self._to_main.put(("jumped", None))
                except ValueError as e:
                    self._to_main.put(("jumped", str(e)))

    def _run(self) -> None:
        runner = _ProgramRunner(self)
        code: Any = f"exec(compile({self.source!r}, {self.filename!r}, 'exec'))"
        namespace = {"__name__": "__main__", "__file__": self.filename, "__builtins__": __builtins__}
        if self._module_details is not None:
            _, spec, code = self._module_details
            namespace.update(__file__=os.path.normcase(os.path.abspath(self.filename)), __package__=spec.parent,
                             __loader__=spec.loader, __spec__=spec)
        if self.use_main_module:
            import __main__
            __main__.__dict__.clear()
            __main__.__dict__.update(namespace)
            namespace = __main__.__dict__
        outcome = ProgramOutcome("finished")
        try:
            runner.run(code, namespace)
            if runner.quitting and self._quit_requested():
                outcome = ProgramOutcome("quit")
        except SystemExit as e:
            outcome = ProgramOutcome("exit", message=str(e))
        except BaseException as e:  # the program's own uncaught exception
            tb = e.__traceback__
            if tb is not None and tb.tb_frame.f_code is RealBackend._run.__code__:
                tb = tb.tb_next  # the traceback starts at Bdb.run, as under pdb
            text = "".join(traceback.format_exception(type(e), e, tb))
            last = traceback.format_exception_only(type(e), e)[-1].strip()
            outcome = ProgramOutcome("exception", message=last, traceback_text=text, traceback=tb)
        finally:
            sys.settrace(None)
        self._to_main.put(("end", outcome))

    def _quit_requested(self) -> bool:
        return False

    # -- CWM frames ------------------------------------------------------------------------
    def _to_frame(self, live: types.FrameType, kind: Event, arg: Any) -> Frame:
        code = live.f_code
        lineno = live.f_lineno
        if kind is Event.CALL and not lineno:
            lineno = code.co_firstlineno  # a module's call event is at line 0 in 3.11: the format says line 1
        user = code.co_filename == self.filename
        source_line = linecache.getline(code.co_filename, lineno).rstrip("\r\n") if lineno else ""
        depth = self._depth(live, kind) if user else None
        if kind in (Event.CALL, Event.LINE):
            local_items: tuple = ()
            if user:
                local_items = tuple(self._locals_of(live).items())
            return Frame(kind, source_line, local_items, lineno=lineno, function=code.co_name, depth=depth)
        if kind is Event.RETURN:
            value = safe_repr(arg, self.max_repr)
        else:
            value = safe_repr(arg[1], self.max_repr) if isinstance(arg, tuple) and len(arg) > 1 else "None"
        return Frame(kind, source_line, value=value, lineno=lineno, function=code.co_name, depth=depth)

    def _repr(self, value: Any) -> str:
        # every event records every local: atoms (most of them) skip the policy's
        # machinery, whose answer for them is their plain repr
        if type(value) in _ATOMS:
            text = repr(value)
            if len(text) <= self.max_repr:
                return text
        return safe_repr(value, self.max_repr)

    def _locals_of(self, live: types.FrameType) -> dict[str, str]:
        if live.f_code.co_name == "<module>":
            return {k: self._repr(v) for k, v in live.f_globals.items() if _is_user_global(k, v)}
        return {k: self._repr(v) for k, v in live.f_locals.items()}

    def _depth(self, live: types.FrameType, kind: Event) -> int:
        depth = self._user_depth.get(live)
        if depth is None:
            depth, f = 0, live.f_back
            while f is not None:
                if f.f_code.co_filename == self.filename:
                    depth += 1
                f = f.f_back
            self._user_depth[live] = depth
        return depth

    # -- the environment pdb gives a program ---------------------------------------------
    def _enter_program_environment(self) -> None:
        import __main__
        if self._saved_main is None:
            self._saved_main = dict(__main__.__dict__) if self.use_main_module else {}
            self._saved_argv = list(sys.argv)
            self._saved_path0 = sys.path[0] if sys.path else None
        sys.argv[:] = [self.module if self.module else self.filename] + self.argv
        if sys.path and self.module is None:
            sys.path[0] = os.path.dirname(self.filename)

    def _leave_program_environment(self) -> None:
        if self._saved_main is None:
            return
        import __main__
        if self.use_main_module:
            __main__.__dict__.clear()
            __main__.__dict__.update(self._saved_main)
        sys.argv[:] = self._saved_argv or []
        if sys.path and self._saved_path0 is not None:
            sys.path[0] = self._saved_path0
        self._saved_main = None
