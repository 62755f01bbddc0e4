from __future__ import annotations

import pytest

from neural_pdb.inverse.calls import CallShapeError, args_text, signature_of
from neural_pdb.inverse.search import return_states


def test_args_text_follows_the_signature():
    src = "def f(a, /, b=2, *rest, key, **more): # << START_OF_TRACE\n    return a\n"
    sig = signature_of(src, "f")
    text = args_text(sig, {"more": "{'z': 1}", "key": "'k'", "rest": "(3, 4)", "b": "[2]", "a": "1"})
    assert text == "1, [2], *(3, 4), key='k', **{'z': 1}"
    ns: dict = {}
    exec(src.replace(" # << START_OF_TRACE", "") + "def g(*args, **kw):\n    return args, kw\n", ns)
    assert eval(f"g({text})", ns) == ((1, [2], 3, 4), {"key": "k", "z": 1})


def test_missing_parameter_is_an_error():
    sig = signature_of("def f(x, y):\n    pass\n", "f")
    with pytest.raises(CallShapeError):
        args_text(sig, {"x": "1"})


def test_return_states_one_per_return_line():
    src = "def f(x):\n    def g():\n        return 0\n    if x:\n        return 1\n    return 2\n"
    states = return_states(src, "f", "1")
    assert [s.lineno for s in states] == [5, 6]
    assert [s.source_line for s in states] == ["        return 1", "    return 2"]
    assert all(s.value == "1" for s in states)
    assert [s.lineno for s in return_states("def f(x):\n    x += 1\n", "f", "None")] == [2]
