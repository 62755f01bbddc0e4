"""--start LINE --locals JSON: a session that starts from a state, and inverse commands from it."""

from __future__ import annotations

import argparse
import bdb
import io

import pytest

from neural_pdb.engine.backend import BackendError
from neural_pdb.inverse.commands import InverseCommands
from neural_pdb.inverse.jump_engine import JumpEngine
from neural_pdb.inverse.jumps import ActionModelBackend
from neural_pdb.inverse.start import StartError, add_start_arguments, start_state_from_args, state_frame
from neural_pdb.program import Program
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader
from neural_pdb.tracer import trace_script
from tests.inverse.action_oracle import CombinedOracle, action_vocab
from tests.inverse.test_jumps import SCRIPT
from trace_format.actions import Action


class FullDebugger(InverseCommands, Debugger):
    pass


def run(tmp_path, commands, line=3, locals_json='{"x": 1, "y": 2}', actions=tuple(Action)):
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    trace = trace_script(Program(str(path), SCRIPT)).trace
    vocab = action_vocab()
    oracle = CombinedOracle(trace, vocab, actions)
    backend = ActionModelBackend(str(path), trace.source, oracle, vocab,
                                 start_state=state_frame(trace.source, line, locals_json))
    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands + ["q"]) + "\n"), out)
    debugger = FullDebugger(backend, stdout=out, reader=reader, readrc=False)
    debugger.engine = JumpEngine(backend, message=debugger.message)
    try:
        debugger.run_session()
    finally:
        bdb.Breakpoint.clearBreakpoints()
    return out.getvalue()


def test_a_session_from_a_state_steps_and_goes_back_by_prediction(tmp_path):
    out = run(tmp_path, ["p x, y", "rstep", "rreturn", "inputs 1 real", "n", "p __return__", "n"])
    assert out.startswith("> ") and "prog.py(3)g()\n-> return y + 1" in out
    assert "(npdb) (1, 2)" in out
    blocks = out.split("<-- ")
    assert blocks[1].startswith("rstep: predicted earlier state") and "-> y = x * 2" in blocks[1]
    assert "   x = 1" in blocks[1] and "   y =" not in blocks[1]
    assert blocks[2].startswith("rreturn: predicted") and "-> def g(x):" in blocks[2]
    assert "  1. g(1)  score 1.00 reached" in out
    assert "--Return--" in out and "(npdb) 3" in out
    assert "The program finished and will be restarted" in out


def test_starting_mid_program_needs_an_action_model(tmp_path):
    out = run(tmp_path, [], actions=())
    assert "starting mid-program (--start) needs a model trained on actions" in out


def test_start_arguments():
    parser = argparse.ArgumentParser()
    add_start_arguments(parser)
    source = "def g(x):\n    y = x * 2\n    return y + 1\n"
    frame = start_state_from_args(parser.parse_args(["--start", "3", "--locals", '{"x": 1, "s": "\'a\'"}']), source)
    assert (frame.lineno, frame.function, frame.locals) == (3, "g", {"x": "1", "s": "'a'"})
    assert start_state_from_args(parser.parse_args([]), source) is None
    for bad in (["--start", "9"], ["--start", "2", "--locals", "[1]"], ["--start", "2", "--locals", "{"],
                ["--locals", "{}"]):
        with pytest.raises(StartError):
            start_state_from_args(parser.parse_args(bad), source)
