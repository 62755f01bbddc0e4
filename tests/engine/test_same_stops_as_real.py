"""Stepping is defined once, over frames: the engine fed the recorded frames of a program
(as a model would feed predicted ones) answers every stepping and breakpoint command as
the engine on the running program does, up to the program's end (where the real program
also shows pdb's own frames)."""

from __future__ import annotations

import bdb
import io
import random
import re
from pathlib import Path

import pytest

from neural_pdb.backends.real import RealBackend
from neural_pdb.backends.scripted import ScriptedBackend
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader
from neural_pdb.tracer import trace_script

PROGRAMS = Path(__file__).resolve().parents[1] / "parity" / "programs"
NAMES = ["loops.py", "recursion.py", "exceptions.py", "classes.py", "strings.py", "gen.py"]
# object addresses (the recorded reprs have none; reprlib cuts them in return stops)
ADDRESS = re.compile(r" at 0x[0-9a-f]+(\.\.\.[0-9a-f]+)?")


@pytest.fixture(autouse=True)
def fresh_breakpoints():
    saved = (bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber)
    yield
    bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = saved


def transcript(backend, commands: list[str]) -> list[str]:
    bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = 1, {}, [None]
    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands) + "\n"), out)
    debugger = Debugger(backend, stdout=out, reader=reader, readrc=False)
    debugger.prompt = "(Pdb) "
    debugger.run_session()
    return [ADDRESS.sub("", a) for a in out.getvalue().split("(Pdb) ")]


def commands_for(rng: random.Random, n_lines: int) -> list[str]:
    pool = ["s"] * 6 + ["n"] * 5 + ["r", "r", "unt", "c", "w", "u", "d", "a", "rv", "ll", "l ."]
    out = []
    for _ in range(rng.randint(8, 30)):
        k = rng.random()
        if k < 0.12:
            out.append(f"b {rng.randint(1, n_lines)}")
        elif k < 0.15:
            out.append(f"tbreak {rng.randint(1, n_lines)}")
        elif k < 0.18:
            out.append(f"unt {rng.randint(1, n_lines)}")
        else:
            out.append(rng.choice(pool))
    return out


@pytest.mark.parametrize("seed", range(24))
def test_recorded_frames_step_like_the_running_program(seed: int) -> None:
    rng = random.Random(seed)
    path = PROGRAMS / NAMES[seed % len(NAMES)]
    source = path.read_text()
    commands = commands_for(rng, len(source.splitlines()))
    real = transcript(RealBackend(str(path), use_main_module=False), commands)
    frames = trace_script(str(path)).trace.frames
    recorded = transcript(ScriptedBackend(str(path), source, frames), commands)
    compared = 0
    for i, (r, p) in enumerate(zip(real, recorded)):
        if "<string>" in r or "bdb.py" in r.split("\n")[0] or "The program finished" in r:
            break  # the real program has gone past its own end: pdb's frames from here
        assert p == r, f"{path.name}: answer {i} after {commands[:i]}:\n--- real\n{r}\n--- recorded\n{p}"
        compared += 1
    assert compared >= 1
