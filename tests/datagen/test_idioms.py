"""Everyday loop idioms: valid, terminating programs drawn without touching the program
stream, and never one of the simple-loop benchmark's programs (under any names)."""

import random

from neural_pdb.datagen.dataset import DataConfig, _programs, evaluation_index
from neural_pdb.datagen.dedup import CruxEvalIndex
from neural_pdb.datagen.idioms import idiom_program
from neural_pdb.datagen.programs import GeneratedProgram, generate_program
from neural_pdb.evaluation.simple_loops import PROGRAMS as SIMPLE_LOOPS
from neural_pdb.program import Program
from neural_pdb.tracer import TraceLimits, trace_call, trace_script

LIMITS = TraceLimits(max_frames=3000, max_seconds=5.0)
BENCHMARK = CruxEvalIndex.of_sources(source for source, _ in SIMPLE_LOOPS.values())


def test_idioms_draw_nothing_from_the_program_stream_and_replace_the_given_share():
    plain, with_idioms = random.Random(3), random.Random(3)
    replaced = 0
    for _ in range(300):
        a = generate_program(plain, 0.3)
        b = generate_program(with_idioms, 0.3, idiom_fraction=0.3)
        assert plain.getstate() == with_idioms.getstate()
        replaced += a.source != b.source
    assert 60 <= replaced <= 120


def test_idiom_programs_run_to_the_end_deterministically_as_calls_and_scripts():
    rng = random.Random(8)
    programs = [GeneratedProgram(*idiom_program(rng)) for _ in range(120)]
    assert {p.kind for p in programs} == {"call", "script"}
    text = "\n".join(p.source for p in programs)
    for part in ("for i in range(", "while ", ".append(", "enumerate(", "+= 1", "return -1", "print("):
        assert part in text, part
    for p in programs:
        if p.kind == "call":
            runs = [trace_call(p.source, p.entry, p.args, limits=LIMITS) for _ in range(2)]
        else:
            runs = [trace_script(Program("/tmp/npdb_test/idiom.py", p.source), limits=LIMITS, capture_output=True)
                    for _ in range(2)]
        assert not runs[0].stopped and runs[0].trace.frames, p.source
        assert runs[0].trace.to_json() == runs[1].trace.to_json()


def test_the_simple_loop_benchmark_never_reaches_generated_data():
    # the idioms do write the benchmark's programs (under other names): the filter is needed
    rng = random.Random(0)
    drawn = [GeneratedProgram(*idiom_program(rng)) for _ in range(4000)]
    assert any(BENCHMARK.overlaps(p.source) for p in drawn if p.kind == "call")
    cfg = DataConfig(seed=0, idiom_fraction=1.0, cruxeval=None)
    written = [p for _, (_, p, _) in zip(range(4000), _programs(cfg, evaluation_index(None), set()))]
    assert not any(BENCHMARK.overlaps(p.source) for p in written)
    assert sum(p.kind == "call" for p in written) > 2000


def test_the_datasets_of_before_the_benchmark_can_be_written_again():
    loop = SIMPLE_LOOPS["sum range(n)"][0]
    assert evaluation_index(None).overlaps(loop.replace("total", "acc"))
    assert not evaluation_index(None, simple_loops=False).overlaps(loop)
