"""Action examples: encode / parse round trip, tokens, errors."""

from __future__ import annotations

import pytest

from tests.actions.programs import PROGRAMS, RECURSION, traced
from trace_format import TraceFormatError, tokens
from trace_format.actions import (ACTION_TOKENS, STATE, Action, ActionExample, ActionStep, encode_example,
                                  example_segments, parse_example, parse_target, supported_actions)
from trace_format.state_tree import SamplerConfig, StateTree, sample_examples


def bare(frame):
    return frame.with_position(None, None, None)


def strip(example: ActionExample) -> ActionExample:
    """Positions are not in the text: compare without them (history depths follow from
    the call/return structure, so parsing gives them back; a bare state's does not)."""
    steps = tuple(ActionStep(s.action, bare(s.target), s.breakpoints) for s in example.steps)
    history = tuple(bare(f) if example.from_state else f.with_position(None, None, f.depth)
                    for f in example.history)
    return ActionExample(example.source, history, steps, example.from_state)


def test_tokens_are_namespaced_and_distinct_from_cwm():
    assert all(t.startswith("<|npdb:") and t.endswith("|>") for t in ACTION_TOKENS)
    assert not set(ACTION_TOKENS) & set(tokens.TRACE_TOKENS)
    assert len(set(ACTION_TOKENS)) == len(Action) + 1


def test_hand_written_example_text():
    trace = traced(RECURSION, "3")
    f = trace.frames
    ex = ActionExample(trace.source, (f[0], f[1]), (
        ActionStep(Action.CONTINUE, f[8], ((3, "        return 1"),)),
        ActionStep(Action.BACK_TO_CALL, f[6]),
    ))
    text = encode_example(ex)
    expected = ("<|begin_of_text|><|trace_context_start|>" + trace.source + "<|frame_sep|>"
                '<|call_sep|>{"n": "3"}<|action_sep|>def f(n): # << START_OF_TRACE<|frame_sep|>'
                '<|line_sep|>{"n": ".."}<|action_sep|>    if n <= 1:<|frame_sep|>'
                '<|npdb:continue|>{"3": "        return 1"}'
                '<|line_sep|>{"n": "1"}<|action_sep|>        return 1<|frame_sep|>'
                '<|npdb:back_to_call|>'
                '<|call_sep|>{"n": "1"}<|action_sep|>def f(n): # << START_OF_TRACE<|frame_sep|>')
    assert text == expected
    assert parse_example(text) == strip(ex)


def test_state_start_writes_the_frame_in_full():
    trace = traced(RECURSION, "3")
    f = trace.frames
    ex = ActionExample(trace.source, (f[4],), (ActionStep(Action.STEP_BACK_INTO, f[3]),), from_state=True)
    segs = example_segments(ex)
    text = "".join(s.text for s in segs)
    assert STATE + '<|line_sep|>{"n": "2"}' in text
    assert [s.text for s in segs if s.special].count(STATE) == 1
    assert parse_example(text) == strip(ex)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_round_trip_sampled_examples(name):
    source, args = PROGRAMS[name]
    trace = traced(source, args)
    tree = StateTree(trace.frames, trace.source)
    examples = sample_examples(tree, 60, seed=1, cfg=SamplerConfig(max_history_frames=8))
    assert len(examples) > 30
    for ex in examples:
        text = encode_example(ex)
        assert parse_example(text) == strip(ex)
        # segments round-trip too, and targets never carry '..'
        assert parse_example(example_segments(ex)) == strip(ex)
        tail = text.split(ex.steps[0].action.token, 1)[1]
        assert '".."' not in tail


def test_sampler_mixes_walks_and_all_actions():
    trace = traced(PROGRAMS["nested"][0], "1")
    tree = StateTree(trace.frames, trace.source)
    examples = sample_examples(tree, 400, seed=3)
    used = {s.action for ex in examples for s in ex.steps}
    assert used == set(Action)
    walks = [ex for ex in examples if all(s.action in (Action.STEP_INTO, Action.STEP_OVER) for s in ex.steps)
             and len(ex.steps) >= 3]
    assert len(walks) > 40
    assert any(ex.from_state for ex in examples) and any(not ex.from_state for ex in examples)
    # every sampled step's target is the tree's target from the previous state
    index = {id(f): i for i, f in enumerate(tree.frames)}
    for ex in examples[:100]:
        i = index[id(ex.history[-1])]
        for s in ex.steps:
            j = tree.target(i, s.action, s.breakpoint_lines)
            assert tree.frames[j] is s.target
            i = j


def test_target_with_unchanged_marker_is_an_error():
    with pytest.raises(TraceFormatError) as e:
        parse_target('<|line_sep|>{"n": ".."}<|action_sep|>    x = 1<|frame_sep|>')
    assert e.value.kind == "scope"
    frame = parse_target('<|return_sep|><|action_sep|>    return x<|arg_sep|>"3"<|frame_sep|>')
    assert frame.value == "3"


def test_malformed_examples_raise_format_errors():
    trace = traced(RECURSION, "3")
    ok = encode_example(ActionExample(trace.source, trace.frames[:1], (ActionStep(Action.STEP_INTO, trace.frames[1]),)))
    for bad in (ok.replace("<|npdb:step_into|>", "junk"),
                ok.replace("<|npdb:step_into|>", "<|npdb:continue|>[3]"),
                ok[:-len("<|frame_sep|>")],
                ok.replace("<|npdb:step_into|>", "<|npdb:step_into|>" + '<|line_sep|>{"n": ".."}<|action_sep|>x<|frame_sep|>'
                           + "<|npdb:step_into|>")):
        with pytest.raises(TraceFormatError):
            parse_example(bad)


def test_supported_actions_from_config():
    class Config:
        npdb_actions = ["step_into", "continue", "back_to_call", "from_the_future"]
    assert supported_actions(Config()) == {Action.STEP_INTO, Action.CONTINUE, Action.BACK_TO_CALL}
    assert supported_actions({"npdb_actions": ["step_out"]}) == {Action.STEP_OUT}
    assert supported_actions(object()) == set()
