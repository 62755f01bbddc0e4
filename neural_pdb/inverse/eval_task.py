"""``neural-pdb eval --task input``: CruxEval-I through inverse execution.

For each program, predict an input for ``f`` from its expected output; the prediction is
correct when running ``f(predicted input)`` for real (sandboxed child process, the
harness's time and memory limits) returns the expected output, as CruxEval-I scores it
(values compared as values; a run that hangs, crashes or raises is wrong).

How an input is predicted:

- ``--backend real`` answers with the true input (the harness's own check: 1.0);
- a model proposes candidate call frames (:mod:`.propose`): conditioned on the output
  with ``<|npdb:back_to_call|>`` when the model was trained on it (one return state per
  ``return`` line of ``f``), sampled from the source alone otherwise; each candidate is
  checked by forward prediction with the same predictor (the model runs ``f`` on it in
  its head) and the best-ranked one is the answer. With the setting ``verify="real"``
  candidates are checked by real execution instead: oracle-assisted, reported as such.

Settings read from the harness (``TaskContext.settings``): ``candidates`` (default 8),
``verify`` (``model`` or ``real``), ``seed``.
"""

from __future__ import annotations

import time
from typing import Sequence

from neural_pdb.evaluation.dataset import Sample
from neural_pdb.evaluation.metrics import entry_return_value
from neural_pdb.evaluation.predictors import Query
from neural_pdb.evaluation.reference import RealRun
from neural_pdb.evaluation.tasks import ProgramResult, TaskContext, register_task, unscored
from neural_pdb.evaluation.values import rebuild_value, value_kind, values_equal
from trace_format import call_frame, return_frame

from .propose import GivenProposer, ModelProposer, Proposer
from .search import ScoredCandidate, rank, return_states
from .verify import Candidate, Check, RealVerifier, TargetState, Verifier, def_line, marked_source, match_score

DEFAULT_CANDIDATES = 8


class PredictorVerifier:
    """Checks a candidate with the harness's predictor: a rollout from its call frame."""

    name = "model"

    def __init__(self, predictor, sample: Sample, max_frames: int) -> None:
        self.predictor = predictor
        self.sample = sample
        self.max_frames = max_frames

    def check(self, source: str, target: TargetState, candidate: Candidate) -> Check:
        marked = marked_source(source, target.function)
        line = def_line(marked, target.function)
        lineno = marked.split("\n").index(line) + 1
        call = call_frame(line, candidate.locals, lineno=lineno, function=target.function, depth=0)
        prediction = self.predictor.rollout(Query(self.sample, marked, call), self.max_frames)
        return Check(match_score(prediction.frames, target), prediction.frames, prediction.error)


def _model_config(predictor):
    generator = getattr(predictor, "generator", None)
    inner = getattr(generator, "inner", generator)
    model = getattr(inner, "model", None)
    return getattr(model, "config", None)


@register_task
class InputTask:
    name = "input"
    headline = ("fraction of programs where running f(predicted input) for real returns the expected output "
                "(CruxEval-I)")

    def __init__(self, proposer: Proposer | None = None, verifier: Verifier | None = None) -> None:
        # Given in tests and by callers with their own search; else built per predictor.
        self.proposer = proposer
        self.verifier = verifier

    def _search(self, sample: Sample, reference: RealRun, ctx: TaskContext) -> tuple[list[ScoredCandidate], str]:
        from trace_format.actions import Action, supported_actions

        target = TargetState(sample.entry, return_frame("", sample.output), outermost=True)
        n = int(ctx.settings.get("candidates") or DEFAULT_CANDIDATES)
        seed = int(ctx.settings.get("seed") or 0)
        proposer, verifier = self.proposer, self.verifier
        states = None
        if proposer is None:
            if ctx.predictor.name == "real":
                proposer = GivenProposer([reference.trace.frames[0].locals])
            else:
                inverse = Action.BACK_TO_CALL in supported_actions(_model_config(ctx.predictor))
                max_tokens = getattr(getattr(ctx.predictor, "config", None), "max_frame_tokens", 384)
                proposer = ModelProposer(ctx.predictor.generator, ctx.predictor.vocab, inverse=inverse,
                                         max_frame_tokens=max_tokens)
                if inverse:
                    states = return_states(sample.code, sample.entry, sample.output)
        if verifier is None:
            if ctx.settings.get("verify") == "real" or ctx.predictor.name == "real":
                verifier = RealVerifier(ctx.limits.timeout, ctx.limits.memory_mb)
            else:
                verifier = PredictorVerifier(ctx.predictor, sample, ctx.options.max_frames)
        kw = {"states": states} if states else {}
        candidates = proposer.propose(sample.code, target, n, seed, **kw)
        scored = [ScoredCandidate(c, verifier.check(sample.code, target, c)) for c in candidates]
        return rank(scored), f"{proposer.name}/{verifier.name}"

    def evaluate(self, sample: Sample, reference: RealRun, ctx: TaskContext) -> ProgramResult:
        ok_expected, expected = rebuild_value(sample.output)
        if not reference.ok or reference.trace is None or not reference.trace.frames:
            return unscored(sample, reference)  # the sample's own input does not run: not scorable
        if not ok_expected:
            return ProgramResult(sample.id, "invalid", scored=False, expected=sample.output,
                                 error="the expected output is not a Python literal")
        started = time.perf_counter()
        ranked, how = self._search(sample, reference, ctx)
        seconds = time.perf_counter() - started
        extra = {"search": how, "candidates": [s.to_json() for s in ranked[:5]], "true_input": sample.input}
        if not ranked:
            return ProgramResult(sample.id, "no_prediction", scored=True, total=1.0, expected=sample.output,
                                 value_kind=value_kind(expected), seconds=seconds,
                                 error="no candidate input could be parsed", extra=extra)
        best = ranked[0].candidate
        run = ctx.run_real(sample.code, sample.entry, best.args, ctx.limits)
        returned = entry_return_value(run.trace.frames) if run.ok and run.trace is not None else None
        ok_value, value = rebuild_value(returned)
        correct = run.ok and ok_value and values_equal(expected, value)
        extra["predicted_run"] = run.to_json()
        error = None if correct else (run.error or f"f({best.args}) returned {returned}")
        return ProgramResult(sample.id, "correct" if correct else "wrong", scored=True, correct=correct,
                             hits=float(correct), total=1.0, expected=sample.output, predicted=best.args,
                             value_kind=value_kind(expected), trace_length=len(reference.trace.frames),
                             seconds=seconds, error=error, extra=extra)

    def summarize(self, results: Sequence[ProgramResult]) -> dict:
        scored = [r for r in results if r.scored]
        reached = sum(1 for r in scored if r.extra.get("candidates") and r.extra["candidates"][0]["reached"])
        return {"input_search": {"programs": len(scored), "best_candidate_verified": reached,
                                 "hang_or_crash_on_predicted_input": sum(
                                     1 for r in scored if r.extra.get("predicted_run", {}).get("status")
                                     in ("hang", "crash", "memory"))}}

