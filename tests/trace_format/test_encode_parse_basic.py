import trace_format as tf

SRC = "def f(x):  # << START_OF_TRACE\n    y = x + 1\n    y = x + 1\n    return y\n"


def _frames():
    return (
        tf.call_frame("def f(x):  # << START_OF_TRACE", {"x": "1"}),
        tf.line_frame("    y = x + 1", {"x": "1"}),
        tf.line_frame("    y = x + 1", {"x": "1", "y": "2"}),
        tf.line_frame("    return y", {"x": "1", "y": "2"}),
        tf.return_frame("    return y", "2"),
    )


def test_round_trip_and_duplicate_lines():
    trace = tf.Trace(SRC, _frames(), True)
    text = tf.encode_trace(trace)
    assert '{"x": "..", "y": "2"}' in text
    assert text.endswith("<|end_of_text|>")
    parsed = tf.parse_trace(text)
    assert [f.locals for f in parsed.frames] == [f.locals for f in trace.frames]
    located = tf.locate_frames(SRC, parsed.frames)
    assert [f.lineno for f in located] == [1, 2, 3, 4, 4]
