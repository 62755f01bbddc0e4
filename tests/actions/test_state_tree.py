"""State tree and action targets on hand-checked real traces."""

from __future__ import annotations

import pytest

from tests.actions.programs import EXCEPTION, LOOP, NESTED, PROGRAMS, RECURSION, UNCAUGHT, traced
from trace_format import Event, ProgramStructure
from trace_format.actions import Action, locate_target
from trace_format.state_tree import StateTree

A = Action


def tree_of(source: str, args: str) -> StateTree:
    trace = traced(source, args)
    return StateTree(trace.frames, trace.source)


def test_recursion_targets():
    t = tree_of(RECURSION, "3")
    # 0 call n=3 | 1 L2 | 2 L4 | 3 call n=2 | 4 L2 | 5 L4 | 6 call n=1 | 7 L2 | 8 L3
    # 9 ret 1 | 10 ret 2 | 11 ret 6
    assert [f.event for f in t.frames[9:]] == [Event.RETURN] * 3
    assert t.depth == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 1, 0]
    assert t.parent[3] == 2 and t.parent[6] == 5 and t.parent[0] is None
    assert t.children[2] == [3, 4, 5, 10]
    assert t.roots == [0, 1, 2, 11]
    assert t.target(2, A.STEP_INTO) == 3
    assert t.target(2, A.STEP_OVER) == 11
    assert t.target(2, A.STEP_OUT) == 11
    assert t.target(4, A.STEP_OUT) == 10
    assert t.target(9, A.STEP_OVER) == 10          # after a return: the caller's next frame
    assert t.target(9, A.STEP_OUT) == 10
    assert t.target(0, A.CONTINUE, [3]) == 8
    assert t.target(0, A.CONTINUE, [5]) == 11      # no breakpoint hit: the end of the program
    assert t.target(11, A.CONTINUE, [3]) is None
    assert t.target(11, A.STEP_INTO) is None
    assert t.target(3, A.STEP_BACK_INTO) == 2
    assert t.target(3, A.STEP_BACK_OVER) == 2
    assert t.target(10, A.STEP_BACK_OVER) == 5
    assert t.target(11, A.STEP_BACK_OVER) == 2
    assert t.target(11, A.BACK_TO_CALL) == 0
    assert t.target(8, A.BACK_TO_CALL) == 6
    assert t.frames[t.target(8, A.BACK_TO_CALL)].locals == {"n": "1"}
    assert t.target(0, A.BACK_TO_CALL) is None
    assert t.target(0, A.STEP_BACK_INTO) is None


def test_exception_targets():
    t = tree_of(EXCEPTION, "5")
    # 0 call f | 1 try | 2 g(x) | 3 call g | 4 raise | 5 exc (g) | 6 ret None (g)
    # 7 exc (f, line 6) | 8 except | 9 x = 0 | 10 return x | 11 ret 0
    assert t.frames[5].event is Event.EXCEPTION and t.depth[5] == 1
    assert t.frames[7].event is Event.EXCEPTION and t.depth[7] == 0
    assert t.target(2, A.STEP_OVER) == 7           # the exception arrives in f
    assert t.target(4, A.STEP_OUT) == 6
    assert t.target(5, A.STEP_OVER) == 6
    assert t.target(6, A.STEP_INTO) == 7
    assert t.target(7, A.STEP_BACK_OVER) == 2
    assert t.target(7, A.STEP_BACK_INTO) == 6
    assert t.target(5, A.BACK_TO_CALL) == 3
    assert t.target(0, A.CONTINUE, [8]) == 9
    assert t.target(10, A.BACK_TO_CALL) == 0
    assert t.frames[t.target(10, A.BACK_TO_CALL)].locals == {"x": "5"}


def test_uncaught_exception_ends_the_program():
    t = tree_of(UNCAUGHT, "0")
    events = [f.event for f in t.frames]
    assert events[-2:] == [Event.EXCEPTION, Event.RETURN] and t.depth[-1] == 0
    assert t.ends_program
    assert t.target(1, A.STEP_OVER) == len(t) - 2   # f's exception frame
    assert t.target(1, A.STEP_OUT) == len(t) - 1
    assert t.target(1, A.CONTINUE, [6]) == len(t) - 1  # line 6 is never reached


def test_loop_targets():
    t = tree_of(LOOP, "2")
    # 0 call | 1 s=0 | 2 for | 3 s+=i (i=0) | 4 for | 5 s+=i (i=1) | 6 for | 7 return s | 8 ret 1
    assert t.target(0, A.CONTINUE, [4]) == 3
    assert t.target(3, A.CONTINUE, [4]) == 5
    assert t.target(5, A.CONTINUE, [4]) == 8
    assert t.target(3, A.CONTINUE, [2, 4]) == 5    # line 2 ran before: only later frames count
    assert t.target(4, A.STEP_OVER) == 5
    assert t.target(6, A.STEP_BACK_OVER) == 5
    assert t.target(6, A.BACK_TO_CALL) == 0
    assert t.frames[5].locals["i"] == "1"


def test_nested_call_targets():
    t = tree_of(NESTED, "1")
    # 0 call f | 1 b = g(a)+g(a+1) | 2 call g(1) | 3 z = h(x) | 4 call h | 5 ret y+1 | 6 ret 2
    # 7 return z*2 | 8 ret 4 | 9 call g(2) | 10 z = h(x) | 11 call h | 12 | 13 ret 3 | 14 | 15 ret 6
    # 16 return b | 17 ret 10
    assert t.target(1, A.STEP_OVER) == 16
    assert t.target(8, A.STEP_OVER) == 9          # g returned, f calls g again on the same line
    assert t.target(9, A.STEP_BACK_OVER) == 8
    assert t.target(16, A.STEP_BACK_OVER) == 1
    assert t.target(14, A.BACK_TO_CALL) == 9
    assert t.frames[9].locals == {"x": "2"}
    assert t.target(7, A.STEP_BACK_OVER) == 3     # skips h's frames
    assert t.target(3, A.STEP_OUT) == 8
    assert t.target(3, A.STEP_OVER) == 7
    assert t.children[1] == [2, 3, 7, 8, 9, 10, 14, 15]
    assert t.children[3] == [4, 5, 6]


def test_targets_lists_only_applicable_actions():
    t = tree_of(RECURSION, "3")
    assert set(t.targets(0)) == {A.STEP_INTO, A.STEP_OVER, A.STEP_OUT}
    assert set(t.targets(11, [3])) == {A.STEP_BACK_INTO, A.STEP_BACK_OVER, A.BACK_TO_CALL}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_locate_target_recovers_line_and_depth(name):
    """A target as a model writes it (no position) is placed where the tracer saw it."""
    source, args = PROGRAMS[name]
    trace = traced(source, args)
    t = StateTree(trace.frames, trace.source)
    structure = ProgramStructure(trace.source)
    checked = 0
    for i, cur in enumerate(t.frames):
        bps = t.executed_lines[:1]
        for action, j in t.targets(i, bps).items():
            want = t.frames[j]
            bare = want.with_position(None, None, None)
            got = locate_target(structure, action, cur, bare, bps)
            assert got.lineno == want.lineno, (name, i, action, j)
            assert got.function == want.function, (name, i, action, j)
            if action is not A.CONTINUE or want.event is Event.RETURN:
                assert got.depth == want.depth, (name, i, action, j)
            checked += 1
    assert checked > 20
