"""One prediction per debugger action, with a model trained on actions.

An :class:`ActionSession` holds a context in the action format (see
:mod:`trace_format.actions`): the source prompt, a start (the plain history predicted or
recorded so far, or one state given in full when the session started mid-program or
after an edit), and the actions taken since, each followed by its target frame. Asking
for an action appends the action token (and the breakpoint lines for ``continue``) and
generates the target frame in one go: ``next``, ``return``, ``continue`` and the inverse
``rstep`` / ``rnext`` / ``rreturn`` cost one frame each, however many frames lie between.

The target is parsed defensively (written in full, no ``..``) and placed on a line with
:func:`trace_format.actions.locate_target`. A malformed reply is retried with other
samples; when all fail :class:`ActionError` carries the raw text and the context is
unchanged. Only for models whose config lists the action
(:func:`trace_format.actions.supported_actions`); a plain CWM model steps frame by frame.

No torch here: everything goes through a ``TokenGenerator`` and a ``TraceVocab``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from trace_format import (Frame, ProgramStructure, Segment, TraceEncoder, TraceFormatError, UnresolvedLineError,
                          prompt_segments)
from trace_format.actions import (Action, action_segments, breakpoint_map, locate_target, parse_target,
                                  resolve_against, state_segments)
from trace_format.frames import Event

from .propose import encode_segments


class ActionError(Exception):
    """No valid target frame for an action; ``raw`` is the last reply's text."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


@dataclass(frozen=True)
class ActionResult:
    action: Action
    frame: Frame               # the target, located (depth None after ``continue``)
    confidence: float | None   # geometric-mean probability of the generated tokens
    raw: str
    tokens: int                # tokens generated for it, retries included
    attempts: int


@dataclass
class _Step:
    start: int                 # index of the step's first id in ``ids``
    result: ActionResult


class ActionSession:
    def __init__(self, generator, vocab, source: str, *, temperature: float = 0.0, top_p: float = 0.95,
                 seed: int = 0, max_frame_tokens: int = 512, max_retries: int = 3,
                 retry_temperature: float = 0.7, constrain_lines: bool = True) -> None:
        self.generator = generator
        self.constrain_lines = constrain_lines
        self._lines = None        # the line constraint, built on first use
        self.vocab = vocab
        self.source = source
        self.structure = ProgramStructure(source)
        self.temperature, self.top_p, self.seed = temperature, top_p, seed
        self.max_frame_tokens, self.max_retries, self.retry_temperature = max_frame_tokens, max_retries, retry_temperature
        self.prompt_ids = encode_segments(vocab, prompt_segments(source))
        self.ids: list[int] = list(self.prompt_ids)
        self.start_frame: Frame | None = None
        self.steps: list[_Step] = []

    # --- the start ------------------------------------------------------------------------

    def start_history(self, frames: Sequence[Frame]) -> None:
        """Start from the plain frames so far (resolved and located, from the entry call
        on: what a session predicted or recorded)."""
        if not frames:
            raise ValueError("a history needs at least the call frame")
        enc = TraceEncoder()
        segs: list[Segment] = []
        for f in frames:
            segs += enc.encode(f)
        if enc.finished:
            segs.pop()  # <|end_of_text|>: actions (inverse ones) may still follow
        self._restart(segs, frames[-1])

    def start_from_ids(self, ids: Sequence[int], current: Frame) -> None:
        """Start from a plain session's token ids as they stand (its KV cache stays
        valid: the action context extends exactly what the generator already holds)."""
        self.ids = list(ids)
        self.start_frame = current
        self.steps = []

    def start_state(self, frame: Frame) -> None:
        """Start from one state given in full (``--start LINE --locals JSON``, an edit):
        the frames before it are unknown."""
        self._restart(state_segments(frame), frame)

    def _restart(self, segments: list[Segment], current: Frame) -> None:
        self.ids = list(self.prompt_ids) + encode_segments(self.vocab, segments)
        self.start_frame = current
        self.steps = []

    @property
    def current(self) -> Frame | None:
        return self.steps[-1].result.frame if self.steps else self.start_frame

    # --- actions --------------------------------------------------------------------------

    def _sampling(self, attempt: int):
        from neural_pdb.model.generator import SamplingParams
        seed = self.seed + 7919 * attempt + len(self.steps)
        if attempt == 0:
            return SamplingParams(self.temperature, self.top_p, seed)
        return SamplingParams(max(self.temperature, self.retry_temperature), self.top_p, seed)

    def predict(self, action: Action, breakpoints: Mapping[int, str] | Sequence[int] | None = None) -> ActionResult:
        """The frame ``action`` leads to from the current frame, appended to the context.
        ``breakpoints`` (line numbers, or {line: text}) only for ``continue``."""
        current = self.current
        if current is None:
            raise ActionError("the session has no current frame")
        bps: dict[int, str] = {}
        if action is Action.CONTINUE:
            bps = dict(breakpoints) if isinstance(breakpoints, Mapping) else breakpoint_map(self.source, breakpoints or ())
        prefix = encode_segments(self.vocab, action_segments(action, bps))
        stop_ids = self.vocab.frame_stop_ids
        last_raw, last_error, tokens = "", "", 0
        from neural_pdb.model.generator import GenerationError

        for attempt in range(self.max_retries + 1):
            try:
                gen = self.generator.generate(self.ids + prefix, max_new_tokens=self.max_frame_tokens,
                                              stop_ids=stop_ids, sampling=self._sampling(attempt),
                                              **self._constraint())
            except GenerationError as e:  # e.g. the context is longer than the model's
                raise ActionError(str(e)) from None
            tokens += len(gen.token_ids)
            segments = self.vocab.to_segments(list(gen.token_ids))
            last_raw = "".join(s.text for s in segments)
            if gen.is_truncated:
                last_error = f"the frame did not end within {self.max_frame_tokens} tokens"
                continue
            try:
                frame = parse_target(segments, allow_unchanged=True)
                located = locate_target(self.structure, action, current, frame, bps)
                resolved = resolve_against(located, current)
                if resolved is None:
                    raise TraceFormatError("scope", "'..' in a target outside the current scope "
                                           "(targets are written in full)", last_raw)
                located = resolved
            except TraceFormatError as e:
                last_error = f"malformed frame: {e.message}"
                continue
            except UnresolvedLineError as e:
                last_error = str(e)
                continue
            known = [lp for lp in gen.logprobs if lp is not None]
            conf = math.exp(sum(known) / len(known)) if known else None
            result = ActionResult(action, located, conf, last_raw, tokens, attempt + 1)
            self.steps.append(_Step(len(self.ids), result))
            self.ids.extend(prefix + list(gen.token_ids))
            return result
        raise ActionError(f"no valid frame for {action.value} after {self.max_retries + 1} samples: {last_error}",
                          last_raw)

    def _constraint(self) -> dict:
        """A target's line is one of the program's (any scope: a return or continue leaves
        the current one), where the generator can apply a constraint."""
        if not (self.constrain_lines and getattr(self.generator, "accepts_constraint", False)):
            return {}
        if self._lines is None:
            from neural_pdb.model.constraint import SourceLineConstraint
            self._lines = SourceLineConstraint(self.vocab, self.source, self.structure).at(None)
        return {"constraint": self._lines}

    def rewind(self, n_steps: int = 1) -> bool:
        """Drop the last ``n_steps`` actions (the generator crops its cache to the prefix)."""
        if n_steps < 0 or n_steps > len(self.steps):
            return False
        if n_steps:
            cut = self.steps[-n_steps].start
            del self.steps[-n_steps:]
            del self.ids[cut:]
        return True


def is_program_end(result: ActionResult) -> bool:
    """A ``continue`` that hit no breakpoint: its target is the entry scope's return."""
    return result.action is Action.CONTINUE and result.frame.event is Event.RETURN
