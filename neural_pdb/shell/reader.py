"""Where command lines come from: plain lines (pipes, tests), as ``python -m pdb`` reads
them when stdin is not a terminal."""

from __future__ import annotations

from typing import IO, Protocol


class LineReader(Protocol):
    def read(self, prompt: str) -> str | None:
        """One command line without its newline; None at end of input. May raise
        KeyboardInterrupt (Ctrl-C at the prompt)."""


class PlainReader:
    """Writes the prompt, reads a line: what ``input(prompt)`` does on a pipe."""

    def __init__(self, stdin: IO[str], stdout: IO[str]) -> None:
        self.stdin = stdin
        self.stdout = stdout

    def read(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            return None
        return line.rstrip("\r\n")


class ListReader:
    """Lines from a list (``compare`` replays a session with it); prints nothing."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def read(self, prompt: str) -> str | None:
        return self.lines.pop(0) if self.lines else None


class ShellPlainReader(PlainReader):
    """The plain reader as the command line uses it (nothing to attach or close)."""

    def attach(self, debugger: object) -> None:
        pass

    def close(self) -> None:
        pass


def make_reader(backend: object, stdin: IO[str], stdout: IO[str]):
    """prompt_toolkit on a terminal, plain lines otherwise. prompt_toolkit is imported
    only for a terminal: the program under the debugger should find the interpreter as
    pdb leaves it, without modules it did not import itself."""
    if hasattr(stdin, "isatty") and stdin.isatty() and hasattr(stdout, "isatty") and stdout.isatty():
        from .prompt import PromptToolkitReader, color_enabled, default_history_path
        return PromptToolkitReader(default_history_path(), color=color_enabled(stdout))
    return ShellPlainReader(stdin, stdout)
