"""Which calls ``continue`` may skip for a model: BreakpointReach and the engine using it."""

from __future__ import annotations

import bdb
from pathlib import Path

import pytest

from neural_pdb.engine.engine import Engine, Stop
from neural_pdb.engine.reach import BreakpointReach
from neural_pdb.tracer import trace_script

from test_engine import SkippingBackend, where  # the engine tests' model-like backend

REACH_SOURCE = """\
def leaf(x):
    return x + 1

def caller(x):
    return leaf(x) * 2

def mapper(xs):
    return list(map(leaf, xs))

def unrelated(s):
    return s.upper()

class Box:
    def __init__(self, v):
        self.v = v
    def __eq__(self, other):
        return self.v == other.v

def compares(a, b):
    return a == b

def dynamic(obj, name):
    return getattr(obj, name)()
"""


def first(name: str) -> int:
    return next(i for i, line in enumerate(REACH_SOURCE.splitlines(), 1) if line.lstrip().startswith(f"def {name}("))


def test_a_function_reaches_lines_in_itself_and_in_what_it_names():
    reach = BreakpointReach(REACH_SOURCE)
    leaf_body = first("leaf") + 1
    assert reach.may_reach(first("leaf"), [leaf_body])
    assert reach.may_reach(first("caller"), [leaf_body])        # calls it
    assert reach.may_reach(first("mapper"), [leaf_body])        # passes it as a callback
    assert not reach.may_reach(first("unrelated"), [leaf_body])
    assert not reach.may_reach(first("leaf"), [first("caller") + 1])   # callers are not reached
    assert not reach.may_reach(first("caller"), [])


def test_special_methods_and_dynamic_lookups_count_as_reachable_from_anywhere():
    reach = BreakpointReach(REACH_SOURCE)
    eq_body = first("__eq__") + 1
    assert reach.may_reach(first("compares"), [eq_body])       # `a == b` runs Box.__eq__ unnamed
    assert reach.may_reach(first("dynamic"), [first("leaf") + 1])
    assert reach.may_reach(999, [1])                            # code the source does not show
    assert BreakpointReach("def (:\n").may_reach(1, [1])         # unparsable: always in doubt


PROGRAM = """\
def noisy(n):
    total = 0
    for i in range(n):
        total += i
    return total

def target(x):
    y = x * 2
    return y

def outer(x):
    return target(x) + 1

a = noisy(4)
b = outer(a)
print(a, b)
"""


pytestmark = pytest.mark.usefixtures("fresh_breakpoints")  # tests/conftest.py


def started_with_a_breakpoint_in_target(tmp_path: Path) -> Engine:
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    backend = SkippingBackend(str(path), PROGRAM, trace_script(str(path)).trace.frames, name="model")
    engine = Engine(backend)
    engine.start()
    assert engine.set_break(engine.canonic(str(path)), 8) is None     # y = x * 2, inside target
    return engine


def test_continue_forces_the_return_of_calls_that_cannot_reach_a_breakpoint(tmp_path: Path):
    engine = started_with_a_breakpoint_in_target(tmp_path)
    engine.set_continue()
    stop = engine.resume()
    assert isinstance(stop, Stop) and where(stop) == ("line", 8, "target")
    by_function: dict[str, list[str]] = {}
    for record in engine.history:
        by_function.setdefault(record.view.f_code.co_name, []).append(record.frame.event.value)
    assert by_function["noisy"] == ["call", "return"]          # its loop was never predicted
    assert by_function["outer"] == ["call", "line"]            # outer calls target: predicted
    assert by_function["target"] == ["call", "line"]


def test_a_disabled_breakpoint_does_not_keep_calls_traced(tmp_path: Path):
    engine = started_with_a_breakpoint_in_target(tmp_path)
    bdb.Breakpoint.bpbynumber[1].disable()
    engine.set_continue()
    engine.resume()
    assert not any(r.frame.event.value == "line" and r.view.f_code.co_name != "<module>" for r in engine.history)
