"""The terminal shell: a prompt_toolkit session in front of the :class:`Debugger`.

Persistent history (``~/.neural_pdb_history``, or ``$NEURAL_PDB_HISTORY``), completion of
commands, breakpoint locations and the names of the current frame, pygments highlighting
of source lines in stops and listings (off with ``NO_COLOR``), and a bottom toolbar
(backend, model, step count). Ctrl-C at the prompt cancels the line; Ctrl-C during a
long step stops at the next frame (the engine); Ctrl-D quits. prompt_toolkit restores
the terminal on any exit. When stdin is not a terminal, lines are read plainly.
"""

from __future__ import annotations

import os
import re
from typing import IO, TYPE_CHECKING, Any, Iterable

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory, InMemoryHistory


if TYPE_CHECKING:
    from .debugger import Debugger

_LOCATION_COMMANDS = {"b", "break", "tbreak", "cl", "clear", "until", "unt"}
_EXPRESSION_COMMANDS = {"p", "pp", "whatis", "display", "undisplay", "a", "args", "condition"}
# a stop's "-> source" line, and a listing line "  3 B->\tsource"
_ARROW_RE = re.compile(r"^(-> )(.*)$")
_LISTING_RE = re.compile(r"^(\s*\d+ ?[ B](?:->|>>)?\t)(.*)$")


def color_enabled(stream: IO[str]) -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class SourceHighlighter:
    """Highlights the source part of stop and listing lines with pygments."""

    def __init__(self) -> None:
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer
        self._lexer = PythonLexer()
        self._formatter = TerminalFormatter()

    def _code(self, text: str) -> str:
        from pygments import highlight
        return highlight(text, self._lexer, self._formatter).rstrip("\n")

    def __call__(self, message: str) -> str:
        out = []
        for line in message.split("\n"):
            m = _ARROW_RE.match(line) or _LISTING_RE.match(line)
            out.append(m.group(1) + self._code(m.group(2)) if m and m.group(2).strip() else line)
        return "\n".join(out)


class DebuggerCompleter(Completer):
    """Commands, then per command: breakpoint locations or names of the current frame.
    Never raises: a completion failure completes nothing."""

    def __init__(self, debugger: "Debugger") -> None:
        self.debugger = debugger

    def commands(self) -> list[str]:
        names = {n[3:] for n in dir(self.debugger) if n.startswith("do_")}
        names |= set(self.debugger.aliases)
        return sorted(names)

    def frame_names(self) -> list[str]:
        frame = getattr(self.debugger, "curframe", None)
        if frame is None:
            return []
        names = set(getattr(self.debugger, "curframe_locals", {}) or {}) | set(frame.f_globals)
        return sorted(n for n in names if not n.startswith("__"))

    def locations(self) -> list[str]:
        program = self.debugger.engine.program
        return sorted(set(program.by_name)) + [str(n) for n in sorted(program.by_line)]

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        try:
            text = document.text_before_cursor
            words = text.split()
            if not words or (len(words) == 1 and not text.endswith(" ")):
                word = words[0] if words else ""
                candidates = self.commands()
            else:
                word = "" if text.endswith(" ") else words[-1]
                head = words[0].lstrip("!")
                if head in _LOCATION_COMMANDS:
                    candidates = self.locations()
                else:
                    word = re.split(r"[^\w.]", word)[-1] if word else ""
                    candidates = self.frame_names()
            for c in candidates:
                if c.startswith(word):
                    yield Completion(c, start_position=-len(word))
        except Exception:  # a completer must never break the prompt
            return


class PromptToolkitReader:
    """Lines from a prompt_toolkit ``PromptSession`` (``input``/``output`` injectable for
    tests: ``create_pipe_input()`` and ``DummyOutput()``)."""

    def __init__(self, history_path: str | None = None, input: Any = None, output: Any = None,
                 color: bool = True) -> None:
        history = FileHistory(history_path) if history_path else InMemoryHistory()
        self.session: PromptSession = PromptSession(history=history, input=input, output=output,
                                                    bottom_toolbar=self._toolbar, enable_history_search=True)
        self.color = color
        self.debugger: "Debugger | None" = None

    def attach(self, debugger: "Debugger") -> None:
        self.debugger = debugger
        self.session.completer = DebuggerCompleter(debugger)
        if self.color:
            debugger.highlight = SourceHighlighter()

    def _toolbar(self) -> str:
        d = self.debugger
        if d is None:
            return ""
        backend = d.backend
        model = getattr(backend, "model_name", None) or getattr(getattr(backend, "options", None), "model", None)
        parts = [f"backend: {backend.name}"]
        if backend.name != "real":
            parts.append(f"model: {model or 'default'}")
        parts.append(f"steps: {len(d.engine.history)}")
        stop = d.stop
        if stop is not None and stop.info.confidence is not None:
            parts.append(f"confidence: {stop.info.confidence:.2f}")
        return "  ".join(parts)

    def read(self, prompt: str) -> str | None:
        try:
            return self.session.prompt(prompt)
        except EOFError:
            return None

    def close(self) -> None:
        pass


def default_history_path() -> str:
    return os.environ.get("NEURAL_PDB_HISTORY") or os.path.expanduser("~/.neural_pdb_history")


def make_reader(backend: Any, stdin: IO[str], stdout: IO[str]):
    from .reader import make_reader as _make_reader
    return _make_reader(backend, stdin, stdout)
