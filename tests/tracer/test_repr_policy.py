"""safe_repr: the policy's guarantees, and its fast path equal to the slow one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from neural_pdb.tracer import reprs, safe_repr


def element_by_element(obj, max_len=200):
    return reprs.elide(reprs._repr(obj, set(), 0), max_len)


ATOM = st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=5), st.binary(max_size=3),
                 st.booleans(), st.none(), st.complex_numbers(max_magnitude=10))
HASHABLE = st.one_of(st.integers(), st.text(max_size=4), st.booleans(), st.none())
NESTED = st.recursive(ATOM, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner), st.tuples(inner, inner),
    st.dictionaries(HASHABLE, inner, max_size=3), st.frozensets(HASHABLE, max_size=3),
    st.sets(HASHABLE, max_size=3)), max_leaves=15)


@settings(max_examples=150, deadline=None)
@given(NESTED, st.sampled_from([0, 3, 20, 200]))
def test_fast_path_equals_the_policy(obj, max_len):
    assert safe_repr(obj, max_len) == element_by_element(obj, max_len)


def test_depth_cut_is_the_same_on_both_paths():
    for depth in range(17, 25):
        obj = 1
        for _ in range(depth):
            obj = [obj]
        assert safe_repr(obj) == element_by_element(obj)
    assert safe_repr(obj).count("[") == 21 and "..." in safe_repr(obj)


def test_no_addresses_anywhere():
    class A:
        pass

    def f():
        pass
    text = safe_repr([A(), f, len, [].append, (x for x in ())])
    assert "0x" not in text
    assert "<function test_no_addresses_anywhere.<locals>.f>" in text


def test_raising_and_recursive_reprs():
    class Bad:
        def __repr__(self):
            raise KeyError("x")

    class Loop:
        def __repr__(self):
            return repr(self)
    assert safe_repr(Bad()) == "<repr failed: KeyError>"
    assert safe_repr([Bad()]) == "[<repr failed: KeyError>]"
    assert safe_repr(Loop()) == "<repr failed: RecursionError>"
    cyc: list = [1]
    cyc.append(cyc)
    assert safe_repr(cyc) == "[1, [...]]"


def test_elision_is_visible_and_counted():
    assert safe_repr("x" * 30, 10) == "'xxxxxxxxx...<+22 chars>"
    assert safe_repr(list(range(100)), 12) == "[0, 1, 2, 3,...<+378 chars>"


def test_never_the_unchanged_mark():
    class Dots:
        def __repr__(self):
            return ".."
    assert safe_repr(Dots()) == "<repr '..'>"
    assert safe_repr("..") == "'..'"


def test_strings_are_never_edited():
    # the address rule is for objects' reprs; a user's string keeps its text
    assert safe_repr("obj at 0x7f00aa") == "'obj at 0x7f00aa'"
    assert safe_repr(["obj at 0x7f00aa"]) == element_by_element(["obj at 0x7f00aa"]) == "['obj at 0x7f00aa']"
    assert safe_repr([object, "at 0x1"]) == "[<class 'object'>, 'at 0x1']"
