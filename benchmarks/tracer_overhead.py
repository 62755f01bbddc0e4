"""Tracer overhead: plain execution vs. tracing, on a CPU-heavy program.

Reproduce (from the repository root; about a minute on a quiet machine):

    PYTHONHASHSEED=0 python benchmarks/tracer_overhead.py --repeat 3

Two workloads, all in Python: ``small state`` (Collatz chain lengths: a few ints per
frame) shows the mechanism's cost; ``large state`` (a sieve of Eratosthenes: a list of
``--sieve`` booleans in every frame) shows the repr policy's. Rows, each the best of
``--repeat`` runs:

- ``plain``: ``exec`` of the program, no trace function;
- ``settrace no-op``: a trace function that records nothing (the floor of any
  ``sys.settrace`` tracer);
- ``bdb``: a :class:`bdb.Bdb` subclass stepping every line and recording the same frames
  (event, line, locals through ``safe_repr``), as a pdb-style tracer would;
- ``neural_pdb tracer``: :func:`neural_pdb.tracer.trace_script`, frames as
  ``trace_format.Frame`` values.

Columns: seconds, frames recorded, slowdown against plain, microseconds per frame.
"""

from __future__ import annotations

import argparse
import bdb
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neural_pdb.tracer import TraceLimits, safe_repr, trace_script  # noqa: E402
from neural_pdb.tracer.recorder import scope_locals  # noqa: E402

PROGRAM = '''\
def sieve(n):
    is_prime = [True] * (n + 1)
    is_prime[0] = is_prime[1] = False
    p = 2
    while p * p <= n:
        if is_prime[p]:
            for m in range(p * p, n + 1, p):
                is_prime[m] = False
        p += 1
    return [i for i in range(n + 1) if is_prime[i]]


def collatz_len(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


'''
WORKLOADS = {
    "small state": "longest = max(range(1, {collatz_n}), key=collatz_len)\n",
    "large state": "primes = sieve({sieve_n})\n",
}


class RecordingBdb(bdb.Bdb):
    """A pdb-style tracer: bdb's dispatch, stepping everywhere, recording each stop."""

    def __init__(self, filename: str) -> None:
        super().__init__()
        self.filename = filename
        self.frames: list[tuple] = []

    def _record(self, frame, event: str, value=None) -> None:
        if frame.f_code.co_filename != self.filename:
            return
        if event in ("call", "line"):
            shown = {k: safe_repr(v) for k, v in scope_locals(frame).items()}
        else:
            shown = safe_repr(value)
        self.frames.append((event, frame.f_lineno, shown))

    def user_call(self, frame, argument_list):
        self._record(frame, "call")
        self.set_step()

    def user_line(self, frame):
        self._record(frame, "line")
        self.set_step()

    def user_return(self, frame, return_value):
        self._record(frame, "return", return_value)
        self.set_step()

    def user_exception(self, frame, exc_info):
        self._record(frame, "exception", exc_info[1])
        self.set_step()


def run_plain(code, filename: str) -> int:
    exec(code, {"__name__": "__main__", "__file__": filename})
    return 0


def run_noop(code, filename: str) -> int:
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += 1
        return trace
    sys.settrace(trace)
    try:
        exec(code, {"__name__": "__main__", "__file__": filename})
    finally:
        sys.settrace(None)
    return count


def run_bdb(code, filename: str) -> int:
    debugger = RecordingBdb(filename)
    debugger.run(code, {"__name__": "__main__", "__file__": filename})
    return len(debugger.frames)


def run_tracer(code, filename: str) -> int:
    result = trace_script(filename, limits=TraceLimits(max_frames=10**8, max_seconds=3600), capture_output=True)
    if result.error is not None:
        raise RuntimeError(result.error)
    return len(result.trace.frames)


def best_of(repeat: int, fn, *args) -> tuple[float, int]:
    best, frames = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        frames = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, frames


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tracer overhead against plain execution and bdb.")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the best is shown (default 3)")
    parser.add_argument("--sieve", type=int, default=3000, help="sieve size (default 3000)")
    parser.add_argument("--collatz", type=int, default=600, help="Collatz numbers (default 600)")
    opts = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}, sieve {opts.sieve}, collatz {opts.collatz}, best of {opts.repeat}")
    print(f"{'workload':<13}{'mode':<20}{'seconds':>10}{'frames':>10}{'slowdown':>10}{'us/frame':>10}")
    for workload, call in WORKLOADS.items():
        source = PROGRAM + "\n" + call.format(sieve_n=opts.sieve, collatz_n=opts.collatz)
        with tempfile.TemporaryDirectory() as tmp:
            filename = os.path.join(tmp, "cpu_heavy.py")
            Path(filename).write_text(source)
            code = compile(source, filename, "exec")
            rows = [("plain", *best_of(opts.repeat, run_plain, code, filename)),
                    ("settrace no-op", *best_of(opts.repeat, run_noop, code, filename)),
                    ("bdb", *best_of(opts.repeat, run_bdb, code, filename)),
                    ("neural_pdb tracer", *best_of(opts.repeat, run_tracer, code, filename))]
        plain = rows[0][1]
        for name, seconds, frames in rows:
            per_frame = f"{seconds / frames * 1e6:.1f}" if frames else "-"
            print(f"{workload:<13}{name:<20}{seconds:>10.3f}{frames:>10}{seconds / plain:>9.0f}x{per_frame:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
