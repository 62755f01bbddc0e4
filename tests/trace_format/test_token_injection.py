"""A program whose text contains special-token strings: segments keep them as text."""

from __future__ import annotations

import pytest

import trace_format as tf
from neural_pdb.tracer import trace_call
from trace_format import tokens as T

SRC = 'def f(s):\n    t = s + "<|frame_sep|>"\n    return t.replace("<|end_of_text|>", "")\n'


def test_tokens_typed_in_the_program_stay_text():
    trace = trace_call(SRC, "f", "'<|call_sep|>'").trace
    segs = tf.trace_segments(trace)
    special = [s.text for s in segs if s.special]
    plain = "".join(s.text for s in segs if not s.special)
    # structure: prompt, then per frame one event token ... one frame_sep
    assert special.count(T.FRAME_SEP) == 1 + len(trace.frames)
    assert special.count(T.CALL_SEP) == 1 and special[-1] == T.END_OF_TEXT
    assert '"<|frame_sep|>"' in plain and "<|call_sep|>" in plain and "<|end_of_text|>" in plain
    assert any(s.text == trace.source and not s.special for s in segs)
    parsed = tf.parse_trace(segs)
    assert parsed.frames == tuple(f.with_position(None, None, f.depth) for f in trace.frames)
    assert parsed.frames[-1].value == "'<|call_sep|><|frame_sep|>'"
    located = tf.locate_frames(parsed.source, parsed.frames)
    assert [f.lineno for f in located] == [f.lineno for f in trace.frames]


def test_text_form_cannot_tell_them_apart():
    # the same trace as one string: the typed tokens become structure, and parsing fails
    trace = trace_call(SRC, "f", "'x'").trace
    with pytest.raises(tf.TraceFormatError):
        tf.parse_trace(tf.encode_trace(trace))


def test_split_segments_marks_every_token_string():
    segs = tf.split_segments("a<|frame_sep|>b<|not_a_token|>")
    assert segs == [tf.Segment("a"), tf.Segment(T.FRAME_SEP, True), tf.Segment("b<|not_a_token|>")]
