"""What a traced run is asked to respect, and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass

from trace_format import Trace

from .reprs import DEFAULT_MAX_LEN


@dataclass(frozen=True)
class TraceLimits:
    """Bounds on one traced run. Passing one stops the run with a ``stopped: ...`` error;
    the frames recorded until then are kept."""

    #: most frames recorded; the run stops when the next one would pass it
    max_frames: int = 10000
    #: wall-clock seconds for the traced part of the run
    max_seconds: float = 10.0
    #: longest repr of a value (passed to ``safe_repr``)
    max_repr: int = DEFAULT_MAX_LEN
    #: deepest nesting of traced calls (the entry scope is depth 0)
    max_depth: int = 200


@dataclass(frozen=True)
class TraceResult:
    """A run's trace and how it ended.

    ``error`` is None when the entry scope returned normally, else one line:
    ``"ZeroDivisionError: division by zero"`` (the program raised),
    ``"stopped: more than 10000 frames"`` / ``"stopped: time limit of 10.0 s"`` /
    ``"stopped: more than 200 nested calls"`` (a limit), or, from
    :func:`run_traced_subprocess` only, ``"stopped: ..."``/``"crashed: ..."`` for a worker
    that was killed or died. ``stdout``/``stderr`` hold the program's output when it was
    captured, else ``""``.
    """

    trace: Trace
    error: str | None = None
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def stopped(self) -> bool:
        """True when a limit (not the program) ended the run."""
        return self.error is not None and self.error.startswith(("stopped:", "crashed:"))

    def to_json(self) -> dict:
        return {"trace": self.trace.to_json(), "error": self.error, "stdout": self.stdout, "stderr": self.stderr}

    @classmethod
    def from_json(cls, data: dict) -> "TraceResult":
        return cls(Trace.from_json(data["trace"]), data.get("error"), data.get("stdout", ""), data.get("stderr", ""))


def exception_line(exc: BaseException) -> str:
    """``"ZeroDivisionError: division by zero"``: an exception as one line."""
    name = type(exc).__name__
    try:
        text = str(exc)
    except Exception:  # a user's __str__ may raise
        text = ""
    text = " ".join(text.split())
    return f"{name}: {text}" if text else name
