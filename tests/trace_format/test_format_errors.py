"""Malformed text raises TraceFormatError of the right kind, carrying the raw text."""

from __future__ import annotations

import pytest

import trace_format as tf
from trace_format import tokens as T

GOOD_LINE = f'{T.LINE_SEP}{{"x": "1"}}{T.ACTION_SEP}    y = x{T.FRAME_SEP}'


def test_a_good_frame_parses():
    frame = tf.parse_frame(GOOD_LINE)
    assert (frame.event, frame.locals, frame.source_line) == (tf.Event.LINE, {"x": "1"}, "    y = x")


@pytest.mark.parametrize("raw, kind", [
    (f'{T.LINE_SEP}{{"x": 1{T.ACTION_SEP}    y = x{T.FRAME_SEP}', "bad_json"),
    (f'{T.LINE_SEP}{{x: "1"}}{T.ACTION_SEP}    y = x{T.FRAME_SEP}', "bad_json"),
    (f'{T.RETURN_SEP}{T.ACTION_SEP}    return y{T.ARG_SEP}not json{T.FRAME_SEP}', "bad_json"),
    (f'{T.LINE_SEP}{{"x": "1"}}    y = x{T.FRAME_SEP}', "missing_separator"),
    (f'{T.RETURN_SEP}{T.ACTION_SEP}    return y{T.FRAME_SEP}', "missing_separator"),
    (f'{T.LINE_SEP}{{"x": "1"}}{T.ACTION_SEP}    y = x', "truncated"),
    (f'{T.LINE_SEP}{{"x": "1"', "truncated"),
    (f'{T.RETURN_SEP}{T.ACTION_SEP}    return y{T.ARG_SEP}"2"', "truncated"),
    ("", "truncated"),
    (f'{{"x": "1"}}{T.ACTION_SEP}    y = x{T.FRAME_SEP}', "unknown_event"),
    (f'{T.ARG_SEP}{{"x": "1"}}{T.ACTION_SEP}    y = x{T.FRAME_SEP}', "unknown_event"),
    (f'{T.LINE_SEP}["x"]{T.ACTION_SEP}    y = x{T.FRAME_SEP}', "bad_locals"),
    (f'{T.LINE_SEP}{{"x": 1}}{T.ACTION_SEP}    y = x{T.FRAME_SEP}', "bad_locals"),
    (GOOD_LINE + GOOD_LINE, "unexpected_token"),
])
def test_error_kind_and_raw_text(raw, kind):
    with pytest.raises(tf.TraceFormatError) as info:
        tf.parse_frame(raw)
    assert info.value.kind == kind
    assert info.value.kind in tf.TraceFormatError.KINDS
    assert info.value.raw == raw
    assert str(info.value) and "\n" not in str(info.value)


def test_errors_from_segments_carry_the_joined_text():
    segs = [tf.Segment(T.CALL_SEP, True), tf.Segment('{"a": '), tf.Segment(T.ACTION_SEP, True),
            tf.Segment("def f(a):"), tf.Segment(T.FRAME_SEP, True)]
    with pytest.raises(tf.TraceFormatError) as info:
        tf.parse_frame(segs)
    assert info.value.kind == "bad_json" and info.value.raw == tf.join_segments(segs)


@pytest.mark.parametrize("raw, kind", [
    ("def f(): pass", "missing_separator"),
    (f"{T.BEGIN_OF_TEXT}{T.TRACE_CONTEXT_START}x = 1\n", "truncated"),
    (f"{T.BEGIN_OF_TEXT}{T.TRACE_CONTEXT_START}x = 1\n{T.FRAME_SEP}{T.LINE_SEP}{{\"x\": \"..\"}}"
     f"{T.ACTION_SEP}x = 1{T.FRAME_SEP}", "scope"),
    (f"{T.BEGIN_OF_TEXT}{T.TRACE_CONTEXT_START}x\n{T.FRAME_SEP}{T.END_OF_TEXT}{T.LINE_SEP}", "unexpected_token"),
])
def test_trace_level_errors(raw, kind):
    with pytest.raises(tf.TraceFormatError) as info:
        tf.parse_trace(raw)
    assert info.value.kind == kind and info.value.raw == raw


def test_an_unresolvable_unchanged_value_is_an_error_or_left_out_on_request():
    stack = tf.ScopeStack()
    stack.advance(tf.call_frame("def f(a):", {"a": "1"}))
    line = tf.line_frame("    b = a", {"a": "..", "b": "..", "c": "3"})
    with pytest.raises(tf.TraceFormatError) as info:
        stack.resolve(line)
    assert info.value.kind == "scope" and "'b'" in info.value.message
    assert stack.resolve(line, drop_unresolvable=True).locals == {"a": "1", "c": "3"}
    # a call frame has nothing to be unchanged from: every `..` is left out
    call = tf.call_frame("def g(x, y):", {"x": "..", "y": "2"})
    with pytest.raises(tf.TraceFormatError):
        stack.resolve(call)
    assert stack.resolve(call, drop_unresolvable=True).locals == {"y": "2"}
