"""locate_frames: source lines back to line numbers, where the same text stands on
several lines. Frames come from hand-written traces and from the real tracer."""

from __future__ import annotations

import textwrap

import pytest

import trace_format as tf
from neural_pdb.tracer import trace_call


def real(source: str, entry: str, args: str) -> tf.Trace:
    result = trace_call(textwrap.dedent(source), entry, args)
    assert result.error is None
    return result.trace


def assert_located_like_real(trace: tf.Trace) -> None:
    parsed = tf.parse_trace(tf.trace_segments(trace))
    located = tf.locate_frames(parsed.source, parsed.frames)
    assert [(f.lineno, f.depth) for f in located] == [(f.lineno, f.depth) for f in trace.frames]
    assert [f.function for f in located] == [f.function for f in trace.frames]


def test_two_identical_lines():
    assert_located_like_real(real("""
        def f(x):
            x = x + 1
            x = x + 1
            return x
        """, "f", "1"))


def test_loop_revisits_lines():
    assert_located_like_real(real("""
        def f(n):
            total = 0
            for i in range(n):
                total += i
                total += i
            return total
        """, "f", "3"))


def test_same_loop_header_twice():
    # after the first loop's body, "for x in xs:" is the first loop again, not the second
    assert_located_like_real(real("""
        def f(xs):
            for x in xs:
                xs = xs + [x]
            xs.sort()
            for x in xs:
                xs = xs + [x]
            return len(xs)
        """, "f", "[2, 1]"))


def test_recursion_with_same_lines_in_every_scope():
    assert_located_like_real(real("""
        def f(n):
            if n == 0:
                return 0
            return f(n - 1) + 1
        """, "f", "3"))


def test_while_else_break_and_try():
    assert_located_like_real(real("""
        def f(items):
            out = []
            while items:
                x = items.pop()
                if x < 0:
                    break
                try:
                    out.append(10 // x)
                except ZeroDivisionError:
                    out.append(None)
                    continue
            else:
                out.append('done')
            return out
        """, "f", "[3, 0, -1, 5, 0]"))


def test_class_body_and_methods_in_a_script():
    source = "class A:\n    k = 1\n    def m(self):\n        return self.k\n\ndef f():\n    a = A()\n    return a.m()\n"
    trace = real(source, "f", "")
    assert_located_like_real(trace)


def test_hand_written_duplicates_in_a_loop():
    src = tf.add_start_marker("def f(n):\n    while n:\n        n -= 1\n        n -= 1\n    return n\n", "f")
    frames = [tf.call_frame("def f(n): # << START_OF_TRACE", {"n": "4"})]
    for v in ("4", "2"):
        frames += [tf.line_frame("    while n:", {"n": v}), tf.line_frame("        n -= 1", {"n": v}),
                   tf.line_frame("        n -= 1", {"n": str(int(v) - 1)})]
    frames += [tf.line_frame("    while n:", {"n": "0"}), tf.line_frame("    return n", {"n": "0"}),
               tf.return_frame("    return n", "0")]
    located = tf.locate_frames(src, frames)
    assert [f.lineno for f in located] == [1, 2, 3, 4, 2, 3, 4, 2, 5, 5]
    assert {f.function for f in located} == {"f"}


def test_unmarked_source_is_a_script_whose_first_call_is_the_module():
    src = "def f(x):\n    return x\n\ny = f(1)\n"
    frames = [tf.call_frame("def f(x):", {}), tf.line_frame("def f(x):", {}),
              tf.line_frame("y = f(1)", {"f": "<function f>"}), tf.call_frame("def f(x):", {"x": "1"}),
              tf.line_frame("    return x", {"x": "1"}), tf.return_frame("    return x", "1"),
              tf.return_frame("y = f(1)", "None")]
    located = tf.locate_frames(src, frames)
    assert [(f.lineno, f.function, f.depth) for f in located] == [
        (1, "<module>", 0), (1, "<module>", 0), (4, "<module>", 0), (1, "f", 1), (2, "f", 1), (2, "f", 1),
        (4, "<module>", 0)]


def test_unresolvable_line():
    src = "def f(x): # << START_OF_TRACE\n    return x\n"
    frames = [tf.call_frame("def f(x): # << START_OF_TRACE", {"x": "1"}), tf.line_frame("    return y", {"x": "1"})]
    with pytest.raises(tf.UnresolvedLineError) as info:
        tf.locate_frames(src, frames)
    assert info.value.source_line == "    return y"


def test_line_of_another_scope_is_unresolvable():
    src = "def g():\n    return 1\n\ndef f(x): # << START_OF_TRACE\n    return x\n"
    frames = [tf.call_frame("def f(x): # << START_OF_TRACE", {"x": "1"}), tf.line_frame("    return 1", {"x": "1"})]
    with pytest.raises(tf.UnresolvedLineError, match="not in the current scope"):
        tf.locate_frames(src, frames)


def test_locator_copy_is_independent():
    src = "def f(x): # << START_OF_TRACE\n    x = 1\n    x = 1\n"
    loc = tf.FrameLocator.for_source(src)
    loc.locate_and_advance(tf.call_frame("def f(x): # << START_OF_TRACE", {"x": "0"}))
    branch = loc.copy()
    assert branch.locate_and_advance(tf.line_frame("    x = 1", {"x": "0"})).lineno == 2
    assert branch.locate_and_advance(tf.line_frame("    x = 1", {"x": "1"})).lineno == 3
    assert loc.locate(tf.line_frame("    x = 1", {"x": "0"})) == 2


def test_calls_into_expressions_get_their_code_names_and_generator_resumes_their_functions():
    trace = real("""
        def gen(items):
            for x in items:
                yield x * 2


        def f(words):
            total = sum(len(w) for w in words)
            ranked = sorted(words, key=lambda w: (len(w), w))
            pairs = {w: n for w, n in zip(words, gen([1, 2, 3]))}
            return total, ranked, [p for p in pairs if p]
        """, "f", "['bb', 'a', 'ccc']")
    located = tf.locate_frames(trace.source, tf.parse_trace(tf.trace_segments(trace)).frames)
    names = [f.function for f in located]
    assert names == [f.function for f in trace.frames]
    assert {"<genexpr>", "<lambda>", "gen", "f"} <= set(names)
