"""Immutable values of the format: events, frames, traces."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from . import tokens

#: The value written for a local whose value has not changed since the previous frame
#: of the same scope.
UNCHANGED = ".."


class Event(enum.Enum):
    CALL = "call"
    LINE = "line"
    RETURN = "return"
    EXCEPTION = "exception"

    @property
    def token(self) -> str:
        return _EVENT_TOKEN[self]

    @classmethod
    def from_token(cls, token: str) -> "Event":
        return _TOKEN_EVENT[token]


_EVENT_TOKEN = {
    Event.CALL: tokens.CALL_SEP,
    Event.LINE: tokens.LINE_SEP,
    Event.RETURN: tokens.RETURN_SEP,
    Event.EXCEPTION: tokens.EXCEPTION_SEP,
}
_TOKEN_EVENT = {v: k for k, v in _EVENT_TOKEN.items()}

LocalItems = tuple[tuple[str, str], ...]


def freeze_locals(values: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> LocalItems:
    if values is None:
        return ()
    items = values.items() if isinstance(values, Mapping) else values
    return tuple((str(k), str(v)) for k, v in items)


@dataclass(frozen=True)
class Frame:
    """One step of execution: an observation (locals) and the action (the line about to run).

    - ``call`` and ``line`` frames carry ``locals`` (name -> repr); ``return`` and
      ``exception`` frames carry ``value`` (the repr of the returned value or exception).
    - A locals value may be :data:`UNCHANGED` in a frame parsed from text before its
      ``..`` were resolved (see :class:`trace_format.scopes.ScopeStack`).
    - ``lineno``, ``function`` and ``depth`` are not written in the text: the tracer
      knows them; for a predicted frame they are derived from the program's structure.
    """

    event: Event
    source_line: str
    local_items: LocalItems = ()
    value: str | None = None
    lineno: int | None = None
    function: str | None = None
    depth: int | None = None

    @property
    def locals(self) -> dict[str, str]:
        return dict(self.local_items)

    @property
    def has_locals(self) -> bool:
        return self.event in (Event.CALL, Event.LINE)

    @property
    def is_resolved(self) -> bool:
        return all(v != UNCHANGED for _, v in self.local_items)

    def with_locals(self, values: Mapping[str, str]) -> "Frame":
        return replace(self, local_items=freeze_locals(values))

    def with_position(self, lineno: int | None, function: str | None, depth: int | None) -> "Frame":
        return replace(self, lineno=lineno, function=function, depth=depth)

    def to_json(self) -> dict:
        """A JSON-ready dict (the form `neural-pdb trace --json` prints)."""
        out: dict = {"event": self.event.value, "lineno": self.lineno, "function": self.function,
                     "depth": self.depth, "source_line": self.source_line}
        if self.has_locals:
            out["locals"] = self.locals
        else:
            out["value"] = self.value
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> "Frame":
        return cls(event=Event(data["event"]), source_line=data["source_line"],
                   local_items=freeze_locals(data.get("locals")), value=data.get("value"),
                   lineno=data.get("lineno"), function=data.get("function"), depth=data.get("depth"))


def call_frame(source_line: str, locals_: Mapping[str, str], **pos) -> Frame:
    return Frame(Event.CALL, source_line, freeze_locals(locals_), **pos)


def line_frame(source_line: str, locals_: Mapping[str, str], **pos) -> Frame:
    return Frame(Event.LINE, source_line, freeze_locals(locals_), **pos)


def return_frame(source_line: str, value: str, **pos) -> Frame:
    return Frame(Event.RETURN, source_line, value=value, **pos)


def exception_frame(source_line: str, value: str, **pos) -> Frame:
    return Frame(Event.EXCEPTION, source_line, value=value, **pos)


@dataclass(frozen=True)
class Trace:
    """A program's source (as written in the prompt) and its frames, all resolved.

    ``finished`` is true when execution left the entry scope (the text then ends with
    ``<|end_of_text|>``).
    """

    source: str
    frames: tuple[Frame, ...] = field(default_factory=tuple)
    finished: bool = False

    def to_json(self) -> dict:
        return {"source": self.source, "finished": self.finished,
                "frames": [f.to_json() for f in self.frames]}

    @classmethod
    def from_json(cls, data: Mapping) -> "Trace":
        return cls(source=data["source"], finished=bool(data.get("finished", False)),
                   frames=tuple(Frame.from_json(f) for f in data["frames"]))
