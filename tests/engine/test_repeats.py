"""A predicted loop that never ends stops the debugger where its state repeats, as Ctrl-C
would; `cont` goes on. Driven by a scripted model that keeps predicting the same two
frames (the loop variable never advances) through the real shell."""

from __future__ import annotations

import bdb
import io

from neural_pdb.backends.model import ModelBackend
from neural_pdb.model.generator import Generation
from neural_pdb.model.session import PredictionConfig
from neural_pdb.program import Program
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.reader import PlainReader
from neural_pdb.tracer import trace_script
from tests.inverse.action_oracle import action_vocab
from trace_format import TraceEncoder, prompt_segments, tokens

SCRIPT = "def f(n):\n    i = 0\n    while i < n:\n        i += 1\n    return i\n\nx = f(3)\nprint(x)\n"


class StuckLoop:
    """Replies with the real trace until the loop's first pass, then with that pass again
    and again: `while i < n` and `i += 1` with i == 0 forever."""

    def __init__(self, trace, vocab) -> None:
        frames = list(trace.frames)
        first = next(k for k, f in enumerate(frames) if f.lineno == 4)   # the first `i += 1`
        script = frames[:first + 1] + [frames[first - 1], frames[first]] * 200
        enc = TraceEncoder()
        self.replies = [vocab.encode_segments(enc.encode(f)) for f in script]
        self.prompt = len(vocab.encode_segments(prompt_segments(trace.source)))
        self.frame_sep = vocab.id(tokens.FRAME_SEP)
        self.generated = 0

    def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None, **kw):
        k = sum(1 for t in ids[self.prompt:] if t == self.frame_sep)      # frames so far
        reply = self.replies[k][len(forced_ids):]
        self.generated += 1
        return Generation(tuple(reply), tuple(-0.1 for _ in reply), reply[-1])

    def close(self) -> None:
        pass


def run(tmp_path, commands, **config):
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    trace = trace_script(Program(str(path), SCRIPT)).trace
    vocab = action_vocab()
    model = StuckLoop(trace, vocab)
    backend = ModelBackend(str(path), trace.source, model, vocab, PredictionConfig(**config))
    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands + ["q"]) + "\n"), out)
    try:
        Debugger(backend, stdout=out, reader=reader, readrc=False).run_session()
    finally:
        bdb.Breakpoint.clearBreakpoints()
    return out.getvalue(), model


def test_continue_stops_where_the_predicted_state_repeats_and_cont_goes_on(tmp_path):
    out, model = run(tmp_path, ["b 3", "c", "cl 1", "c", "p i, n", "c", "where"], max_repeats=5,
                     constrain_lines=False)
    said = "*** The model predicted this state 5 times in this call: a loop it does not leave. (Use 'cont' to resume)."
    assert out.count(said) == 2
    first, second = out.split(said)[1:3]
    assert "prog.py(3)f()\n-> while i < n:" in first and "(npdb) (0, 3)" in first
    assert "prog.py(4)f()\n-> i += 1" in second and "prog.py(7)<module>()" in second  # where: f under the module
    # each stop came after 5 passes of the two-frame loop: nothing rolled on to --max-frames
    assert model.generated < 40


def test_without_the_check_the_loop_runs_to_the_frame_limit(tmp_path):
    out, model = run(tmp_path, ["b 3", "c", "cl 1", "c"], max_repeats=0, max_frames=60, constrain_lines=False)
    assert "a loop it does not leave" not in out
    assert "stopped: the model predicted 60 frames" in out and model.generated >= 55


def test_the_same_state_in_different_calls_is_no_loop(tmp_path):
    """fib(2) runs many times with the same locals, each time in a new call: a model that
    predicts the real trace is never stopped, even with a limit of 2."""
    from tests.model.scripted import OracleGenerator

    source = "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint(fib(6))\n"
    path = tmp_path / "fib.py"
    path.write_text(source)
    trace = trace_script(Program(str(path), source)).trace
    vocab = action_vocab()
    backend = ModelBackend(str(path), trace.source, OracleGenerator(trace, vocab), vocab,
                           PredictionConfig(max_repeats=2))
    out = io.StringIO()
    # a breakpoint that never holds: every call of fib is predicted inside, nothing stops
    reader = PlainReader(io.StringIO("b 3, n > 100\nc\nq\n"), out)
    try:
        Debugger(backend, stdout=out, reader=reader, readrc=False).run_session()
    finally:
        bdb.Breakpoint.clearBreakpoints()   # bdb's numbering is global: leave it as found
    assert "a loop it does not leave" not in out.getvalue()
    assert "The program finished and will be restarted" in out.getvalue()


def test_an_evaluation_rollout_ends_where_the_state_repeats():
    """`neural-pdb eval` rolls out without the engine: the same check ends the rollout
    (in seconds, instead of running to the frame limit)."""
    from neural_pdb.evaluation.dataset import Sample
    from neural_pdb.evaluation.model_predictor import ModelPredictor
    from neural_pdb.evaluation.predictors import Query
    from neural_pdb.tracer import trace_call

    source = SCRIPT.split("\n\n")[0] + "\n"
    trace = trace_call(source, "f", "3").trace
    vocab = action_vocab()
    query = Query(Sample("stuck", source, "3", "3"), trace.source, trace.frames[0])
    for limit, ends in ((5, "stopped: a loop the model does not leave (one state 5 times in one call)"),
                        (0, "stopped: 120 frames predicted")):
        predictor = ModelPredictor(StuckLoop(trace, vocab), vocab, PredictionConfig(max_repeats=limit,
                                                                                    constrain_lines=False))
        prediction = predictor.rollout(query, max_frames=120)
        assert prediction.error == ends
        # the call, `i = 0`, four passes of the loop, and the fifth `while i < n`
        assert len(prediction.frames) == (2 + 2 * 4 + 1 if limit else 120)
