"""Frames to CWM text, as one string or as segments (text vs special token)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Mapping

from . import tokens
from .frames import Event, Frame, Trace
from .scopes import ScopeStack


@dataclass(frozen=True)
class Segment:
    """A piece of trace text: either a special token or plain text.

    A tokenizer must encode plain text with special-token parsing off, so that a
    user's source containing ``<|frame_sep|>`` stays text and never becomes a token.
    """

    text: str
    special: bool = False


def join_segments(segments: Iterable[Segment]) -> str:
    return "".join(s.text for s in segments)


def encode_locals(values: Mapping[str, str]) -> str:
    """LOCALS: a JSON object whose values are JSON strings holding reprs (or ``..``)."""
    return json.dumps(dict(values), ensure_ascii=False)


def encode_value(value: str) -> str:
    """VALUE of a return/exception frame: a JSON string holding the repr."""
    return json.dumps(value, ensure_ascii=False)


def prompt_segments(source: str) -> list[Segment]:
    """``<|begin_of_text|><|trace_context_start|>SOURCE<|frame_sep|>``."""
    return [Segment(tokens.BEGIN_OF_TEXT, True), Segment(tokens.TRACE_CONTEXT_START, True),
            Segment(source), Segment(tokens.FRAME_SEP, True)]


def frame_segments(frame: Frame, written_locals: Mapping[str, str] | None = None) -> list[Segment]:
    """One frame, ending with ``<|frame_sep|>``.

    ``written_locals`` are the locals as they go in the text (with ``..``); by default
    the frame's own.
    """
    out = [Segment(frame.event.token, True)]
    if frame.has_locals:
        out.append(Segment(encode_locals(frame.locals if written_locals is None else written_locals)))
    out += [Segment(tokens.ACTION_SEP, True), Segment(frame.source_line)]
    if not frame.has_locals:
        out += [Segment(tokens.ARG_SEP, True), Segment(encode_value(frame.value or ""))]
    out.append(Segment(tokens.FRAME_SEP, True))
    return [s for s in out if s.text]


class TraceEncoder:
    """Encodes frames one at a time, keeping the scope stack for ``..`` compression."""

    def __init__(self, compress: bool = True) -> None:
        self.stack = ScopeStack()
        self.compress = compress
        self.finished = False

    def copy(self) -> "TraceEncoder":
        other = TraceEncoder(self.compress)
        other.stack = self.stack.copy()
        other.finished = self.finished
        return other

    def encode(self, frame: Frame) -> list[Segment]:
        """Segments for ``frame`` (a resolved frame), plus ``<|end_of_text|>`` if it leaves
        the entry scope."""
        written = self.stack.compress(frame) if self.compress and frame.has_locals else None
        segs = frame_segments(frame, written)
        self.stack.advance(frame)
        if frame.event is Event.RETURN and not self.stack.scopes:
            self.finished = True
            segs.append(Segment(tokens.END_OF_TEXT, True))
        return segs


def trace_segments(trace: Trace, compress: bool = True) -> list[Segment]:
    segs = prompt_segments(trace.source)
    enc = TraceEncoder(compress)
    for f in trace.frames:
        segs += enc.encode(f)
    if trace.finished and not enc.finished:
        segs.append(Segment(tokens.END_OF_TEXT, True))
    return segs


def encode_trace(trace: Trace, compress: bool = True) -> str:
    return join_segments(trace_segments(trace, compress))
