"""rstep / rnext / rreturn / inputs in the debugger, over a scripted action-trained model."""

from __future__ import annotations

import bdb
import io

from neural_pdb.backends.model import ModelBackend
from neural_pdb.inverse.commands import InverseCommands
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader
from neural_pdb.tracer import trace_script
from neural_pdb.program import Program
from tests.inverse.action_oracle import CombinedOracle, action_vocab
from trace_format.actions import Action

SCRIPT = """def g(x):
    y = x * 2
    return y + 1

def f(a):
    b = g(a)
    return b

print(f(3))
"""


class InverseDebugger(InverseCommands, Debugger):
    pass


def run_session(tmp_path, commands: list[str], actions=tuple(Action)) -> str:
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    trace = trace_script(Program(str(path), SCRIPT)).trace
    vocab = action_vocab()
    oracle = CombinedOracle(trace, vocab, actions)
    backend = ModelBackend(str(path), trace.source, oracle, vocab)
    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands + ["q"]) + "\n"), out)
    try:
        InverseDebugger(backend, stdout=out, reader=reader, readrc=False).run_session()
    finally:
        bdb.Breakpoint.clearBreakpoints()  # bdb keeps breakpoints in a class-level registry
    return out.getvalue()


def test_inverse_commands_read_the_history(tmp_path):
    out = run_session(tmp_path, ["b 3", "c", "rstep", "rstep", "rnext", "rreturn"])
    blocks = out.split("<-- ")
    assert blocks[1].startswith("rstep: frame") and "-> y = x * 2" in blocks[1] and "x = 3" in blocks[1]
    assert "-> def g(x):" in blocks[2]                     # rstep again: g's call frame
    assert "-> b = g(a)" in blocks[3] and "a = 3" in blocks[3]  # rnext from a call: the caller's line
    assert "-> def f(a):" in blocks[4] and "a = 3" in blocks[4]  # rreturn: f's call frame


def test_inverse_commands_predict_with_an_inverse_model(tmp_path):
    out = run_session(tmp_path, ["b 3", "c", "rstep predict", "rstep", "rnext", "rreturn", "rreturn"])
    blocks = out.split("<-- ")
    assert blocks[1].startswith("rstep: predicted earlier state (step_back_into")
    assert "-> y = x * 2" in blocks[1] and "(2)g()" in blocks[1]
    assert "-> def g(x):" in blocks[2] and "x = 3" in blocks[2]
    assert "-> b = g(a)" in blocks[3] and "(6)f()" in blocks[3]
    assert blocks[4].startswith("rreturn: predicted") and "-> def f(a):" in blocks[4] and "a = 3" in blocks[4]
    # from a call frame there is no call frame of its own scope to go back to
    assert "*** rreturn: no valid frame for back_to_call" in blocks[4]


def test_without_inverse_actions_a_prediction_is_refused(tmp_path):
    out = run_session(tmp_path, ["b 3", "c", "rstep predict", "p y"], actions=(Action.STEP_OVER,))
    assert "*** rstep: the earlier state is not in this session's history" in out
    assert "(npdb) 6\n" in out  # the session goes on


def test_inputs_proposes_and_checks_arguments(tmp_path):
    # the scripted model's sampled call of g is the real one (x=3): checked for real
    out = run_session(tmp_path, ["b 3", "c", "inputs 2 real", "inputs 2", "inputs x"])
    assert "Inputs of g() leading to line 3: 1 of 1 candidates reach this state" in out
    assert "  1. g(3)  score 1.00 reached" in out
    assert "checked by running it for real" in out and "checked by forward prediction" in out
    assert "*** inputs: unknown argument 'x'" in out
