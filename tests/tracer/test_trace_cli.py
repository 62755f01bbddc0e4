"""``neural-pdb trace`` through the real CLI in a subprocess: output, exit status, and
one clear line (never a traceback) for every kind of bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import trace_format as tf

from traced_programs import PROGRAMS

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONHASHSEED", None)  # the command must fix it itself
    return subprocess.run([sys.executable, "-m", "neural_pdb.cli", "trace", *args], capture_output=True,
                          text=True, env=env, cwd=cwd or ROOT, timeout=timeout)


def one_clean_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def script(tmp_path):
    def write(source: str, name: str = "prog.py") -> Path:
        path = tmp_path / name
        path.write_text(source)
        return path
    return write


def test_trace_text_on_stdout_program_output_on_stderr(script):
    path = script(PROGRAMS["letters"])
    r = cli(str(path))
    assert r.returncode == 0 and r.stderr == "3\n"
    trace = tf.parse_trace(r.stdout.rstrip("\n"))
    assert trace.finished and trace.source == PROGRAMS["letters"]
    assert trace.frames[0].event is tf.Event.CALL
    assert [f.value for f in trace.frames if f.event is tf.Event.RETURN][0] == "3"


def test_json_output_with_line_numbers(script):
    r = cli("--json", str(script(PROGRAMS["recursion"])))
    data = json.loads(r.stdout)
    assert r.returncode == 0 and data["finished"] is True
    assert data["frames"][0] == {"event": "call", "lineno": 1, "function": "<module>", "depth": 0,
                                 "source_line": "def fact(n):", "locals": {}}
    assert tf.Trace.from_json(data).frames[-1].value == "None"


def test_entry_call(script):
    r = cli(str(script(PROGRAMS["letters"])), "--entry", "count_letter", "--args", "'hello', 'l'")
    trace = tf.parse_trace(r.stdout.rstrip("\n"))
    assert r.returncode == 0 and trace.frames[0].locals == {"text": "'hello'", "letter": "'l'"}
    assert trace.frames[-1].value == "2"
    assert "def count_letter(text, letter): # << START_OF_TRACE" in trace.source


def test_script_arguments_and_same_trace_twice(script):
    path = script("import sys\nwords = set(sys.argv[1:])\nn = len(words)\n")
    # options may follow SCRIPT; after "--" everything is the script's, "--json" included
    runs = [cli(str(path), "alpha", "beta", "--", "gamma", "--json") for _ in range(2)]
    assert runs[0].returncode == 0
    words = tf.parse_trace(runs[0].stdout.rstrip("\n")).frames[-2].locals["words"]
    assert sorted(eval(words)) == ["--json", "alpha", "beta", "gamma"]
    # a set of strings prints in hash order: the same in every run (PYTHONHASHSEED=0)
    assert runs[0].stdout == runs[1].stdout


def test_crash_prints_trace_then_error_line(script):
    r = cli(str(script("def f(x):\n    return 1 / x\n\nf(0)\n")))
    assert r.returncode == 1
    assert one_clean_line(r.stderr) == "ZeroDivisionError: division by zero"
    trace = tf.parse_trace(r.stdout.rstrip("\n"))
    assert [f.event.value for f in trace.frames[-2:]] == ["exception", "return"]


def test_infinite_loop_stops_at_the_limit(script):
    r = cli("--max-frames", "100", str(script("x = 0\nwhile True:\n    x += 1\n")))
    assert r.returncode == 1 and one_clean_line(r.stderr) == "stopped: more than 100 frames"
    assert len(tf.parse_trace(r.stdout.rstrip("\n")).frames) == 100


def test_infinite_loop_stops_at_the_timeout(script):
    r = cli("--timeout", "0.5", "--max-frames", "100000000", str(script("while True:\n    pass\n")))
    assert r.returncode == 1 and one_clean_line(r.stderr) == "stopped: time limit of 0.5 s"


def test_max_repr(script):
    r = cli("--max-repr", "10", str(script("s = 'x' * 50\nt = s\n")))
    assert "'xxxxxxxxx...<+42 chars>" in r.stdout


@pytest.mark.parametrize("case, expected", [
    ("missing", "does not exist"),
    ("directory", "is a directory"),
    ("binary", "is a binary file"),
    ("syntax", "SyntaxError: "),
    ("no_entry", "no top-level function named 'nope'"),
    ("bad_args", "the arguments are not a Python expression list"),
    ("bad_flag", "neural-pdb trace: error:"),
])
def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path, case, expected):
    good = tmp_path / "good.py"
    good.write_text("def f(x):\n    return x\n")
    if case == "missing":
        args = [str(tmp_path / "nope.py")]
    elif case == "directory":
        args = [str(tmp_path)]
    elif case == "binary":
        (tmp_path / "b.py").write_bytes(b"\x7fELF\x00\x01\x02")
        args = [str(tmp_path / "b.py")]
    elif case == "syntax":
        (tmp_path / "s.py").write_text("x = 1\ndef f(:\n    pass\n")
        args = [str(tmp_path / "s.py")]
    elif case == "no_entry":
        args = [str(good), "--entry", "nope"]
    elif case == "bad_args":
        args = [str(good), "--entry", "f", "--args", "1,,"]
    else:
        args = ["--max-frames", "many", str(good)]
    r = cli(*args)
    assert r.returncode != 0 and r.stdout == ""
    line = one_clean_line(r.stderr)
    assert expected in line
    if case == "syntax":
        assert "s.py, line 2" in line
