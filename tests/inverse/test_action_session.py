"""One prediction per action: an ActionSession driven by a scripted action model."""

from __future__ import annotations

import pytest

from neural_pdb.inverse.action_session import ActionError, ActionSession, is_program_end
from tests.actions.programs import PROGRAMS, traced
from tests.inverse.action_oracle import ActionOracleGenerator, action_vocab
from trace_format.actions import Action
from trace_format.state_tree import StateTree

VOCAB = action_vocab()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_action_lands_on_the_tree_target(name):
    source, args = PROGRAMS[name]
    trace = traced(source, args)
    tree = StateTree(trace.frames, trace.source)
    oracle = ActionOracleGenerator(trace, VOCAB)
    bps = tree.executed_lines[-1:]
    for i in range(len(tree)):
        for action, j in tree.targets(i, bps).items():
            session = ActionSession(oracle, VOCAB, trace.source)
            if i % 2:
                session.start_state(tree.frames[i])
            else:
                session.start_history(tree.frames[:i + 1])
            result = session.predict(action, bps)
            want = tree.frames[j]
            got = result.frame
            assert (got.event, got.lineno, got.locals, got.value) == (want.event, want.lineno, want.locals, want.value)
            assert got.function == want.function
            if action is not Action.CONTINUE or want.event.value == "return":
                assert got.depth == want.depth
            assert result.attempts == 1


def test_a_walk_of_actions_and_rewind():
    source, args = PROGRAMS["nested"]
    trace = traced(source, args)
    oracle = ActionOracleGenerator(trace, VOCAB)
    session = ActionSession(oracle, VOCAB, trace.source)
    session.start_history(trace.frames[:2])                 # at b = g(a) + g(a + 1)
    assert session.predict(Action.STEP_INTO).frame.locals == {"x": "1"}
    assert session.predict(Action.STEP_OUT).frame.value == "4"
    assert session.predict(Action.STEP_OVER).frame.locals == {"x": "2"}  # the second call of g
    assert session.predict(Action.STEP_INTO).frame.lineno == 5
    ids_before = list(session.ids)
    back = session.predict(Action.BACK_TO_CALL)
    assert back.frame.locals == {"x": "2"} and back.frame.lineno == 4
    assert session.rewind(1) and session.ids == ids_before
    end = session.predict(Action.CONTINUE, [99])
    assert is_program_end(end) and end.frame.value == "10" and end.frame.depth == 0
    assert oracle.calls == 6  # one generation per action


def test_garbage_replies_raise_with_the_raw_text_and_leave_the_context():
    from tests.model.scripted import GarbageGenerator

    trace = traced(*PROGRAMS["loop"])
    garbage = GarbageGenerator(VOCAB, VOCAB.encode_text("not a frame"))
    session = ActionSession(garbage, VOCAB, trace.source, max_retries=2)
    session.start_state(trace.frames[3])
    before = list(session.ids)
    with pytest.raises(ActionError) as e:
        session.predict(Action.STEP_OVER)
    assert "not a frame" in e.value.raw and garbage.calls == 3
    assert session.ids == before and session.current == trace.frames[3]


class _Reply:
    """Replies with one fixed frame text (as a model would write it)."""

    def __init__(self, vocab, text: str) -> None:
        from trace_format.actions import split_action_segments
        from neural_pdb.inverse.propose import encode_segments
        self.ids = encode_segments(vocab, split_action_segments(text))

    def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None):
        from neural_pdb.model.generator import Generation
        return Generation(tuple(self.ids), tuple(-0.1 for _ in self.ids), self.ids[-1])

    def close(self) -> None:
        pass


def test_unchanged_values_in_the_same_scope_are_resolved_elsewhere_rejected():
    trace = traced(*PROGRAMS["loop"])  # 3: s += i (i=0) -> step_over -> 4: for (s=0, i=0)
    same = '<|line_sep|>{"n": "..", "s": "..", "i": ".."}<|action_sep|>    for i in range(n):<|frame_sep|>'
    session = ActionSession(_Reply(VOCAB, same), VOCAB, trace.source, max_retries=0)
    session.start_state(trace.frames[3])
    got = session.predict(Action.STEP_OVER).frame
    assert got.locals == trace.frames[4].locals and got.lineno == 3
    # a call frame is another scope: its '..' cannot be resolved against the caller
    other = '<|call_sep|>{"n": ".."}<|action_sep|>def f(n): # << START_OF_TRACE<|frame_sep|>'
    session = ActionSession(_Reply(VOCAB, other), VOCAB, trace.source, max_retries=0)
    session.start_state(trace.frames[3])
    with pytest.raises(ActionError, match="outside the current scope"):
        session.predict(Action.BACK_TO_CALL)
