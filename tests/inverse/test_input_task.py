"""``neural-pdb eval --task input``: CruxEval-I scoring by real execution."""

from __future__ import annotations

import json
import time

from neural_pdb.evaluation.dataset import Sample
from neural_pdb.evaluation.harness import EvalConfig, run_evaluation
from neural_pdb.evaluation.predictors import RealPredictor
from neural_pdb.evaluation.reference import RunLimits, run_real
from neural_pdb.evaluation.tasks import TaskContext, get_task
from neural_pdb.inverse.eval_task import InputTask
from neural_pdb.inverse.propose import GivenProposer
from neural_pdb.inverse.verify import RealVerifier

HALVING = "def f(n):\n    while n != 0:\n        n -= 2\n    return n\n"


def test_input_task_is_registered_by_name():
    assert get_task("input").name == "input"


def test_a_predicted_input_that_hangs_is_wrong_and_the_evaluation_goes_on():
    limits = RunLimits(timeout=1.0, memory_mb=512)
    sample = Sample("halving", HALVING, "4", "0")
    reference = run_real(sample.code, sample.entry, sample.input, limits)
    ctx = TaskContext(RealPredictor(limits), limits=limits)
    # the proposer's only candidate makes f loop forever; checked by forward prediction
    # with a predictor that cannot see it, so the hanging input is what gets scored
    task = InputTask(GivenProposer([{"n": "3"}]), verifier=_AcceptAll())
    started = time.perf_counter()
    result = task.evaluate(sample, reference, ctx)
    assert time.perf_counter() - started < 8
    assert result.scored and not result.correct and result.status == "wrong"
    assert result.predicted == "3"
    assert result.extra["predicted_run"]["status"] == "hang"
    right = InputTask(GivenProposer([{"n": "3"}, {"n": "6"}]), RealVerifier(timeout=1.0)).evaluate(sample, reference, ctx)
    assert right.correct and right.predicted == "6"


class _AcceptAll:
    name = "accept-all"

    def check(self, source, target, candidate):
        from neural_pdb.inverse.verify import Check
        return Check(0.5)


def test_wrong_value_and_type_strictness():
    limits = RunLimits(timeout=2.0)
    sample = Sample("id", "def f(x):\n    return x * 2\n", "2", "4")
    reference = run_real(sample.code, sample.entry, sample.input, limits)
    ctx = TaskContext(RealPredictor(limits), limits=limits)
    wrong = InputTask(GivenProposer([{"x": "3"}]), _AcceptAll()).evaluate(sample, reference, ctx)
    assert not wrong.correct and "returned 6" in wrong.error
    as_float = InputTask(GivenProposer([{"x": "2.0"}]), _AcceptAll()).evaluate(sample, reference, ctx)
    assert not as_float.correct  # 4.0 is not the int 4


def test_real_backend_scores_one_through_the_harness(tmp_path):
    rows = [{"id": "a", "code": "def f(s):\n    return s[::-1]\n", "input": "'abc'", "output": "'cba'"},
            {"id": "b", "code": "def f(a, b):\n    return {a: b}\n", "input": "1, [2]", "output": "{1: [2]}"},
            {"id": "c", "code": HALVING, "input": "3", "output": "0"}]  # the sample itself hangs: unscored
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    run = run_evaluation(EvalConfig(str(path), task="input", backend="real", limits=RunLimits(timeout=1.0)),
                         progress=False)
    by_id = {r.id: r for r in run.results}
    assert by_id["a"].correct and by_id["b"].correct
    assert not by_id["c"].scored and by_id["c"].status == "hang"
    assert run.summary["input_search"]["programs"] == 2


def test_a_model_that_proposes_nothing_valid_is_scored_wrong(tmp_path):
    """A tiny untrained model through the whole harness: its proposals do not parse, the
    program counts as no_prediction (scored, wrong) and nothing crashes."""
    from tests.model.tiny import save_tiny_model

    model_dir = save_tiny_model(tmp_path / "tiny")
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "a", "code": "def f(s):\n    return s[::-1]\n", "input": "'abc'",
                                "output": "'cba'"}) + "\n")
    run = run_evaluation(EvalConfig(str(path), task="input", backend="model", model=str(model_dir), candidates=2,
                                    max_frame_tokens=24, limits=RunLimits(timeout=2.0)), progress=False)
    (result,) = run.results
    assert result.scored and not result.correct
    assert result.status in ("no_prediction", "wrong")
    assert result.extra["search"] in ("model/model", "given/model")
