"""run_traced_subprocess: same traces as in-process, and a caller that survives anything."""

from __future__ import annotations

import time

import pytest

from neural_pdb.program import ProgramError
from neural_pdb.tracer import TraceLimits, run_traced_subprocess, trace_call, trace_script

from traced_programs import PROGRAMS


def test_call_in_child_equals_in_process():
    # (no set of strings: their order depends on this process's hash seed)
    src = PROGRAMS["early_return"].split("\n\n")[0] + "\n"
    here = trace_call(src, "find", "[4, 5, 6], 6")
    there = run_traced_subprocess(source=src, entry="find", args="[4, 5, 6], 6")
    assert there == here and there.error is None


def test_script_in_child_equals_in_process(tmp_path):
    path = tmp_path / "letters.py"
    path.write_text(PROGRAMS["letters"])
    here = trace_script(str(path), capture_output=True)
    there = run_traced_subprocess(script=str(path))
    assert there.trace == here.trace and there.stdout == "3\n" == here.stdout


def test_child_sets_hash_seed_zero():
    r = run_traced_subprocess(source="import os\ndef f():\n    return os.environ.get('PYTHONHASHSEED')\n",
                              entry="f")
    assert r.trace.frames[-1].value == "'0'"


def test_swallowed_stop_is_killed_at_wall_clock_timeout():
    # A bare except swallows the in-process stop; only the kill can end this.
    src = "def f():\n    while True:\n        try:\n            while True:\n                pass\n        except:\n            pass\n"
    start = time.monotonic()
    r = run_traced_subprocess(source=src, entry="f", limits=TraceLimits(max_seconds=0.5), timeout=3)
    assert r.error == "stopped: wall-clock timeout of 3 s"
    assert r.trace.frames == () and "START_OF_TRACE" in r.trace.source
    assert time.monotonic() - start < 10


def test_memory_hog_crashes_the_child_only():
    src = "def f():\n    blocks = []\n    while True:\n        blocks.append(bytearray(50_000_000))\n"
    r = run_traced_subprocess(source=src, entry="f", memory_limit_mb=300, limits=TraceLimits(max_seconds=20))
    # the program sees MemoryError (its trace ends with it), or the tracer does while
    # rendering a value, or the child dies of it: never this process
    assert r.error is not None
    assert r.error.startswith(("MemoryError", "stopped: tracer failed: MemoryError",
                               "crashed: out of memory")), r.error


def test_limits_apply_in_child():
    r = run_traced_subprocess(source="def f():\n    while True:\n        pass\n", entry="f",
                              limits=TraceLimits(max_frames=30))
    assert r.error == "stopped: more than 30 frames" and len(r.trace.frames) == 30


def test_program_writing_to_fd1_cannot_corrupt_the_reply():
    src = "import os\ndef f():\n    os.write(1, b'{not json')\n    print('printed')\n    return 1\n"
    r = run_traced_subprocess(source=src, entry="f")
    assert r.error is None and r.trace.frames[-1].value == "1" and r.stdout == "printed\n"


def test_bad_input_raises_before_any_child(tmp_path):
    with pytest.raises(ProgramError, match="does not exist"):
        run_traced_subprocess(script=str(tmp_path / "missing.py"))
    with pytest.raises(ProgramError, match="no top-level function"):
        run_traced_subprocess(source="x = 1\n", entry="f")
