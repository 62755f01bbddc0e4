"""The real tracer: runs a program and records its CWM trace (see :mod:`trace_format`).

- :func:`trace_script` runs a whole script as ``__main__``; the trace starts at the
  module scope's call frame on line 1 (the format's module scope).
- :func:`trace_call` runs a module body untraced, then traces one call of its entry
  function, CruxEval style (``f(*eval("(ARGS,)"))``), with the start marker added.
- :func:`run_traced_subprocess` does either in a child process with a wall-clock
  timeout, a memory limit and ``PYTHONHASHSEED=0``: for data generation and evaluation.

Mechanism: ``sys.settrace`` on every version (why, in :mod:`.recorder`). Values are
reprs under :func:`safe_repr`; which names a frame shows is :func:`scope_locals` (any
other producer of real frames should use both, so its frames equal the tracer's). Deterministic for a deterministic program: a set of
strings iterates in an order that depends on the hash seed, so runs that must repeat
exactly use ``PYTHONHASHSEED=0`` (the subprocess runner and ``neural-pdb trace`` do).
"""

from .inprocess import trace_call, trace_script
from .isolated import run_traced_subprocess
from .recorder import FrameRecorder, TraceStopped, scope_locals, user_globals
from .reprs import safe_repr
from .results import TraceLimits, TraceResult

__all__ = ["TraceLimits", "TraceResult", "trace_script", "trace_call", "run_traced_subprocess",
           "FrameRecorder", "TraceStopped", "safe_repr", "scope_locals", "user_globals"]
