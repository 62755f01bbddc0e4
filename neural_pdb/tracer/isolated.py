"""Tracing in a child process, for callers that must survive any program (data
generation, evaluation): a wall-clock timeout, a memory limit, ``PYTHONHASHSEED=0``.

The child is ``python -m neural_pdb.tracer.worker`` in its own process group (killed as
a group, so a program's own children go too); request and reply are JSON over pipes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from trace_format import Trace

from ..program import Program, ProgramError, read_program
from .inprocess import compile_args, mark_entry, normalize_newlines
from .results import TraceLimits, TraceResult

DEFAULT_MEMORY_LIMIT_MB = 2048
#: seconds the child gets beyond ``limits.max_seconds`` to start and to reply
STARTUP_MARGIN_S = 10.0
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


def run_traced_subprocess(*, script: str | os.PathLike | Program | None = None, argv: Sequence[str] = (),
                          source: str | None = None, entry: str | None = None, args: str = "",
                          filename: str = "<input>", limits: TraceLimits = TraceLimits(),
                          capture_output: bool = True, timeout: float | None = None,
                          memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB) -> TraceResult:
    """:func:`trace_script` (``script=``, ``argv=``) or :func:`trace_call` (``source=``,
    ``entry=``, ``args=``, ``filename=``) in a child process.

    ``timeout`` is the wall-clock limit for the whole child (default
    ``limits.max_seconds + 10``). The program's output comes back in the result when
    ``capture_output`` (the default); otherwise it is discarded. Raises :class:`ProgramError` as the in-process
    functions do (checked here, before any child starts); never raises for what the
    program does: a killed or dead child gives a result with error ``"stopped: ..."`` or
    ``"crashed: ..."`` and no frames.
    """
    if (script is None) == (source is None):
        raise ValueError("give either script= or source= (with entry=)")
    if script is not None:
        program = script if isinstance(script, Program) else read_program(os.fspath(script))
        request = {"kind": "script", "filename": program.filename, "source": program.source, "argv": list(argv)}
        shown_source = normalize_newlines(program.source)
    else:
        if not entry:
            raise ValueError("source= needs entry=")
        shown_source = mark_entry(source, entry, filename)
        compile_args(args)
        request = {"kind": "call", "source": source, "entry": entry, "args": args, "filename": filename}
    request.update(limits=asdict(limits), capture_output=capture_output, memory_limit_mb=memory_limit_mb)
    wall = limits.max_seconds + STARTUP_MARGIN_S if timeout is None else timeout
    return _run_worker(request, wall, memory_limit_mb, shown_source)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH", "")) if p)
    return env


def _run_worker(request: dict, wall: float, memory_limit_mb: int | None, source: str) -> TraceResult:
    proc = subprocess.Popen([sys.executable, "-m", "neural_pdb.tracer.worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_child_env(),
                            start_new_session=True)
    try:
        out, err = proc.communicate(json.dumps(request).encode("utf-8"), timeout=wall)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        return TraceResult(Trace(source), f"stopped: wall-clock timeout of {wall:g} s")
    finally:
        if proc.poll() is None:  # KeyboardInterrupt or another error in this process
            _kill_group(proc)
            proc.wait()
    _kill_group(proc)  # the program's own children, if it left any
    try:
        reply = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return TraceResult(Trace(source), _crash_line(proc.returncode, err.decode("utf-8", "replace"), memory_limit_mb))
    if "program_error" in reply:
        raise ProgramError(reply["program_error"])
    return TraceResult.from_json(reply["result"])


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _crash_line(returncode: int, stderr: str, memory_limit_mb: int | None) -> str:
    if "MemoryError" in stderr:
        return f"crashed: out of memory (limit {memory_limit_mb} MiB)"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"crashed: killed by {name}"
    last = next((l.strip() for l in reversed(stderr.splitlines()) if l.strip()), "")
    return f"crashed: worker exited with code {returncode}" + (f": {last}" if last else "")
