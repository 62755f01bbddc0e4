"""Evaluation tasks, registered by name: ``output`` and ``trace`` here, ``input`` from
the inverse-execution package.

A task turns one program (a :class:`~neural_pdb.evaluation.dataset.Sample` and its real
run) into a :class:`ProgramResult`. Its headline accuracy is ``sum(hits) / sum(total)``
over the scored programs: for ``output`` one hit per correct program out of one, for
``trace`` the frame-exact steps out of the steps. Breakdowns (by trace length, by kind of
value) use the same ratio, so a new task gets them for free.

A new task is one class with ``name``, ``evaluate`` (and optionally ``evaluate_batch``,
``summarize``), decorated with :func:`register_task`; a task living in another package is
listed in :data:`LAZY_TASKS` (``name -> module``) and registers itself when imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from .dataset import Sample
from .metrics import (TraceScore, divergence_detail, entry_return_value, score_rollout, score_teacher_forced,
                      sum_scores)
from .predictors import Predictor, Query, rollout_batch
from .reference import RealRun, RunLimits, run_real
from .values import rebuild_value, repr_kind, value_kind, values_equal


class TaskError(Exception):
    """An unknown task or an option a task cannot take; one line for the user."""


@dataclass
class ProgramResult:
    """One program's outcome. ``status``: ``correct``/``wrong`` (scored), ``no_prediction``
    (scored, wrong: the predictor gave no answer), or, unscored, the real run's status
    (``hang``, ``crash``, ``memory``, ``raised``) or ``invalid`` (a sample whose expected
    output is not a value)."""

    id: str
    status: str
    scored: bool
    correct: bool = False
    hits: float = 0.0
    total: float = 0.0
    expected: str | None = None
    predicted: str | None = None
    value_kind: str | None = None
    #: frames in the real trace (call and return included)
    trace_length: int | None = None
    first_divergence: int | None = None
    score: TraceScore | None = None
    seconds: float = 0.0
    tokens: int = 0
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("id", "status", "scored", "correct", "hits", "total", "expected",
                                              "predicted", "value_kind", "trace_length", "first_divergence",
                                              "tokens", "error")}
        out["seconds"] = round(self.seconds, 4)
        out["tokens_per_second"] = round(self.tokens / self.seconds, 2) if self.seconds > 0 and self.tokens else None
        if self.score is not None:
            out["trace_metrics"] = self.score.to_json()
        if self.extra:
            out["extra"] = self.extra
        return out


@dataclass(frozen=True)
class TaskOptions:
    #: most frames a predictor may produce (and most reference steps scored)
    max_frames: int = 1000
    #: a rollout is also cut at ``length_cap * real length + 50`` frames (0: no cap). It only
    #: bounds the cost of a model that loops: a rollout that long has long gone wrong.
    length_cap: float = 2.0
    #: ``trace`` task: ``forced`` (teacher-forced next-state) or ``rollout`` (free-running)
    mode: str = "forced"
    #: programs given to the predictor at once, when it can batch
    batch_size: int = 1


    def frame_budget(self, real_frames: int) -> int:
        """Frames a rollout may predict for a program whose real trace has ``real_frames``."""
        if self.length_cap <= 0:
            return self.max_frames
        return max(1, min(self.max_frames, int(self.length_cap * real_frames) + 50))


@dataclass
class TaskContext:
    """What a task may use: the predictor, the options, and a sandboxed real run (for a
    task that must execute a predicted input, as ``input`` does)."""

    predictor: Predictor
    options: TaskOptions = field(default_factory=TaskOptions)
    limits: RunLimits = field(default_factory=RunLimits)
    run_real: Callable[[str, str, str, RunLimits], RealRun] = run_real
    #: the command-line settings (backend, model, seed...), for a task that builds its own model
    settings: dict = field(default_factory=dict)


class Task(Protocol):
    name: str
    #: one line saying what ``accuracy`` means for this task
    headline: str

    def evaluate(self, sample: Sample, reference: RealRun, ctx: TaskContext) -> ProgramResult:
        ...


TASKS: dict[str, type] = {}
#: tasks defined elsewhere, imported on first use: name -> module that registers them
LAZY_TASKS: dict[str, str] = {"input": "neural_pdb.inverse.eval_task"}


def register_task(cls: type) -> type:
    TASKS[cls.name] = cls
    return cls


def task_names() -> list[str]:
    return sorted(set(TASKS) | set(LAZY_TASKS))


def get_task(name: str) -> Task:
    if name not in TASKS and name in LAZY_TASKS:
        import importlib

        try:
            importlib.import_module(LAZY_TASKS[name])
        except ModuleNotFoundError:
            raise TaskError(f"task {name!r} is not available yet ({LAZY_TASKS[name]} is missing)") from None
    if name not in TASKS:
        raise TaskError(f"unknown task {name!r} (choose from {', '.join(task_names())})")
    return TASKS[name]()


def internal_error(sample: Sample, error: BaseException) -> ProgramResult:
    """A program the harness itself failed on: reported (status ``internal_error``), not
    scored, and the evaluation goes on."""
    return ProgramResult(sample.id, "internal_error", scored=False, expected=sample.output,
                         error=f"internal error: {type(error).__name__}: {error}")


def evaluate_batch(task: Task, items: Sequence[tuple[Sample, RealRun]], ctx: TaskContext) -> list[ProgramResult]:
    batched = getattr(task, "evaluate_batch", None)
    try:
        if callable(batched):
            return list(batched(items, ctx))
        return [task.evaluate(s, r, ctx) for s, r in items]
    except (TaskError, KeyboardInterrupt):
        raise
    except Exception:
        pass
    # a batch failed: evaluate its programs one by one to find the culprit
    return [_evaluate_one(task, s, r, ctx) for s, r in items]


def _evaluate_one(task: Task, sample: Sample, reference: RealRun, ctx: TaskContext) -> ProgramResult:
    try:
        batched = getattr(task, "evaluate_batch", None)
        return batched([(sample, reference)], ctx)[0] if callable(batched) else task.evaluate(sample, reference, ctx)
    except (TaskError, KeyboardInterrupt):
        raise
    except Exception as e:  # a bug must cost one program, not the evaluation
        return internal_error(sample, e)


def unscored(sample: Sample, reference: RealRun) -> ProgramResult:
    """The result of a program whose real run failed: reported, not scored."""
    return ProgramResult(sample.id, reference.status, scored=False, expected=sample.output, error=reference.error,
                         trace_length=len(reference.trace.frames) if reference.trace is not None else None,
                         extra={"reference_seconds": round(reference.seconds, 4)})


def query_for(sample: Sample, reference: RealRun) -> Query:
    trace = reference.trace
    if trace is None or not trace.frames:
        raise TaskError(f"{sample.id}: the real run has no frames")
    return Query(sample, trace.source, trace.frames[0])


@register_task
class OutputTask:
    """CruxEval-O through the trace: from the real call frame, predict until the entry
    returns; correct when the returned value, rebuilt from its repr, equals ``output``."""

    name = "output"
    headline = "fraction of programs whose predicted return value equals the expected output"

    def evaluate(self, sample: Sample, reference: RealRun, ctx: TaskContext) -> ProgramResult:
        return self.evaluate_batch([(sample, reference)], ctx)[0]

    def evaluate_batch(self, items: Sequence[tuple[Sample, RealRun]], ctx: TaskContext) -> list[ProgramResult]:
        results: dict[int, ProgramResult] = {}
        pending: list[tuple[int, Sample, RealRun]] = []
        for i, (sample, reference) in enumerate(items):
            ok_expected, _ = rebuild_value(sample.output)
            if not reference.ok or reference.trace is None or not reference.trace.frames:
                results[i] = unscored(sample, reference)
            elif not ok_expected:
                results[i] = ProgramResult(sample.id, "invalid", scored=False, expected=sample.output,
                                           error="the expected output is not a Python literal")
            else:
                pending.append((i, sample, reference))
        predictions = rollout_batch(ctx.predictor, [query_for(s, r) for _, s, r in pending],
                                    [ctx.options.frame_budget(len(r.trace.frames)) for _, _, r in pending])
        for (i, sample, reference), prediction in zip(pending, predictions):
            _, expected = rebuild_value(sample.output)
            predicted = entry_return_value(prediction.frames)
            ok_pred, value = rebuild_value(predicted)
            correct = ok_pred and values_equal(expected, value)
            status = "correct" if correct else ("no_prediction" if predicted is None else "wrong")
            score = score_rollout(reference.trace.frames, prediction.frames)
            extra = {"raw": prediction.raw} if prediction.raw else {}
            detail = divergence_detail(reference.trace.frames, prediction.frames, score.first_divergence)
            if detail is not None:
                extra["divergence"] = detail
            results[i] = ProgramResult(
                sample.id, status, scored=True, correct=correct, hits=float(correct), total=1.0,
                expected=sample.output, predicted=predicted, value_kind=value_kind(expected),
                trace_length=len(reference.trace.frames), first_divergence=score.first_divergence, score=score,
                seconds=prediction.seconds, tokens=prediction.tokens,
                error=prediction.error if not correct else None, extra=extra)
        return [results[i] for i in range(len(items))]

    def summarize(self, results: Sequence[ProgramResult]) -> dict:
        return {"rollout_agreement": sum_scores(r.score for r in results if r.scored and r.score is not None)}


@register_task
class TraceTask:
    """The whole trace against the real tracer's: next line, frame, locals, return values,
    first divergence. ``forced`` (default): each frame is predicted from the true frames
    before it (next-state accuracy); ``rollout``: the predictor runs free from the call."""

    name = "trace"
    headline = "frame exact match over all steps of all programs (micro-average)"

    def evaluate(self, sample: Sample, reference: RealRun, ctx: TaskContext) -> ProgramResult:
        if not reference.ok or reference.trace is None or not reference.trace.frames:
            return unscored(sample, reference)
        query = query_for(sample, reference)
        frames = reference.trace.frames[:ctx.options.max_frames]
        tokens, seconds, error, raw = 0, 0.0, None, ""
        if ctx.options.mode == "rollout":
            prediction = ctx.predictor.rollout(query, ctx.options.frame_budget(len(reference.trace.frames)))
            score = score_rollout(frames, prediction.frames)
            aligned = list(prediction.frames)
            tokens, seconds, error, raw = prediction.tokens, prediction.seconds, prediction.error, prediction.raw
            predicted = entry_return_value(prediction.frames)
        elif ctx.options.mode == "forced":
            predicted_next = []
            for i in range(1, len(frames)):
                prediction = ctx.predictor.predict_next(query, frames[:i])
                predicted_next.append(prediction.frames[0] if prediction.frames else None)
                tokens += prediction.tokens
                seconds += prediction.seconds
                if prediction.error and error is None:
                    error, raw = f"step {i}: {prediction.error}", prediction.raw
            score = score_teacher_forced(frames, predicted_next)
            aligned = [frames[0]] + predicted_next
            last = predicted_next[-1] if predicted_next else None
            predicted = last.value if last is not None and not last.has_locals else None
        else:
            raise TaskError(f"unknown trace mode {ctx.options.mode!r} (forced or rollout)")
        expected = entry_return_value(reference.trace.frames)
        extra = {"mode": ctx.options.mode}
        if len(frames) < len(reference.trace.frames):
            extra["steps_cut_at"] = len(frames)
        if raw:
            extra["raw"] = raw
        detail = divergence_detail(frames, aligned, score.first_divergence)
        if detail is not None:
            extra["divergence"] = detail
        return ProgramResult(
            sample.id, "correct" if score.exact else "wrong", scored=True, correct=score.exact,
            hits=float(score.frame_exact), total=float(score.steps), expected=expected, predicted=predicted,
            value_kind=repr_kind(expected), trace_length=len(reference.trace.frames),
            first_divergence=score.first_divergence, score=score, seconds=seconds, tokens=tokens, error=error,
            extra=extra)

    def summarize(self, results: Sequence[ProgramResult]) -> dict:
        return {"trace_metrics": sum_scores(r.score for r in results if r.scored and r.score is not None)}
