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
