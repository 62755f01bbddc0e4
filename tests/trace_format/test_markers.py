"""The ``# << START_OF_TRACE`` marker: add, find, strip (a suffix, never a character set)."""

from __future__ import annotations

import pytest

import trace_format as tf

SRC = "import os\n\ndef helper(x):\n    return x\n\ndef f(a, b=2):\n    def f():\n        pass\n    return helper(a) + b\n"


def test_add_marks_the_top_level_def_line_only():
    marked = tf.add_start_marker(SRC, "f")
    lines = marked.split("\n")
    assert lines[5] == "def f(a, b=2): # << START_OF_TRACE"
    assert lines[6] == "    def f():"  # the nested f is not the entry
    assert sum(tf.has_start_marker(l) for l in lines) == 1
    assert tf.find_start_marker(marked) == (6, "f")
    assert tf.strip_all_markers(marked) == SRC


def test_add_errors():
    with pytest.raises(ValueError, match="no top-level function named 'g'"):
        tf.add_start_marker(SRC, "g")
    with pytest.raises(ValueError):
        tf.add_start_marker("class A:\n    def m(self):\n        pass\n", "m")
    with pytest.raises(SyntaxError):
        tf.add_start_marker("def f(:\n", "f")


def test_async_and_multiline_def():
    src = "async def g(\n    a,\n):\n    return a\n"
    marked = tf.add_start_marker(src, "g")
    assert marked.split("\n")[0] == "async def g( # << START_OF_TRACE"
    assert tf.find_start_marker(marked) == (1, "g")


def test_strip_removes_a_suffix_not_a_set_of_characters():
    # str.rstrip("# << START_OF_TRACE") would also eat "TOAST" (all its letters are in the set)
    assert tf.strip_start_marker("x = TOAST # << START_OF_TRACE") == "x = TOAST"
    assert tf.strip_start_marker("def f(STATE): # << START_OF_TRACE") == "def f(STATE):"
    assert tf.strip_start_marker("def f(a):  # << START_OF_TRACE   ") == "def f(a): "
    assert tf.strip_start_marker("def f(a):") == "def f(a):"
    assert tf.strip_start_marker("x = 'START_OF_TRACE'") == "x = 'START_OF_TRACE'"


def test_find_without_marker():
    assert tf.find_start_marker(SRC) is None
    assert not tf.has_start_marker("# START_OF_TRACE << #")


def test_marked_source_still_runs_the_same():
    marked = tf.add_start_marker(SRC, "f")
    a: dict = {}
    b: dict = {}
    exec(SRC, a)
    exec(marked, b)
    assert a["f"](1) == b["f"](1) == 3
