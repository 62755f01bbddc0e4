"""Predicted frames against real frames: per-step agreement and per-program scores.

A *step* is one frame of the reference trace after the call frame (the call frame is
given to the predictor, never scored). For each step we ask:

- **next line**: the predicted frame has the reference's event and line (the debugger's
  next stop is right). Lines compare by number when both frames carry one, else by text;
- **locals exact** (call/line steps): the same names with equal values;
- **return value** (return steps): a return frame with an equal value;
- **frame exact**: next line right, and the locals or the value right as well.

Values compare as rebuilt values (:func:`~neural_pdb.evaluation.values.reprs_equal`).
The **first divergent step** is the index (in the reference trace; 1 is the first frame
after the call) of the first step that is not frame-exact; ``None`` when the prediction
is exact to the end. A prediction that stops early is wrong on every missing step; one
that runs past the reference's end diverges at the step after the reference's last.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from trace_format import Event, Frame

from .values import reprs_equal


@dataclass(frozen=True)
class StepResult:
    """One reference step against its prediction (``None``: nothing was predicted)."""

    index: int
    next_line: bool
    frame_exact: bool
    locals_exact: bool | None = None  # None: the reference step has no locals
    return_value: bool | None = None  # None: the reference step is not a return


def _same_line(reference: Frame, predicted: Frame) -> bool:
    if reference.event is not predicted.event:
        return False
    if reference.lineno is not None and predicted.lineno is not None:
        return reference.lineno == predicted.lineno
    return reference.source_line == predicted.source_line


def _same_locals(reference: Frame, predicted: Frame) -> bool:
    ref, pred = reference.locals, predicted.locals
    return ref.keys() == pred.keys() and all(reprs_equal(ref[k], pred[k]) for k in ref)


def compare_step(index: int, reference: Frame, predicted: Frame | None) -> StepResult:
    """How ``predicted`` fares as the frame at reference step ``index``."""
    has_locals = reference.has_locals
    is_return = reference.event is Event.RETURN
    if predicted is None:
        return StepResult(index, False, False, False if has_locals else None, False if is_return else None)
    line = _same_line(reference, predicted)
    if has_locals:
        locals_ok = predicted.has_locals and _same_locals(reference, predicted)
        return StepResult(index, line, line and locals_ok, locals_exact=locals_ok)
    value_ok = predicted.event is reference.event and reprs_equal(reference.value, predicted.value)
    return StepResult(index, line, line and value_ok, return_value=value_ok if is_return else None)


@dataclass(frozen=True)
class TraceScore:
    """A program's steps summed up. Rates are over this program's steps; the harness sums
    the counts across programs for micro-averages."""

    steps: int
    next_line: int
    frame_exact: int
    locals_steps: int
    locals_exact: int
    return_steps: int
    return_value: int
    predicted_steps: int
    first_divergence: int | None
    #: every step frame-exact and no extra frame predicted
    exact: bool

    def rate(self, name: str) -> float | None:
        total = {"next_line": self.steps, "frame_exact": self.steps, "locals_exact": self.locals_steps,
                 "return_value": self.return_steps}[name]
        return getattr(self, name) / total if total else None

    def to_json(self) -> dict:
        out = asdict(self)
        out["rates"] = {k: self.rate(k) for k in ("next_line", "frame_exact", "locals_exact", "return_value")}
        return out


def score_steps(steps: Iterable[StepResult], predicted_steps: int, extra_predicted: bool = False) -> TraceScore:
    """Sum step results; ``extra_predicted``: frames were predicted past the reference's end."""
    steps = list(steps)
    first = next((s.index for s in steps if not s.frame_exact), None)
    if first is None and extra_predicted:
        first = (steps[-1].index + 1) if steps else 1
    return TraceScore(
        steps=len(steps),
        next_line=sum(s.next_line for s in steps),
        frame_exact=sum(s.frame_exact for s in steps),
        locals_steps=sum(s.locals_exact is not None for s in steps),
        locals_exact=sum(bool(s.locals_exact) for s in steps),
        return_steps=sum(s.return_value is not None for s in steps),
        return_value=sum(bool(s.return_value) for s in steps),
        predicted_steps=predicted_steps,
        first_divergence=first,
        exact=first is None,
    )


def score_rollout(reference: Sequence[Frame], predicted: Sequence[Frame]) -> TraceScore:
    """A free-running prediction against the reference, both starting with the call frame
    (index 0, given, not scored)."""
    steps = [compare_step(i, reference[i], predicted[i] if i < len(predicted) else None)
             for i in range(1, len(reference))]
    return score_steps(steps, predicted_steps=max(len(predicted) - 1, 0),
                       extra_predicted=len(predicted) > len(reference))


def score_teacher_forced(reference: Sequence[Frame], predicted_next: Sequence[Frame | None]) -> TraceScore:
    """``predicted_next[i - 1]`` is the frame predicted after the true frames ``0..i-1``
    (next-state prediction); it is compared with ``reference[i]``."""
    steps = [compare_step(i, reference[i], predicted_next[i - 1] if i - 1 < len(predicted_next) else None)
             for i in range(1, len(reference))]
    return score_steps(steps, predicted_steps=sum(p is not None for p in predicted_next))


def describe_frame(frame: Frame | None, width: int = 160) -> str:
    """A frame in one short line: ``line 4 `n += 1` {'n': '2'}`` / ``return 6 `return n` -> 2``."""
    if frame is None:
        return "(nothing predicted)"
    where = f"{frame.event.value} {frame.lineno if frame.lineno is not None else '?'} `{frame.source_line.strip()}`"
    what = (" " + ", ".join(f"{k}={v}" for k, v in frame.local_items)) if frame.has_locals else f" -> {frame.value}"
    text = where + what
    return text if len(text) <= width else text[:width - 1] + "…"


def divergence_detail(reference: Sequence[Frame], aligned: Sequence[Frame | None], step: int | None) -> dict | None:
    """The real and the predicted frame at the first divergent ``step``; ``aligned[i]`` is
    the prediction compared with ``reference[i]``."""
    if step is None:
        return None
    real = reference[step] if step < len(reference) else None
    predicted = aligned[step] if step < len(aligned) else None
    return {"step": step, "real": describe_frame(real) if real is not None else "(the real trace has ended)",
            "predicted": describe_frame(predicted)}


def entry_return_value(frames: Sequence[Frame]) -> str | None:
    """The value of the return frame that leaves the entry scope (the first frame's scope),
    or None if the frames never leave it."""
    depth = 0
    for frame in frames:
        if frame.event is Event.CALL:
            depth += 1
        elif frame.event is Event.RETURN:
            depth -= 1
            if depth <= 0:
                return frame.value
    return None


def sum_scores(scores: Iterable[TraceScore]) -> dict:
    """Micro-averaged rates over all steps of all programs, plus program-level counts."""
    scores = list(scores)
    totals = {k: sum(getattr(s, k) for s in scores)
              for k in ("steps", "next_line", "frame_exact", "locals_steps", "locals_exact", "return_steps",
                        "return_value", "predicted_steps")}

    def ratio(num: str, den: str) -> float | None:
        return totals[num] / totals[den] if totals[den] else None

    return {
        "next_line_accuracy": ratio("next_line", "steps"),
        "frame_exact_match": ratio("frame_exact", "steps"),
        "locals_exact_match": ratio("locals_exact", "locals_steps"),
        "return_value_accuracy": ratio("return_value", "return_steps"),
        "programs_exact": (sum(s.exact for s in scores) / len(scores)) if scores else None,
        "totals": totals,
    }
