"""Search-based inverse: candidates checked by real execution and by a scripted model."""

from __future__ import annotations

from neural_pdb.inverse.propose import GivenProposer
from neural_pdb.inverse.search import search_inputs
from neural_pdb.inverse.verify import RealVerifier, SessionVerifier, TargetState, candidate_from_call_locals
from neural_pdb.model.vocab import TraceVocab
from neural_pdb.tracer import trace_call
from tests.model.scripted import OracleGenerator
from tests.model.tiny import build_tiny_tokenizer
from trace_format import line_frame, return_frame

SOURCE = '''def f(xs, k):
    total = 0
    for x in xs:
        total += x * k
    return total
'''


def test_real_verification_ranks_the_candidates_that_reach_the_state():
    # the state "about to return with total == 12", inside f
    target = TargetState("f", line_frame("    return total", {"total": "12", "k": "2"}, lineno=5, function="f"))
    proposer = GivenProposer([{"xs": "[1]", "k": "3"},        # total 3, k 3: misses both
                              {"xs": "[1, 2]", "k": "2"},     # total 6: k matches only
                              {"xs": "[2, 4]", "k": "2"},     # reaches it
                              {"xs": "[1]"}])                 # not a call of f: dropped
    ranked = search_inputs(SOURCE, target, proposer, RealVerifier(timeout=5), n=10)
    assert [s.candidate.args for s in ranked] == ["[2, 4], 2", "[1, 2], 2", "[1], 3"]
    assert [s.score for s in ranked] == [1.0, 0.5, 0.0]
    assert ranked[0].reached and not ranked[1].reached
    assert ranked[0].to_json()["reached"] is True


def test_real_verification_of_an_output_survives_a_hang():
    src = "def f(n):\n    while n != 0:\n        n -= 2\n    return n\n"
    target = TargetState("f", return_frame("", "0"), outermost=True)
    proposer = GivenProposer([{"n": "3"}, {"n": "4"}])
    ranked = search_inputs(src, target, proposer, RealVerifier(timeout=1.0), n=2)
    assert ranked[0].candidate.args == "4" and ranked[0].reached
    assert ranked[1].score == 0.0 and ranked[1].check.error and "stopped" in ranked[1].check.error


def test_model_verification_by_forward_prediction():
    """The verifier predicts with a TraceSession; a scripted model that knows the real run
    for xs=[2, 4], k=2 confirms that call, and cannot continue any other."""
    marked = trace_call(SOURCE, "f", "[2, 4], 2").trace
    vocab = TraceVocab.from_tokenizer(build_tiny_tokenizer())
    oracle = OracleGenerator(marked, vocab)
    verifier = SessionVerifier(oracle, vocab)
    target = TargetState("f", return_frame("", "12"), outermost=True)
    good = candidate_from_call_locals(SOURCE, "f", {"xs": "[2, 4]", "k": "2"})
    bad = candidate_from_call_locals(SOURCE, "f", {"xs": "[1]", "k": "2"})
    check = verifier.check(SOURCE, target, good)
    assert check.reached and check.error is None
    assert [f.lineno for f in check.frames] == [f.lineno for f in marked.frames]
    missed = verifier.check(SOURCE, target, bad)
    assert not missed.reached and missed.error
