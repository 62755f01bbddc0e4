"""CWM text (or segments) back into frames. Anything malformed raises
:class:`TraceFormatError` carrying the raw text; nothing here asserts."""

from __future__ import annotations

import json
import re
from typing import Sequence

from . import tokens
from .encode import Segment, join_segments
from .errors import TraceFormatError
from .frames import Event, Frame, Trace, freeze_locals
from .scopes import resolve_frames

_SPECIAL_RE = re.compile("|".join(re.escape(t) for t in tokens.TRACE_TOKENS))


def split_segments(text: str, pattern: re.Pattern[str] = _SPECIAL_RE) -> list[Segment]:
    """Split text at every special-token string (``pattern`` matches them: by default
    CWM's trace tokens).

    Only for text whose plain parts cannot contain a token string (model output decoded
    from ids, where the caller did not keep token boundaries). Prefer segments built from
    token ids: there, a ``<|frame_sep|>`` typed in a string literal stays text.
    """
    out: list[Segment] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos:m.start()]))
        out.append(Segment(m.group(), True))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _as_segments(data: str | Sequence[Segment]) -> list[Segment]:
    return split_segments(data) if isinstance(data, str) else list(data)


def _strip_line(text: str) -> str:
    # The demo tolerates a trailing newline after the source line; so do we (one only).
    return text[:-1] if text.endswith("\n") else text


def _parse_locals(text: str, raw: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # a whole JSON object, then the line: no <|action_sep|>
            raise TraceFormatError("missing_separator", f"expected {tokens.ACTION_SEP} after the locals, "
                                   f"got {text[e.pos:e.pos + 40]!r}", raw) from None
        raise TraceFormatError("bad_json", f"locals are not valid JSON ({e.msg} at char {e.pos})", raw) from None
    if not isinstance(data, dict):
        raise TraceFormatError("bad_locals", "locals are not a JSON object", raw)
    for k, v in data.items():
        if not isinstance(v, str):
            raise TraceFormatError("bad_locals", f"local {k!r} is not a JSON string", raw)
    return data


def _parse_value(text: str, raw: str) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TraceFormatError("bad_json", f"value is not valid JSON ({e.msg} at char {e.pos})", raw) from None
    if not isinstance(data, str):
        raise TraceFormatError("bad_json", "value is not a JSON string", raw)
    return data


class _Reader:
    def __init__(self, segs: list[Segment], raw: str) -> None:
        self.segs, self.i, self.raw = segs, 0, raw

    def peek(self) -> Segment | None:
        return self.segs[self.i] if self.i < len(self.segs) else None

    def take_text(self) -> str:
        s = self.peek()
        if s is not None and not s.special:
            self.i += 1
            return s.text
        return ""

    def expect(self, token: str, what: str) -> None:
        s = self.peek()
        if s is None:
            raise TraceFormatError("truncated", f"frame ends before {what}", self.raw)
        if not (s.special and s.text == token):
            raise TraceFormatError("missing_separator", f"expected {token} ({what}), got {s.text[:40]!r}", self.raw)
        self.i += 1


def _read_frame(r: _Reader) -> Frame:
    head = r.peek()
    if head is None:
        raise TraceFormatError("truncated", "empty frame", r.raw)
    if not head.special or head.text not in tokens.EVENT_TOKENS:
        raise TraceFormatError("unknown_event", f"a frame must start with an event token, got {head.text[:40]!r}", r.raw)
    r.i += 1
    event = Event.from_token(head.text)
    locals_: dict[str, str] = {}
    if event in (Event.CALL, Event.LINE):
        locals_text = r.take_text()
        if r.peek() is None:
            raise TraceFormatError("truncated", "frame ends inside its locals", r.raw)
        locals_ = _parse_locals(locals_text, r.raw)
    r.expect(tokens.ACTION_SEP, "the source line")
    line = _strip_line(r.take_text())
    value = None
    if event in (Event.RETURN, Event.EXCEPTION):
        r.expect(tokens.ARG_SEP, "the value")
        value_text = r.take_text()
        if r.peek() is None:
            raise TraceFormatError("truncated", "frame ends inside its value", r.raw)
        value = _parse_value(value_text, r.raw)
    r.expect(tokens.FRAME_SEP, "the end of the frame")
    return Frame(event, line, freeze_locals(locals_), value)


def parse_frame(data: str | Sequence[Segment]) -> Frame:
    """One frame, from its event token to its ``<|frame_sep|>`` (unresolved: may hold ``..``).

    A trailing ``<|end_of_text|>`` is allowed; anything else after the frame is an error.
    """
    segs = _as_segments(data)
    raw = data if isinstance(data, str) else join_segments(segs)
    r = _Reader(segs, raw)
    frame = _read_frame(r)
    rest = r.peek()
    if rest is not None and not (rest.special and rest.text == tokens.END_OF_TEXT):
        raise TraceFormatError("unexpected_token", f"text after the end of the frame: {rest.text[:40]!r}", raw)
    return frame


def parse_trace(data: str | Sequence[Segment]) -> Trace:
    """A whole trace: prompt, frames, optional ``<|end_of_text|>``; locals resolved.

    Line numbers are not in the text; see :func:`trace_format.lines.locate_frames`.
    """
    segs = _as_segments(data)
    raw = data if isinstance(data, str) else join_segments(segs)
    r = _Reader(segs, raw)
    r.expect(tokens.BEGIN_OF_TEXT, "the start of the text")
    r.expect(tokens.TRACE_CONTEXT_START, "the source context")
    source = r.take_text()
    r.expect(tokens.FRAME_SEP, "the end of the source context")
    frames: list[Frame] = []
    finished = False
    while (s := r.peek()) is not None:
        if s.special and s.text == tokens.END_OF_TEXT:
            r.i += 1
            finished = True
            if r.peek() is not None:
                raise TraceFormatError("unexpected_token", "text after <|end_of_text|>", raw)
            break
        frames.append(_read_frame(r))
    try:
        resolved = resolve_frames(frames)
    except TraceFormatError as e:  # carry the whole text, as every other error here
        raise TraceFormatError(e.kind, e.message, raw) from None
    return Trace(source, tuple(resolved), finished)
