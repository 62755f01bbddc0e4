"""One predicted execution: the token ids of the trace so far, frame by frame.

A :class:`TraceSession` owns the prompt (source context) and one record per frame: its
token ids, where they start, and the scope stack and line locator after it. It asks a
:class:`~neural_pdb.model.generator.TokenGenerator` for one frame at a time, always
passing the full ids (a caching generator forwards only the new suffix), and

- parses the reply from segments built from token ids, resolves ``..`` per scope and
  places the line with the program's structure;
- on a malformed reply retries with another sample (a new seed, temperature at least
  ``retry_temperature``) up to ``max_retries`` times, then raises
  :class:`MalformedReplyError` carrying the raw text, leaving the session unchanged;
- rewinds (``back``) and edits (``!x = 5``) by truncating the ids: the next call's prompt
  is a prefix of what the generator has cached, so its cache is cropped, not re-encoded;
- scores each predicted frame and value from the token log-probs (or, with
  ``samples > 1``, by the agreement of several samples);
- keeps the prompt within the model's context: when the trace so far no longer fits,
  the model sees the source context and the most recent frames (the first of them written
  in full, without ``..``), about half the context, so the window moves rarely and the
  cache is reused between moves. Frames are still resolved over the whole session.

No torch here: everything goes through the generator and the vocab.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Sequence

from trace_format import (Event, Frame, FrameLocator, ScopeStack, Segment, TraceFormatError, UnresolvedLineError,
                          frame_segments, parse_frame, prompt_segments, tokens)

from neural_pdb.engine.repeats import DEFAULT_MAX_REPEATS

from .generator import Generation, SamplingParams, TokenGenerator
from .vocab import TraceVocab

#: Key of a return / exception frame's value in ``value_confidence`` (pdb's names).
RETURN_KEY = "__return__"
EXCEPTION_KEY = "__exception__"

_JSON_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


@dataclass(frozen=True)
class PredictionConfig:
    """How frames are predicted. Greedy by default so a session is reproducible."""

    temperature: float = 0.0
    top_p: float = 0.95
    seed: int = 0
    max_frame_tokens: int = 512       # a frame longer than this is malformed (truncated)
    max_retries: int = 3              # further samples after a malformed reply
    retry_temperature: float = 0.7    # a greedy reply that failed would fail again
    samples: int = 1                  # > 1: confidence by agreement of this many samples
    sample_temperature: float = 0.7   # temperature of the agreement samples
    max_frames: int = 5000            # a session predicting more frames stops with a message
    max_repeats: int = DEFAULT_MAX_REPEATS  # the debugger stops where a state repeats this often in
                                      # one call (neural_pdb.engine.repeats; 0: never)
    constrain_lines: bool = True      # a frame's source line is decoded among the program's lines
    max_context: int | None = None    # tokens the model can attend to; None: the generator's
                                      # ``max_length`` when it has one (see TraceSession)

    def sampling(self, attempt: int, step: int, restart: int) -> SamplingParams:
        seed = self.seed + 7919 * attempt + 104729 * restart + step
        if attempt == 0:
            return SamplingParams(self.temperature, self.top_p, seed)
        return SamplingParams(max(self.temperature, self.retry_temperature), self.top_p, seed)


def position_after(locator: FrameLocator, last: Frame | None, entry: bool) -> tuple[int | None, int | None]:
    """(first line, current line) for the line constraint of the frame after ``last``:
    right after a call frame the line Python runs first there (when the structure knows
    it), otherwise the line the current scope stands on."""
    if last is None or last.lineno is None or not locator.stack:
        return None, None
    if last.event is Event.CALL:
        return locator.structure.first_line_after_call(last.lineno, locator.scope, entry), None
    return None, locator.stack[-1].lineno


class MalformedReplyError(Exception):
    """Every sample for a frame was malformed; ``raw`` is the last reply's text."""

    def __init__(self, message: str, raw: str, attempts: int) -> None:
        super().__init__(message)
        self.raw = raw
        self.attempts = attempts


class SessionLimitError(Exception):
    """The session reached ``max_frames``."""


@dataclass(frozen=True)
class PredictedFrame:
    """A frame with its provenance and scores."""

    frame: Frame                       # resolved (no ``..``) and located
    token_ids: tuple[int, ...]         # as in the trace: forced ids + generated ids
    predicted: bool = True             # False for a frame given (forced) by the caller
    confidence: float | None = None    # geometric-mean probability of the generated tokens
    value_confidence: dict[str, float] = field(default_factory=dict)
    raw: str = ""                      # the frame's text as generated
    attempts: int = 1


@dataclass
class _Record:
    item: PredictedFrame
    start: int                  # index of the frame's first id in the session's ids
    scopes: ScopeStack          # after this frame
    locator: FrameLocator       # after this frame


class _Reject(Exception):
    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


def value_spans(locals_text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each value's characters in a LOCALS JSON text (a flat object
    of strings, as the parser has checked): string literals alternate key, value. The span
    covers the value's content and closing quote (where the value ends matters too)."""
    import json
    found = list(_JSON_STRING_RE.finditer(locals_text))
    out = []
    for key, value in zip(found[0::2], found[1::2]):
        try:
            name = json.loads(key.group())
        except ValueError:
            continue
        out.append((name, value.start() + 1, value.end()))
    return out


def _confidences(vocab: TraceVocab, gen_ids: Sequence[int], logprobs: Sequence[float | None],
                 frame: Frame) -> tuple[float | None, dict[str, float]]:
    """Frame confidence (geometric-mean token probability) and per-value confidence (the
    lowest token probability inside each value: one unsure digit makes the value unsure)."""
    known = [lp for lp in logprobs if lp is not None]
    frame_conf = math.exp(sum(known) / len(known)) if known else None
    values: dict[str, float] = {}
    if len(logprobs) != len(gen_ids):
        return frame_conf, values
    # The text run that holds LOCALS (after the event token of a call/line frame) or
    # VALUE (after <|arg_sep|> of a return/exception frame).
    wanted = ({vocab.ids[tokens.CALL_SEP], vocab.ids[tokens.LINE_SEP]} if frame.has_locals
              else {vocab.ids[tokens.ARG_SEP]})
    target: tuple[int, int] | None = None
    i, n = 0, len(gen_ids)
    while i < n and target is None:
        if gen_ids[i] in vocab.special_text:
            j = i + 1
            while j < n and gen_ids[j] not in vocab.special_text:
                j += 1
            if gen_ids[i] in wanted and j > i + 1:
                target = (i + 1, j)
            i = j
        else:
            i += 1
    if target is None:
        return frame_conf, values
    start, end = target
    run = list(gen_ids[start:end])
    ends = vocab.text_offsets(run)
    starts = [0] + ends[:-1]
    if frame.has_locals:
        spans = value_spans(vocab.decode_text(run))
    else:
        text = vocab.decode_text(run)
        key = RETURN_KEY if frame.event is Event.RETURN else EXCEPTION_KEY
        spans = [(key, 1, len(text))] if text else []
    for name, a, b in spans:
        lps = [logprobs[start + k] for k in range(len(run)) if starts[k] < b and ends[k] > a]
        lps = [lp for lp in lps if lp is not None]
        if lps:
            values[name] = math.exp(min(lps))
    return frame_conf, values


class TraceSession:
    """The trace so far as token ids, and prediction of the next frame."""

    def __init__(self, generator: TokenGenerator, vocab: TraceVocab, source: str,
                 config: PredictionConfig = PredictionConfig()) -> None:
        self.generator = generator
        self.vocab = vocab
        self.source = source
        self.config = config
        self.prompt_ids = vocab.encode_segments(prompt_segments(source))
        self.ids: list[int] = list(self.prompt_ids)
        self.records: list[_Record] = []
        self.finished = False
        self.restarts = 0
        self._locator0 = FrameLocator.for_source(source)
        self._window: int | None = None            # index of the first record in the window
        self._window_head: list[int] | None = None  # prompt + that record written in full
        # the action of a predicted frame is one of the program's lines, where the generator
        # can apply a token constraint (a local model, `neural-pdb serve`; not vLLM)
        self._line_constraint = None
        if config.constrain_lines and getattr(generator, "accepts_constraint", False):
            from .constraint import SourceLineConstraint
            self._line_constraint = SourceLineConstraint(vocab, source, self._locator0.structure)

    # --- state -----------------------------------------------------------------------

    @property
    def frames(self) -> list[Frame]:
        return [r.item.frame for r in self.records]

    @property
    def current(self) -> PredictedFrame | None:
        return self.records[-1].item if self.records else None

    def _scopes(self) -> ScopeStack:
        return self.records[-1].scopes.copy() if self.records else ScopeStack()

    def _locator(self) -> FrameLocator:
        return self.records[-1].locator.copy() if self.records else self._locator0.copy()

    def restart(self) -> None:
        """Back to the source context alone (a caching generator keeps the prefilled
        prompt: the next call crops to it). A new sample stream when sampling."""
        self.ids = list(self.prompt_ids)
        self.records = []
        self.finished = False
        self.restarts += 1
        self._window = self._window_head = None

    # --- adding frames ----------------------------------------------------------------

    def _end_ids(self, frame: Frame, scopes: ScopeStack) -> list[int]:
        """``<|end_of_text|>`` after the return frame that leaves the entry scope."""
        if frame.event is Event.RETURN and not scopes.scopes:
            return [self.vocab.id(tokens.END_OF_TEXT)]
        return []

    def _commit(self, item: PredictedFrame, scopes: ScopeStack, locator: FrameLocator) -> PredictedFrame:
        start = len(self.ids)
        end_ids = self._end_ids(item.frame, scopes)
        self.ids.extend(item.token_ids)
        self.ids.extend(end_ids)
        self.records.append(_Record(item, start, scopes, locator))
        self.finished = bool(end_ids)
        return item

    def force_frame(self, frame: Frame) -> PredictedFrame:
        """Append a frame given by the caller (e.g. the call frame of a known entry)."""
        scopes, locator = self._scopes(), self._locator()
        located = locator.locate_and_advance(frame)
        written = scopes.compress(located) if located.has_locals else None
        resolved = scopes.resolve_and_advance(located)
        ids = self.vocab.encode_segments(frame_segments(located, written))
        return self._commit(PredictedFrame(resolved, tuple(ids), predicted=False), scopes, locator)

    def _parse(self, forced: Sequence[int], gen: Generation) -> tuple[Frame, ScopeStack, FrameLocator, str]:
        segments = self.vocab.to_segments(list(forced) + list(gen.token_ids))
        raw = "".join(s.text for s in segments)
        if gen.is_truncated:
            raise _Reject(f"the frame did not end within {self.config.max_frame_tokens} tokens", raw)
        if gen.stop_id == self.vocab.id(tokens.END_OF_TEXT):
            # <|end_of_text|> comes after the entry scope's return frame, which we add
            # ourselves; the model saying it anywhere else is a malformed reply.
            raise _Reject("the model ended the trace inside a frame", raw)
        try:
            frame = parse_frame(segments)
        except TraceFormatError as e:
            raise _Reject(f"malformed frame: {e.message}", raw) from None
        scopes, locator = self._scopes(), self._locator()
        try:
            located = locator.locate_and_advance(frame)
            # a `..` the model wrote for a name with no earlier value is left out, not
            # the whole frame (its line and other values are still a prediction)
            resolved = scopes.resolve_and_advance(located, drop_unresolvable=True)
        except UnresolvedLineError as e:
            raise _Reject(str(e), raw) from None
        except TraceFormatError as e:
            raise _Reject(f"inconsistent frame: {e.message}", raw) from None
        return resolved, scopes, locator, raw

    def _context_budget(self) -> int | None:
        """Tokens the prompt may have: the context less room for one frame and the forced
        token. The room is ``max_frame_tokens`` but at most a quarter of the context: a
        small model's context would otherwise hold little more than the source (frames
        are far shorter than the limit; a longer one ends truncated, a malformed reply)."""
        limit = self.config.max_context or getattr(self.generator, "max_length", None)
        if not limit:
            return None
        limit = int(limit)
        return limit - min(self.config.max_frame_tokens, max(64, limit // 4)) - 1

    def prompt_window(self) -> list[int]:
        """The ids the model is given: the whole trace when it fits the context, else the
        source context and the most recent frames (see the module docstring)."""
        budget = self._context_budget()
        if budget is None or len(self.ids) <= budget:
            self._window = self._window_head = None
            return list(self.ids)
        if self._window is not None and self._window >= len(self.records):
            self._window = self._window_head = None
        if self._window is not None:
            window = self._window_ids()
            if len(window) <= budget:
                return window
        # Move the window: the latest start whose window is at most half the budget (at
        # least the current frame), so that it moves again only after many frames.
        target = max(len(self.prompt_ids), budget // 2)
        start = len(self.records) - 1
        while start > 0 and len(self.prompt_ids) + len(self.ids) - self.records[start - 1].start <= target:
            start -= 1
        self._window, self._window_head = start, None
        return self._window_ids()

    def _window_ids(self) -> list[int]:
        first = self.records[self._window]
        if self._window_head is None:
            # The first frame of the window written in full: its ``..`` would point at
            # frames the model no longer sees.
            full = self.vocab.encode_segments(frame_segments(first.item.frame))
            self._window_head = list(self.prompt_ids) + full
        nxt = self.records[self._window + 1].start if self._window + 1 < len(self.records) else len(self.ids)
        return self._window_head + self.ids[nxt:]

    def _sample(self, forced: Sequence[int], sampling: SamplingParams) -> Generation:
        extra = {}
        if self._line_constraint is not None:
            locator = self.records[-1].locator if self.records else self._locator0
            extra["constraint"] = self._line_constraint.at(
                locator.scope, *position_after(locator, self.records[-1].item.frame if self.records else None,
                                               len(self.records) == 1))
        return self.generator.generate(self.prompt_window(), max_new_tokens=self.config.max_frame_tokens,
                                       stop_ids=self.vocab.frame_stop_ids, forced_ids=forced, sampling=sampling,
                                       **extra)

    def predict(self, forced_event: Event | None = None) -> PredictedFrame:
        """Predict and append the next frame. ``forced_event`` forces its event token
        (``<|line_sep|>`` to step into a call, ``<|return_sep|>`` to step over it).

        Raises :class:`MalformedReplyError` (session unchanged) when every sample was
        malformed, :class:`SessionLimitError` at ``max_frames``; a ``KeyboardInterrupt``
        propagates with the session unchanged.
        """
        if self.finished:
            raise SessionLimitError("the program has finished")
        if len(self.records) >= self.config.max_frames:
            raise SessionLimitError(f"stopped: the model predicted {self.config.max_frames} frames "
                                    "(limit; raise it with --max-frames)")
        forced = [self.vocab.id(forced_event.token)] if forced_event is not None else []
        step = len(self.records)
        last: _Reject | None = None
        attempts = 0
        for attempt in range(self.config.max_retries + 1):
            attempts += 1
            gen = self._sample(forced, self.config.sampling(attempt, step, self.restarts))
            try:
                frame, scopes, locator, raw = self._parse(forced, gen)
            except _Reject as e:
                last = e
                continue
            conf, values = _confidences(self.vocab, list(forced) + list(gen.token_ids),
                                        [None] * len(forced) + list(gen.logprobs), frame)
            item = PredictedFrame(frame, tuple(forced) + tuple(gen.token_ids), True, conf, values, raw, attempts)
            if self.config.samples > 1:
                item = self._agreement(item, forced, step)
            return self._commit(item, scopes, locator)
        raise MalformedReplyError(f"the model's reply is not a valid frame after {attempts} samples: {last}",
                                  last.raw if last else "", attempts)

    def _agreement(self, item: PredictedFrame, forced: Sequence[int], step: int) -> PredictedFrame:
        """Confidence as agreement: the share of extra samples giving the same frame, and
        per value the share giving the same value (a malformed sample agrees with nothing)."""
        n = self.config.samples - 1
        same_frame = 0
        mine = item.frame
        keys = list(mine.locals) if mine.has_locals else [RETURN_KEY if mine.event is Event.RETURN else EXCEPTION_KEY]
        same_value = {k: 0 for k in keys}
        for k in range(n):
            sampling = SamplingParams(max(self.config.sample_temperature, 1e-3), self.config.top_p,
                                      self.config.seed + 15485863 * (k + 1) + 104729 * self.restarts + step)
            try:
                other, _, _, _ = self._parse(forced, self._sample(forced, sampling))
            except _Reject:
                continue
            if (other.event, other.source_line, other.local_items, other.value) == (
                    mine.event, mine.source_line, mine.local_items, mine.value):
                same_frame += 1
            for key in keys:
                if mine.has_locals:
                    if other.has_locals and other.locals.get(key) == mine.locals[key]:
                        same_value[key] += 1
                elif other.event is mine.event and other.value == mine.value:
                    same_value[key] += 1
        # The chosen sample agrees with itself: n + 1 votes in all.
        return PredictedFrame(item.frame, item.token_ids, item.predicted, (same_frame + 1) / (n + 1),
                              {k: (v + 1) / (n + 1) for k, v in same_value.items()}, item.raw, item.attempts)

    # --- going back, editing ------------------------------------------------------------

    def rewind(self, n_frames: int) -> bool:
        """Drop the last ``n_frames`` frames (the ids too: the generator crops its cache
        when the next prompt is a prefix of what it holds)."""
        if n_frames < 0 or n_frames > len(self.records):
            return False
        if n_frames == 0:
            return True
        cut = self.records[-n_frames].start
        del self.records[-n_frames:]
        del self.ids[cut:]
        self.finished = False
        if self._window is not None and self._window >= len(self.records):
            self._window = self._window_head = None
        return True

    def edit_locals(self, changes: dict[str, str]) -> PredictedFrame:
        """Replace values (reprs) in the current frame's locals; the frame's ids are
        re-encoded in place, so prediction continues from the edited state."""
        if not self.records:
            raise ValueError("no frame to edit")
        record = self.records[-1]
        frame = record.item.frame
        if not frame.has_locals:
            raise ValueError(f"a {frame.event.value} frame has no locals to edit")
        new_locals = dict(frame.locals)
        new_locals.update(changes)
        edited = frame.with_locals(new_locals)
        prev_scopes = self.records[-2].scopes.copy() if len(self.records) > 1 else ScopeStack()
        written = prev_scopes.compress(edited)
        prev_scopes.advance(edited)
        ids = self.vocab.encode_segments(frame_segments(edited, written))
        del self.ids[record.start:]
        self.ids.extend(ids)
        conf = dict(record.item.value_confidence)
        for k in changes:
            conf[k] = 1.0  # the user said so
        item = PredictedFrame(edited, tuple(ids), record.item.predicted, record.item.confidence, conf,
                              record.item.raw, record.item.attempts)
        self.records[-1] = _Record(item, record.start, prev_scopes, record.locator)
        self.finished = False
        if self._window == len(self.records) - 1:
            self._window_head = None   # the window's first frame was the edited one
        return item
