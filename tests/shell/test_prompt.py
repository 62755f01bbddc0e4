"""The prompt_toolkit shell, driven through a pipe input and a dummy output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from neural_pdb.backends.real import RealBackend
from neural_pdb.shell.debugger import Debugger
from neural_pdb.shell.prompt import DebuggerCompleter, PromptToolkitReader, SourceHighlighter, color_enabled

SOURCE = """\
def greet(name):
    text = "hi " + name
    return text

word = greet("ada")
print(word)
"""


pytestmark = pytest.mark.usefixtures("fresh_breakpoints")  # tests/conftest.py


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "greet.py"
    path.write_text(SOURCE)
    return path


def run_with_keys(program: Path, keys: str, history: Path | None = None) -> tuple[str, Debugger]:
    out = io.StringIO()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        reader = PromptToolkitReader(str(history) if history else None, input=pipe, output=DummyOutput(),
                                     color=False)
        debugger = Debugger(RealBackend(str(program), use_main_module=False), stdout=out, reader=reader, readrc=False)
        reader.attach(debugger)
        debugger.run_session()
    return out.getvalue(), debugger


def test_commands_typed_at_the_prompt_run_and_ctrl_d_quits(program, tmp_path):
    history = tmp_path / "history"
    out, _ = run_with_keys(program, "b 3\rc\rp text\r\x04", history)
    assert f"Breakpoint 1 at {program}:3" in out
    assert f"> {program}(3)greet()\n-> return text\n" in out
    assert "'hi ada'\n" in out
    assert history.read_text().count("+") >= 3     # the history file keeps the commands


def test_ctrl_c_at_the_prompt_cancels_the_line_and_the_session_goes_on(program):
    out, _ = run_with_keys(program, "p 1\x03n\r\x04")
    assert "--KeyboardInterrupt--" in out
    assert f"> {program}(5)<module>()" in out


def test_completion_of_commands_locations_and_names(program):
    out, debugger = run_with_keys(program, "b 2\rc\r\x04")
    completer = DebuggerCompleter(debugger)

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), None)]
    assert {"continue", "cont", "condition", "compare"} <= set(complete("co"))
    assert "greet" in complete("b gr")


def test_completion_never_raises_without_a_frame(program):
    debugger = Debugger(RealBackend(str(program), use_main_module=False), stdout=io.StringIO(), readrc=False)
    completer = DebuggerCompleter(debugger)
    assert [c.text for c in completer.get_completions(Document("p x"), None)] == []


def test_highlighting_colours_source_and_leaves_the_rest(monkeypatch):
    highlight = SourceHighlighter()
    text = highlight("> /x.py(3)f()\n-> return text\n  3  ->\treturn 1")
    lines = text.split("\n")
    assert lines[0] == "> /x.py(3)f()"
    assert lines[1].startswith("-> ") and "\x1b[" in lines[1]
    assert "\x1b[" in lines[2]
    monkeypatch.setenv("NO_COLOR", "1")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True
    assert color_enabled(Tty()) is False
    monkeypatch.delenv("NO_COLOR")
    assert color_enabled(Tty()) is True
    assert color_enabled(io.StringIO()) is False


def test_bottom_toolbar_names_backend_and_steps(program):
    out, debugger = run_with_keys(program, "n\rn\r\x04")
    with create_pipe_input() as pipe:
        reader = PromptToolkitReader(None, input=pipe, output=DummyOutput(), color=False)
        reader.attach(debugger)
        text = reader._toolbar()
    assert text.startswith("backend: real  steps: ")
    assert int(text.split("steps: ")[1].split()[0]) == len(debugger.engine.history) > 3
