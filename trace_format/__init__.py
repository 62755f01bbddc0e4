'''CWM's execution-trace format as a pure library: data types, encode, parse, ``..``.

No I/O, no torch: stdlib only. This docstring is the format's specification; the
round-trip tests in ``tests/trace_format`` pin it.

Prompt::

    <|begin_of_text|><|trace_context_start|>SOURCE<|frame_sep|>

Frames, one after another, then ``<|end_of_text|>`` once the entry scope is left::

    <|call_sep|>LOCALS<|action_sep|>SOURCE_LINE<|frame_sep|>
    <|line_sep|>LOCALS<|action_sep|>SOURCE_LINE<|frame_sep|>
    <|return_sep|><|action_sep|>SOURCE_LINE<|arg_sep|>VALUE<|frame_sep|>
    <|exception_sep|><|action_sep|>SOURCE_LINE<|arg_sep|>VALUE<|frame_sep|>

- A frame is an observation (LOCALS, before the line runs) and an action (SOURCE_LINE,
  the full line with its indentation, as it stands in SOURCE).
- LOCALS is a JSON object (``json.dumps``, ``ensure_ascii=False``): keys are the local
  names present, values JSON strings holding the value's repr. Every present name is
  listed; a value equal to the previous frame *of the same scope* is written ``".."``.
  A call frame writes every value. Scopes form a stack (call opens, return closes), so
  a caller's ``..`` still resolve after a nested call returns.
- VALUE is a JSON string holding the repr of the returned value or the exception.
- Events follow Python's tracing protocol: ``call`` when a scope is entered (a function
  call, a generator resumed, a class body, a 3.11 comprehension), ``line`` before each
  line, ``return`` when a scope is left (a generator yielding too), ``exception`` where
  an exception is raised or passes through. An exception leaving a scope is an
  ``exception`` frame followed by a ``return`` frame with VALUE ``"None"``, as Python
  reports it and pdb shows it.
- Entry function: its ``def`` line ends with ``# << START_OF_TRACE``; the trace
  starts with its call frame, whose LOCALS are the arguments.
- Module scope (a whole script, as ``neural-pdb script.py`` and pdb start): no marker;
  the trace starts with a call frame on line 1 of SOURCE whose LOCALS are the module's
  globals (none yet); the module's LOCALS are its user globals: names not of the form
  ``__x__`` and not modules. Functions and classes appear by their repr
  (``<function f>``, ``<class '__main__.A'>``).  The module scope is the entry scope:
  its return frame (VALUE ``"None"``) is followed by ``<|end_of_text|>``.
- Reprs are made by the tracer's repr policy (``neural_pdb.tracer.reprs``): no memory
  addresses, a length cap with a visible elision, and a placeholder if ``__repr__``
  fails.

Line numbers, function names and depths are not in the text; :mod:`trace_format.lines`
derives them from the program's structure.

Debugger actions (``<|npdb:...|>`` extra special tokens: step into / over / out,
continue to breakpoints, and the inverse actions) extend the format for action-trained
models: :mod:`trace_format.actions` specifies them; :mod:`trace_format.state_tree`
defines each action's target on a real trace and samples training examples.
'''

from . import tokens
from .encode import (Segment, TraceEncoder, encode_locals, encode_trace, encode_value, frame_segments,
                     join_segments, prompt_segments, trace_segments)
from .errors import TraceFormatError, UnresolvedLineError
from .frames import (UNCHANGED, Event, Frame, Trace, call_frame, exception_frame, freeze_locals, line_frame,
                     return_frame)
from .lines import FrameLocator, ProgramStructure, locate_frames
from .marker import START_MARKER, add_start_marker, find_start_marker, has_start_marker, strip_all_markers, strip_start_marker
from .parse import parse_frame, parse_trace, split_segments
from .scopes import ScopeStack, resolve_frames
from .actions import (ACTION_TOKENS, Action, ActionExample, ActionStep, encode_example, example_segments,
                      parse_example, parse_target, supported_actions)
from .state_tree import StateTree

__all__ = [
    "tokens", "Segment", "TraceEncoder", "encode_locals", "encode_trace", "encode_value", "frame_segments",
    "join_segments", "prompt_segments", "trace_segments", "TraceFormatError", "UnresolvedLineError", "UNCHANGED",
    "Event", "Frame", "Trace", "call_frame", "exception_frame", "freeze_locals", "line_frame", "return_frame",
    "FrameLocator", "ProgramStructure", "locate_frames", "START_MARKER", "add_start_marker", "find_start_marker",
    "has_start_marker", "strip_all_markers", "strip_start_marker", "parse_frame", "parse_trace", "split_segments",
    "ScopeStack", "resolve_frames", "ACTION_TOKENS", "Action", "ActionExample", "ActionStep", "encode_example",
    "example_segments", "parse_example", "parse_target", "supported_actions", "StateTree",
]
