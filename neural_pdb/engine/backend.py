"""The one interface every source of frames implements: the real program, a model, a
scripted list. The engine (stepping, breakpoints, history) is written once over it.

A backend produces frames in execution order (``trace_format.Frame`` with ``lineno``,
``function`` and ``depth`` filled in). It knows nothing of breakpoints or commands.

Optional, for a backend that runs the program for real (the engine checks with
``hasattr``): ``outcome`` (a :class:`ProgramOutcome`, once ``next_frame`` returned None),
``run_events(on_event) -> bool`` (run on, calling ``on_event(frame, info)`` in the
program's own thread at every frame until it answers True: the hand-over happens at stops
only), ``jump(lineno) -> str | None`` (pdb's ``jump``; None when done, else why not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from trace_format import Frame


class BackendError(Exception):
    """A backend could not produce what was asked; the session stays at its last stop.
    ``raw`` carries a model's unparseable output, when that is the cause."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


@dataclass(frozen=True)
class ProgramOutcome:
    """How a program ended: ``finished``, ``exit`` (sys.exit, ``message`` is the status),
    ``exception`` (uncaught: ``message`` is its last traceback line, ``traceback_text``
    the whole traceback, ``traceback`` the live traceback object when there is one), or
    ``quit`` (the user quit)."""

    kind: str = "finished"
    message: str = ""
    traceback_text: str = ""
    traceback: Any = None


@dataclass(frozen=True)
class FrameInfo:
    """What a backend knows of a frame besides the frame: confidence of a prediction
    (0..1 for the frame and per local / for the value), and whether it was predicted.

    A backend that runs the program for real also gives ``live``, the live Python frame
    of the event (its code, its caller, its namespaces), and ``live_value``, the event's
    argument (the returned object, the exception's ``(type, value, traceback)``): the
    engine then follows the real frames (also those pdb shows around the program,
    ``bdb.py(600)run()`` and ``<string>``, and the standard library's), and ``p`` /
    ``!stmt`` act on the real objects at the live frontier. A model leaves them None: the
    engine derives activations from call/return events and values from the reprs.
    """

    predicted: bool = False
    confidence: float | None = None
    value_confidence: dict[str, float] = field(default_factory=dict)
    live: Any = None
    live_value: Any = None


@runtime_checkable
class Backend(Protocol):
    #: "real", "model", "scripted", "remote"
    name: str
    #: absolute path of the program, as pdb prints it
    filename: str
    #: the program's source as the model sees it (marker included for an entry call)
    source: str

    def start(self) -> Frame | None:
        """(Re)start the program and return its first frame (the entry scope's call)."""

    def next_frame(self, skip_call: bool = False) -> Frame | None:
        """The frame after the current one; None once the entry scope has returned.
        (A backend may then say how the program ended in an optional ``outcome``
        attribute, a :class:`ProgramOutcome`; without one the engine assumes a normal end.)

        ``skip_call=True`` is only asked when the current frame is a call frame: the
        backend may then return that scope's return frame without the frames inside
        (a model is forced to ``<|return_sep|>``). A backend for which stepping is cheap
        may ignore it; the engine filters frames either way.
        """

    def info(self) -> FrameInfo:
        """Confidence and provenance of the current frame."""

    def rewind(self, n_frames: int) -> bool:
        """Drop the last ``n_frames`` frames so that generation continues from there.
        False when the backend cannot (a real program cannot run backwards)."""

    def edit_locals(self, changes: dict[str, str]) -> Frame:
        """Replace values (reprs) in the current frame's locals and continue from the
        edited state. Returns the edited frame."""

    def evaluate(self, expression: str, frame_index: int) -> Any:
        """Evaluate an expression in the scope of frame ``frame_index`` (an index into
        the frames produced so far). Raises the expression's exception."""

    def close(self) -> None:
        """Release the program / model / connection."""
