"""The shell over a scripted backend named "model": what a predicted session shows."""

from __future__ import annotations

import bdb
import io
from pathlib import Path

import pytest

from neural_pdb.backends.scripted import ScriptedBackend
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader
from neural_pdb.tracer import trace_script

SOURCE = """\
def add(a, b):
    c = a + b
    return c

x = add(1, 2)
y = add(x, 10)
print(y)
"""


pytestmark = pytest.mark.usefixtures("fresh_breakpoints")  # tests/conftest.py


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "prog.py"
    path.write_text(SOURCE)
    return path


def session(program: Path, commands: list[str], name: str = "model") -> tuple[str, ScriptedBackend]:
    backend = ScriptedBackend(str(program), SOURCE, trace_script(str(program)).trace.frames, name=name)
    out = io.StringIO()
    debugger = Debugger(backend, stdout=out, reader=PlainReader(io.StringIO("\n".join(commands) + "\n"), out),
                        readrc=False)
    debugger.run_session()
    return out.getvalue(), backend


def test_predicted_stops_are_marked_and_the_prompt_is_npdb(program):
    out, _ = session(program, ["s", "q"])
    assert out.startswith("--Predicted (confidence 1.00)--\n> ")
    assert "(npdb) " in out and "(Pdb) " not in out
    path = str(program)
    assert f"> {path}(5)<module>()\n-> x = add(1, 2)\n" in out


def test_p_evaluates_over_rebuilt_values_and_shows_predicted_reprs_otherwise(program):
    out, _ = session(program, ["b 3", "c", "p c * 2", "p a + b == c", "p add", "pp [a, b]", "whatis c", "p nope", "q"])
    assert "(npdb) 6\n" in out
    assert "(npdb) True\n" in out
    assert "(npdb) <function add>\n" in out
    assert "(npdb) [1, 2]\n" in out
    assert "(npdb) <class 'int'>\n" in out
    assert "(npdb) *** NameError: name 'nope' is not defined\n" in out


def test_an_edit_is_sent_to_the_backend_and_shown(program):
    out, backend = session(program, ["b 3", "c", "!c = 40", "p c", "q"])
    assert backend.edits == [{"c": "40"}]
    assert "(npdb) 40\n" in out


def test_where_up_down_over_predicted_frames(program):
    out, _ = session(program, ["b 2", "c", "w", "u", "p x if 'x' in dir() else 'no x'", "d", "d", "q"])
    assert "bdb.py(" in out and ")run()\n-> exec(cmd, globals, locals)\n" in out
    assert "  <string>(1)<module>()\n" in out
    assert f"> {program}(2)add()\n-> c = a + b\n(npdb) > {program}(5)<module>()\n" in out
    assert "*** Newest frame\n" in out


def test_back_restores_values_and_says_so_at_the_first_stop(program):
    out, _ = session(program, ["b 3", "c", "c", "p c", "bk", "p c", "bk", "bk", "bk", "q"])
    answers = out.split("(npdb) ")
    assert answers[4] == "13\n"
    assert answers[6] == "3\n"
    assert answers[-2].startswith("*** Oldest stop")


def test_restart_starts_the_backend_again(program):
    out, backend = session(program, ["restart", "c", "q"])
    assert backend.starts == 3   # start, restart, after the program finished
    assert "The program finished and will be restarted" in out


def test_bad_commands_never_end_the_session(program):
    out, _ = session(program, ["frobnicate", "b", "b x.py:1", "u", "u", "u", "ignore 9", "jump 3", "p 1/0", "c", "q"])
    assert "*** NameError: name 'frobnicate' is not defined" in out
    assert "*** Oldest frame" in out
    assert "*** Breakpoint number 9 out of range" in out
    assert "*** ZeroDivisionError: division by zero" in out
    assert "The program finished and will be restarted" in out


def test_compare_shows_where_a_prediction_parts_from_reality(program):
    real = trace_script(str(program)).trace.frames
    # a "prediction" that goes wrong at add's second line: c is 4, not 3
    wrong = [f.with_locals({**f.locals, "c": "4"}) if f.has_locals and "c" in f.locals else f for f in real]
    backend = ScriptedBackend(str(program), SOURCE, wrong, name="model")
    out = io.StringIO()
    commands = ["s", "s", "s", "s", "compare", "q"]
    debugger = Debugger(backend, stdout=out, reader=PlainReader(io.StringIO("\n".join(commands) + "\n"), out),
                        readrc=False)
    debugger.run_session()
    text = out.getvalue()
    assert "   1  agree  prog.py(1)<module>()" in text
    assert "   4  agree  prog.py(2)add()" in text
    assert "   5  PART   prog.py(3)add()" in text
    assert "c: 4 here, 3 for real" in text
    assert "first parting at stop 5" in text


def test_a_predicted_crash_opens_post_mortem_then_restarts(tmp_path):
    source = 'def parse(value):\n    return int(value)\n\nn = parse("x")\n'
    path = tmp_path / "crash.py"
    path.write_text(source)
    backend = ScriptedBackend(str(path), source, trace_script(str(path)).trace.frames, name="model")
    out = io.StringIO()
    commands = ["c", "p value", "w", "c", "q"]
    Debugger(backend, stdout=out, reader=PlainReader(io.StringIO("\n".join(commands) + "\n"), out),
             readrc=False).run_session()
    text = out.getvalue()
    assert ("Uncaught exception. Entering post mortem debugging\n"
            "Running 'cont' or 'step' will restart the program\n") in text
    assert f"> {path}(2)parse()\n-> return int(value)\n(npdb) 'x'\n" in text
    assert f"Post mortem debugger finished. The {path} will be restarted\n" in text


def test_low_confidence_values_are_flagged_by_p(program):
    backend = ScriptedBackend(str(program), SOURCE, trace_script(str(program)).trace.frames, name="model",
                              value_confidence={"c": 0.31, "a": 0.99})
    out = io.StringIO()
    commands = ["b 3", "c", "p c", "p a", "pp c", "q"]
    Debugger(backend, stdout=out, reader=PlainReader(io.StringIO("\n".join(commands) + "\n"), out),
             readrc=False).run_session()
    text = out.getvalue()
    assert "(npdb) 3\n(predicted with low confidence: 0.31)\n(npdb) 1\n(npdb) 3\n(predicted" in text


def test_whatis_of_values_known_by_their_repr(program):
    out, _ = session(program, ["b 3", "c", "whatis add", "whatis c", "q"])
    assert "(npdb) Function add\n(npdb) <class 'int'>\n" in out
