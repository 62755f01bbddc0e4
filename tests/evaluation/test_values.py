import math

import pytest

from neural_pdb.evaluation.values import rebuild_value, repr_kind, reprs_equal, value_kind, values_equal
from neural_pdb.tracer import safe_repr


@pytest.mark.parametrize("value", [
    0, -3, 2.5, -0.0, "a'b\"c", b"\x00x", True, None, [1, [2, (3,)]], (1,), (), {"a": [1], 2: (3, 4)},
    {1, 2}, set(), frozenset({"x"}), frozenset(), 1 + 2j, math.inf, -math.inf, {"k": {"n": set()}},
])
def test_reprs_rebuild_to_equal_values(value):
    ok, rebuilt = rebuild_value(safe_repr(value))
    assert ok
    assert values_equal(value, rebuilt)


def test_nan_equals_nan():
    ok, value = rebuild_value("nan")
    assert ok and values_equal(value, math.nan)


@pytest.mark.parametrize("text", [
    "'aaaa...<+12 chars>", "<__main__.A object>", "<function f>", "x + 1", "__import__('os')", "f()",
    "[1, 2", "", "{**a}", "{[1]: 2}", "set([[]])", None,
])
def test_not_values(text):
    assert rebuild_value(text) == (False, None)


def test_equality_is_strict_about_types_and_ignores_order_where_python_does():
    assert not values_equal(True, 1)
    assert not values_equal(1, 1.0)
    assert not values_equal([1, True], [1, 1])
    assert not values_equal((1, 2), [1, 2])
    assert values_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert reprs_equal("{'b', 'a'}", "{'a', 'b'}")
    assert not reprs_equal("[1, 2]", "[2, 1]")


def test_reprs_equal_falls_back_to_text_for_objects():
    assert reprs_equal("<function g>", "<function g>")
    assert not reprs_equal("<function g>", "<function h>")
    assert not reprs_equal("1", "<function g>")
    assert not reprs_equal("1", None)


def test_value_kinds():
    assert [value_kind(v) for v in (1, 1.5, "s", True, [1], (1,), {}, {1}, frozenset(), None, b"", object())] == [
        "int", "float", "str", "bool", "list", "tuple", "dict", "set", "set", "None", "bytes", "other"]
    assert repr_kind("'x'") == "str"
    assert repr_kind("<A object>") == "unrebuildable"
