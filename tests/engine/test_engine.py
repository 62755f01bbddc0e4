"""The engine's stepping rules over a scripted backend (frames from a list)."""

from __future__ import annotations

import bdb
from pathlib import Path

import pytest

from neural_pdb.backends.scripted import ScriptedBackend
from neural_pdb.engine.backend import BackendError
from neural_pdb.engine.engine import Engine, ProgramEnd, Stop
from neural_pdb.engine.views import PredictedValue, rebuild_exception, rebuild_value
from neural_pdb.tracer import trace_script

SOURCE = """\
def add(a, b):
    c = a + b
    return c

x = add(1, 2)
y = add(x, 10)
print(y)
"""


pytestmark = pytest.mark.usefixtures("fresh_breakpoints")  # tests/conftest.py


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "prog.py"
    path.write_text(SOURCE)
    return path


def scripted(program: Path, name: str = "scripted") -> ScriptedBackend:
    frames = trace_script(str(program)).trace.frames
    return ScriptedBackend(str(program), SOURCE, frames, name=name)


def where(stop: Stop) -> tuple[str, int, str]:
    return stop.event, stop.stack[stop.curindex][1], stop.view.f_code.co_name


def test_first_stop_is_the_first_line_of_the_program(program):
    engine = Engine(scripted(program))
    stop = engine.start()
    assert isinstance(stop, Stop)
    assert where(stop) == ("line", 1, "<module>")


def test_step_enters_calls_and_next_steps_over_them(program):
    engine = Engine(scripted(program))
    engine.start()
    engine.set_step()
    assert where(engine.resume()) == ("line", 5, "<module>")
    engine.set_step()
    stop = engine.resume()
    assert where(stop) == ("call", 1, "add")
    engine.set_next(stop.view)
    assert where(engine.resume()) == ("line", 2, "add")
    engine.set_return(engine.stops[-1].view)
    stop = engine.resume()
    assert where(stop) == ("return", 3, "add")
    assert stop.return_value == 3
    engine.set_next(stop.view)
    assert where(engine.resume()) == ("line", 6, "<module>")


def test_next_over_a_call_lets_a_model_skip_its_inside(program):
    backend = scripted(program)
    engine = Engine(backend)
    engine.start()
    engine.set_step()
    stop = engine.resume()  # line 5
    engine.set_next(stop.view)
    assert where(engine.resume()) == ("line", 6, "<module>")
    assert backend.skip_requests == 1   # the call of add was not traced: its inside need not be predicted


def test_breakpoints_with_condition_ignore_count_and_temporary(program):
    engine = Engine(scripted(program))
    engine.start()
    filename = engine.mainpyfile
    assert engine.set_break(filename, 3, cond="c > 10") is None
    engine.set_continue()
    stop = engine.resume()
    assert where(stop) == ("line", 3, "add")
    assert stop.view.f_locals["c"] == 13      # evaluated over the predicted values
    engine.clear_all_breaks()
    engine.set_break(filename, 2)
    engine.get_bpbynumber("2").ignore = 1
    engine.start()
    engine.set_continue()
    stop = engine.resume()
    assert stop.view.f_locals["a"] == 3        # the first crossing (a=1) was ignored
    messages = []
    engine.message = messages.append
    engine.clear_all_breaks()
    engine.set_break(filename, 7, temporary=True)
    engine.set_continue()
    assert where(engine.resume()) == ("line", 7, "<module>")
    assert messages and messages[0].startswith("Deleted breakpoint")
    assert not engine.get_file_breaks(filename)


def test_until_and_program_end(program):
    engine = Engine(scripted(program))
    stop = engine.start()
    engine.set_until(stop.view, 6)
    assert where(engine.resume()) == ("line", 6, "<module>")
    engine.set_continue()
    end = engine.resume()
    assert isinstance(end, ProgramEnd) and end.outcome.kind == "finished"


def test_back_restores_the_previous_stop_and_replays_forward(program):
    backend = scripted(program)
    engine = Engine(backend)
    engine.start()
    seen = []
    for _ in range(5):
        engine.set_step()
        stop = engine.resume()
        seen.append((where(stop), dict(stop.view.f_locals)))
    position = backend.position
    assert engine.back() is not None
    assert engine.back() is not None
    back = engine.stops[-1]
    assert (where(back), {k: v for k, v in back.view.f_locals.items()}) == seen[2]
    engine.set_step()
    again = engine.resume()
    assert (where(again), dict(again.view.f_locals)) == seen[3]
    assert backend.position == position   # replayed from the history, not asked again


def test_where_shows_the_frames_pdb_shows_around_the_program(program):
    engine = Engine(scripted(program))
    engine.start()
    engine.set_break(engine.mainpyfile, 2)
    engine.set_continue()
    stop = engine.resume()
    names = [(v.f_code.co_filename.rsplit("/", 1)[-1], v.f_code.co_name) for v, _ in stop.stack]
    assert names == [("bdb.py", "run"), ("<string>", "<module>"), ("prog.py", "<module>"), ("prog.py", "add")]


def test_values_are_rebuilt_from_reprs_or_kept_as_predicted_reprs():
    assert rebuild_value("[1, 'a', {2: 3.5}]") == [1, "a", {2: 3.5}]
    fn = rebuild_value("<function add>")
    assert isinstance(fn, PredictedValue) and repr(fn) == "<function add>"
    exc = rebuild_exception("ZeroDivisionError('division by zero')")
    assert isinstance(exc, ZeroDivisionError) and str(exc) == "division by zero"
    assert rebuild_exception("MyError('x')") is None


class FailingBackend(ScriptedBackend):
    def __init__(self, *a, fail_at: int, **k):
        super().__init__(*a, **k)
        self.fail_at = fail_at

    def next_frame(self, skip_call: bool = False):
        if self.position + 1 == self.fail_at:
            self.fail_at = -1
            raise BackendError("malformed reply", raw="<|line_sep|>garbage")
        return super().next_frame(skip_call)


def test_a_backend_error_leaves_the_engine_at_its_last_stop(program):
    frames = trace_script(str(program)).trace.frames
    backend = FailingBackend(str(program), SOURCE, frames, fail_at=3)
    engine = Engine(backend)
    first = engine.start()
    engine.set_step()
    with pytest.raises(BackendError):
        while True:
            engine.set_step()
            engine.resume()
    assert engine.stops[-1] is not None
    engine.set_step()
    stop = engine.resume()   # the backend recovers: stepping goes on
    assert isinstance(stop, Stop)
    assert first.event == "line"


class InterruptingBackend(ScriptedBackend):
    interrupted = False

    def next_frame(self, skip_call: bool = False):
        if self.position == 4 and not self.interrupted:
            self.interrupted = True
            raise KeyboardInterrupt
        return super().next_frame(skip_call)


def test_ctrl_c_during_continue_stops_at_the_next_frame(program):
    frames = trace_script(str(program)).trace.frames
    backend = InterruptingBackend(str(program), SOURCE, frames)
    messages = []
    engine = Engine(backend, message=messages.append)
    engine.start()
    engine.set_continue()
    stop = engine.resume()
    assert isinstance(stop, Stop)
    assert "Program interrupted" in messages[0]
    engine.set_continue()
    assert isinstance(engine.resume(), ProgramEnd)


CRASH = """\
def parse(value):
    return int(value)

n = parse("x")
"""


def test_a_predicted_uncaught_exception_ends_in_post_mortem(tmp_path):
    path = tmp_path / "crash.py"
    path.write_text(CRASH)
    frames = trace_script(str(path)).trace.frames
    engine = Engine(ScriptedBackend(str(path), CRASH, frames, name="model"))
    engine.start()
    engine.set_continue()
    end = engine.resume()
    assert isinstance(end, ProgramEnd)
    assert end.outcome.kind == "exception"
    assert end.outcome.message == "ValueError: invalid literal for int() with base 10: 'x'"
    assert end.stop is not None and where(end.stop) == ("post_mortem", 2, "parse")
    assert end.stop.view.f_locals["value"] == "x"


def test_a_program_that_returns_normally_after_a_caught_exception_just_finishes(program):
    engine = Engine(scripted(program))
    engine.start()
    engine.set_continue()
    end = engine.resume()
    assert end.outcome.kind == "finished" and end.stop is None


class SkippingBackend(ScriptedBackend):
    """Like a model forced to <|return_sep|>: skip_call jumps to the call's return frame;
    rewind drops the frames it gave (not the ones it skipped)."""

    def start(self):
        self.given: list[int] = []
        return super().start()

    def next_frame(self, skip_call: bool = False):
        if skip_call and 0 <= self.position < len(self.frames):
            depth = self.frames[self.position].depth
            i = self.position + 1
            while i < len(self.frames) and not (self.frames[i].event.value == "return" and self.frames[i].depth == depth):
                i += 1
            self.skip_requests += 1
            self.position = i - 1
        frame = super().next_frame(False)
        if frame is not None:
            self.given.append(self.position)
        return frame

    def rewind(self, n_frames: int) -> bool:
        if not 0 <= n_frames <= len(self.given):
            return False
        del self.given[len(self.given) - n_frames:]
        self.position = self.given[-1] if self.given else -1
        return True


def test_stepping_into_a_call_skipped_before_back_asks_the_backend_again(program):
    frames = trace_script(str(program)).trace.frames
    backend = SkippingBackend(str(program), SOURCE, frames, name="model")
    engine = Engine(backend)
    engine.start()
    engine.set_step()
    at_call_line = engine.resume()                        # line 5: x = add(1, 2)
    engine.set_next(at_call_line.view)
    assert where(engine.resume()) == ("line", 6, "<module>")
    assert backend.skip_requests == 1
    inside = [r for r in engine.history if r.view.f_code.co_name == "add"]
    assert [r.frame.event.value for r in inside] == ["call", "return"]   # the inside was never predicted
    assert where(engine.back()) == ("line", 5, "<module>")
    engine.set_step()
    assert where(engine.resume()) == ("call", 1, "add")
    engine.set_step()
    stop = engine.resume()
    assert where(stop) == ("line", 2, "add")               # predicted now, after a rewind
    assert stop.view.f_locals == {"a": 1, "b": 2}


def test_a_real_session_records_the_programs_cwm_frames(program):
    from neural_pdb.backends.real import RealBackend
    engine = Engine(RealBackend(str(program), use_main_module=False))
    engine.start()
    engine.set_continue()
    assert isinstance(engine.resume(), ProgramEnd)
    engine.close()
    traced = trace_script(str(program)).trace.frames
    assert engine.program_frames() == list(traced)   # the tracer's frames, exactly
