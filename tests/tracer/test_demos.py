"""The demos run as plain scripts and trace cleanly, with lines that map back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import trace_format as tf
from neural_pdb.tracer import trace_script

DEMOS = sorted((Path(__file__).resolve().parents[2] / "demos").glob("*.py"))


def test_there_are_demos():
    assert len(DEMOS) >= 5
    for demo in DEMOS:
        assert 15 <= len(demo.read_text().splitlines()) <= 45, demo.name


@pytest.mark.parametrize("demo", DEMOS, ids=lambda p: p.stem)
def test_demo_runs_and_traces(demo):
    plain = subprocess.run([sys.executable, str(demo)], capture_output=True, text=True, timeout=60)
    assert plain.returncode == 0, plain.stderr
    result = trace_script(str(demo), capture_output=True)
    assert result.error is None and result.trace.finished
    assert result.stdout == plain.stdout  # tracing does not change what the program does
    parsed = tf.parse_trace(tf.trace_segments(result.trace))
    located = tf.locate_frames(parsed.source, parsed.frames)
    assert [f.lineno for f in located] == [f.lineno for f in result.trace.frames]
