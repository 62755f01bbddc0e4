"""Predicted loops that never end: the same state again and again in one activation.

A model that has lost track of a loop (``i`` never advances, a ``while`` condition that
stays true) predicts the same frame over and over, and ``continue``, ``until`` or a
``next`` over a call would roll it out until ``--max-frames`` (minutes on a CPU). A
deterministic program standing twice in the same state (the same line, the same values
of every local) in the same activation only gets there again because of state the trace
does not show (an iterator's position, an object changed elsewhere), so a state seen
``limit`` times is taken as a loop the model will not leave: the engine stops there and
says so, as pdb does for Ctrl-C, and ``cont`` goes on.
"""

from __future__ import annotations

from collections import Counter
from typing import Hashable

from trace_format import Event, Frame

#: times one state may be predicted in one activation before the engine stops there
DEFAULT_MAX_REPEATS = 20


class RepeatedStates:
    """Counts each predicted state per activation (``limit`` 0: never counts)."""

    def __init__(self, limit: int = DEFAULT_MAX_REPEATS) -> None:
        self.limit = limit
        self._seen: Counter = Counter()

    def clear(self) -> None:
        self._seen.clear()

    def see(self, activation: Hashable, frame: Frame) -> bool:
        """True when this state has now been seen ``limit`` times in ``activation``; its
        count starts again, so going on stops after another ``limit``."""
        if self.limit <= 0:
            return False
        key = (activation, frame.event, frame.lineno, frame.source_line, frame.local_items, frame.value)
        self._seen[key] += 1
        if self._seen[key] >= self.limit:
            del self._seen[key]
            return True
        return False


class Activations:
    """Activation ids for a stream of frames that carry depths (a rollout without the
    engine's frame views): a call opens a new activation at its depth."""

    def __init__(self) -> None:
        self._stack: list[int] = []
        self._next = 0

    def of(self, frame: Frame) -> int:
        depth = frame.depth or 0
        if frame.event is Event.CALL:
            del self._stack[depth:]
        while len(self._stack) <= depth:
            self._stack.append(self._next)
            self._next += 1
        return self._stack[depth]
