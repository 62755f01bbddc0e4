"""The format's errors. Every runtime check raises one of these, never ``assert``."""

from __future__ import annotations


class TraceFormatError(ValueError):
    """Text that is not a valid frame or trace.

    ``kind`` names what was wrong (one of ``KINDS``), ``raw`` is the offending text as
    received, so a caller can show it to the user.
    """

    KINDS = ("bad_json", "missing_separator", "truncated", "unknown_event", "bad_locals",
             "bad_prompt", "unexpected_token", "scope")

    def __init__(self, kind: str, message: str, raw: str = "") -> None:
        super().__init__(f"{message}")
        self.kind = kind
        self.message = message
        self.raw = raw


class UnresolvedLineError(LookupError):
    """A predicted source line that matches no line the program can reach from here."""

    def __init__(self, source_line: str, message: str | None = None) -> None:
        super().__init__(message or f"predicted line not in the program: {source_line.strip()!r}")
        self.source_line = source_line
