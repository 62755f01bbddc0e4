"""`back` over the running program: recorded stops come back exactly, and stepping on
replays them up to the live frontier, where the program continues."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from neural_pdb.backends.real import RealBackend
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader

SOURCE = """\
def total(items):
    acc = 0
    for x in items:
        acc += x
    return acc

values = [3, 4, 5]
result = total(values)
print(result)
"""


pytestmark = pytest.mark.usefixtures("fresh_breakpoints")  # tests/conftest.py


def answers(path: Path, commands: list[str]) -> list[str]:
    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands) + "\n"), out)
    Debugger(RealBackend(str(path), use_main_module=False), stdout=out, reader=reader, readrc=False).run_session()
    return out.getvalue().split("(Pdb) ")


def test_back_then_step_gives_the_same_stops_and_values(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(SOURCE)
    straight = answers(path, ["b 4", "c", "n", "n", "p acc, x", "n", "n", "p acc, x", "q"])
    travel = answers(path, ["b 4", "c", "n", "n", "p acc, x", "n", "n", "bk", "bk", "p acc, x", "n", "n",
                            "p acc, x", "n", "p acc", "q"])
    assert travel[8] == straight[3]          # back twice: the stop made by the second `n`
    assert travel[10] == straight[5]         # `p acc, x` there, as it was: (3, 4)
    assert travel[11:13] == straight[6:8]     # replayed stops, as first made
    assert travel[13] == straight[8]          # p acc, x at the frontier
    assert travel[15] == "12\n"               # the live program went on: acc after x = 5


def test_an_edit_at_a_recorded_stop_of_the_real_program_is_refused_loudly(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(SOURCE)
    out = answers(path, ["b 4", "c", "n", "bk", "!acc = 100", "q"])
    assert out[5].startswith("*** this stop is a recorded one (after back)")
