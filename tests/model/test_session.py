"""The predicted session's mechanics, driven by scripted generators (real TokenGenerator
implementations with known replies): an exact expected session against the real tracer,
forced events, step over, malformed replies, the token limit, rewind and edits,
confidence."""

from __future__ import annotations

import textwrap

import pytest

from neural_pdb.backends.model import ModelBackend, entry_call_frame
from neural_pdb.engine.backend import Backend, BackendError
from neural_pdb.model.session import PredictionConfig
from neural_pdb.tracer import trace_call, trace_script
from tests.model.scripted import GarbageGenerator, OracleGenerator
from trace_format import Event, tokens

SCRIPT = textwrap.dedent('''\
    def add(a, b):
        c = a + b
        return c


    def count(s, ch):
        n = 0
        for x in s:
            if x == ch:
                n = add(n, 1)
        return n


    total = count("abca", "a")
    try:
        add(1, None)
    except TypeError:
        total = -total
    print(total)
''')


@pytest.fixture
def script_trace(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    result = trace_script(str(path), capture_output=True)
    assert result.error is None and result.trace.finished
    return str(path), result.trace


def run_all(backend, skip_calls=False):
    frames = [backend.start()]
    # Step over every call but the entry scope's own.
    while (f := backend.next_frame(skip_call=skip_calls and len(frames) > 1
                                   and frames[-1].event is Event.CALL)) is not None:
        frames.append(f)
    return frames


def test_oracle_session_reproduces_the_real_trace(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab)
    assert isinstance(backend, Backend)
    assert run_all(backend) == list(trace.frames)   # events, lines, functions, depths, locals
    assert backend.next_frame() is None
    # The first frame was forced (module scope, line 1, no locals), the rest predicted.
    assert backend.session.ids[-1] == tiny_loaded.vocab.id(tokens.END_OF_TEXT)
    assert backend.info().predicted and 0 < backend.info().confidence <= 1


def test_step_into_forces_line_sep_and_step_over_forces_return_sep(script_trace, tiny_loaded):
    path, trace = script_trace
    vocab = tiny_loaded.vocab
    oracle = OracleGenerator(trace, vocab)
    backend = ModelBackend(path, trace.source, oracle, vocab)
    first = backend.start()
    assert first.event is Event.CALL and first.lineno == 1 and first.locals == {}
    backend.next_frame()
    assert oracle.calls[-1]["forced"] == [vocab.id(tokens.LINE_SEP)]
    # Walk to the call of count() and step over it.
    while (f := backend.next_frame()).event is not Event.CALL:
        assert oracle.calls[-1]["forced"] == []
    assert f.function == "count"
    ret = backend.next_frame(skip_call=True)
    assert oracle.calls[-1]["forced"] == [vocab.id(tokens.RETURN_SEP)]
    assert ret.event is Event.RETURN and ret.value == "2" and ret.function == "count" and ret.depth == 1
    after = backend.next_frame()
    assert after.function == "<module>" and after.source_line == "try:" and after.locals["total"] == "2"


def test_session_with_calls_skipped_matches_real_frames_at_depth_zero(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab)
    frames = run_all(backend, skip_calls=True)
    top = [f for f in trace.frames if f.depth == 0]
    assert [f for f in frames if f.depth == 0] == top


def test_entry_call_with_known_arguments_is_forced(tiny_loaded):
    source = "def f(text, k=2):\n    out = text * k\n    return out\n"
    real = trace_call(source, "f", "'ab'")
    marked, first = entry_call_frame(source, "f", "'ab'")
    assert marked == real.trace.source
    backend = ModelBackend("<input>", marked, OracleGenerator(real.trace, tiny_loaded.vocab), tiny_loaded.vocab,
                           entry_frame=first)
    assert run_all(backend) == list(real.trace.frames)
    assert not backend.session.records[0].item.predicted
    with pytest.raises(ValueError, match="literals"):
        entry_call_frame(source, "f", "open('x')")


def test_entry_call_without_arguments_is_predicted(tiny_loaded):
    source = "def f(x):\n    return x + 1\n"
    real = trace_call(source, "f", "41")
    oracle = OracleGenerator(real.trace, tiny_loaded.vocab)
    backend = ModelBackend("<input>", real.trace.source, oracle, tiny_loaded.vocab)
    first = backend.start()
    assert oracle.calls[0]["forced"] == [tiny_loaded.vocab.id(tokens.CALL_SEP)]
    assert first.locals == {"x": "41"} and first.function == "f"


def garbage_ids(vocab, text="{not json"):
    return [vocab.id(tokens.LINE_SEP)] + vocab.encode_text(text) + [vocab.id(tokens.ACTION_SEP)] + \
        vocab.encode_text("n = 0") + [vocab.id(tokens.FRAME_SEP)]


def test_malformed_reply_is_retried_with_another_sample(script_trace, tiny_loaded):
    path, trace = script_trace
    vocab = tiny_loaded.vocab
    oracle = OracleGenerator(trace, vocab, garbage=[garbage_ids(vocab), vocab.encode_text("junk")])
    backend = ModelBackend(path, trace.source, oracle, vocab, PredictionConfig(max_retries=3))
    backend.start()
    oracle.arm_garbage(2)
    f = backend.next_frame()
    assert f == trace.frames[1]
    samplings = [c["sampling"] for c in oracle.calls]
    assert samplings[0].greedy and not samplings[1].greedy and samplings[1].seed != samplings[2].seed
    assert backend.session.current.attempts == 3


def test_only_garbage_raises_with_raw_text_and_keeps_the_session(script_trace, tiny_loaded):
    path, trace = script_trace
    vocab = tiny_loaded.vocab
    oracle = OracleGenerator(trace, vocab, garbage=[garbage_ids(vocab)])
    backend = ModelBackend(path, trace.source, oracle, vocab, PredictionConfig(max_retries=2))
    backend.start()
    backend.next_frame()
    ids_before, frames_before = list(backend.session.ids), backend.frames
    oracle.arm_garbage(3)
    with pytest.raises(BackendError) as e:
        backend.next_frame()
    assert "{not json" in e.value.raw and "after 3 samples" in str(e.value)
    assert backend.session.ids == ids_before and backend.frames == frames_before
    assert backend.next_frame() == trace.frames[2]  # the session goes on


def test_garbage_generator_never_ends_the_session(tiny_loaded):
    vocab = tiny_loaded.vocab
    gen = GarbageGenerator(vocab, vocab.encode_text("\u0000\u0001 nonsense <|frame_sep|>"))
    backend = ModelBackend("/x.py", "x = 1\n", gen, vocab, PredictionConfig(max_retries=1))
    assert backend.start().lineno == 1
    for _ in range(3):
        with pytest.raises(BackendError) as e:
            backend.next_frame()
        assert "nonsense <|frame_sep|>" in e.value.raw   # text, not a token: it stays text
    assert gen.calls == 6 and len(backend.frames) == 1


def test_token_limit_is_a_malformed_reply(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab,
                           PredictionConfig(max_frame_tokens=5, max_retries=1))
    backend.start()
    with pytest.raises(BackendError, match="did not end within 5 tokens"):
        backend.next_frame()


def test_frame_limit_stops_with_a_message(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab,
                           PredictionConfig(max_frames=4))
    backend.start()
    for _ in range(3):
        backend.next_frame()
    with pytest.raises(BackendError, match="predicted 4 frames"):
        backend.next_frame()


def test_rewind_truncates_ids_and_prediction_resumes(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab)
    backend.start()
    for _ in range(9):
        backend.next_frame()
    ids9 = list(backend.session.ids)
    assert backend.rewind(4)
    assert backend.frames == list(trace.frames[:6])
    assert ids9[:len(backend.session.ids)] == backend.session.ids
    assert [backend.next_frame() for _ in range(4)] == list(trace.frames[6:10])
    assert backend.session.ids == ids9
    assert not backend.rewind(len(backend.frames))   # before the first frame: a restart
    # restart keeps the source context
    assert backend.start() == trace.frames[0]
    assert backend.session.ids[:len(backend.session.prompt_ids)] == backend.session.prompt_ids


def test_edit_locals_reencodes_the_frame(script_trace, tiny_loaded):
    path, trace = script_trace
    vocab = tiny_loaded.vocab
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, vocab), vocab)
    backend.start()
    while "s" not in (f := backend.next_frame()).locals or f.event is not Event.LINE:
        pass
    start = backend.session.records[-1].start
    edited = backend.edit_locals({"n": "5"})
    assert edited.locals["n"] == "5" and edited.lineno == f.lineno
    text = vocab.decode_text(backend.session.ids[start:])
    assert '"n": "5"' in text and '"s": ".."' in text   # still diff-encoded within its scope
    assert backend.info().value_confidence["n"] == 1.0
    other = ModelBackend(path, trace.source, OracleGenerator(trace, vocab), vocab)
    other.start()
    while other.next_frame().event is not Event.RETURN:
        pass
    with pytest.raises(BackendError, match="no locals"):
        other.edit_locals({"x": "1"})


def test_confidence_per_value(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab)
    backend.start()
    backend.next_frame()
    while not (f := backend.next_frame()).locals:
        pass
    info = backend.info()
    assert set(info.value_confidence) == set(f.locals)
    assert all(0 < v <= 1 for v in info.value_confidence.values())


def test_samples_agreement(script_trace, tiny_loaded):
    path, trace = script_trace
    oracle = OracleGenerator(trace, tiny_loaded.vocab)
    backend = ModelBackend(path, trace.source, oracle, tiny_loaded.vocab, PredictionConfig(samples=4))
    backend.start()
    backend.next_frame()
    assert len(oracle.calls) == 4                      # one prediction + three samples
    assert backend.info().confidence == 1.0            # the oracle always agrees
    oracle.garbage = [garbage_ids(tiny_loaded.vocab)]
    backend.next_frame()
    oracle.arm_garbage(1, after=1)   # the first agreement sample is garbage
    backend.next_frame()
    assert backend.info().confidence == pytest.approx(0.75)


def test_evaluate_over_predicted_values(script_trace, tiny_loaded):
    path, trace = script_trace
    backend = ModelBackend(path, trace.source, OracleGenerator(trace, tiny_loaded.vocab), tiny_loaded.vocab)
    backend.start()
    while "s" not in (f := backend.next_frame()).locals:
        pass
    assert backend.evaluate("s.count(ch) + 1", -1) == 3
    with pytest.raises(NameError):
        backend.evaluate("undefined_name", -1)


class WindowedOracle:
    """Replies as the oracle does for the whole session, but records the (windowed) ids the
    session actually gives the model, and has a small context like a real model."""

    def __init__(self, oracle, max_length):
        self.oracle, self.max_length, self.session, self.prompts = oracle, max_length, None, []

    def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None):
        self.prompts.append(list(ids))
        return self.oracle.generate(self.session.ids, max_new_tokens=max_new_tokens, stop_ids=stop_ids,
                                    forced_ids=forced_ids)

    def close(self):
        pass


def test_long_sessions_keep_the_prompt_within_the_context(script_trace, tiny_loaded):
    path, trace = script_trace
    vocab = tiny_loaded.vocab
    gen = WindowedOracle(OracleGenerator(trace, vocab), max_length=700)
    backend = ModelBackend(path, trace.source, gen, vocab, PredictionConfig(max_frame_tokens=100))
    gen.session = backend.session
    assert run_all(backend) == list(trace.frames)          # resolution still over the whole session
    full = len(backend.session.ids)
    assert full > 1500                                      # the trace outgrew the context twice over
    assert all(len(p) <= 700 - 100 - 1 for p in gen.prompts)   # room for a frame of 100 tokens
    prompt = backend.session.prompt_ids
    assert all(p[:len(prompt)] == prompt for p in gen.prompts)   # the source is always there
    # The window moves rarely: most prompts extend the previous one (a cache hit).
    moves = sum(1 for a, b in zip(gen.prompts, gen.prompts[1:]) if b[:len(a)] != a)
    assert 1 <= moves <= len(gen.prompts) // 4
    # The first frame of a moved window is written in full: no '..' right after the prompt.
    moved = [b for a, b in zip(gen.prompts, gen.prompts[1:]) if b[:len(a)] != a]
    first_frame = vocab.to_segments(moved[-1][len(prompt):])
    locals_text = first_frame[1].text if first_frame[1:] and not first_frame[1].special else ""
    assert '".."' not in locals_text


def test_value_confidence_follows_the_tokens_of_each_value(tiny_loaded):
    import math

    from neural_pdb.model.session import _confidences
    from trace_format import line_frame, return_frame

    vocab = tiny_loaded.vocab
    locals_text = '{"a": "12", "b": "\'x\'"}'
    ids = [vocab.id(tokens.LINE_SEP)] + vocab.encode_text(locals_text) + [vocab.id(tokens.ACTION_SEP)] + \
        vocab.encode_text("    y = a") + [vocab.id(tokens.FRAME_SEP)]
    unsure = 1 + locals_text.index("2")           # the token of the digit 2 (byte-level: one per char)
    logprobs = [None] + [math.log(0.2) if i == unsure else math.log(0.99) for i in range(1, len(ids))]
    frame = line_frame("    y = a", {"a": "12", "b": "'x'"})
    conf, values = _confidences(vocab, ids, logprobs, frame)
    assert values["a"] == pytest.approx(0.2) and values["b"] == pytest.approx(0.99)
    assert 0.9 < conf < 0.99

    ids = [vocab.id(tokens.RETURN_SEP), vocab.id(tokens.ACTION_SEP)] + vocab.encode_text("    return a") + \
        [vocab.id(tokens.ARG_SEP)] + vocab.encode_text('"12"') + [vocab.id(tokens.FRAME_SEP)]
    logprobs = [None] + [math.log(0.5)] * (len(ids) - 1)
    conf, values = _confidences(vocab, ids, logprobs, return_frame("    return a", "12"))
    assert values == {"__return__": pytest.approx(0.5)} and conf == pytest.approx(0.5)


def test_windows_line_endings_are_read_as_python_reads_them(tmp_path, tiny_loaded):
    path = tmp_path / "p.py"
    path.write_bytes(SCRIPT.replace("\n", "\r\n").encode())
    trace = trace_script(str(path), capture_output=True).trace
    backend = ModelBackend(str(path), SCRIPT.replace("\n", "\r\n"), OracleGenerator(trace, tiny_loaded.vocab),
                           tiny_loaded.vocab)
    assert backend.source == trace.source
    assert run_all(backend) == list(trace.frames)


def test_an_unchanged_marker_for_a_new_name_is_left_out_not_the_frame(tiny_loaded):
    vocab = tiny_loaded.vocab
    source = "n = 0\nm = n + 1\n"
    # after a call frame <|line_sep|> is forced: the reply starts with the locals
    reply = vocab.encode_text('{"n": "0", "m": ".."}') + [vocab.id(tokens.ACTION_SEP)] + vocab.encode_text("m = n + 1")
    gen = GarbageGenerator(vocab, reply)
    backend = ModelBackend("<input>", source, gen, vocab, PredictionConfig(max_retries=0))
    backend.start()                            # the module's call frame: no locals yet
    frame = backend.next_frame()               # `m` has no earlier value to be unchanged from
    assert (frame.lineno, frame.locals) == (2, {"n": "0"})
    assert "\"m\": \"..\"" in backend.session.current.raw    # the model's own words are kept
