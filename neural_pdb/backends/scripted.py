"""A backend that plays frames from a list: for tests of the engine and the shell, and
for replaying a recorded trace. Its ``name`` can be set (``"model"``) to exercise what
the shell does for predicted sessions."""

from __future__ import annotations

import os
from typing import Any, Sequence

from trace_format import Frame
from neural_pdb.engine.backend import BackendError, FrameInfo, ProgramOutcome


class ScriptedBackend:
    def __init__(self, filename: str, source: str, frames: Sequence[Frame], name: str = "scripted",
                 predicted: bool | None = None, outcome: ProgramOutcome | None = None,
                 value_confidence: dict[str, float] | None = None) -> None:
        self.name = name
        self.filename = os.path.abspath(filename)
        self.source = source
        self.frames = list(frames)
        self.predicted = (name == "model") if predicted is None else predicted
        self.position = -1          # index of the current frame
        self.starts = 0             # how many times the program was (re)started
        self.skip_requests = 0
        self.edits: list[dict[str, str]] = []
        self._outcome = outcome
        self.value_confidence = dict(value_confidence or {})   # the same for every frame
        self.outcome: ProgramOutcome | None = None

    def start(self) -> Frame | None:
        self.starts += 1
        self.position = -1
        self.outcome = None
        return self.next_frame()

    def next_frame(self, skip_call: bool = False) -> Frame | None:
        if skip_call:
            self.skip_requests += 1
        if self.position + 1 >= len(self.frames):
            self.position = len(self.frames)
            self.outcome = self._outcome  # None: the engine reads the end from the frames
            return None
        self.position += 1
        return self.frames[self.position]

    def info(self) -> FrameInfo:
        return FrameInfo(predicted=self.predicted, confidence=1.0 if self.predicted else None,
                         value_confidence=dict(self.value_confidence) if self.predicted else {})

    def rewind(self, n_frames: int) -> bool:
        if n_frames < 0 or n_frames > self.position + 1:
            return False
        self.position -= n_frames
        return True

    def edit_locals(self, changes: dict[str, str]) -> Frame:
        if not (0 <= self.position < len(self.frames)):
            raise BackendError("no current frame to edit")
        frame = self.frames[self.position]
        if not frame.has_locals:
            raise BackendError("a return or exception frame has no locals to edit")
        values = frame.locals
        values.update(changes)
        edited = frame.with_locals(values)
        self.frames[self.position] = edited
        self.edits.append(dict(changes))
        return edited

    def evaluate(self, expression: str, frame_index: int) -> Any:
        raise BackendError("the scripted backend evaluates nothing itself")

    def close(self) -> None:
        pass
