"""`neural-pdb SCRIPT` through the real command line: bad input gives one clean line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(args: list[str], cwd: Path, stdin: str = "q\n") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(cwd))
    return subprocess.run([sys.executable, "-m", "neural_pdb", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, cwd=cwd, env=env)


@pytest.mark.parametrize("make, expected", [
    (lambda d: str(d / "missing.py"), "does not exist"),
    (lambda d: str(d), "is a directory"),
    (lambda d: (d / "bin.py").write_bytes(b"\x00\x01\x02") and str(d / "bin.py"), "binary"),
    (lambda d: (d / "bad.py").write_text("def f(:\n    pass\n") and str(d / "bad.py"), "SyntaxError"),
])
def test_bad_scripts_give_one_line_and_a_nonzero_exit(tmp_path, make, expected):
    proc = run(["--backend", "real", make(tmp_path)], tmp_path)
    assert proc.returncode != 0
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr + proc.stdout


def test_no_script_is_a_usage_error(tmp_path):
    proc = run([], tmp_path)
    assert proc.returncode == 2 and "SCRIPT" in proc.stderr and "Traceback" not in proc.stderr


def test_program_arguments_and_module_mode(tmp_path):
    (tmp_path / "show.py").write_text("import sys\nargs = sys.argv[1:]\nprint(args)\n")
    proc = run(["show.py", "one", "--two"], tmp_path, "n\nn\np args\nq\n")
    assert "['one', '--two']" in proc.stdout
    proc = run(["-m", "show", "x"], tmp_path, "n\nn\np args\nq\n")
    assert "['x']" in proc.stdout
    assert proc.returncode == 0


def test_the_program_output_and_eof_quit(tmp_path):
    (tmp_path / "hello.py").write_text("print('hello')\n")
    proc = run(["hello.py"], tmp_path, "c\n")
    assert proc.stdout.endswith("hello\nThe program finished and will be restarted\n"
                                f"> {tmp_path.resolve()}/hello.py(1)<module>()\n-> print('hello')\n(Pdb) \n")
    assert proc.returncode == 0
