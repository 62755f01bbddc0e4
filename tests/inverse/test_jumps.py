"""next / return / continue in one prediction each with an action model; rollouts otherwise.

The same pdb session runs on the plain engine (frame by frame) and on the jumping engine
over a scripted action-trained model that knows the real trace: pdb's output must be the
same, and the jumping session must generate fewer frames."""

from __future__ import annotations

import bdb
import io

import pytest

from neural_pdb.inverse.jump_engine import JumpEngine
from neural_pdb.inverse.jumps import JUMPABLE, ActionModelBackend
from neural_pdb.program import Program
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader
from neural_pdb.tracer import trace_script
from tests.inverse.action_oracle import CombinedOracle, action_vocab
from trace_format.actions import Action

SCRIPT = """def g(x):
    y = x * 2
    return y + 1

def f(a):
    total = 0
    for i in range(a):
        total += g(i)
    return total

print(f(3))
"""


class GarbageJumps:
    """An action model whose every target is malformed (a line not in the program)."""

    def __init__(self, vocab) -> None:
        self.vocab, self.calls = vocab, 0

    def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None, **kw):
        from neural_pdb.model.generator import Generation
        from trace_format import tokens
        self.calls += 1
        v = self.vocab
        out = [v.id(tokens.LINE_SEP)] + v.encode_text("{}") + [v.id(tokens.ACTION_SEP)] + \
            v.encode_text("    no_such_line()") + [v.id(tokens.FRAME_SEP)]
        return Generation(tuple(out), tuple(-0.1 for _ in out), out[-1])


class OverTheReturn:
    """An action model right everywhere except ``next`` (step_over): its target is a line
    of the caller ``f``, past the return of the frame ``next`` was issued in, which it
    never predicts (a mistake the default model makes)."""

    def __init__(self, right, vocab) -> None:
        self.right, self.vocab, self.calls = right, vocab, 0

    def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None, **kw):
        from neural_pdb.inverse.propose import encode_segments
        from neural_pdb.model.generator import Generation
        from trace_format import frame_segments, line_frame
        from trace_format.actions import ACTION_TOKENS
        self.calls += 1
        last = [s.text for s in self.vocab.to_segments(list(ids)) if s.special and s.text in ACTION_TOKENS[1:]][-1]
        if Action.from_token(last) is not Action.STEP_OVER:
            return self.right.generate(ids, max_new_tokens=max_new_tokens, stop_ids=stop_ids, forced_ids=forced_ids,
                                       sampling=sampling)
        out = encode_segments(self.vocab, frame_segments(line_frame("    for i in range(a):",
                                                                    {"a": "3", "total": "1", "i": "0"})))
        return Generation(tuple(out), tuple(-0.1 for _ in out), out[-1])


def session(tmp_path, commands: list[str], jumping: bool, actions=tuple(Action),
            broken_jumps: bool = False, over_the_return: bool = False,
            jump_actions=frozenset(JUMPABLE.values())) -> tuple[str, CombinedOracle, object]:
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    trace = trace_script(Program(str(path), SCRIPT)).trace
    vocab = action_vocab()
    oracle = CombinedOracle(trace, vocab, actions)
    if broken_jumps:
        oracle.jumps = GarbageJumps(vocab)
    if over_the_return:
        oracle.jumps = OverTheReturn(oracle.jumps, vocab)
    backend = ActionModelBackend(str(path), trace.source, oracle, vocab, jump_actions=jump_actions)
    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands + ["q"]) + "\n"), out)
    debugger = Debugger(backend, stdout=out, reader=reader, readrc=False)
    if jumping:
        debugger.engine = JumpEngine(backend, message=debugger.message)
        debugger.mainpyfile = debugger.engine.mainpyfile
    try:
        debugger.run_session()
    finally:
        bdb.Breakpoint.clearBreakpoints()
    return out.getvalue(), oracle, debugger.engine


COMMANDS = ["b 3", "c", "p x, y", "c", "p x", "return", "n", "n", "p total", "cl 1", "b 9", "c", "p total",
            "n", "n", "c"]


def test_jumps_answer_as_the_rollout_does(tmp_path):
    rolled, rolled_oracle, _ = session(tmp_path, COMMANDS, jumping=False)
    jumped, jumped_oracle, engine = session(tmp_path, COMMANDS, jumping=True)
    assert "(npdb) (0, 0)" in rolled and "(npdb) 1\n" in rolled and "(npdb) 4\n" in rolled and "(npdb) 9\n" in rolled
    assert jumped == rolled
    assert engine.jumps_made >= 5
    assert jumped_oracle.generated < rolled_oracle.generated


def test_where_after_a_jump_shows_the_scopes_it_knows(tmp_path):
    out, _, _ = session(tmp_path, ["b 3", "c", "where", "return", "n", "where"], jumping=True)
    first, second = [chunk for chunk in out.split("(npdb) ") if "bdb.py(600)run()" in chunk]
    # the jump into g did not see f's call: g hangs under the module ...
    assert "prog.py(3)g()" in first and "f()" not in first
    # ... until g returns into f, which is then known
    assert "prog.py(7)f()" in second


def test_continue_to_the_end_is_one_prediction(tmp_path):
    out, oracle, engine = session(tmp_path, ["b 3", "cl 1", "c"], jumping=True)
    assert "The program finished and will be restarted" in out
    assert engine.jumps_made == 1
    assert oracle.jumps.calls == 1          # one action query ...
    assert oracle.plain.calls and len(oracle.plain.calls) <= 2  # ... after the first stop's frames


def test_a_jump_with_no_valid_target_falls_back_to_stepping_frame_by_frame(tmp_path):
    rolled, _, _ = session(tmp_path, COMMANDS, jumping=False)
    fallen, oracle, engine = session(tmp_path, COMMANDS, jumping=True, broken_jumps=True)
    assert fallen == rolled                  # pdb's answers, as if the model had no actions
    assert engine.jumps_made == 0 and engine.jump_fallbacks >= 5 and oracle.jumps.calls >= 5


def test_next_stops_where_a_jump_past_the_frames_return_lands(tmp_path):
    """bdb stops `next` at the return of its frame; a jump that skipped that return lands
    in the caller, where bdb alone would never stop: the engine stops there, once."""
    out, oracle, engine = session(tmp_path, ["b 3", "c", "cl 1", "n", "p total, i", "where"], jumping=True,
                                  over_the_return=True)
    after_next = out.split("(npdb) ")[4]
    assert "> %s(7)f()\n-> for i in range(a):" % (tmp_path / "prog.py") in after_next
    assert "(npdb) (1, 0)" in out
    where = out.split("(npdb) ")[6]
    assert "prog.py(7)f()" in where and "g()" not in where     # g has returned; f took its place
    assert engine.jumps_made == 2 and oracle.jumps.calls == 2   # continue, then one next


def test_only_the_commands_jumps_allows_jump(tmp_path):
    rolled, _, _ = session(tmp_path, COMMANDS, jumping=False)
    # `continue` only: the first `c` jumps; from then on every step is an action, as before
    out, oracle, engine = session(tmp_path, ["b 3", "c", "p x"], jumping=True, jump_actions={Action.CONTINUE})
    assert "(npdb) 0" in out and engine.jumps_made == 1
    # `next` and `return` not allowed: a session of n/return before any c rolls out
    commands = ["s", "n", "s", "return", "n", "p total"]
    plain, _, _ = session(tmp_path, commands, jumping=False)
    out, oracle, engine = session(tmp_path, commands, jumping=True, jump_actions={Action.CONTINUE})
    assert out == plain and engine.jumps_made == 0 and oracle.jumps.calls == 0
    out, oracle, engine = session(tmp_path, commands, jumping=True, jump_actions=set())
    assert out == plain and engine.jumps_made == 0
    out, oracle, engine = session(tmp_path, COMMANDS, jumping=True, jump_actions=set())
    assert out == rolled and engine.jumps_made == 0 and oracle.jumps.calls == 0


def test_jumps_option_parses_and_rejects_in_one_line():
    from neural_pdb.inverse.jumps import JUMPABLE, parse_jumps
    assert parse_jumps("next,return,continue") == set(JUMPABLE.values())
    assert parse_jumps("continue") == {Action.CONTINUE}
    assert parse_jumps(" return , continue ") == {Action.STEP_OUT, Action.CONTINUE}
    assert parse_jumps("none") == set()
    for bad in ("", "step", "next,bogus", "none,next"):
        with pytest.raises(ValueError) as e:
            parse_jumps(bad)
        assert "\n" not in str(e.value) and "--jumps" in str(e.value)


def test_a_bad_jumps_option_is_a_one_line_error_before_any_model_loads(tmp_path, capsys):
    from neural_pdb.commands.debug_cmd import main
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    assert main(["--jumps", "sideways", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "neural-pdb: --jumps: sideways is not one of next, return, continue, none"


def test_a_model_without_actions_rolls_out(tmp_path):
    out, oracle, engine = session(tmp_path, ["b 3", "c", "p x"], jumping=True, actions=())
    assert "(npdb) 0" in out
    assert engine.jumps_made == 0 and oracle.jumps.calls == 0


def test_conditional_and_function_breakpoints(tmp_path):
    # a false condition: the jump lands on line 3, bdb does not stop, the next jump goes on
    out, _, engine = session(tmp_path, ["b 3, x == 2", "c", "p x"], jumping=True)
    assert "(npdb) 2" in out and engine.jumps_made == 3
    # a function breakpoint cannot be said to the model: frame by frame
    out, _, engine = session(tmp_path, ["b g", "c", "p x"], jumping=True)
    assert "(npdb) 0" in out and engine.jumps_made == 0


def test_back_over_a_jump_then_step_predicts_afresh(tmp_path):
    commands = ["b 3", "c", "c", "back", "p x", "s", "s", "p x"]
    rolled, _, _ = session(tmp_path, commands, jumping=False)
    jumped, _, engine = session(tmp_path, commands, jumping=True)
    assert "(npdb) 0\n" in jumped and "prog.py(3)g()->1" in jumped  # stepping on from x=0 returns 1
    assert jumped == rolled


def test_inverse_commands_do_not_read_across_a_jump(tmp_path):
    """After `continue` jumped into g, the frame before is not in the history: rstep
    predicts it (y = x * 2 with x = 0), it does not show the stop before the jump."""
    from neural_pdb.inverse.shell import ActionDebugger

    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    trace = trace_script(Program(str(path), SCRIPT)).trace
    vocab = action_vocab()
    backend = ActionModelBackend(str(path), trace.source, CombinedOracle(trace, vocab), vocab,
                                 jump_actions={Action.CONTINUE})
    out = io.StringIO()
    reader = PlainReader(io.StringIO("b 3\nc\nrstep\nrreturn\nq\n"), out)
    try:
        ActionDebugger(backend, stdout=out, reader=reader, readrc=False).run_session()
    finally:
        bdb.Breakpoint.clearBreakpoints()
    text = out.getvalue()
    blocks = text.split("<-- ")
    assert blocks[1].startswith("rstep: predicted") and "-> y = x * 2" in blocks[1] and "x = 0" in blocks[1]
    assert blocks[2].startswith("rreturn: predicted") and "-> def g(x):" in blocks[2]
