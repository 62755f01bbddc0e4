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
    proc = run(["--backend", "real", "show.py", "one", "--two"], tmp_path, "n\nn\np args\nq\n")
    assert "['one', '--two']" in proc.stdout
    proc = run(["--backend", "real", "-m", "show", "x"], tmp_path, "n\nn\np args\nq\n")
    assert "['x']" in proc.stdout
    assert proc.returncode == 0


def test_the_program_output_and_eof_quit(tmp_path):
    (tmp_path / "hello.py").write_text("print('hello')\n")
    proc = run(["--backend", "real", "hello.py"], tmp_path, "c\n")
    assert proc.stdout.endswith("hello\nThe program finished and will be restarted\n"
                                f"> {tmp_path.resolve()}/hello.py(1)<module>()\n-> print('hello')\n(Pdb) \n")
    assert proc.returncode == 0


def _read_until(proc, marker: str, timeout: float) -> str:
    """What the process printed until ``marker`` (read byte by byte, so nothing after it
    is taken from a later ``communicate``)."""
    import select
    import time
    fd, got, end = proc.stdout.fileno(), b"", time.monotonic() + timeout
    while not got.decode(errors="replace").endswith(marker):
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {marker!r} within {timeout} s: {got!r}")
        chunk = os.read(fd, 1)
        if not chunk:
            raise AssertionError(f"the process ended before {marker!r}: {got!r}")
        got += chunk
    return got.decode()


def test_ctrl_c_during_continue_stops_the_program_and_keeps_the_session(tmp_path):
    import signal
    import time
    (tmp_path / "spin.py").write_text("i = 0\nwhile True:\n    i += 1\n")
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "neural_pdb", "--backend", "real", "spin.py"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    try:
        first = _read_until(proc, "(Pdb) ", timeout=60)   # started (slow on a loaded machine)
        proc.stdin.write("c\n")
        proc.stdin.flush()
        time.sleep(1.5)          # the program is spinning under `continue`
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        out, err = proc.communicate("p i > 0\nq\n", timeout=30)
        out = first + out
    finally:
        proc.kill()
    assert "\nProgram interrupted. (Use 'cont' to resume).\n> " in out
    assert "(Pdb) True\n" in out
    assert "Traceback" not in err
    assert proc.returncode == 0


def test_the_default_backend_is_the_embedded_model(tmp_path):
    """`neural-pdb SCRIPT` predicts with the shipped default model, offline; it never runs
    the program (its print never appears)."""
    (tmp_path / "prog.py").write_text("x = 2\ny = x * 3\nprint('ran for real', y)\n")
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(tmp_path), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "neural_pdb", "prog.py"], input="n\nn\nn\nq\n",
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "(npdb) " in proc.stdout and "--Predicted" in proc.stdout
    assert "ran for real 6" not in proc.stdout        # the source line is shown; its output never
