"""What the harness asks of whatever predicts execution: the real program (the harness's
own correctness check) or a model.

A :class:`Predictor` gets a :class:`Query` (the program, its marked source, the real call
frame whose arguments are therefore known) and either rolls out frames on its own until
the entry scope returns, or predicts the one frame that follows a given true prefix
(teacher forcing: next-state prediction). Predictors that can work on several programs at
once implement ``rollout_batch``; :func:`rollout_batch` falls back to one at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

from trace_format import Frame

from .dataset import Sample
from .reference import RealRun, RunLimits, run_real


@dataclass(frozen=True)
class Query:
    sample: Sample
    #: the source with the ``# << START_OF_TRACE`` marker, as the reference trace has it
    source: str
    #: the real call frame: the entry function's arguments, as reprs
    call: Frame


@dataclass(frozen=True)
class Prediction:
    """Frames predicted for one query (a rollout starts with the given call frame)."""

    frames: tuple[Frame, ...]
    #: tokens the predictor generated (0 for the real program)
    tokens: int = 0
    seconds: float = 0.0
    #: one line when the prediction stopped before the entry scope returned
    error: str | None = None
    #: the unparseable model output behind ``error``, if any
    raw: str = ""
    extra: dict = field(default_factory=dict, compare=False)


@runtime_checkable
class Predictor(Protocol):
    #: "real", "model", "remote", ...
    name: str

    def rollout(self, query: Query, max_frames: int) -> Prediction:
        """Frames from the call frame until the entry scope returns (or ``max_frames``)."""
        ...

    def predict_next(self, query: Query, prefix: Sequence[Frame]) -> Prediction:
        """The one frame after the true frames ``prefix`` (``prefix[0]`` is the call)."""
        ...

    def close(self) -> None:
        ...


def rollout_batch(predictor: Predictor, queries: Sequence[Query], max_frames: int | Sequence[int]) -> list[Prediction]:
    """Roll out several programs (``max_frames``: one limit, or one per query), batched
    when the predictor has ``rollout_batch(queries, limits)``, else one at a time."""
    limits = [max_frames] * len(queries) if isinstance(max_frames, int) else list(max_frames)
    batched = getattr(predictor, "rollout_batch", None)
    if callable(batched):
        return list(batched(queries, limits))
    return [predictor.rollout(q, n) for q, n in zip(queries, limits)]


class RealPredictor:
    """Predicts by running the program for real (a run of its own, separate from the
    reference): it must score exactly 1.0 on every task, which checks the harness."""

    name = "real"

    def __init__(self, limits: RunLimits = RunLimits()) -> None:
        self.limits = limits
        self._runs: dict[str, RealRun] = {}

    def _run(self, query: Query) -> RealRun:
        run = self._runs.get(query.sample.id)
        if run is None:
            sample = query.sample
            run = run_real(sample.code, sample.entry, sample.input, self.limits)
            self._runs = {sample.id: run}  # teacher forcing asks for one program at a time
        return run

    def rollout(self, query: Query, max_frames: int) -> Prediction:
        started = time.perf_counter()
        run = self._run(query)
        frames = run.trace.frames[:max_frames] if run.trace is not None else ()
        return Prediction(tuple(frames), seconds=time.perf_counter() - started, error=run.error)

    def predict_next(self, query: Query, prefix: Sequence[Frame]) -> Prediction:
        started = time.perf_counter()
        run = self._run(query)
        frames = run.trace.frames if run.trace is not None else ()
        if len(prefix) < len(frames):
            return Prediction((frames[len(prefix)],), seconds=time.perf_counter() - started)
        return Prediction((), seconds=time.perf_counter() - started, error=run.error or "the program has ended")

    def close(self) -> None:
        self._runs.clear()
