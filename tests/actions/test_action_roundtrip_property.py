"""Property: any action example survives encode -> parse (text and segments)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trace_format import Event, Frame, freeze_locals
from trace_format.actions import Action, ActionExample, ActionStep, encode_example, example_segments, parse_example

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20).filter(lambda s: "<|" not in s)
line = text.filter(lambda s: "\n" not in s)
locals_ = st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True), text.filter(lambda v: v != ".."),
                          max_size=4)


@st.composite
def frames(draw) -> Frame:
    event = draw(st.sampled_from(list(Event)))
    if event in (Event.CALL, Event.LINE):
        return Frame(event, draw(line), freeze_locals(draw(locals_)))
    return Frame(event, draw(line), value=draw(text))


@st.composite
def steps(draw) -> ActionStep:
    action = draw(st.sampled_from(list(Action)))
    bps = ()
    if action is Action.CONTINUE:
        bps = tuple(sorted(draw(st.dictionaries(st.integers(1, 500), line, max_size=3)).items()))
    return ActionStep(action, draw(frames()), bps)


@st.composite
def state_examples(draw) -> ActionExample:
    return ActionExample(draw(text), (draw(frames()),), tuple(draw(st.lists(steps(), min_size=1, max_size=4))),
                         from_state=True)


@settings(max_examples=150, deadline=None)
@given(state_examples())
def test_state_examples_round_trip(example):
    assert parse_example(encode_example(example)) == example
    assert parse_example(example_segments(example)) == example


@settings(max_examples=60, deadline=None)
@given(text.map(lambda s: s.replace("<", "[")), st.lists(steps(), min_size=1, max_size=3))
def test_token_strings_in_text_stay_text_in_segments(source, some_steps):
    """A source that contains our token strings is text, never an action, when parsed
    from segments (as a model's ids give them)."""
    tricky = source + "<|npdb:continue|>{}<|npdb:state|>"
    example = ActionExample(tricky, (Frame(Event.LINE, "x", freeze_locals({"a": "<|npdb:step_into|>"})),),
                            tuple(some_steps), from_state=True)
    assert parse_example(example_segments(example)) == example
