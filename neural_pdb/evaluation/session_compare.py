"""One debugger session played on two backends, command by command, and compared.

:func:`record_session` runs pdb's command loop (the shell's
:class:`~neural_pdb.shell.debugger.Debugger`) on a backend with a reader that hands it
the commands one at a time; each time the debugger asks for the next command, the reader
notes where the session stands (the :class:`StopState`) and what was printed since the
previous command. :func:`compare_sessions` pairs two recordings by command and says
where they agree: the stop (event, line, function), the locals (as values), the value
returned at a return stop, and the printed output (``--Predicted--`` banners aside).
"""

from __future__ import annotations

import bdb
import contextlib
import io
from dataclasses import dataclass, field
from typing import Sequence

from trace_format import Event, Frame

from .values import reprs_equal

#: lines only a predicted session prints; they are not a disagreement
_PREDICTED_PREFIXES = ("--Predicted",)


@dataclass(frozen=True)
class StopState:
    """Where a session stands: a stop, or nowhere (before the start or at the end)."""

    event: str | None = None
    lineno: int | None = None
    function: str | None = None
    source_line: str = ""
    locals: dict[str, str] = field(default_factory=dict)
    return_value: str | None = None

    @classmethod
    def of_frame(cls, event: str, frame: Frame | None) -> "StopState":
        if frame is None:
            return cls(event=event)
        return cls(event=event, lineno=frame.lineno, function=frame.function, source_line=frame.source_line.strip(),
                   locals=frame.locals if frame.has_locals else {},
                   return_value=frame.value if frame.event is Event.RETURN else None)

    @classmethod
    def of_stop(cls, stop) -> "StopState":
        """A debugger's stop: the place as the shell's ``compare`` reads it (the line pdb
        shows, the code's name), the values from the stop's frame."""
        from neural_pdb.shell.compare import StopSummary

        state = cls.of_frame(stop.event, stop.frame)
        try:
            summary = StopSummary.of(stop)
        except Exception:  # a stop without a stack: keep the frame's own place
            return state
        return cls(state.event, summary.lineno, summary.function, state.source_line, state.locals,
                   state.return_value)

    def where(self) -> str:
        if self.event is None:
            return "(not stopped)"
        where = f"{self.function or '?'}() line {self.lineno}"
        if self.event == "return":
            return f"{where} ->{self.return_value}"
        return where if self.event == "line" else f"{where} [{self.event}]"


@dataclass(frozen=True)
class CommandRecord:
    """A command and what followed it (index 0 is the session's start, command ``""``)."""

    command: str
    state: StopState
    output: str


class _RecordingReader:
    """Gives the debugger one command per read, noting the state before handing it."""

    def __init__(self, commands: Sequence[str], out: io.StringIO) -> None:
        self.commands = list(commands)
        self.out = out
        self.debugger = None
        self.records: list[CommandRecord] = []
        self._pending = ""  # the command whose effect the next read sees
        self._seen = 0

    def _note(self) -> None:
        text = self.out.getvalue()
        output, self._seen = text[self._seen:], len(text)
        stop = getattr(self.debugger, "stop", None)
        state = StopState() if stop is None else StopState.of_stop(stop)
        self.records.append(CommandRecord(self._pending, state, output))

    def read(self, prompt: str) -> str | None:
        self._note()
        if not self.commands:
            self._pending = ""
            return None
        self._pending = self.commands.pop(0)
        return self._pending


@contextlib.contextmanager
def _own_breakpoints():
    """bdb keeps breakpoints in class attributes shared by every debugger in the process:
    each recorded session gets its own (numbered from 1), and leaves none behind."""
    saved = (bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber)
    bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = 1, {}, [None]
    try:
        yield
    finally:
        bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = saved


def record_session(backend, commands: Sequence[str], program_output: io.StringIO | None = None) -> list[CommandRecord]:
    """Play ``commands`` on ``backend`` in a debugger; one record for the start and one per
    command that the session read (a session that quits early reads fewer).

    What the program itself prints (the real one does, and pdb's report of an uncaught
    exception) goes to ``program_output`` (by default nowhere), not into the records: a model does not print, and the comparison is
    about the debugger's answers."""
    # the debugger users get: jumps where the backend can and --jumps lets it (the real
    # program and plain models step frame by frame, exactly as the plain debugger)
    from neural_pdb.inverse.shell import ActionDebugger as Debugger

    out = io.StringIO()
    reader = _RecordingReader(commands, out)
    sink = program_output if program_output is not None else io.StringIO()
    try:
        with _own_breakpoints(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            debugger = Debugger(backend, stdout=out, reader=reader, readrc=False)
            reader.debugger = debugger
            debugger.run_session()
    finally:
        backend.close()
    if reader._pending or not reader.records:
        reader._note()  # what the last command did before the session ended (or why it never began)
    return reader.records


@dataclass(frozen=True)
class CommandComparison:
    index: int
    command: str
    left: CommandRecord | None
    right: CommandRecord | None
    same_stop: bool
    #: name -> (left repr, right repr); None where a side lacks the name
    locals_differ: dict[str, tuple[str | None, str | None]]
    same_return: bool
    same_output: bool

    @property
    def agree(self) -> bool:
        return self.same_stop and not self.locals_differ and self.same_return and self.same_output


def _output_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if not line.startswith(_PREDICTED_PREFIXES)]


def compare_records(left: CommandRecord | None, right: CommandRecord | None, index: int) -> CommandComparison:
    command = (left or right).command if (left or right) else ""
    if left is None or right is None:
        return CommandComparison(index, command, left, right, False, {}, False, False)
    a, b = left.state, right.state
    same_stop = (a.event, a.lineno, a.function) == (b.event, b.lineno, b.function)
    differ = {}
    for name in list(a.locals) + [n for n in b.locals if n not in a.locals]:
        va, vb = a.locals.get(name), b.locals.get(name)
        if va is None or vb is None or not reprs_equal(va, vb):
            differ[name] = (va, vb)
    same_return = (a.return_value is None and b.return_value is None) or reprs_equal(a.return_value, b.return_value)
    same_output = _output_lines(left.output) == _output_lines(right.output)
    return CommandComparison(index, command, left, right, same_stop, differ, same_return, same_output)


def compare_sessions(left: Sequence[CommandRecord], right: Sequence[CommandRecord]) -> list[CommandComparison]:
    return [compare_records(left[i] if i < len(left) else None, right[i] if i < len(right) else None, i)
            for i in range(max(len(left), len(right)))]


def agreement(comparisons: Sequence[CommandComparison]) -> float | None:
    return sum(c.agree for c in comparisons) / len(comparisons) if comparisons else None


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[:width - 1] + "…"


def format_table(comparisons: Sequence[CommandComparison], left_name: str = "real", right_name: str = "model",
                 width: int = 34) -> list[str]:
    """The side-by-side table, one block per command, and the agreement score."""
    head = f"{'#':>3}  {'command':<12} {left_name:<{width}} {right_name:<{width}} agree"
    lines = [head, "-" * len(head)]
    for c in comparisons:
        command = "(start)" if c.index == 0 else c.command
        lw = c.left.state.where() if c.left else "(session ended)"
        rw = c.right.state.where() if c.right else "(session ended)"
        verdict = "yes" if c.agree else "NO"
        lines.append(f"{c.index:>3}  {_clip(command, 12):<12} {_clip(lw, width):<{width}} {_clip(rw, width):<{width}} "
                     f"{verdict}")
        for side, record in ((0, c.left), (1, c.right)):
            errors = [l for l in _output_lines(record.output) if l.startswith("***")] if record else []
            if errors:
                cells = [_clip(errors[0], width) if side == k else "" for k in (0, 1)]
                lines.append(f"{'':>17}{cells[0]:<{width}} {cells[1]:<{width}}")
        if c.left and c.right and not c.same_stop:
            cells = ["-> " + r.state.source_line if r.state.event else "" for r in (c.left, c.right)]
            lines.append(f"{'':>17}{_clip(cells[0], width):<{width}} {_clip(cells[1], width):<{width}}")
        for name, (va, vb) in c.locals_differ.items():
            left_value = f"{name} = {'(absent)' if va is None else va}"
            right_value = f"{name} = {'(absent)' if vb is None else vb}"
            lines.append(f"{'':>17}{_clip(left_value, width):<{width}} {_clip(right_value, width):<{width}}")
        if c.left and c.right and not c.same_return:
            lines.append(f"{'':>17}{_clip(f'returned {c.left.state.return_value}', width):<{width}} "
                         f"{_clip(f'returned {c.right.state.return_value}', width):<{width}}")
        if c.left and c.right and c.same_stop and not c.locals_differ and c.same_return and not c.same_output:
            left_out = " / ".join(_output_lines(c.left.output)[:2])
            right_out = " / ".join(_output_lines(c.right.output)[:2])
            lines.append(f"{'':>17}{_clip('printed ' + left_out, width):<{width}} "
                         f"{_clip('printed ' + right_out, width):<{width}}")
    score = agreement(comparisons)
    agreeing = sum(c.agree for c in comparisons)
    lines.append("-" * len(head))
    lines.append(f"agreement: {agreeing}/{len(comparisons)} commands"
                 + ("" if score is None else f" ({100 * score:.1f}%)")
                 + f"; stops {sum(c.same_stop for c in comparisons)}/{len(comparisons)}, "
                 f"locals {sum(not c.locals_differ and c.left is not None and c.right is not None for c in comparisons)}"
                 f"/{len(comparisons)}, output {sum(c.same_output for c in comparisons)}/{len(comparisons)}")
    return lines
