"""Real runs of the evaluation programs: the reference every prediction is held against.

Each program runs in a child process (the tracer's ``run_traced_subprocess``) with a
wall-clock timeout and a memory limit, so a program that hangs, crashes or eats memory
is reported as such and the evaluation goes on. Programs run a few at a time in threads,
each thread waiting on its own child.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from trace_format import Trace

from .dataset import Sample


@dataclass(frozen=True)
class RunLimits:
    """Bounds on one real run (reference or a check of a predicted input)."""

    timeout: float = 10.0
    memory_mb: int = 1024
    max_frames: int = 10000
    #: longest repr of a value; generous by default so that return values stay rebuildable
    max_repr: int = 1000


#: how a run ended: ``ok``; ``raised`` (the program raised an exception); ``hang``
#: (time or frame limit); ``memory`` (memory limit); ``crash`` (the child died or the
#: program could not be loaded)
RUN_STATUSES = ("ok", "raised", "hang", "memory", "crash")


@dataclass(frozen=True)
class RealRun:
    status: str
    trace: Trace | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        return {"status": self.status, "error": self.error, "seconds": round(self.seconds, 4),
                "frames": len(self.trace.frames) if self.trace is not None else 0}


def classify_error(error: str | None) -> str:
    """A run's one-line error (the tracer's ``TraceResult.error``) as a status."""
    if error is None:
        return "ok"
    low = error.lower()
    if "memoryerror" in low or ("memory" in low and low.startswith(("stopped:", "crashed:"))):
        return "memory"
    if low.startswith("stopped:"):
        return "hang" if ("time" in low or "frames" in low or "timeout" in low) else "crash"
    if low.startswith("crashed:"):
        return "crash"
    return "raised"


def run_real(code: str, entry: str, args: str, limits: RunLimits = RunLimits()) -> RealRun:
    """Trace ``entry(*args)`` of ``code`` for real in a sandboxed child process."""
    from neural_pdb.program import ProgramError  # the tracer is imported on first use only
    from neural_pdb.tracer import TraceLimits, run_traced_subprocess

    started = time.perf_counter()
    trace_limits = TraceLimits(max_frames=limits.max_frames, max_seconds=limits.timeout, max_repr=limits.max_repr)
    try:
        result = run_traced_subprocess(source=code, entry=entry, args=args, limits=trace_limits,
                                       timeout=limits.timeout * 1.5 + 3.0, memory_limit_mb=limits.memory_mb)
    except ProgramError as e:  # does not compile, no entry function, bad arguments
        return RealRun("crash", None, f"crashed: {e}", time.perf_counter() - started)
    except (ValueError, SyntaxError, OSError) as e:  # a bad program must never end the evaluation
        return RealRun("crash", None, f"crashed: {type(e).__name__}: {e}", time.perf_counter() - started)
    return RealRun(classify_error(result.error), result.trace, result.error, time.perf_counter() - started)


def run_references(samples: Sequence[Sample], limits: RunLimits = RunLimits(), workers: int = 2,
                   runner: Callable[[str, str, str, RunLimits], RealRun] = run_real) -> Iterator[tuple[Sample, RealRun]]:
    """Real runs of ``samples``, yielded in order as they complete in order."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(runner, s.code, s.entry, s.input, limits) for s in samples]
        for sample, future in zip(samples, futures):
            yield sample, future.result()
    finally:  # on Ctrl-C (or an early stop) do not wait for the runs not started yet
        pool.shutdown(wait=False, cancel_futures=True)
