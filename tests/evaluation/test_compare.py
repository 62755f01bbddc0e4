"""`compare`: one session on two backends, command by command."""

import dataclasses
import os
import subprocess
import sys

from trace_format import Event

from neural_pdb.backends.real import RealBackend
from neural_pdb.backends.scripted import ScriptedBackend
from neural_pdb.commands import compare_cmd
from neural_pdb.evaluation.session_compare import agreement, compare_sessions, format_table, record_session
from neural_pdb.tracer import trace_script

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = '''def count(text, ch):
    n = 0
    for c in text:
        if c == ch:
            n += 1
    return n

total = count("banana", "a")
print(total)
'''
COMMANDS = ["n", "s", "n", "n", "n", "p n", "r", "n", "p total"]


def write_script(tmp_path):
    path = tmp_path / "count.py"
    path.write_text(SCRIPT)
    return str(path)


def wrong_count_frames(path):
    """The real frames, except that n is 1 inside count and count returns 1."""
    frames = []
    for f in trace_script(path).trace.frames:
        if f.has_locals and "n" in f.locals and f.function == "count":
            f = f.with_locals({**f.locals, "n": "1"})
        if f.has_locals and "total" in f.locals:
            f = f.with_locals({**f.locals, "total": "1"})
        if f.event is Event.RETURN and f.function == "count":
            f = dataclasses.replace(f, value="1")
        frames.append(f)
    return frames


def test_sessions_part_where_the_values_part(tmp_path):
    path = write_script(tmp_path)
    real = record_session(RealBackend(path, []), COMMANDS)
    other = record_session(ScriptedBackend(path, SCRIPT, wrong_count_frames(path), name="model"), COMMANDS)
    comparisons = compare_sessions(real, other)
    assert [c.command for c in comparisons] == [""] + COMMANDS
    assert all(c.same_stop for c in comparisons)
    assert [c.agree for c in comparisons] == [True, True, True, True, False, False, False, False, False, False]
    assert comparisons[4].locals_differ == {"n": ("0", "1")}
    assert not comparisons[7].same_return and comparisons[7].left.state.return_value == "3"
    assert comparisons[6].left.output == "0\n" and comparisons[6].right.output == "1\n"
    assert agreement(comparisons) == 0.4
    table = "\n".join(format_table(comparisons))
    assert "count() line 6 ->3" in table and "count() line 6 ->1" in table
    assert "agreement: 4/10 commands (40.0%)" in table


def test_a_stop_in_the_wrong_place_is_shown(tmp_path):
    path = write_script(tmp_path)
    frames = [f for f in trace_script(path).trace.frames if not (f.function == "count" and f.lineno == 2)]
    real = record_session(RealBackend(path, []), ["s", "s", "s", "s"])
    other = record_session(ScriptedBackend(path, SCRIPT, frames, name="model"), ["s", "s", "s", "s"])
    comparisons = compare_sessions(real, other)
    first_wrong = next(c for c in comparisons if not c.same_stop)
    assert first_wrong.command == "s" and first_wrong.left.state.lineno == 2 and first_wrong.right.state.lineno == 3
    assert "-> n = 0" in "\n".join(format_table(comparisons))


def test_cli_real_against_itself_agrees_fully(tmp_path):
    path = write_script(tmp_path)
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "neural_pdb", "compare", path, "--backend", "real", "-c", "n",
                           "-c", "s", "-c", "p text", "-c", "r"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "agreement: 5/5 commands (100.0%)" in proc.stdout
    assert "count() line 6 ->3" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "neural_pdb", "compare", "--backend", "real", path],
                          input="n\nn\n", capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and "agreement: 3/3 commands" in proc.stdout


def test_cli_with_a_tiny_model_and_bad_script(tmp_path, capsys):
    from tests.model.tiny import save_tiny_model

    path = write_script(tmp_path)
    model = save_tiny_model(tmp_path / "tiny")
    code = compare_cmd.main([path, "--model", str(model), "--max-frame-tokens", "24", "-c", "n", "-c", "p total"])
    out = capsys.readouterr().out
    assert code == 0 and "agreement:" in out and "(start)" in out
    assert compare_cmd.main([str(tmp_path / "missing.py"), "-c", "n"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_each_session_has_its_own_breakpoints(tmp_path):
    path = write_script(tmp_path)
    commands = ["b 5", "c", "p n", "c", "p n"]
    real = record_session(RealBackend(path, []), commands)
    other = record_session(ScriptedBackend(path, SCRIPT, trace_script(path).trace.frames, name="model"), commands)
    assert real[1].output.startswith("Breakpoint 1 at ") and other[1].output.startswith("Breakpoint 1 at ")
    assert [r.output for r in real[3::2]] == ["0\n", "1\n"]
    comparisons = compare_sessions(real, other)
    assert all(c.agree for c in comparisons), "\n".join(format_table(comparisons))
    assert real[2].state.lineno == 5 and real[4].state.lineno == 5
