"""Golden traces: small programs in ``golden/*.py`` and their CWM text in
``golden/*.trace``, checked in. The test re-traces each program and compares.

Regenerate (after a deliberate change of the format or the tracer, and review the diff):

    python tests/tracer/test_golden_traces.py --update
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = GOLDEN.parents[2]


def current_text(program: Path) -> str:
    from neural_pdb.tracer import trace_script
    from trace_format import encode_trace

    result = trace_script(str(program), capture_output=True)
    return encode_trace(result.trace) + "\n"


PROGRAMS = sorted(GOLDEN.glob("*.py"))


def test_there_are_golden_programs():
    assert len(PROGRAMS) >= 4
    assert all(p.with_suffix(".trace").exists() for p in PROGRAMS)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_trace_matches_golden(program):
    expected = program.with_suffix(".trace").read_text(encoding="utf-8")
    assert current_text(program) == expected


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_golden_parses_back_with_line_numbers(program):
    import trace_format as tf
    from neural_pdb.tracer import trace_script

    text = program.with_suffix(".trace").read_text(encoding="utf-8").rstrip("\n")
    real = trace_script(str(program), capture_output=True).trace
    if any(token in real.source for token in tf.tokens.TRACE_TOKENS):
        # token strings typed in the program: only segments keep them apart from tokens
        assert tf.join_segments(tf.trace_segments(real)) == text
        parsed = tf.parse_trace(tf.trace_segments(real))
    else:
        parsed = tf.parse_trace(text)
    located = tf.locate_frames(parsed.source, parsed.frames)
    assert [(f.lineno, f.depth) for f in located] == [(f.lineno, f.depth) for f in real.frames]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/tracer/test_golden_traces.py --update")
    for program in PROGRAMS:
        program.with_suffix(".trace").write_text(current_text(program), encoding="utf-8")
        print(f"wrote {program.with_suffix('.trace').relative_to(ROOT)}")
