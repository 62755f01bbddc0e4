"""Per-action accuracy measurement, checked with scripted models that know the truth."""

from __future__ import annotations

import json

import pytest

from neural_pdb.inverse.action_eval import (ActionRunner, RolloutRunner, draw_queries, frames_match, load_traces,
                                            markdown_table, run_queries)
from neural_pdb.model.vocab import TraceVocab
from tests.actions.programs import PROGRAMS, traced
from tests.inverse.action_oracle import ActionOracleGenerator, action_vocab
from tests.model.scripted import OracleGenerator
from tests.model.tiny import build_tiny_tokenizer
from trace_format import line_frame
from trace_format.actions import Action


@pytest.mark.parametrize("name", ["nested", "exception", "loop"])
def test_scripted_models_score_one(name):
    trace = traced(*PROGRAMS[name])
    queries = draw_queries([trace], per_action=6, seed=3)
    assert {q.action for q in queries} == set(Action)
    jumps = run_queries(ActionRunner(ActionOracleGenerator(trace, action_vocab()), action_vocab()), [trace], queries)
    for action, tally in jumps.items():
        assert tally.n > 0 and tally.exact == tally.n, (action, tally.examples)
    vocab = TraceVocab.from_tokenizer(build_tiny_tokenizer())
    rolled = run_queries(RolloutRunner(OracleGenerator(trace, vocab), vocab), [trace], queries)
    for action in ("step_into", "step_over", "step_out", "continue"):
        assert rolled[action].exact == rolled[action].n > 0, (action, rolled[action].examples)
    assert rolled["back_to_call"].n == 0
    # a jump costs one frame; a rollout over a call costs more
    assert jumps["step_over"].tokens <= rolled["step_over"].tokens
    table = markdown_table({"action": jumps, "rollout": rolled})
    assert "| back_to_call | 1.000 (1.000)" in table and "| n/a | n/a |" in table


def test_a_wrong_value_is_a_line_hit_but_not_exact():
    true = line_frame("    x = 1", {"x": "[1, 2]"}, lineno=3)
    assert frames_match(line_frame("    x = 1", {"x": "[1,2]"}, lineno=3), true) == (True, True)
    assert frames_match(line_frame("    x = 1", {"x": "[1, 3]"}, lineno=3), true) == (False, True)
    assert frames_match(line_frame("    x = 1", {"x": "[1, 2]"}, lineno=4), true) == (False, False)
    assert frames_match(None, true) == (False, False)


def test_load_traces_from_records_and_from_cruxeval_rows(tmp_path):
    trace = traced(*PROGRAMS["loop"])
    path = tmp_path / "d.jsonl"
    rows = [{"trace": trace.to_json()}, {"code": "def f(x):\n    return x + 1\n", "input": "1", "output": "2"},
            {"code": "def f(x):\n    while True:\n        pass\n", "input": "1", "output": "2"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    traces = load_traces(path, timeout=1.0)
    assert len(traces) == 2 and traces[0] == trace
    assert traces[1].frames[-1].value == "2"
