"""`neural-pdb eval` end to end, through the real command line."""

import json
import os
import subprocess
import sys

from .conftest import CRASH, PROGRAMS, write_jsonl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def neural_pdb(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "neural_pdb", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def test_eval_real_backend_writes_report_summary_and_plots(tmp_path):
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS[:3] + [CRASH])
    report_path = tmp_path / "out" / "r.json"
    proc = neural_pdb("eval", data, "--backend", "real", "--report", str(report_path), "--timeout", "3",
                      "--min-accuracy", "1.0")
    assert proc.returncode == 0, proc.stderr
    assert "accuracy 1.0000 (n=3 scored of 4" in proc.stdout
    report = json.loads(report_path.read_text())
    assert report["accuracy"] == 1.0 and report["n"] == 3
    summary = (tmp_path / "out" / "r.md").read_text()
    assert "**accuracy: 100.0%**" in summary and "| crash | raised |" in summary
    for name in ("r_by_length.png", "r_by_kind.png", "r_divergence.png"):
        assert (tmp_path / "out" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_trace_task_prints_the_summary_without_report(tmp_path):
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS[:2])
    proc = neural_pdb("eval", data, "--backend", "real", "--task", "trace", "--mode", "rollout", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "| frame exact match | 100.0% |" in proc.stdout
    assert "trace [real]: accuracy 1.0000 (n=2" in proc.stdout


def test_eval_bad_input_is_one_line_without_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[1, 2]\n")
    for args, message in ((["missing.jsonl"], "does not exist"), ([str(bad)], "expected a JSON object"),
                          ([str(tmp_path)], "is a directory"),
                          ([write_jsonl(tmp_path / "ok.jsonl", PROGRAMS[:1]), "--task", "nope"], "unknown task"),
                          ([str(bad), "--limit", "0"], "--limit must be at least 1")):
        proc = neural_pdb("eval", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_min_accuracy_fails_the_run_when_missed(tmp_path):
    row = dict(PROGRAMS[0], output="4")  # the dataset's expectation is wrong: real scores 0
    proc = neural_pdb("eval", write_jsonl(tmp_path / "p.jsonl", [row]), "--backend", "real", "--min-accuracy", "1.0",
                      "--quiet")
    assert proc.returncode == 1 and "accuracy 0.0000" in proc.stdout
