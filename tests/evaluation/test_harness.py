"""The harness on real programs: the real backend's exact score, failing programs,
a predictor that is wrong, the report's schema."""

import json

import pytest
from trace_format import Frame

from neural_pdb.evaluation import (EvalConfig, Prediction, Query, RealPredictor, RunLimits, TaskOptions,
                                   get_task, register_task, run_evaluation, task_names)
from neural_pdb.evaluation.dataset import DatasetError, load_dataset
from neural_pdb.evaluation.report import build_report, markdown_summary
from neural_pdb.evaluation.tasks import LAZY_TASKS, TASKS, ProgramResult, TaskError

from .conftest import BAD_EXPECTED, CRASH, HANG, LOOP, MEMORY, PROGRAMS, write_jsonl

FAST = RunLimits(timeout=2.0, memory_mb=512, max_frames=2000)


def test_real_backend_scores_exactly_one_on_output(programs_file):
    run = run_evaluation(EvalConfig(programs_file, task="output", limits=FAST, backend="real"), progress=False)
    report = build_report(run)
    assert report["accuracy"] == 1.0 and report["n"] == len(PROGRAMS)
    assert {r["value_kind"] for r in report["results"]} == {"int", "dict", "list", "set", "tuple"}
    assert report["metrics"]["rollout_agreement"]["frame_exact_match"] == 1.0


def test_real_backend_scores_exactly_one_on_trace_both_modes(programs_file):
    for mode in ("forced", "rollout"):
        run = run_evaluation(EvalConfig(programs_file, task="trace", limits=FAST,
                                        options=TaskOptions(mode=mode), backend="real"), progress=False)
        report = build_report(run)
        assert report["accuracy"] == 1.0 and report["n"] == len(PROGRAMS)
        assert report["metrics"]["trace_metrics"]["locals_exact_match"] == 1.0
        assert report["breakdowns"]["first_divergence"]["exact"] == len(PROGRAMS)


def test_failing_programs_are_reported_and_evaluation_goes_on(tmp_path):
    rows = [HANG, PROGRAMS[0], LOOP, CRASH, MEMORY, BAD_EXPECTED, PROGRAMS[1]]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    limits = RunLimits(timeout=1.0, memory_mb=256, max_frames=500)
    run = run_evaluation(EvalConfig(path, limits=limits, backend="real"), progress=False)
    status = {r.id: r.status for r in run.results}
    assert status == {"hang": "hang", "count": "correct", "loop": "hang", "crash": "raised", "memory": "memory",
                      "badexp": "invalid", "dict": "correct"}
    report = build_report(run)
    assert report["n"] == 2 and report["accuracy"] == 1.0 and report["counts"]["total"] == 7
    assert "ZeroDivisionError" in next(r["error"] for r in report["results"] if r["id"] == "crash")
    assert "Not scored (5)" in markdown_summary(report)


class OffByOnePredictor(RealPredictor):
    """The real program, except that every int returned by the entry is one too big."""

    name = "off-by-one"

    def rollout(self, query: Query, max_frames: int) -> Prediction:
        real = super().rollout(query, max_frames)
        frames = list(real.frames)
        last = frames[-1]
        if last.value is not None and last.value.isdigit():
            frames[-1] = Frame(last.event, last.source_line, value=str(int(last.value) + 1), lineno=last.lineno,
                               function=last.function, depth=last.depth)
        return Prediction(tuple(frames), tokens=len(frames), seconds=real.seconds + 0.001)


def test_a_wrong_predictor_is_scored_wrong(programs_file):
    run = run_evaluation(EvalConfig(programs_file, limits=FAST, backend="real"), predictor=OffByOnePredictor(FAST),
                         progress=False)
    report = build_report(run)
    assert report["accuracy"] == 4 / 5
    wrong = next(r for r in report["results"] if r["id"] == "count")
    assert (wrong["status"], wrong["expected"], wrong["predicted"]) == ("wrong", "3", "4")
    assert wrong["first_divergence"] == wrong["trace_length"] - 1
    assert report["timing"]["tokens"] > 0 and report["timing"]["tokens_per_second"] > 0


def test_report_schema(programs_file):
    run = run_evaluation(EvalConfig(programs_file, limit=2, limits=FAST, backend="real"), progress=False)
    report = json.loads(json.dumps(build_report(run)))
    assert {"accuracy", "n", "task", "backend", "settings", "counts", "timing", "metrics", "breakdowns", "results",
            "schema_version"} <= set(report)
    assert 0.0 <= report["accuracy"] <= 1.0 and report["n"] == 2
    assert {"seconds_per_program", "tokens_per_second", "wall_seconds", "tokens"} <= set(report["timing"])
    assert {"by_trace_length", "by_value_kind", "first_divergence"} == set(report["breakdowns"])
    for row in report["results"]:
        assert {"id", "status", "scored", "correct", "expected", "predicted", "seconds", "tokens", "trace_length",
                "value_kind", "first_divergence"} <= set(row)
    assert report["settings"]["limit"] == 2


def test_tasks_are_registered_by_name():
    assert {"output", "trace", "input"} <= set(task_names())

    @register_task
    class ConstantTask:
        name = "test-constant"
        headline = "always right"

        def evaluate(self, sample, reference, ctx):
            return ProgramResult(sample.id, "correct", scored=True, correct=True, hits=1, total=1)

    try:
        assert get_task("test-constant").headline == "always right"
    finally:
        TASKS.pop("test-constant")
    with pytest.raises(TaskError, match="unknown task"):
        get_task("nope")
    assert LAZY_TASKS["input"].startswith("neural_pdb.")


def test_dataset_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"code": "def f(): pass", "input": ""}\n')
    with pytest.raises(DatasetError, match="missing or non-string field"):
        load_dataset(str(bad))
    bad.write_text("{not json\n")
    with pytest.raises(DatasetError, match=":1: not valid JSON"):
        load_dataset(str(bad))
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(str(tmp_path / "missing.jsonl"))


def test_generated_records_are_read_as_samples(tmp_path):
    from neural_pdb.tracer import trace_call

    call = trace_call(PROGRAMS[0]["code"], "f", PROGRAMS[0]["input"])
    raised = trace_call(CRASH["code"], "f", CRASH["input"])
    rows = [{"id": "g1", "kind": "call", "source": PROGRAMS[0]["code"], "entry": "f", "args": PROGRAMS[0]["input"],
             "error": None, "trace": call.trace.to_json(), "text": ""},
            {"id": "g2", "kind": "call", "source": CRASH["code"], "entry": "f", "args": "1",
             "error": raised.error, "trace": raised.trace.to_json(), "text": ""},
            {"id": "g3", "kind": "script", "source": "x = 1\n", "entry": None, "args": None, "error": None,
             "trace": {"source": "x = 1\n", "finished": True, "frames": []}, "text": ""}]
    path = write_jsonl(tmp_path / "gen.jsonl", rows)
    samples = load_dataset(path)
    assert [(s.id, s.input, s.output, s.entry) for s in samples] == [("g1", "'banana', 'a'", "3", "f")]
    report = build_report(run_evaluation(EvalConfig(path, limits=FAST, backend="real"), progress=False))
    assert (report["accuracy"], report["n"]) == (1.0, 1)


class LoopingPredictor(RealPredictor):
    """Predicts the call frame's line over and over, as far as it is allowed."""

    name = "looping"

    def rollout(self, query: Query, max_frames: int) -> Prediction:
        return Prediction((query.call,) * max_frames, tokens=max_frames, error=f"stopped: {max_frames} frames predicted")


def test_a_looping_prediction_is_cut_relative_to_the_real_length(programs_file):
    assert TaskOptions(max_frames=1000, length_cap=2.0).frame_budget(10) == 70
    assert TaskOptions(max_frames=60, length_cap=2.0).frame_budget(10) == 60
    assert TaskOptions(max_frames=1000, length_cap=0).frame_budget(10) == 1000
    run = run_evaluation(EvalConfig(programs_file, limit=1, limits=FAST, backend="real"),
                         predictor=LoopingPredictor(FAST), progress=False)
    result = run.results[0]
    assert result.status == "no_prediction" and result.tokens == 2 * result.trace_length + 50
    report = build_report(run)
    assert report["counts"]["no_prediction"] == {"frame limit": 1}
    assert "no_prediction 1 (no prediction: frame limit 1)" in markdown_summary(report)


def test_why_no_prediction_is_told_by_the_error():
    from neural_pdb.evaluation.report import no_prediction_reason
    assert no_prediction_reason("stopped: a loop the model does not leave (one state 20 times in one call)") == "loop"
    assert no_prediction_reason("stopped: 206 frames predicted") == "frame limit"
    assert no_prediction_reason("the model's reply is not a valid frame after 4 samples: x") == "malformed"
    assert no_prediction_reason(None) == "no value" and no_prediction_reason("boom") == "other"


class BrokenPredictor(RealPredictor):
    """Fails on one program with an unexpected exception (a bug somewhere)."""

    name = "broken"

    def rollout(self, query: Query, max_frames: int) -> Prediction:
        if query.sample.id == "dict":
            raise RuntimeError("boom")
        return super().rollout(query, max_frames)


def test_an_internal_error_costs_one_program(programs_file):
    config = EvalConfig(programs_file, limit=3, limits=FAST, options=TaskOptions(batch_size=2), backend="real")
    report = build_report(run_evaluation(config, predictor=BrokenPredictor(FAST), progress=False))
    assert report["counts"]["by_status"] == {"correct": 2, "internal_error": 1}
    assert report["accuracy"] == 1.0 and report["n"] == 2
    assert next(r for r in report["results"] if r["id"] == "dict")["error"] == "internal error: RuntimeError: boom"


def test_sources_end_with_a_newline_as_files_do(programs_file):
    samples = load_dataset(programs_file)
    assert all(s.code.endswith("\n") and not s.code.endswith("\n\n") for s in samples)
    assert samples[0].code.rstrip("\n") == PROGRAMS[0]["code"]
