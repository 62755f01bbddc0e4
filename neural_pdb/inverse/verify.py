"""Does a candidate call reach a target state? By real execution or by forward prediction.

A :class:`TargetState` is a frame of a function: a line frame with the locals to reach
(any subset of names), or a return / exception frame with its value. A candidate's run
(real or predicted) *reaches* it when some frame of that function stands on the same
line with the same event kind and equal values; the score is the best fraction of the
target's values matched at that line (1.0: reached), so near misses rank above misses.
Values are compared as values where their reprs can be rebuilt (``{'a': 1, 'b': 2}``
equals ``{'b': 2, 'a': 1}``), as text otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from trace_format import Event, Frame, call_frame
from trace_format.marker import add_start_marker, strip_all_markers

from .calls import CallShapeError, args_text, signature_of


def reprs_equal(a: str | None, b: str | None) -> bool:
    from neural_pdb.evaluation.values import reprs_equal as equal  # pure module, no model imports
    return equal(a, b)


@dataclass(frozen=True)
class TargetState:
    """The state to reach inside ``function``. ``outermost``: only the function's
    outermost activation counts (its final return, for an input that gives an output)."""

    function: str
    frame: Frame
    outermost: bool = False


@dataclass(frozen=True)
class Candidate:
    """A proposed call: the parameters as reprs, and the argument text to run it with."""

    call_locals: tuple[tuple[str, str], ...]
    args: str
    #: sum of the proposal's token log-probabilities (None when not from a model)
    logprob: float | None = None
    #: how it was proposed: ``sampled`` (a call frame sampled from the model),
    #: ``back_to_call`` (an inverse action from the target state), ``given``
    origin: str = "sampled"

    @property
    def locals(self) -> dict[str, str]:
        return dict(self.call_locals)


@dataclass(frozen=True)
class Check:
    score: float
    #: frames of the run that was checked (real or predicted)
    frames: tuple[Frame, ...] = ()
    error: str | None = None

    @property
    def reached(self) -> bool:
        return self.score >= 1.0


def _same_kind(a: Event, b: Event) -> bool:
    # a state with locals (call or line) is matched by either; a return or an exception
    # only by the same event
    with_locals = (Event.CALL, Event.LINE)
    return (a in with_locals and b in with_locals) or a is b


def match_score(frames: Sequence[Frame], target: TargetState) -> float:
    """The best fraction of the target's values that a frame at its position matches."""
    want = target.frame
    if target.outermost:
        depth0 = [f for f in frames if f.depth in (0, None)]
        pool = [depth0[-1]] if depth0 and want.event in (Event.RETURN, Event.EXCEPTION) else depth0
    else:
        pool = list(frames)
    best = 0.0
    for f in pool:
        if f.function not in (None, target.function) or not _same_kind(f.event, want.event):
            continue
        if want.lineno is not None and f.lineno is not None:
            if f.lineno != want.lineno:
                continue
        elif want.source_line and f.source_line.strip() != want.source_line.strip():
            continue  # (a target without a line, e.g. "returns this output", matches any line)
        if want.has_locals:
            names = list(want.locals)
            if not names:
                return 1.0
            got = f.locals
            hits = sum(1 for n in names if n in got and reprs_equal(want.locals[n], got[n]))
            best = max(best, hits / len(names))
        else:
            if f.event is want.event and reprs_equal(want.value, f.value):
                return 1.0
    return best


def candidate_from_call_locals(source: str, function: str, call_locals: dict[str, str], *,
                               logprob: float | None = None, origin: str = "sampled") -> Candidate | None:
    """A candidate from a call frame's locals; None when they do not fit the signature."""
    sig = signature_of(source, function)
    if sig is None:
        return None
    try:
        text = args_text(sig, call_locals)
    except CallShapeError:
        return None
    kept = tuple((n, call_locals[n]) for n in sig.names)
    return Candidate(kept, text, logprob, origin)


def marked_source(source: str, function: str) -> str:
    """``source`` with the start marker on ``function`` (and nowhere else)."""
    return add_start_marker(strip_all_markers(source), function)


def def_line(marked: str, function: str) -> str:
    for line in marked.split("\n"):
        if line.lstrip().startswith((f"def {function}(", f"async def {function}(")) and "START_OF_TRACE" in line:
            return line
    raise ValueError(f"no marked def line for {function!r}")


class Verifier(Protocol):
    name: str

    def check(self, source: str, target: TargetState, candidate: Candidate) -> Check:
        ...


class RealVerifier:
    """Runs ``function(*args)`` for real in a sandboxed child process (the tracer's
    ``run_traced_subprocess``: wall-clock timeout, memory limit). Only top-level
    functions can be called this way."""

    name = "real"

    def __init__(self, timeout: float = 5.0, memory_limit_mb: int = 1024, max_frames: int = 20000) -> None:
        self.timeout = timeout
        self.memory_limit_mb = memory_limit_mb
        self.max_frames = max_frames

    def check(self, source: str, target: TargetState, candidate: Candidate) -> Check:
        from neural_pdb.program import ProgramError
        from neural_pdb.tracer import TraceLimits, run_traced_subprocess

        limits = TraceLimits(max_frames=self.max_frames, max_seconds=self.timeout, max_repr=1000)
        try:
            result = run_traced_subprocess(source=strip_all_markers(source), entry=target.function,
                                           args=candidate.args, limits=limits, timeout=self.timeout + 5.0,
                                           memory_limit_mb=self.memory_limit_mb)
        except (ProgramError, ValueError, SyntaxError, OSError) as e:
            return Check(0.0, (), f"{type(e).__name__}: {e}".splitlines()[0])
        frames = result.trace.frames
        return Check(match_score(frames, target), frames, result.error)


class SessionVerifier:
    """Predicts the run with a model (a :class:`neural_pdb.model.session.TraceSession` from
    the candidate's call frame) until the target is reached, the function returns, or
    ``max_frames`` frames."""

    name = "model"

    def __init__(self, generator, vocab, config=None, max_frames: int = 300) -> None:
        self.generator = generator
        self.vocab = vocab
        self.config = config
        self.max_frames = max_frames

    def check(self, source: str, target: TargetState, candidate: Candidate) -> Check:
        from neural_pdb.model.session import MalformedReplyError, PredictionConfig, SessionLimitError, TraceSession

        marked = marked_source(source, target.function)
        session = TraceSession(self.generator, self.vocab, marked, self.config or PredictionConfig())
        try:
            session.force_frame(call_frame(def_line(marked, target.function), candidate.locals))
            error = None
            while not session.finished and len(session.records) < self.max_frames:
                session.predict()
                if not target.outermost and match_score(session.frames[-1:], target) >= 1.0:
                    break
        except (MalformedReplyError, SessionLimitError) as e:
            error = str(e).splitlines()[0]
        except Exception as e:  # a located-line failure etc.: this candidate fails, the search goes on
            error = f"{type(e).__name__}: {e}".splitlines()[0]
        frames = tuple(session.frames)
        return Check(match_score(frames, target), frames, error)
