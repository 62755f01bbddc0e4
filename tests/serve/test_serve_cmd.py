"""``neural-pdb serve`` as a command: one-line errors for bad flags and models, and a
graceful stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def serve(*args: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "neural_pdb", "serve", *args], capture_output=True, text=True,
                          timeout=120, env=env, **kw)


def test_bad_flags_and_missing_model_are_one_line_errors(tmp_path):
    for args, message in [
        (["--port", "70000"], "neural-pdb serve: error: --port must be in 0..65535"),
        (["--max-queue", "0"], "neural-pdb serve: error: --max-queue must be positive"),
        (["--bogus"], "neural-pdb serve: error: unrecognized arguments: --bogus"),
        (["--model", str(tmp_path / "nope")], f"neural-pdb serve: error: model path not found: {tmp_path / 'nope'}"),
    ]:
        proc = serve(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().splitlines() == [message]


def test_sigterm_finishes_and_exits_cleanly(memorized):
    model_dir, _ = memorized
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "neural_pdb", "serve", "--model", str(model_dir), "--port", "0",
                             "--device", "cpu", "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("neural-pdb serve: serving model on http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split(" on ", 1)[1].split()[0]
        body = json.dumps({"prompt": [256, 266, 100], "max_tokens": 3, "temperature": 0}).encode()
        with urllib.request.urlopen(urllib.request.Request(url + "/v1/completions", data=body), timeout=30) as r:
            assert len(json.loads(r.read())["choices"][0]["token_ids"]) == 3
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "Traceback" not in err and err.strip().endswith("neural-pdb serve: stopped")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
