"""The UI-free debugging engine: bdb's stepping and breakpoint rules over the frames of
any backend (:mod:`.engine`), the views pdb's commands read (:mod:`.views`) and the
interface every backend implements (:mod:`.backend`)."""

from .backend import Backend, BackendError, FrameInfo, ProgramOutcome
from .engine import Engine, EventRecord, ProgramEnd, Stop
from .views import FrameView, PredictedValue, rebuild_value

__all__ = ["Backend", "BackendError", "FrameInfo", "ProgramOutcome", "Engine", "EventRecord", "ProgramEnd",
           "Stop", "FrameView", "PredictedValue", "rebuild_value"]
