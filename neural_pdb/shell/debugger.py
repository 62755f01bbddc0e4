"""The command interpreter: pdb's commands, names, aliases and output, over the engine.

:class:`Debugger` is a ``pdb.Pdb`` whose mechanism is replaced: stepping, breakpoints and
the stack come from the :class:`~neural_pdb.engine.engine.Engine` (bdb's rules over the
frames of any backend), while pdb's own command code (``p``, ``pp``, ``whatis``,
``display``, ``list``, ``where``, ``up``/``down``, ``break``/``clear``/..., ``alias``,
``;;``, ``help``, ``.pdbrc``) runs unchanged over the engine's frame views. So the
answers are pdb's to the character, for the real program and for a model alike.

Beyond pdb: ``back`` (``bk``) travels to the previous stop; ``compare`` replays this
session's commands against the real program and shows where the two part; with a
model, stops say they are predicted and ``!x = 5`` edits the prediction.
"""

from __future__ import annotations

import bdb
import io
import linecache
import inspect
import pdb
import re
import sys
import traceback
from typing import IO, Any, Callable

from neural_pdb.engine.backend import Backend, BackendError, FrameInfo
from neural_pdb.engine.engine import Engine, ProgramEnd, Stop
from neural_pdb.engine.views import PredictedValue
from neural_pdb.tracer.reprs import safe_repr

from .reader import LineReader, PlainReader

# inspect.findsource's walk back to a function's first line
_DEF_LINE = re.compile(r'^(\s*def\s)|(\s*async\s+def\s)|(.*(?<!\w)lambda(:|\s))|^(\s*@)')
REAL_PROMPT = "(Pdb) "
#: below this, a predicted value shown by p/pp is flagged
LOW_CONFIDENCE = 0.5
MODEL_PROMPT = "(npdb) "
# commands whose effect on the session `compare` must replay
_NOT_REPLAYED = {"compare", "EOF", "q", "quit", "exit", "help", "h", "back", "bk"}


class Debugger(pdb.Pdb):
    """pdb's command set over an :class:`Engine`. Output goes to ``stdout`` through
    ``message``/``error``; lines come from a :class:`LineReader`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # a subclass overriding a command without a docstring keeps its help (cmd.Cmd
        # lists only documented commands)
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith("do_") and callable(value) and not getattr(value, "__doc__", None):
                for base in cls.__mro__[1:]:
                    doc = getattr(getattr(base, name, None), "__doc__", None)
                    if doc:
                        value.__doc__ = doc
                        break

    def __init__(self, backend: Backend, stdout: IO[str] | None = None, reader: LineReader | None = None,
                 readrc: bool = True, commands: list[str] | tuple[str, ...] = (),
                 real_backend_factory: Callable[[], Backend] | None = None) -> None:
        out = stdout or sys.stdout
        super().__init__(stdout=out, readrc=readrc, nosigint=True)
        self.use_rawinput = 0
        self.reader = reader or PlainReader(sys.stdin, out)
        self.engine = Engine(backend, message=self.message)
        self.backend = backend
        self.predicted = backend.name not in ("real",)
        self.prompt = REAL_PROMPT if backend.name == "real" else MODEL_PROMPT
        self.mainpyfile = self.engine.mainpyfile
        self.rcLines.extend(commands)
        self.stop: Stop | None = None
        self.command_log: list[str] = []
        self.real_backend_factory = real_backend_factory
        self._user_requested_quit = False
        #: colours source lines of messages (the terminal shell sets it)
        self.highlight: Callable[[str], str] | None = None

    def message(self, msg: Any) -> None:
        text = str(msg)
        if self.highlight is not None:
            text = self.highlight(text)
        print(text, file=self.stdout)

    # -- the engine owns breakpoints, stepping state and stacks (bdb's methods) --------
    # (before the engine exists, during pdb's own __init__, they read as empty)
    @property
    def breaks(self) -> dict:  # type: ignore[override]
        engine = self.__dict__.get("engine")
        return engine.breaks if engine is not None else {}

    @breaks.setter
    def breaks(self, value: dict) -> None:  # Bdb.__init__ assigns it; the engine owns it
        pass

    @property
    def botframe(self):  # type: ignore[override]
        engine = self.__dict__.get("engine")
        return engine.botframe if engine is not None else None

    @botframe.setter
    def botframe(self, value) -> None:
        pass

    @property
    def displaying(self) -> dict:  # type: ignore[override]
        engine = self.__dict__.get("engine")
        return engine.displaying if engine is not None else {}

    @displaying.setter
    def displaying(self, value: dict) -> None:
        pass

    def set_step(self): self.engine.set_step()
    def set_next(self, frame): self.engine.set_next(frame)
    def set_return(self, frame): self.engine.set_return(frame)
    def set_until(self, frame, lineno=None): self.engine.set_until(frame, lineno)
    def set_continue(self): self.engine.set_continue()
    def set_quit(self): self.engine.set_quit()
    def set_break(self, *a, **k): return self.engine.set_break(*a, **k)
    def clear_break(self, *a): return self.engine.clear_break(*a)
    def clear_bpbynumber(self, arg): return self.engine.clear_bpbynumber(arg)
    def clear_all_file_breaks(self, filename): return self.engine.clear_all_file_breaks(filename)
    def clear_all_breaks(self): return self.engine.clear_all_breaks()
    def get_bpbynumber(self, arg): return self.engine.get_bpbynumber(arg)
    def get_break(self, filename, lineno): return self.engine.get_break(filename, lineno)
    def get_breaks(self, filename, lineno): return self.engine.get_breaks(filename, lineno)
    def get_file_breaks(self, filename): return self.engine.get_file_breaks(filename)
    def get_all_breaks(self): return self.engine.get_all_breaks()

    @property
    def target(self) -> str:
        """What pdb calls the program in its messages: the script's path, or the module."""
        return getattr(self.backend, "module", None) or self.mainpyfile

    # -- the session loop (pdb.main's loop) ------------------------------------------
    def run_session(self) -> int:
        """Debug the program until the user quits (or input ends), restarting it when it
        finishes, as ``python -m pdb`` does."""
        runs_without_stop = 0
        try:
            while True:
                self._user_requested_quit = False
                self.command_log = []
                self._stops_this_run = 0
                self._quit_escaped_bdb_run = False
                try:
                    end = self._run_program()
                except pdb.Restart:
                    self.message("Restarting %s with arguments:" % self.target)
                    self.message("\t" + " ".join(getattr(self.backend, "argv", [])))
                    continue
                if self._quit_escaped_bdb_run:
                    self._bdb_quit_post_mortem()
                    continue
                if self._user_requested_quit or end is None:
                    break
                if not self._report_end(end):
                    break
                runs_without_stop = runs_without_stop + 1 if self._stops_this_run == 0 else 0
                if runs_without_stop >= 2:  # nothing to stand at: do not restart forever
                    self.error("the program ends before any stop; leaving")
                    return 1
        finally:
            self.engine.close()
        return 0

    def _run_program(self) -> ProgramEnd | None:
        result = self._guard(self.engine.start)
        while True:
            if result is None:
                return None
            if isinstance(result, ProgramEnd):
                return result
            self.interaction(result, None)
            if self._user_requested_quit:
                self._quit_escaped_bdb_run = self._quit_escapes_bdb_run(self.stop or result)
                return None
            result = self._guard(self.engine.resume)

    def _guard(self, step: Callable[[], Stop | ProgramEnd]) -> Stop | ProgramEnd | None:
        """A backend failure never ends the session: say it and stay at the last stop."""
        while True:
            try:
                return step()
            except BackendError as e:
                self.error(f"backend error: {e}")
                if getattr(e, "raw", ""):
                    self.message(f"raw model output: {e.raw!r}")
            except (pdb.Restart, KeyboardInterrupt):
                raise
            except Exception as e:  # a bug of ours must not end the user's session
                self.error("internal error: " + traceback.format_exception_only(type(e), e)[-1].strip())
            if self.stop is None:
                if not self._retry_first_stop():
                    return None
                continue
            self._stay_at(self.stop)
            if self._user_requested_quit:
                return None

    def _retry_first_stop(self) -> bool:
        """The first stop could not be produced (a model's first replies were malformed):
        there is no state to stand at, so only 'restart' (sample again) or 'quit' make
        sense. True to try again, False to end the session."""
        while True:
            try:
                line = self.reader.read(self.prompt)
            except KeyboardInterrupt:
                self.message("")
                continue
            if line is None:
                return False
            command = line.strip().split(" ", 1)[0]
            if command in ("restart", "run", "s", "step", "n", "next", "c", "cont", "continue"):
                return True
            if command in ("q", "quit", "exit"):
                return False
            if command:
                self.error("no stop yet: the first prediction failed; 'restart' samples again, 'quit' leaves")

    def _stay_at(self, stop: Stop) -> None:
        self.setup_stop(stop)
        self.print_stack_entry(self.stack[self.curindex])
        self._cmdloop()

    def _quit_escapes_bdb_run(self, stop: Stop) -> bool:
        """Quitting at a line of ``Bdb.run`` after its ``exec`` (the program has ended and
        the user stepped on): pdb's BdbQuit is then raised outside ``Bdb.run``'s
        ``except BdbQuit`` and pdb takes it for the program's uncaught exception."""
        from neural_pdb.engine.engine import _bdb_run_position
        return (self.backend.name == "real" and stop.event == "line" and stop.view is self.engine.botframe
                and stop.stack[stop.curindex][1] > _bdb_run_position()[1])

    def _bdb_quit_post_mortem(self) -> None:
        """What pdb shows then: a post mortem in bdb's ``dispatch_line``, then a restart."""
        from neural_pdb.engine.views import CodeView, FrameView
        lines, first = inspect.getsourcelines(bdb.Bdb.dispatch_line)
        raise_line = first + next((i for i, t in enumerate(lines) if "raise BdbQuit" in t), 0)
        bottom = self.engine.botframe
        view = FrameView(CodeView(bdb.__file__, "dispatch_line", first), bottom, lineno=raise_line)
        sys.stderr.write("Traceback (most recent call last):\n  ...\nbdb.BdbQuit\n")
        self.message("Uncaught exception. Entering post mortem debugging")
        self.message("Running 'cont' or 'step' will restart the program")
        stack = [(bottom, bottom.f_lineno), (view, raise_line)] if bottom is not None else [(view, raise_line)]
        self.interaction(Stop("post_mortem", -1, view, stack, len(stack) - 1, FrameInfo()), None)
        self.message("Post mortem debugger finished. The %s will be restarted" % self.target)

    def _report_end(self, end: ProgramEnd) -> bool:
        """pdb's words at the end of the program; False when the session should end."""
        outcome = end.outcome
        if outcome.kind == "exit":
            self.message("The program exited via sys.exit(). Exit status: %s" % outcome.message)
        elif outcome.kind == "exception":
            sys.stderr.write(outcome.traceback_text or outcome.message + "\n")
            sys.stderr.flush()
            self.message("Uncaught exception. Entering post mortem debugging")
            self.message("Running 'cont' or 'step' will restart the program")
            if end.stop is not None:
                self.interaction(end.stop, None)
            self.message("Post mortem debugger finished. The %s will be restarted" % self.target)
        elif outcome.kind == "quit":
            return False
        else:
            self.message("The program finished and will be restarted")
        return True

    # -- a stop ------------------------------------------------------------------------
    def interaction(self, stop: Stop, traceback_: Any = None) -> None:  # type: ignore[override]
        if stop.event == "call":
            self.message("--Call--")
        elif stop.event == "return":
            self.message("--Return--")
        elif stop.event == "exception":
            self.message(stop.exception_text)
        if stop.event == "line" and not self._run_breakpoint_commands(stop):
            return
        if self.setup_stop(stop):
            self.forget()  # .pdbrc / -c asked to resume
            return
        self.print_stack_entry(self.stack[self.curindex])
        self._cmdloop()
        self.forget()

    def _run_breakpoint_commands(self, stop: Stop) -> bool:
        """pdb's ``bp_commands``: the ``commands`` of the breakpoint just hit; False when
        they resumed the program without a prompt."""
        number = getattr(self.engine, "currentbp", 0)
        if not number or number not in self.commands:
            return True
        self.engine.currentbp = 0
        lastcmd_back = self.lastcmd
        self.setup_stop(stop)
        for line in self.commands[number]:
            self.onecmd(line)
        self.lastcmd = lastcmd_back
        if not self.commands_silent[number]:
            self.print_stack_entry(self.stack[self.curindex])
        if self.commands_doprompt[number]:
            self._cmdloop()
        self.forget()
        return False

    def setup_stop(self, stop: Stop) -> bool | None:
        self._stops_this_run = getattr(self, "_stops_this_run", 0) + 1
        if stop.log_index == 0 and stop is not self.stop:
            stop.log_index = len(self.command_log)
        self.forget()
        self.stop = stop
        self.stack, self.curindex = list(stop.stack), stop.curindex
        tb = stop.traceback
        while tb is not None:
            view = self.engine._views.get(tb.tb_frame)
            if view is not None:
                self.tb_lineno[view] = pdb.lasti2lineno(tb.tb_frame.f_code, tb.tb_lasti)
            tb = tb.tb_next
        self.curframe = self.stack[self.curindex][0]
        self.curframe_locals = self.curframe.f_locals
        return self.execRcLines()

    def print_stack_entry(self, frame_lineno, prompt_prefix=pdb.line_prefix):
        frame, _ = frame_lineno
        if self.predicted and self.stop is not None and frame is self.stop.view and self.stop.info.predicted:
            conf = self.stop.info.confidence
            self.message("--Predicted--" if conf is None else f"--Predicted (confidence {conf:.2f})--")
        super().print_stack_entry(frame_lineno, prompt_prefix)

    # -- reading commands ----------------------------------------------------------------
    def cmdloop(self, intro: Any = None) -> None:
        self.preloop()
        stop = None
        while not stop:
            if self.cmdqueue:
                line = self.cmdqueue.pop(0)
            else:
                read = self.reader.read(self.prompt)
                line = "EOF" if read is None else read.rstrip("\r\n")
            line = self.precmd(line)
            stop = self.onecmd(line)
            stop = self.postcmd(stop, line)
        self.postloop()

    def onecmd(self, line: str) -> Any:
        command = line.split()[0] if line.strip() else ""
        if command and command not in _NOT_REPLAYED and not self.commands_defining:
            self.command_log.append(line)
        try:
            return super().onecmd(line)
        except pdb.Restart:
            raise
        except (BackendError, Exception) as e:  # the session survives every command
            self.error(traceback.format_exception_only(type(e), e)[-1].strip())
            return None

    def emptyline(self) -> Any:
        # an empty line repeats the last command (cmd.Cmd), as pdb does
        return super().emptyline()

    # -- commands pdb has that need the engine -----------------------------------------
    def do_longlist(self, arg: str) -> None:
        filename = self.curframe.f_code.co_filename
        breaklist = self.get_file_breaks(filename)
        lines, lineno = self._view_source_lines(self.curframe)
        if not lines:
            self.error("could not get source code")
            return
        self._print_lines(lines, lineno, breaklist, self.curframe)
    do_longlist.__doc__ = pdb.Pdb.do_longlist.__doc__
    do_ll = do_longlist

    def _view_source_lines(self, view: Any) -> tuple[list[str], int]:
        """What pdb's ``_getsourcelines(frame)`` answers (``inspect.getsourcelines``):
        the whole file for a module, else the block from the nearest ``def``, ``lambda``
        or decorator line at or above the code's first line (so a class body or a
        comprehension lists its enclosing function, as in pdb)."""
        if view.live is not None:
            try:
                return self._getsourcelines(view.live)
            except (OSError, TypeError):
                return [], 1
        lines = linecache.getlines(view.f_code.co_filename, view.f_globals)
        if not lines:
            return [], 1
        if view.f_code.co_name == "<module>":
            return lines, 1
        lnum = view.f_code.co_firstlineno - 1
        while lnum > 0:
            if lnum >= len(lines):
                return [], 1
            if _DEF_LINE.match(lines[lnum]):
                break
            lnum -= 1
        try:
            return inspect.getblock(lines[lnum:]), max(1, lnum + 1)
        except Exception:  # a source the tokenizer cannot read
            return lines[lnum:], max(1, lnum + 1)

    def do_jump(self, arg: str) -> None:
        stop = self.stop
        jump = getattr(self.backend, "jump", None)
        if stop is None or not stop.live or jump is None:
            self.error("jump needs the running program (not a prediction, not a recorded stop)")
            return
        if self.curindex + 1 != len(self.stack):
            self.error("You can only jump within the bottom frame")
            return
        try:
            lineno = int(arg)
        except ValueError:
            self.error("The 'jump' command requires a line number")
            return
        failed = jump(lineno)
        if failed:
            self.error("Jump failed: %s" % failed)
            return
        self.curframe.f_lineno = lineno
        self.stack[self.curindex] = self.stack[self.curindex][0], lineno
        self.print_stack_entry(self.stack[self.curindex])
    do_jump.__doc__ = pdb.Pdb.do_jump.__doc__
    do_j = do_jump

    def do_run(self, arg: str) -> None:
        if arg:
            import shlex
            try:
                argv = shlex.split(arg)
            except ValueError as e:
                self.error("Cannot run %s: %s" % (arg, e))
                return
            if hasattr(self.backend, "argv"):
                self.backend.argv = argv
        raise pdb.Restart
    do_run.__doc__ = pdb.Pdb.do_run.__doc__
    do_restart = do_run

    def do_quit(self, arg: str) -> int:
        self._user_requested_quit = True
        self.set_quit()
        return 1
    do_quit.__doc__ = pdb.Pdb.do_quit.__doc__
    do_q = do_exit = do_quit

    def do_EOF(self, arg: str) -> int:
        self.message("")
        self._user_requested_quit = True
        self.set_quit()
        return 1
    do_EOF.__doc__ = pdb.Pdb.do_EOF.__doc__

    def do_continue(self, arg: str) -> int:
        self.set_continue()
        return 1
    do_continue.__doc__ = pdb.Pdb.do_continue.__doc__
    do_c = do_cont = do_continue

    def do_debug(self, arg: str) -> None:
        self.error("debug is not supported by neural-pdb")
    do_debug.__doc__ = pdb.Pdb.do_debug.__doc__

    def do_p(self, arg: str) -> None:
        super().do_p(arg)
        self._flag_low_confidence(arg)
    do_p.__doc__ = pdb.Pdb.do_p.__doc__

    def do_pp(self, arg: str) -> None:
        super().do_pp(arg)
        self._flag_low_confidence(arg)
    do_pp.__doc__ = pdb.Pdb.do_pp.__doc__

    def do_whatis(self, arg: str) -> None:
        try:
            value = eval(arg, self.curframe.f_globals, self.curframe_locals)
        except Exception:
            value = None
        if isinstance(value, PredictedValue):
            self.message(_predicted_kind(value.text))
            return
        super().do_whatis(arg)
    do_whatis.__doc__ = pdb.Pdb.do_whatis.__doc__

    def _flag_low_confidence(self, expression: str) -> None:
        """A predicted value the model was unsure of says so (real values never do)."""
        stop = self.stop
        if stop is None or not stop.info.predicted or self.curframe is not stop.view:
            return
        confidence = stop.info.value_confidence.get(expression.strip())
        if confidence is not None and confidence < LOW_CONFIDENCE:
            self.message(f"(predicted with low confidence: {confidence:.2f})")

    # -- beyond pdb ------------------------------------------------------------------------
    def do_back(self, arg: str) -> None:
        """bk | back
        Step backwards to the previous stop, restoring its state exactly
        (time travel over the recorded or predicted frames).
        """
        left = self.stop
        stop = self.engine.back()
        if stop is None:
            self.error("Oldest stop")
            return
        if left is not None and left.log_index:
            # the command that left the restored stop is undone: `compare` must not replay it
            del self.command_log[left.log_index - 1:]
        self.forget()
        if stop.event == "call":
            self.message("--Call--")
        elif stop.event == "return":
            self.message("--Return--")
        elif stop.event == "exception":
            self.message(stop.exception_text)
        self.setup_stop(stop)
        self.print_stack_entry(self.stack[self.curindex])
    do_bk = do_back

    def default(self, line: str) -> None:
        """``!stmt`` and bare expressions; on a prediction, an assignment edits the
        predicted state and prediction continues from the edit."""
        stop = self.stop
        recorded = stop is not None and not stop.live and stop.frame is not None
        editable = (recorded and self.backend.name != "real" and self.curframe is stop.view
                    and stop.frame.has_locals)
        before = self._reprs(self.curframe_locals) if recorded else {}
        super().default(line)
        if recorded and self.backend.name == "real":
            if self._reprs(self.curframe_locals) != before:
                self.error("this stop is a recorded one (after back): the running program is not changed")
            return
        if not editable:
            return
        after = self._reprs(self.curframe_locals)
        changes = {k: v for k, v in after.items() if before.get(k) != v}
        if not changes:
            return
        dropped = len(self.engine.history) - 1 - stop.index
        try:
            if dropped and not self.backend.rewind(dropped):
                raise BackendError("this backend cannot go back to edit this frame")
            edited = self.backend.edit_locals(changes)
        except BackendError as e:
            self.error(str(e))
            return
        self.engine.replace_current_frame(edited)
        self.curframe_locals = self.curframe.f_locals

    @staticmethod
    def _reprs(namespace: dict) -> dict[str, str]:
        return {k: safe_repr(v) for k, v in namespace.items()
                if not (k.startswith("__") and k.endswith("__")) and not inspect.ismodule(v)}

    def do_compare(self, arg: str) -> None:
        """compare
        Run this session's commands against the real program and show,
        stop by stop, where this session and reality agree and where
        they first part (line, changed locals, return values).
        """
        from .compare import compare_sessions
        for line in compare_sessions(self, arg):
            self.message(line)


def _predicted_kind(text: str) -> str:
    """What ``whatis`` says of a value known only by its predicted repr."""
    for pattern, answer in ((r"<function ([\w.<>]+)>", "Function {}"), (r"<bound method ([\w.<>]+)>", "Method {}"),
                            (r"<class '([\w.]+)'>", "Class {}"), (r"<([\w.]+) object>", "<class '{}'>")):
        m = re.fullmatch(pattern, text)
        if m:
            name = m.group(1)
            return answer.format(name.rsplit(".", 1)[-1] if answer.startswith(("Function", "Method")) else name)
    return f"predicted value {text}"


def make_debugger(backend: Backend, stdin: IO[str] | None = None, stdout: IO[str] | None = None,
                  **kwargs: Any) -> Debugger:
    """A debugger reading plain lines from ``stdin`` (tests, pipes)."""
    out = stdout or io.StringIO()
    reader = PlainReader(stdin or io.StringIO(""), out)
    return Debugger(backend, stdout=out, reader=reader, **kwargs)
