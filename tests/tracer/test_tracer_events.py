"""The real tracer against Python's own semantics, construct by construct."""

from __future__ import annotations

import sys
import textwrap

import pytest

from neural_pdb.program import ProgramError
from neural_pdb.tracer import TraceLimits, trace_call, trace_script
from trace_format import Event

from traced_programs import PROGRAMS


def run_script(tmp_path, source: str, name: str = "prog.py", **kw):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    kw.setdefault("capture_output", True)
    return trace_script(str(path), **kw)


def events(result, function: str | None = None):
    return [(f.event.value, f.lineno) for f in result.trace.frames if function is None or f.function == function]


def test_module_scope_starts_on_line_one_with_user_globals(tmp_path):
    r = run_script(tmp_path, "import os\n\nX = 1\ndef f():\n    return X\n__dunder__ = 2\nY = f()\n")
    frames = r.trace.frames
    assert r.error is None and r.trace.finished
    assert (frames[0].event, frames[0].lineno, frames[0].function, frames[0].depth) == (Event.CALL, 1, "<module>", 0)
    assert frames[0].locals == {}
    last_line = [f for f in frames if f.event is Event.LINE and f.function == "<module>"][-1]
    # modules and __dunder__ names are not user globals; functions by their repr
    assert last_line.locals == {"X": "1", "f": "<function f>"}
    assert (frames[-1].event, frames[-1].value, frames[-1].depth) == (Event.RETURN, "None", 0)


def test_script_runs_as_main_with_argv_and_restores_interpreter(tmp_path):
    before = (list(sys.argv), sys.modules["__main__"], list(sys.path), sys.stdout, sys.gettrace())
    r = run_script(tmp_path, "import sys\nname = __name__\nargs = sys.argv[1:]\nprint('out', *args)\n",
                   argv=["a", "b c"])
    line = r.trace.frames[-2]
    assert line.locals["name"] == "'__main__'" and line.locals["args"] == "['a', 'b c']"
    assert r.stdout == "out a b c\n"
    assert (list(sys.argv), sys.modules["__main__"], list(sys.path), sys.stdout, sys.gettrace()) == before


def test_only_program_frames_are_traced(tmp_path):
    r = run_script(tmp_path, "import json\nx = json.dumps([1])\ny = sorted([3, 1])\n")
    assert {f.function for f in r.trace.frames} == {"<module>"}
    assert [f.lineno for f in r.trace.frames] == [1, 1, 2, 3, 3]


def test_exception_caught_in_same_scope(tmp_path):
    r = run_script(tmp_path, PROGRAMS["caught"])
    ev = events(r, "parse")
    assert ev[:6] == [("call", 1), ("line", 2), ("line", 3), ("line", 6), ("return", 6), ("call", 1)]
    assert ("exception", 3) in ev and ("line", 4) in ev and ("line", 5) in ev
    exc = next(f for f in r.trace.frames if f.event is Event.EXCEPTION)
    assert exc.value == "ValueError(\"invalid literal for int() with base 10: 'x'\")"
    returns = [f.value for f in r.trace.frames if f.function == "parse" and f.event is Event.RETURN]
    assert returns == ["12", "-1"] and r.error is None


def test_exception_propagates_through_frames(tmp_path):
    r = run_script(tmp_path, PROGRAMS["propagate"])
    got = [(f.event.value, f.function, f.depth, f.value) for f in r.trace.frames if f.event in (Event.EXCEPTION, Event.RETURN)]
    err = "ZeroDivisionError('integer division or modulo by zero')"
    # each scope it leaves: exception then return None; outer catches it
    assert got[:5] == [("exception", "inner", 3, err), ("return", "inner", 3, "None"),
                       ("exception", "middle", 2, err), ("return", "middle", 2, "None"),
                       ("exception", "outer", 1, err)]
    assert got[-2:] == [("return", "outer", 1, "None"), ("return", "<module>", 0, "None")]


def test_uncaught_exception_ends_the_trace_with_an_error_line(tmp_path):
    r = run_script(tmp_path, "def f(x):\n    return 1 / x\n\nf(0)\n")
    assert r.error == "ZeroDivisionError: division by zero"
    assert [f.event.value for f in r.trace.frames[-4:]] == ["exception", "return", "exception", "return"]
    assert r.trace.finished  # the module scope was left, by the exception


def test_generator_resume_is_call_and_yield_is_return(tmp_path):
    r = run_script(tmp_path, PROGRAMS["generator"])
    gen = [(f.event.value, f.lineno, f.value) for f in r.trace.frames if f.function == "countdown"
           and f.event in (Event.CALL, Event.RETURN)]
    assert gen == [("call", 1, None), ("return", 3, "3"), ("call", 3, None), ("return", 3, "2"),
                   ("call", 3, None), ("return", 3, "1"), ("call", 3, None), ("return", 2, "None")]
    resume = [f for f in r.trace.frames if f.function == "countdown" and f.event is Event.CALL][1]
    assert resume.locals == {"n": "3"}  # a resume shows the generator's current state


def test_recursion_depths(tmp_path):
    r = run_script(tmp_path, PROGRAMS["recursion"])
    calls = [(f.depth, f.locals["n"]) for f in r.trace.frames if f.event is Event.CALL and f.function == "fact"]
    assert calls == [(1, "4"), (2, "3"), (3, "2"), (4, "1")]
    rets = [f.value for f in r.trace.frames if f.event is Event.RETURN and f.function == "fact"]
    assert rets == ["1", "2", "6", "24"]


def test_class_body_and_methods(tmp_path):
    r = run_script(tmp_path, PROGRAMS["klass"])
    body = [f for f in r.trace.frames if f.function == "Counter"]
    assert body[0].event is Event.CALL and body[0].lineno == 1 and body[0].locals == {}
    # the class body's implicit names (__module__, __qualname__) are hidden; user ones not
    assert body[-2].locals == {"start": "0", "__init__": "<function Counter.__init__>"}
    bumps = [f.value for f in r.trace.frames if f.function == "bump" and f.event is Event.RETURN]
    assert bumps == ["2", "5"]
    assert any(f.locals.get("self") == "<__main__.Counter object>" for f in r.trace.frames if f.has_locals)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.11: a comprehension is its own scope")
def test_comprehension_is_a_scope_on_311():
    r = trace_call("def f(a):\n    b = [x * 2 for x in a]\n    return b\n", "f", "[1, 2]")
    got = [(f.event.value, f.function, f.depth) for f in r.trace.frames]
    assert got == [("call", "f", 0), ("line", "f", 0), ("call", "<listcomp>", 1), ("line", "<listcomp>", 1),
                   ("line", "<listcomp>", 1), ("line", "<listcomp>", 1), ("return", "<listcomp>", 1),
                   ("line", "f", 0), ("return", "f", 0)]
    comp = [f for f in r.trace.frames if f.function == "<listcomp>"]
    assert comp[0].locals == {}  # the hidden iterator ".0" is not shown
    assert [f.locals.get("x") for f in comp[1:4]] == [None, "1", "2"]
    assert comp[-1].value == "[2, 4]"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="3.12+: comprehensions are inlined (PEP 709)")
def test_comprehension_is_inlined_on_312():
    r = trace_call("def f(a):\n    b = [x * 2 for x in a]\n    return b\n", "f", "[1, 2]")
    assert {f.function for f in r.trace.frames} == {"f"}
    assert all(f.depth == 0 for f in r.trace.frames)
    assert r.trace.frames[-1].value == "[2, 4]"


def test_module_level_comprehension_leaves_the_program_alone(tmp_path):
    # 3.12 inlines it into the module frame; reading that frame's f_locals there would
    # warn into the program's stderr and add __warningregistry__ to its globals
    r = run_script(tmp_path, "def sq(x):\n    return x * x\nys = [sq(i) for i in range(3)]\n"
                             "print(sorted(k for k in globals() if not k.startswith('__')) + ['__warningregistry__' in globals()])\n")
    assert r.error is None and r.stderr == ""
    assert r.stdout == "['sq', 'ys', False]\n"
    assert [f.value for f in r.trace.frames if f.function == "sq" and f.event is Event.RETURN] == ["0", "1", "4"]


def test_early_return(tmp_path):
    r = run_script(tmp_path, PROGRAMS["early_return"])
    rets = [(f.lineno, f.value) for f in r.trace.frames if f.function == "find" and f.event is Event.RETURN]
    assert rets == [(4, "1"), (5, "-1")]


def test_repr_that_raises_does_not_stop_the_trace(tmp_path):
    r = run_script(tmp_path, PROGRAMS["bad_repr"])
    assert r.error is None and r.trace.finished
    at_return = [f for f in r.trace.frames if f.function == "make" and f.event is Event.LINE][-1]
    assert at_return.locals["w"] == "<repr failed: RuntimeError>"
    assert [f.value for f in r.trace.frames if f.function == "make" and f.event is Event.RETURN] == \
        ["<repr failed: RuntimeError>"]


def test_infinite_loop_stops_at_frame_limit(tmp_path):
    r = run_script(tmp_path, "x = 0\nwhile True:\n    x += 1\n", limits=TraceLimits(max_frames=50))
    assert r.error == "stopped: more than 50 frames"
    assert len(r.trace.frames) == 50 and not r.trace.finished
    assert sys.gettrace() is None


def test_infinite_loop_stops_at_time_limit():
    limits = TraceLimits(max_frames=10**9, max_seconds=0.3)
    r = trace_call("def f():\n    x = 0\n    while True:\n        x += 1\n", "f", "", limits=limits)
    assert r.error == "stopped: time limit of 0.3 s" and not r.trace.finished


def test_long_line_without_events_stops_at_time_limit():
    # One C-level call gives no trace events; the alarm backstop ends it.
    limits = TraceLimits(max_seconds=0.2)
    r = trace_call("import time\ndef f():\n    time.sleep(30)\n", "f", "", limits=limits)
    assert r.error == "stopped: time limit of 0.2 s"


def test_depth_limit():
    r = trace_call("def f(n):\n    return f(n + 1)\n", "f", "0", limits=TraceLimits(max_depth=20))
    assert r.error == "stopped: more than 20 nested calls"
    assert max(f.depth for f in r.trace.frames) == 20


def test_output_is_captured_and_stdin_is_empty():
    r = trace_call("import sys\ndef f():\n    print('hi')\n    print('err', file=sys.stderr)\n    return input()\n",
                   "f", "")
    assert (r.stdout, r.stderr) == ("hi\n", "err\n")
    assert r.error == "EOFError: EOF when reading a line"


def test_trace_call_marks_the_entry_and_starts_at_its_call():
    r = trace_call("X = 3\n\ndef g(a):\n    return a + X\n\ndef f(a):\n    return g(a) * 2\n", "f", "1")
    assert r.trace.source.split("\n")[5] == "def f(a): # << START_OF_TRACE"
    first = r.trace.frames[0]
    assert (first.event, first.lineno, first.source_line, first.depth) == (
        Event.CALL, 6, "def f(a): # << START_OF_TRACE", 0)
    assert first.locals == {"a": "1"}
    assert r.trace.frames[-1].value == "8" and r.trace.finished


def test_trace_call_bad_inputs_raise_program_error():
    with pytest.raises(ProgramError, match="no top-level function named 'g'"):
        trace_call("def f():\n    pass\n", "g", "")
    with pytest.raises(ProgramError, match="SyntaxError"):
        trace_call("def f(:\n", "f", "")
    with pytest.raises(ProgramError, match="arguments"):
        trace_call("def f(x):\n    pass\n", "f", "1,,2")


def test_trace_call_module_body_crash_is_an_error_without_frames():
    r = trace_call("raise SystemError('boom')\ndef f():\n    pass\n", "f", "")
    assert r.error == "SystemError: boom" and r.trace.frames == ()


def test_sys_exit_zero_is_a_normal_end(tmp_path):
    assert run_script(tmp_path, "import sys\nsys.exit(0)\n").error is None
    assert run_script(tmp_path, "import sys\nsys.exit(3)\n").error == "SystemExit: 3"


def test_deterministic_for_same_program(tmp_path):
    a = run_script(tmp_path, PROGRAMS["klass"], name="a.py")
    b = run_script(tmp_path, PROGRAMS["klass"], name="a.py")
    assert a == b


def test_sibling_modules_do_not_leak_between_scripts(tmp_path):
    for value in ("1", "2"):
        folder = tmp_path / f"run{value}"
        folder.mkdir()
        (folder / "helper_npdb_test.py").write_text(f"VALUE = {value}\n")
        r = run_script(folder, "import helper_npdb_test\nv = helper_npdb_test.VALUE\nw = v\n")
        assert r.trace.frames[-2].locals["v"] == value
    assert "helper_npdb_test" not in sys.modules


def test_entry_that_runs_no_code_is_reported():
    r = trace_call("def f(n):\n    pass\n\nf = len\n", "f", "'abc'")  # f is no longer the program's code
    assert r.trace.frames == () and r.error == "stopped: nothing was traced (no code of the program ran)"


def test_program_turning_tracing_off_is_reported():
    r = trace_call("import sys\ndef f():\n    sys.settrace(None)\n    return 1\n", "f", "")
    assert r.error == "stopped: the program turned tracing off" and not r.trace.finished
