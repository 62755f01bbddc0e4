"""Constrained decoding of a frame's source line: a random model, which on its own writes
garbage, can only write lines of the program after ``<|action_sep|>``."""

from __future__ import annotations

import math

import torch

from neural_pdb.model.constraint import SourceLineConstraint
from neural_pdb.model.generator import SamplingParams
from neural_pdb.model.local import LocalGenerator
from neural_pdb.model.session import PredictionConfig, TraceSession
from trace_format import Segment, prompt_segments, tokens

SOURCE = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n\nf([1, 2])\n"


def test_the_tree_allows_exactly_the_programs_lines(tiny_loaded):
    vocab = tiny_loaded.vocab
    c = SourceLineConstraint(vocab, SOURCE).at(1)              # inside f (its def is line 1)
    line_sep, action = vocab.id(tokens.LINE_SEP), vocab.id(tokens.ACTION_SEP)
    assert c.allowed([line_sep]) is None                       # the locals are free
    # f's body lines start with their indentation; f's own head stays allowed, as the
    # locator allows it (a class body's first line event stands on its `class` line)
    assert c.allowed([line_sep, action]) == {vocab.encode_text(ch)[0] for ch in " d"}
    # the module's lines are not f's: a line frame of f cannot stand on `f([1, 2])`
    assert c.allowed([line_sep, action] + vocab.encode_text("f")) is None or \
        vocab.encode_text("f")[0] not in c.allowed([line_sep, action])
    module = SourceLineConstraint(vocab, SOURCE).at(0)
    assert module.allowed([line_sep, action]) == {vocab.encode_text(ch)[0] for ch in "df"}
    # a call frame may stand on any line (a def, a resumed generator's line)
    call = vocab.id(tokens.CALL_SEP)
    assert module.allowed([call, action]) == {vocab.encode_text(ch)[0] for ch in "df "}
    done = [line_sep, action] + vocab.encode_text("    total = 0")
    assert c.allowed(done) == {vocab.id(tokens.FRAME_SEP)}      # a line frame ends after its line
    returning = [vocab.id(tokens.RETURN_SEP), action] + vocab.encode_text("    return total")
    assert c.allowed(returning) == {vocab.id(tokens.ARG_SEP)}    # a return frame goes on to its value
    # after four spaces (one byte a token here): "total = 0", "for ...", "return ...", or
    # four more spaces of "        total += x"
    after_indent = c.allowed([line_sep, action] + vocab.encode_text("    "))
    assert after_indent == {vocab.encode_text(ch)[0] for ch in "tfr "}
    # after the line, a return value is free again
    assert c.allowed(returning + [vocab.id(tokens.ARG_SEP)] + vocab.encode_text('"3')) is None


def test_a_random_model_writes_a_program_line_and_keeps_its_own_probabilities(tiny_loaded):
    vocab, model = tiny_loaded.vocab, tiny_loaded.model
    prompt = vocab.encode_segments(prompt_segments(SOURCE))
    forced = [vocab.id(tokens.LINE_SEP)] + vocab.encode_text('{"xs": "[1, 2]"}') + [vocab.id(tokens.ACTION_SEP)]
    constraint = SourceLineConstraint(vocab, SOURCE).at(1)
    lines = set(SOURCE.splitlines()[0:5])                        # f's lines
    free = LocalGenerator(model).generate(prompt, max_new_tokens=40, stop_ids=vocab.frame_stop_ids,
                                          forced_ids=forced)
    assert vocab.decode_text(free.token_ids[:-1]) not in lines          # garbage on its own
    for seed in range(3):
        gen = LocalGenerator(model)
        out = gen.generate(prompt, max_new_tokens=40, stop_ids=vocab.frame_stop_ids, forced_ids=forced,
                           sampling=SamplingParams(temperature=1.0 if seed else 0.0, top_p=1.0, seed=seed),
                           constraint=constraint)
        assert out.stop_id == vocab.id(tokens.FRAME_SEP)
        assert vocab.decode_text(out.token_ids[:-1]) in lines
        # the reported log-prob is the model's unconstrained one (a forced choice is not certain)
        with torch.no_grad():
            logits = model(torch.tensor([prompt + forced])).logits[0, -1].float()
        expected = float(torch.log_softmax(logits, -1)[out.token_ids[0]])
        assert math.isclose(out.logprobs[0], expected, rel_tol=1e-4, abs_tol=1e-4)
        assert out.logprobs[0] < math.log(0.5)


def test_a_session_passes_the_constraint_only_to_generators_that_take_it(tiny_loaded):
    vocab = tiny_loaded.vocab
    on = TraceSession(LocalGenerator(tiny_loaded.model), vocab, SOURCE)
    off = TraceSession(LocalGenerator(tiny_loaded.model), vocab, SOURCE, PredictionConfig(constrain_lines=False))

    class Plain:                                               # a generator without the keyword
        def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None):
            raise AssertionError("not called")

    assert on._line_constraint is not None and off._line_constraint is None
    assert TraceSession(Plain(), vocab, SOURCE)._line_constraint is None


FIRST = '''"""A docstring: the script's first line event."""


class Box:
    def __init__(self, v):
        """Not code: the first line event is the next statement."""
        self.v = v


def gen(n):
    for i in range(n):
        yield i * 2


def f(xs):
    total = sum(gen(len(xs)))
    return Box(total).v


print(f([1, 2, 3]), [x for x in range(2)])
'''


def test_the_line_after_a_call_is_the_first_statement_where_the_structure_knows_it(tmp_path, tiny_loaded):
    from trace_format import Event, FrameLocator
    from neural_pdb.tracer import trace_script

    path = tmp_path / "first.py"
    path.write_text(FIRST)
    frames = trace_script(str(path), capture_output=True).trace.frames
    locator, prev, known = FrameLocator.for_source(FIRST), None, 0
    for k, frame in enumerate(frames):
        if prev is not None and prev.event is Event.CALL and frame.event is Event.LINE:
            first = locator.structure.first_line_after_call(prev.lineno, locator.scope, k == 1)
            assert first in (None, frame.lineno), (prev, frame)
            known += first is not None
        locator.locate_and_advance(frame)
        prev = frame
    assert known >= 4            # the script, __init__, gen's first call, f (not: resumed gen, listcomp)

    vocab = tiny_loaded.vocab
    c = SourceLineConstraint(vocab, FIRST).at(0, first_line=1)
    line = [vocab.id(tokens.LINE_SEP), vocab.id(tokens.ACTION_SEP)]
    assert c.allowed(line) == {vocab.encode_text('"')[0]}          # only the docstring line
    call = [vocab.id(tokens.CALL_SEP), vocab.id(tokens.ACTION_SEP)]
    assert len(c.allowed(call)) > 1                                   # a call may stand anywhere


def test_a_line_frame_follows_the_flow_and_a_return_stands_on_the_current_line(tiny_loaded):
    vocab = tiny_loaded.vocab
    line = [vocab.id(tokens.LINE_SEP), vocab.id(tokens.ACTION_SEP)] + vocab.encode_text("    ")
    after_total = SourceLineConstraint(vocab, SOURCE).at(1, current=2)       # after `total = 0`: the loop
    assert after_total.allowed(line) == {vocab.encode_text("f")[0]}
    after_body = SourceLineConstraint(vocab, SOURCE).at(1, current=4)        # after `total += x`: the header
    assert after_body.allowed(line) == {vocab.encode_text("f")[0]}
    header = SourceLineConstraint(vocab, SOURCE).at(1, current=3)            # the body or the return
    assert header.allowed(line) == {vocab.encode_text(ch)[0] for ch in " r"}
    # a line with a comprehension can follow itself (3.11 runs it as a scope of its own)
    comp = SourceLineConstraint(vocab, "ys = [y for y in range(3)]\nprint(ys)\n").at(0, current=1)
    assert comp.allowed(line[:2]) == {vocab.encode_text(ch)[0] for ch in "yp"}
    ret = [vocab.id(tokens.RETURN_SEP), vocab.id(tokens.ACTION_SEP)]
    assert SourceLineConstraint(vocab, SOURCE).at(1, current=5).allowed(ret) == {vocab.encode_text(" ")[0]}
    assert SourceLineConstraint(vocab, SOURCE).at(1, current=5).allowed(ret + vocab.encode_text("    ")) == \
        {vocab.encode_text("r")[0]}


def test_declarations_are_not_a_functions_first_line(tmp_path):
    from trace_format import Event, ProgramStructure
    from neural_pdb.tracer import trace_call

    source = "g = 0\n\ndef f(x):\n    global g\n    g = x\n    return g\n"
    trace = trace_call(source, "f", "3").trace
    structure = ProgramStructure(trace.source)
    call, first = trace.frames[0], trace.frames[1]
    assert call.event is Event.CALL and first.lineno == 5
    assert structure.first_line_after_call(call.lineno, structure.head_of[call.lineno], True) == 5


def test_after_a_class_or_def_line_each_scope_goes_its_own_way(tiny_loaded):
    """A ``class`` line stands in two scopes: in the module the next statement follows it,
    in the class body (whose first event is on that line) the body's first statement.
    Checked against the real trace of the same program: every line frame is allowed."""
    from neural_pdb.model.session import position_after
    from neural_pdb.tracer import trace_script
    from neural_pdb.program import Program
    from trace_format import Event, FrameLocator

    source = "class A:\n    k = 1\n\n    def m(self):\n        return 2\n\n\nx = A().m()\n"
    vocab = tiny_loaded.vocab
    lines = SourceLineConstraint(vocab, source)
    structure = lines.structure
    body = structure.head_of[1]
    assert structure.lines_after(1, 0) == {8} and structure.lines_after(1, body) == {2}
    assert structure.lines_after(4, body) == set()          # the class body ends after `def m`
    line = [vocab.id(tokens.LINE_SEP), vocab.id(tokens.ACTION_SEP)]
    assert lines.at(0, current=1).allowed(line) == {vocab.encode_text("x")[0]}
    assert lines.at(body, current=1).allowed(line) == {vocab.encode_text(" ")[0]}
    trace = trace_script(Program("<prog>", source)).trace
    locator, prev = FrameLocator.for_source(trace.source), None
    for k, frame in enumerate(trace.frames):
        first, current = position_after(locator, prev, k == 1)
        if frame.event is Event.LINE and first is None and current is not None:
            allowed = structure.lines_after(current, locator.scope)
            assert not allowed or frame.lineno in allowed, (frame, current, locator.scope)
        locator.locate_and_advance(frame)
        prev = frame
