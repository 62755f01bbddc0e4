"""Real traces -> CWM text -> parse -> the same frames, and locate_frames puts every
frame back on the line (and depth) where it really ran."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trace_format as tf
from neural_pdb.tracer import safe_repr, trace_call, trace_script
from trace_format import tokens as T

from traced_programs import PROGRAMS


def check_round_trip(trace: tf.Trace) -> None:
    parsed = tf.parse_trace(tf.trace_segments(trace))
    assert parsed.source == trace.source and parsed.finished == trace.finished
    assert [(f.event, f.source_line, f.local_items, f.value, f.depth) for f in parsed.frames] == \
        [(f.event, f.source_line, f.local_items, f.value, f.depth) for f in trace.frames]
    located = tf.locate_frames(parsed.source, parsed.frames)
    assert [(f.lineno, f.depth) for f in located] == [(f.lineno, f.depth) for f in trace.frames]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_scripts_round_trip(tmp_path, name):
    path = tmp_path / f"{name}.py"
    path.write_text(PROGRAMS[name])
    result = trace_script(str(path), capture_output=True)
    assert result.trace.finished and len(result.trace.frames) > 3
    check_round_trip(result.trace)
    # function names agree with the tracer's, comprehensions, generator expressions and lambdas too
    located = tf.locate_frames(result.trace.source, tf.parse_trace(tf.trace_segments(result.trace)).frames)
    assert [f.function for f in located] == [f.function for f in result.trace.frames]


# Values a program can receive: nested builtins, strings with token text in them.
TEXT = st.lists(st.one_of(st.text(max_size=5), st.sampled_from(list(T.TRACE_TOKENS) + ["..", '"', "\\"])),
                max_size=3).map("".join)
ATOM = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT, st.booleans(), st.none())
VALUE = st.recursive(ATOM, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                                                   st.dictionaries(TEXT, inner, max_size=3)), max_leaves=8)

SRC = '''def f(v):
    w = [v]
    for i in range(2):
        w.append(i)
    w = w + [v]
    return w
'''


@settings(max_examples=60, deadline=None)
@given(VALUE)
def test_traced_values_round_trip(value):
    result = trace_call(SRC, "f", repr(value))
    assert result.error is None
    check_round_trip(result.trace)
    assert result.trace.frames[0].locals == {"v": safe_repr(value)}
    if len(repr(value)) < 80:  # short enough that no repr was cut
        assert safe_repr(value) == repr(value)
        assert eval(result.trace.frames[-1].value) == [value, 0, 1, value]
