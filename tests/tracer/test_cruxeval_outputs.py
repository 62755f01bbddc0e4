"""Every CruxEval dev program, traced for real, returns the expected output.

The evaluation set is only *checked* here (the tracer must agree with Python on it);
nothing is tuned to it. In-process ``trace_call``: the whole set takes about a second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import trace_format as tf
from neural_pdb.tracer import trace_call

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "cruxeval-dev.jsonl"


def load_rows() -> list[dict]:
    with open(DATA, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not on this machine")
def test_every_program_returns_its_expected_output():
    rows = load_rows()
    assert len(rows) > 300
    failures = []
    for row in rows:
        result = trace_call(row["code"], "f", row["input"])
        frames = result.trace.frames
        last = frames[-1] if frames else None
        ok = (result.error is None and result.trace.finished and last is not None
              and last.event is tf.Event.RETURN and last.depth == 0 and frames[0].function == "f")
        # reprs of expected and returned values, compared as values (e.g. 1.0 vs 1.00)
        if not ok or eval(last.value) != eval(row["output"]):
            failures.append((row["id"], result.error, last.value if last else None, row["output"]))
    assert failures == [], f"{len(failures)} of {len(rows)} differ: {failures[:5]}"


@pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not on this machine")
def test_every_trace_round_trips_and_locates():
    for row in load_rows():
        trace = trace_call(row["code"], "f", row["input"]).trace
        parsed = tf.parse_trace(tf.trace_segments(trace))
        assert parsed == tf.Trace(trace.source, tuple(f.with_position(None, None, f.depth) for f in trace.frames),
                                  trace.finished), row["id"]
        located = tf.locate_frames(parsed.source, parsed.frames)
        assert [f.lineno for f in located] == [f.lineno for f in trace.frames], row["id"]


@pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not on this machine")
def test_a_few_through_the_real_cli(tmp_path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    for row in load_rows()[:3]:
        path = tmp_path / f"{row['id']}.py"
        path.write_text(row["code"])
        r = subprocess.run([sys.executable, "-m", "neural_pdb.cli", "trace", str(path), "--entry", "f",
                            "--args", row["input"]], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, PYTHONPATH=str(root)))
        assert r.returncode == 0, r.stderr
        trace = tf.parse_trace(r.stdout.rstrip("\n"))
        assert trace.finished and eval(trace.frames[-1].value) == eval(row["output"])
