'''Debugger actions: our extension of CWM's format (namespaced extra special tokens).

CWM predicts one frame after another. A model trained on *action examples* also predicts
the state a debugger action leads to, in one prediction: the stop after ``next``, after
``return``, at the next breakpoint, or an earlier state (inverse execution). CWM's tokens
keep their meaning; ours all start with ``<|npdb:`` so they can never clash with CWM's.

Tokens (each a single extra special token in a model's tokenizer, see
:data:`ACTION_TOKENS`)::

    <|npdb:state|>           the next frame is a state given in full, history unknown
    <|npdb:step_into|>       the next frame (pdb ``step``)
    <|npdb:step_over|>       the next frame of this scope, or of the caller once this
                             scope has returned (pdb ``next``)
    <|npdb:step_out|>        this scope's return frame (pdb ``return``)
    <|npdb:continue|>BPS     the first line frame on a breakpoint line (pdb ``continue``);
                             the entry scope's return frame when no breakpoint is hit
    <|npdb:step_back_into|>  the previous frame
    <|npdb:step_back_over|>  the previous frame of this scope (or of the caller from a
                             call frame)
    <|npdb:back_to_call|>    this scope's call frame: the arguments that led here

``BPS`` (the breakpoint lines, in the prompt of the prediction) is a JSON object mapping
each line number (a string) to that line's text, e.g. ``{"7": "    return x"}``: the
number makes it unambiguous, the text lets a model find the line without counting.

An action example::

    <|begin_of_text|><|trace_context_start|>SOURCE<|frame_sep|>
    START
    ACTION FRAME ACTION FRAME ...

``START`` is either a plain CWM trace from the entry call up to the current frame
(``..``-compressed as usual: the history a session predicted or recorded), or
``<|npdb:state|>`` followed by one frame written in full (a session started mid-program
with ``--start LINE --locals JSON``, or after an edit). Then each ACTION token (with BPS
for ``continue``) is followed by its target FRAME, always written in full: no ``..``
across a jump, because the frames in between are not in the text. A text ends after a
target frame (``<|end_of_text|>`` never follows an action's target).

Targets on a real trace are defined by :mod:`trace_format.state_tree`.
'''

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from . import tokens
from .encode import Segment, TraceEncoder, frame_segments, join_segments, prompt_segments
from .errors import TraceFormatError
from .frames import UNCHANGED, Event, Frame
from .lines import ProgramStructure
from .parse import _Reader, _read_frame, split_segments  # the one frame reader, shared with parse_trace
from .scopes import ScopeStack

STATE = "<|npdb:state|>"


class Action(enum.Enum):
    STEP_INTO = "step_into"
    STEP_OVER = "step_over"
    STEP_OUT = "step_out"
    CONTINUE = "continue"
    STEP_BACK_INTO = "step_back_into"
    STEP_BACK_OVER = "step_back_over"
    BACK_TO_CALL = "back_to_call"

    @property
    def token(self) -> str:
        return f"<|npdb:{self.value}|>"

    @property
    def is_inverse(self) -> bool:
        return self in INVERSE_ACTIONS

    @classmethod
    def from_token(cls, token: str) -> "Action":
        return _TOKEN_ACTION[token]


FORWARD_ACTIONS: tuple[Action, ...] = (Action.STEP_INTO, Action.STEP_OVER, Action.STEP_OUT, Action.CONTINUE)
INVERSE_ACTIONS: tuple[Action, ...] = (Action.STEP_BACK_INTO, Action.STEP_BACK_OVER, Action.BACK_TO_CALL)
_TOKEN_ACTION = {a.token: a for a in Action}

#: Every extra special token an action-trained model's tokenizer must have.
ACTION_TOKENS: tuple[str, ...] = (STATE,) + tuple(a.token for a in Action)

#: The name under which a model's config lists the actions it was trained on.
CONFIG_KEY = "npdb_actions"


def supported_actions(config: object) -> set[Action]:
    """The actions a model was trained on, from its config (``config.npdb_actions``, a
    list of action names; a dict config works too). Empty for a plain CWM-format model:
    the engine then rolls out frame by frame. Unknown names are ignored."""
    names = config.get(CONFIG_KEY) if isinstance(config, Mapping) else getattr(config, CONFIG_KEY, None)
    out: set[Action] = set()
    for name in names or ():
        try:
            out.add(Action(str(name)))
        except ValueError:
            continue  # an action from a newer version of the format: not one we can ask for
    return out


def breakpoint_map(source: str, lines: Iterable[int]) -> dict[int, str]:
    """{line number: line text} for the breakpoint lines that exist in ``source``."""
    text = source.split("\n")
    return {n: text[n - 1] for n in sorted(set(lines)) if 1 <= n <= len(text)}


def encode_breakpoints(breakpoints: Mapping[int, str]) -> str:
    return json.dumps({str(n): breakpoints[n] for n in sorted(breakpoints)}, ensure_ascii=False)


def parse_breakpoints(text: str, raw: str = "") -> dict[int, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TraceFormatError("bad_json", f"breakpoints are not valid JSON ({e.msg} at char {e.pos})", raw) from None
    if not isinstance(data, dict):
        raise TraceFormatError("bad_json", "breakpoints are not a JSON object", raw)
    out: dict[int, str] = {}
    for k, v in data.items():
        if not (isinstance(k, str) and k.isdigit() and isinstance(v, str)):
            raise TraceFormatError("bad_json", f"bad breakpoint entry {k!r}: {v!r}", raw)
        out[int(k)] = v
    return out


@dataclass(frozen=True)
class ActionStep:
    """One action and the state it leads to. ``breakpoints`` only for ``continue``."""

    action: Action
    target: Frame
    breakpoints: tuple[tuple[int, str], ...] = ()

    @property
    def breakpoint_lines(self) -> tuple[int, ...]:
        return tuple(n for n, _ in self.breakpoints)


@dataclass(frozen=True)
class ActionExample:
    """A prompt, a start (history or a bare state) and a sequence of action steps.

    ``history`` holds the plain frames from the entry call to the current frame; when
    ``from_state`` is true it holds exactly one frame, the state given in full.
    """

    source: str
    history: tuple[Frame, ...]
    steps: tuple[ActionStep, ...] = ()
    from_state: bool = False

    @property
    def current(self) -> Frame:
        return self.steps[-1].target if self.steps else self.history[-1]


def action_segments(action: Action, breakpoints: Mapping[int, str] | None = None) -> list[Segment]:
    """The action token (and breakpoints for ``continue``): what a session appends to its
    context before asking a model for the target frame."""
    out = [Segment(action.token, True)]
    if action is Action.CONTINUE:
        out.append(Segment(encode_breakpoints(breakpoints or {})))
    return out


def state_segments(frame: Frame) -> list[Segment]:
    """``<|npdb:state|>`` and a frame written in full: the start of a session whose
    history is unknown."""
    return [Segment(STATE, True)] + frame_segments(frame)


def target_segments(step: ActionStep) -> list[Segment]:
    return action_segments(step.action, dict(step.breakpoints)) + frame_segments(step.target)


def example_segments(example: ActionExample) -> list[Segment]:
    if not example.history:
        raise TraceFormatError("truncated", "an action example needs a start frame")
    segs = prompt_segments(example.source)
    if example.from_state:
        if len(example.history) != 1:
            raise TraceFormatError("scope", "a state start holds exactly one frame")
        segs += state_segments(example.history[0])
    else:
        enc = TraceEncoder()
        for f in example.history:
            if enc.finished:
                raise TraceFormatError("scope", "history continues after the entry scope returned")
            segs += enc.encode(f)
        if enc.finished:
            segs.pop()  # the <|end_of_text|>: actions may still follow (inverse ones)
    for step in example.steps:
        segs += target_segments(step)
    return segs


def encode_example(example: ActionExample) -> str:
    return join_segments(example_segments(example))


_SPLIT_RE = re.compile("|".join(re.escape(t) for t in tokens.TRACE_TOKENS + ACTION_TOKENS))


def split_action_segments(text: str) -> list[Segment]:
    """Like :func:`trace_format.split_segments`, knowing our action tokens too."""
    return split_segments(text, _SPLIT_RE)


def _full_frame(frame: Frame, raw: str) -> Frame:
    if not frame.is_resolved:
        raise TraceFormatError("scope", "'..' in a frame after an action (targets are written in full)", raw)
    return frame


def parse_target(data: str | Sequence[Segment], allow_unchanged: bool = False) -> Frame:
    """A target frame as a model writes it after an action token: in full, ``..`` is an
    error (there is no earlier frame of its scope in the text to resolve it against).

    ``allow_unchanged``: return a frame with ``..`` values as written, for a caller that
    knows the frame it may stand for (see :func:`resolve_against`)."""
    segs = split_action_segments(data) if isinstance(data, str) else list(data)
    raw = data if isinstance(data, str) else join_segments(segs)
    r = _Reader(segs, raw)
    frame = _read_frame(r)
    if r.peek() is not None:
        raise TraceFormatError("unexpected_token", f"text after the target frame: {r.peek().text[:40]!r}", raw)
    return frame if allow_unchanged else _full_frame(frame, raw)


def resolve_against(target: Frame, current: Frame) -> Frame | None:
    """A target written with ``..`` (a model that fell back to plain-trace habits),
    resolved against the current frame when both stand in the same scope (same function
    and depth, not a call frame) and every ``..`` name has a value there; None otherwise."""
    if target.is_resolved:
        return target
    if target.event is Event.CALL:  # a call frame opens its scope: it writes every value
        return None
    if not (current.has_locals and target.function == current.function and target.depth == current.depth
            and target.depth is not None):
        return None
    known = current.locals
    values = {}
    for name, value in target.local_items:
        if value == UNCHANGED:
            if name not in known:
                return None
            value = known[name]
        values[name] = value
    return target.with_locals(values)


def parse_example(data: str | Sequence[Segment]) -> ActionExample:
    """An action example back from text (or segments); the inverse of :func:`encode_example`.

    History frames are resolved (``..``) per scope; targets must be written in full.
    Positions (line numbers, depths) are not in the text.
    """
    segs = split_action_segments(data) if isinstance(data, str) else list(data)
    raw = data if isinstance(data, str) else join_segments(segs)
    r = _Reader(segs, raw)
    r.expect(tokens.BEGIN_OF_TEXT, "the start of the text")
    r.expect(tokens.TRACE_CONTEXT_START, "the source context")
    source = r.take_text()
    r.expect(tokens.FRAME_SEP, "the end of the source context")
    history: list[Frame] = []
    from_state = False
    head = r.peek()
    if head is not None and head.special and head.text == STATE:
        r.i += 1
        history.append(_full_frame(_read_frame(r), raw))
        from_state = True
    else:
        stack = ScopeStack()
        while (s := r.peek()) is not None and s.special and s.text in tokens.EVENT_TOKENS:
            history.append(stack.resolve_and_advance(_read_frame(r)))
        if (s := r.peek()) is not None and s.special and s.text == tokens.END_OF_TEXT:
            r.i += 1
    if not history:
        raise TraceFormatError("truncated", "an action example needs a start frame", raw)
    steps: list[ActionStep] = []
    while (s := r.peek()) is not None:
        if not (s.special and s.text in _TOKEN_ACTION):
            raise TraceFormatError("unexpected_token", f"expected an action token, got {s.text[:40]!r}", raw)
        r.i += 1
        action = Action.from_token(s.text)
        bps: dict[int, str] = {}
        if action is Action.CONTINUE:
            bps = parse_breakpoints(r.take_text(), raw)
        target = _full_frame(_read_frame(r), raw)
        steps.append(ActionStep(action, target, tuple(sorted(bps.items()))))
    return ActionExample(source, tuple(history), tuple(steps), from_state)


# --- where a predicted target stands -----------------------------------------------------

def target_depth(action: Action, current: Frame, target_event: Event) -> int | None:
    """The depth of an action's target, from the current frame's depth and the target's
    event (the text carries no depths). None for a ``continue`` that stops on a line: it
    may stop at any depth."""
    d = current.depth
    if action is Action.CONTINUE:
        # a breakpoint may be hit at any depth; a return is the end of the program
        return 0 if target_event is Event.RETURN else None
    if d is None:
        return None
    cur = current.event
    if action in (Action.STEP_INTO, Action.STEP_OVER, Action.STEP_OUT):
        if cur is Event.RETURN:  # the scope has returned: the caller, or a new call from it
            return d if target_event is Event.CALL else d - 1
        if target_event is Event.CALL:  # only step_into enters a callee
            return d + 1
        return d
    if action is Action.BACK_TO_CALL:
        return d
    # step_back_into / step_back_over
    if cur is Event.CALL:  # before a call: the caller's line, or a sibling's return
        return d if target_event is Event.RETURN else d - 1
    if target_event is Event.RETURN:  # a callee returned just before (step_back_into only)
        return d + 1
    return d


def locate_target(structure: ProgramStructure, action: Action, current: Frame, target: Frame,
                  breakpoints: Iterable[int] = ()) -> Frame:
    """``target`` with a line number, function name and depth, for a frame a model
    predicted after ``action`` from ``current`` (a located frame).

    The line is picked among the lines with that text: a breakpoint line for
    ``continue``; a ``def`` line for a call; otherwise a line of the current scope when
    the target stays in it; then the nearest after (forward) or before (inverse) the
    current line. Raises :class:`trace_format.UnresolvedLineError` if no line matches.
    """
    from .errors import UnresolvedLineError
    s = structure
    cands = s.candidates(target.source_line)
    if not cands:
        raise UnresolvedLineError(target.source_line)
    depth = target_depth(action, current, target.event)
    bps = set(breakpoints)
    if action is Action.CONTINUE and bps and target.event is Event.LINE:
        cands = [c for c in cands if c in bps] or cands
    if target.event is Event.CALL:
        cands = [c for c in cands if c in s.head_of] or cands
    elif current.lineno is not None and depth is not None and depth == current.depth and current.event is not Event.RETURN:
        cur_scope = s.owner[current.lineno] if current.event is not Event.CALL else s.scope_opened_by(current.lineno)
        cands = [c for c in cands if s.owner[c] == cur_scope and c not in s.head_of] or cands
    here = current.lineno or 0
    big = 1_000_000
    if action.is_inverse:
        lineno = min(cands, key=lambda c: here - c if c <= here else here - c + big)
    else:
        lineno = min(cands, key=lambda c: c - here if c >= here else c - here + big)
    if target.event is Event.CALL:
        function = s.scope_name(s.scope_opened_by(lineno))
    else:
        function = s.scope_name(s.owner[lineno]) if lineno < len(s.owner) else "<module>"
    return target.with_position(lineno, function, depth)
