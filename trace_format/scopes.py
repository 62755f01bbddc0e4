"""Scope tracking: ``..`` compression when encoding, ``..`` resolution when decoding.

A value is written ``".."`` when it equals the value of the same name in the previous
frame *of the same scope*. Scopes form a stack: a call frame opens one, a return frame
closes it, so after a nested call returns, the caller's locals are still known and its
``..`` still resolve (CWM's demo forgot them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import TraceFormatError
from .frames import UNCHANGED, Event, Frame


@dataclass
class Scope:
    function: str | None
    last_locals: dict[str, str] = field(default_factory=dict)


class ScopeStack:
    """Walks frames in order and keeps one locals dict per open scope."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    def copy(self) -> "ScopeStack":
        other = ScopeStack()
        other.scopes = [Scope(s.function, dict(s.last_locals)) for s in self.scopes]
        return other

    @property
    def depth(self) -> int:
        """Depth of the innermost open scope (0 = entry scope), -1 when none is open."""
        return len(self.scopes) - 1

    @property
    def current(self) -> Scope | None:
        return self.scopes[-1] if self.scopes else None

    def compress(self, frame: Frame) -> dict[str, str]:
        """The locals as written in text for ``frame`` (does not advance the stack)."""
        if frame.event is Event.CALL or self.current is None:
            return frame.locals
        prev = self.current.last_locals
        return {k: (UNCHANGED if k in prev and prev[k] == v else v) for k, v in frame.local_items}

    def resolve(self, frame: Frame, drop_unresolvable: bool = False) -> Frame:
        """``frame`` with every ``..`` replaced (does not advance the stack).

        A ``..`` with no earlier value to stand for is an error; with ``drop_unresolvable``
        (a model's reply, whose other values are still worth having) that name is left out.
        """
        if not frame.has_locals or frame.is_resolved:
            return frame
        prev = self.current.last_locals if self.current is not None and frame.event is not Event.CALL else None
        if prev is None and not drop_unresolvable:
            raise TraceFormatError("scope", "'..' in a frame that opens a scope", str(frame.locals))
        prev = prev or {}
        out = {}
        for k, v in frame.local_items:
            if v == UNCHANGED:
                if k not in prev:
                    if drop_unresolvable:
                        continue
                    raise TraceFormatError("scope", f"'..' for {k!r}, which has no earlier value "
                                           "in this scope", str(frame.locals))
                v = prev[k]
            out[k] = v
        return frame.with_locals(out)

    def advance(self, frame: Frame) -> None:
        """Move past a resolved frame: open, update or close a scope."""
        if frame.event is Event.CALL:
            self.scopes.append(Scope(frame.function, frame.locals))
        elif frame.event is Event.LINE:
            if self.current is None:
                raise TraceFormatError("scope", "line frame outside any scope")
            self.current.last_locals = frame.locals
        elif frame.event is Event.RETURN:
            if self.current is None:
                raise TraceFormatError("scope", "return frame outside any scope")
            self.scopes.pop()
        # An exception frame leaves the scopes as they are: a return frame follows it
        # when the exception leaves the scope.

    def resolve_and_advance(self, frame: Frame, drop_unresolvable: bool = False) -> Frame:
        resolved = self.resolve(frame, drop_unresolvable)
        depth = self.depth + 1 if frame.event is Event.CALL else self.depth
        if resolved.depth is None:
            resolved = resolved.with_position(resolved.lineno, resolved.function, depth)
        self.advance(resolved)
        return resolved


def resolve_frames(frames: list[Frame] | tuple[Frame, ...]) -> list[Frame]:
    """Fully resolved locals for every frame of a parsed trace."""
    stack = ScopeStack()
    return [stack.resolve_and_advance(f) for f in frames]
