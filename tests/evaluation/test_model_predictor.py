"""The model side of the harness: a real TokenGenerator that replays the real traces
(so the exact expected score is known) and a tiny random model through the CLI."""

import json

import pytest

from neural_pdb.commands import eval_cmd
from neural_pdb.evaluation import EvalConfig, RunLimits, TaskOptions, run_evaluation, run_real
from neural_pdb.evaluation.dataset import as_file_text
from neural_pdb.evaluation.model_predictor import ModelPredictor
from neural_pdb.evaluation.report import build_report
from neural_pdb.model.session import PredictionConfig
from neural_pdb.model.vocab import TraceVocab
from tests.model.scripted import OracleGenerator
from tests.model.tiny import build_tiny_tokenizer, save_tiny_model

from .conftest import PROGRAMS, write_jsonl

FAST = RunLimits(timeout=3.0, memory_mb=512)


class ProgramsOracle:
    """One OracleGenerator per program, chosen by the prompt (the program's source)."""

    def __init__(self, traces, vocab, wrong_program=None):
        self.oracles = [OracleGenerator(t, vocab) for t in traces]
        self.vocab = vocab
        self.wrong_program = wrong_program

    def generate(self, ids, **kwargs):
        for oracle, trace in ((o, o.trace) for o in self.oracles):
            if list(ids[:len(oracle.prompt_ids)]) == oracle.prompt_ids:
                reply = oracle.generate(ids, **kwargs)
                if self.wrong_program is not None and self.wrong_program in trace.source:
                    # this program's model "thinks" every 'a' is a 'b'
                    text = self.vocab.to_segments(list(reply.token_ids))
                    fixed = [type(s)(s.text.replace("a'", "b'"), s.special) for s in text]
                    new_ids = tuple(self.vocab.encode_segments(fixed))
                    return type(reply)(new_ids, tuple(-0.1 for _ in new_ids), reply.stop_id)
                return reply
        raise ValueError("unknown program")

    def close(self):
        pass


def oracle_predictor(wrong_program=None):
    vocab = TraceVocab.from_tokenizer(build_tiny_tokenizer())
    traces = [run_real(as_file_text(p["code"]), "f", p["input"], FAST).trace for p in PROGRAMS]
    return ModelPredictor(ProgramsOracle(traces, vocab, wrong_program), vocab, PredictionConfig())


def test_a_model_that_replays_reality_scores_one_on_every_task(tmp_path):
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS)
    for task, mode in (("output", "forced"), ("trace", "forced"), ("trace", "rollout")):
        run = run_evaluation(EvalConfig(data, task=task, limits=FAST, options=TaskOptions(mode=mode), backend="model"),
                             predictor=oracle_predictor(), progress=False)
        report = build_report(run)
        assert (report["accuracy"], report["n"]) == (1.0, len(PROGRAMS)), (task, mode, report["results"])
        assert report["timing"]["tokens"] > 0 and report["timing"]["tokens_per_second"] > 0


def test_model_errors_in_values_are_found(tmp_path):
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS[:2])
    run = run_evaluation(EvalConfig(data, task="trace", limits=FAST, backend="model"),
                         predictor=oracle_predictor("if c == ch"), progress=False)
    by_id = {r.id: r for r in run.results}
    assert by_id["dict"].correct
    count = by_id["count"]
    # every predicted c == 'a' reads 'b' (c is 'b' at step 3, 'a' at step 5); lines stay right
    assert not count.correct and count.first_divergence == 5
    assert count.score.next_line == count.score.steps
    assert 0 < count.score.locals_exact < count.score.locals_steps


def test_cli_with_a_tiny_random_model(tmp_path):
    model_dir = save_tiny_model(tmp_path / "tiny")
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS[:2])
    report_path = tmp_path / "r.json"
    code = eval_cmd.main([data, "--backend", "model", "--model", str(model_dir), "--max-frames", "3",
                          "--max-frame-tokens", "48", "--report", str(report_path), "--no-plots", "--quiet"])
    assert code == 0
    report = json.loads(report_path.read_text())
    assert report["n"] == 2 and 0.0 <= report["accuracy"] <= 1.0
    assert report["timing"]["tokens"] > 0
    assert all(r["status"] in ("correct", "wrong", "no_prediction") for r in report["results"])


def test_cli_missing_model_is_one_line(tmp_path, capsys):
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS[:1])
    assert eval_cmd.main([data, "--backend", "model", "--model", str(tmp_path / "nope"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "model path not found" in err and len(err.strip().splitlines()) == 1


def test_the_counting_wrapper_keeps_the_generators_context_and_constraint():
    """The harness counts tokens through a wrapper: the session must still see the model's
    context length (else it never windows and frames get cut at the context's end) and
    whether the generator takes the line constraint."""
    from neural_pdb.evaluation.model_predictor import CountingGenerator

    class Inner:
        max_length = 1024
        accepts_constraint = True

        def generate(self, ids, **kwargs):
            raise AssertionError("not called")

        def close(self):
            pass

    counting = CountingGenerator(Inner())
    assert counting.max_length == 1024 and counting.accepts_constraint is True
    assert counting.tokens == 0
    with pytest.raises(AttributeError):
        counting.no_such_attribute
