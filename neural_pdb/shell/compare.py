"""``compare``: this session's commands replayed against the real program, stop by stop.

The commands that shaped the session since the program (re)started (stepping,
breakpoints, edits; not the ones undone by ``back``) are run again by a silent debugger
on the real backend. Its stops are then set beside this session's: where both stop at
the same place with the same locals and return values they agree; the first stop where
they do not is where the session (a model's prediction, say) parts from reality.
"""

from __future__ import annotations

import bdb
import contextlib
import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from neural_pdb.engine.backend import Backend
from neural_pdb.engine.engine import Stop

from .reader import ListReader

if TYPE_CHECKING:
    from .debugger import Debugger


@dataclass(frozen=True)
class StopSummary:
    """What `compare` compares of a stop."""

    event: str
    filename: str
    lineno: int
    function: str
    locals: tuple[tuple[str, str], ...]
    value: str | None

    @classmethod
    def of(cls, stop: Stop) -> "StopSummary":
        frame = stop.frame
        code = stop.view.f_code
        local_items = tuple(sorted(frame.local_items)) if frame is not None and frame.has_locals else ()
        value = frame.value if frame is not None and not frame.has_locals else None
        return cls(stop.event, os.path.normcase(os.path.abspath(code.co_filename)) if not code.co_filename.startswith("<")
                   else code.co_filename, stop.stack[stop.curindex][1], code.co_name, local_items, value)

    def place(self) -> str:
        kind = {"call": "--Call-- ", "return": "--Return-- ", "exception": "--Exception-- "}.get(self.event, "")
        return f"{kind}{os.path.basename(self.filename)}({self.lineno}){self.function}()"


def differences(ours: StopSummary, real: StopSummary) -> list[str]:
    """Why two stops differ, in words; empty when they agree."""
    out = []
    if (ours.event, ours.filename, ours.lineno, ours.function) != (real.event, real.filename, real.lineno,
                                                                    real.function):
        out.append(f"place: {ours.place()} here, {real.place()} for real")
    mine, theirs = dict(ours.locals), dict(real.locals)
    if ours.locals and real.locals:
        for name in sorted(set(mine) | set(theirs)):
            a, b = mine.get(name, "<unset>"), theirs.get(name, "<unset>")
            if a != b:
                out.append(f"{name}: {a} here, {b} for real")
    if ours.value != real.value and ours.event in ("return", "exception"):
        out.append(f"value: {ours.value} here, {real.value} for real")
    return out


def replay(backend: Backend, commands: list[str]) -> list[Stop]:
    """The stops a silent session makes on ``commands`` with ``backend`` (breakpoint
    numbers of its own: bdb numbers them process-wide)."""
    from .debugger import Debugger

    saved = (bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber)
    bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = 1, {}, [None]
    try:
        session = Debugger(backend, stdout=io.StringIO(), reader=ListReader(commands), readrc=False)
        # the replayed program's own output is not this session's
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            session.run_session()
        return list(session.engine.stops)
    finally:
        bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = saved


def replay_real(commands: list[str], filename: str, argv: list[str],
                factory: Callable[[], Backend] | None = None) -> list[Stop]:
    """The stops the real program makes on ``commands`` (run beside this session)."""
    from neural_pdb.backends.real import RealBackend
    return replay(factory() if factory else RealBackend(filename, argv, use_main_module=False), commands)


def compare_stops(ours: list[StopSummary], real: list[StopSummary], name: str = "this session") -> list[str]:
    """Stop by stop: agreement up to the first parting, and why they part."""
    lines = [f"compare: {len(ours)} stops in {name}, {len(real)} with the real program"]
    parted = None
    for i in range(max(len(ours), len(real))):
        if i >= len(ours) or i >= len(real):
            which = "this session" if i >= len(real) else "the real program"
            lines.append(f"{i + 1:>4}  PART   only {which} stops here: "
                         f"{(ours[i] if i < len(ours) else real[i]).place()}")
            parted = i + 1
            break
        why = differences(ours[i], real[i])
        if why:
            lines.append(f"{i + 1:>4}  PART   {ours[i].place()}")
            lines.extend(f"            {w}" for w in why)
            parted = i + 1
            break
        lines.append(f"{i + 1:>4}  agree  {ours[i].place()}")
    if parted is None:
        lines.append("this session and the real program agree at every stop")
    else:
        lines.append(f"first parting at stop {parted}")
    return lines


def compare_sessions(debugger: "Debugger", arg: str = "") -> list[str]:
    """The lines `compare` prints: this session's stops beside the real program's on the
    same commands."""
    ours = [StopSummary.of(s) for s in debugger.engine.stops]
    real_stops = replay_real(list(debugger.command_log), debugger.engine.backend.filename,
                             list(getattr(debugger.backend, "argv", [])), debugger.real_backend_factory)
    return compare_stops(ours, [StopSummary.of(s) for s in real_stops], f"this session ({debugger.backend.name})")
