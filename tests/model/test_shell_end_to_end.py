"""The shell end to end on the model backend.

- With a scripted generator that replies with the real tracer's frames, a predicted
  session gives pdb's answers stop by stop: the same transcript as ``neural-pdb
  --backend real`` on the same commands (only the "predicted" markers differ).
- With a tiny random model loaded from disk by ``--model PATH``, every reply is garbage:
  the session shows the error and the raw text, and no traceback reaches the user.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

from neural_pdb.backends.model import ModelBackend
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import ListReader
from neural_pdb.tracer import trace_script
from tests.model.scripted import OracleGenerator

PROGRAM = textwrap.dedent('''\
    def add(a, b):
        c = a + b
        return c


    def count(s, ch):
        n = 0
        for x in s:
            if x == ch:
                n = add(n, 1)
        return n


    total = count("abca", "a")
    print(total)
''')

COMMANDS = ["n", "n", "s", "s", "n", "p s, ch", "b 10", "c", "w", "p n", "c", "r", "p n", "args", "n", "p total",
            "q"]


def test_predicted_session_matches_the_real_one_stop_by_stop(tmp_path, tiny_loaded):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    trace = trace_script(str(path), capture_output=True).trace
    out = io.StringIO()
    backend = ModelBackend(str(path), trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab)
    Debugger(backend, stdout=out, reader=ListReader(list(COMMANDS)), readrc=False).run_session()
    predicted = [line for line in out.getvalue().splitlines() if not line.startswith("--Predicted")]

    real = subprocess.run([sys.executable, "-m", "neural_pdb", "--backend", "real", str(path)],
                          input="\n".join(COMMANDS) + "\n", capture_output=True, text=True, timeout=60)
    assert real.returncode == 0, real.stderr
    expected = [line.replace("(Pdb) ", "") for line in real.stdout.splitlines()]
    expected = [line for line in expected if line]
    assert predicted == expected
    assert sum(line.startswith("> ") for line in predicted) >= 8   # the session really stepped


def test_tiny_random_model_from_disk_never_crashes_the_shell(tmp_path, tiny_cwm_dir):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    run = subprocess.run([sys.executable, "-m", "neural_pdb", "--backend", "model", "--model", str(tiny_cwm_dir),
                          "--device", "cpu", "--max-frame-tokens", "12", str(path)],
                         input="n\nn\nq\n", capture_output=True, text=True, timeout=120)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.returncode == 0
    assert "*** backend error: the model's reply is not a valid frame after 4 samples" in run.stdout
    assert "raw model output: '" in run.stdout


def test_missing_model_is_one_line(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    run = subprocess.run([sys.executable, "-m", "neural_pdb", "--backend", "model", "--model",
                          str(tmp_path / "no-model"), str(path)], input="q\n", capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0
    assert run.stderr.strip().splitlines() == [f"neural-pdb: model path not found: {tmp_path / 'no-model'}"]


def test_a_trained_checkpoint_on_disk_is_debugged_with_model_path(tmp_path):
    """A tiny model trained in the test until it knows one program's trace by heart
    (``tests/serve/memorized.py``): ``neural-pdb --model PATH`` then answers every
    command as pdb does on the real program, stop by stop."""
    from tests.serve.memorized import save_memorized_model

    script = tmp_path / "prog.py"
    model_dir = save_memorized_model(tmp_path / "model", script)
    commands = "\n".join(["s", "s", "s", "p a", "s", "p a, b", "s", "s", "s", "p x", "w", "s", "s", "p b", "q"]) + "\n"

    def run(*backend):
        out = subprocess.run([sys.executable, "-m", "neural_pdb", *backend, str(script)], input=commands,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        return out.stdout

    predicted = run("--backend", "model", "--model", str(model_dir), "--device", "cpu")
    real = run("--backend", "real")
    strip = lambda text, prompt: [l for l in text.replace(prompt, "").splitlines()  # noqa: E731
                                  if l and not l.startswith("--Predicted")]
    assert strip(predicted, "(npdb) ") == strip(real, "(Pdb) ")
    assert predicted.count("--Predicted") >= 8


def test_failed_first_prediction_keeps_the_session_for_restart_or_quit(tmp_path, tiny_loaded):
    from tests.model.scripted import GarbageGenerator
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    vocab = tiny_loaded.vocab
    garbage = GarbageGenerator(vocab, vocab.encode_text("not a frame"))
    backend = ModelBackend(str(path), PROGRAM, garbage, vocab)
    out = io.StringIO()
    Debugger(backend, stdout=out, reader=ListReader(["p 1", "restart", "quit"]), readrc=False).run_session()
    text = out.getvalue()
    assert text.count("*** backend error:") == 2          # the start, then the restart's retry
    assert "*** no stop yet: the first prediction failed" in text  # 'p 1' has nothing to stand on
    calls_after_first_try = garbage.calls
    assert calls_after_first_try >= 2
