"""Property tests: any well-formed trace survives encode -> parse (as segments always,
as text when no value contains a token string), ``..`` compression included."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trace_format as tf
from trace_format import tokens as T

# Values are reprs: any text, token strings and JSON-hostile characters included, but
# never exactly "..", which the format reserves (safe_repr never produces it).
TRICKY = ['"', "\\", "\n", "..", "{}", "é", "\x00", "'", ": ", "\u2028"]
TOKEN_TEXT = st.sampled_from(list(T.TRACE_TOKENS) + TRICKY)
VALUE = st.lists(st.one_of(st.text(max_size=6), TOKEN_TEXT), max_size=3).map("".join).filter(lambda v: v != "..")
NAME = st.one_of(st.sampled_from(["x", "i", "total", "_"]), st.text(min_size=1, max_size=3))
LOCALS = st.dictionaries(NAME, VALUE, max_size=3)
# a source line is one line: no newline in it
LINE = st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=8),
                          st.sampled_from(list(T.TRACE_TOKENS))), max_size=2).map("".join)
PLAIN_VALUE = st.lists(st.one_of(st.text(max_size=6), st.sampled_from(TRICKY)), max_size=3).map("".join).filter(
    lambda v: v != "..")
PLAIN_LOCALS = st.dictionaries(NAME, PLAIN_VALUE, max_size=3)
PLAIN_LINE = st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=12)


@st.composite
def traces(draw, line=LINE, locals_=LOCALS, value=VALUE) -> tf.Trace:
    """A random walk over scopes: calls open, returns close, the first call is the entry."""
    frames = [tf.call_frame(draw(line), draw(locals_))]
    depth = 1
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["line", "line", "line", "call", "return", "exception"]))
        if kind == "call":
            frames.append(tf.call_frame(draw(line), draw(locals_)))
            depth += 1
        elif kind == "line":
            frames.append(tf.line_frame(draw(line), draw(locals_)))
        elif kind == "exception":
            frames.append(tf.exception_frame(draw(line), draw(value)))
        else:
            frames.append(tf.return_frame(draw(line), draw(value)))
            depth -= 1
            if depth == 0:
                break
    return tf.Trace(draw(st.text(max_size=20)), tuple(frames), depth == 0)


def without_positions(trace: tf.Trace) -> tuple:
    return tuple((f.event, f.source_line, f.local_items, f.value) for f in trace.frames)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(traces(), st.booleans())
def test_segments_round_trip(trace, compress):
    segs = tf.trace_segments(trace, compress=compress)
    parsed = tf.parse_trace(segs)
    assert without_positions(parsed) == without_positions(trace)
    assert parsed.source == trace.source and parsed.finished == trace.finished
    # no special token ever comes from user text
    assert all(s.text in T.TRACE_TOKENS for s in segs if s.special)
    assert [s.text for s in segs if s.special].count(T.END_OF_TEXT) == int(trace.finished)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(traces(PLAIN_LINE, PLAIN_LOCALS, PLAIN_VALUE))
def test_text_round_trip_when_no_token_strings_in_user_text(trace):
    # (text cannot tell a typed token from a real one; segments can, above)
    text = tf.encode_trace(trace)
    parsed = tf.parse_trace(text)
    assert without_positions(parsed) == without_positions(trace)
    assert tf.encode_trace(parsed) == text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(traces())
def test_incremental_encoder_equals_whole_trace_encoding(trace):
    enc = tf.TraceEncoder()
    segs = tf.prompt_segments(trace.source)
    for f in trace.frames:
        segs += enc.encode(f)
    if trace.finished and not enc.finished:
        segs.append(tf.Segment(T.END_OF_TEXT, True))
    assert segs == tf.trace_segments(trace)


@settings(max_examples=60, deadline=None)
@given(LOCALS, LOCALS)
def test_compression_writes_unchanged_values_as_dots(first, second):
    trace = tf.Trace("", (tf.call_frame("def f():", first), tf.line_frame("  x", first), tf.line_frame("  y", second)))
    enc = tf.TraceEncoder()
    enc.encode(trace.frames[0])
    enc.encode(trace.frames[1])
    written = enc.stack.compress(trace.frames[2])
    for k, v in second.items():
        assert written[k] == (".." if first.get(k) == v else v)
