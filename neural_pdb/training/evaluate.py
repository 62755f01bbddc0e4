"""Held-out evaluation during training: loss and teacher-forced frame metrics.

One forward pass per trace; a frame counts as predicted when the model's argmax is right
at every one of its tokens given the true trace before it. Because greedy decoding
emits exactly the argmax tokens, "every token right" is the same as "greedy decoding of
this frame from the true history reproduces it": next-state accuracy as CWM's studies
report it, at the cost of one forward pass.

The first frame (the entry scope's call) is not scored: the debugger writes it itself (a
script's module call, a function's call from its known arguments), and a function's
arguments are not in the prompt, so no model could predict them. The free-running metrics
(:mod:`neural_pdb.evaluation.metrics`) leave it out the same way. The loss still covers it.

- ``frame_exact``: whole frames (event, locals, line, value).
- ``next_line``: the event token and the source line (the action) are right.
- ``locals_exact``: the LOCALS JSON of call/line frames is right.
- ``return_value``: the VALUE of the entry scope's return frame is right (teacher-forced
  CruxEval-style output prediction).

With ``constrain_lines_with=VOCAB`` also ``next_line_constrained`` and
``frame_exact_constrained``: the source line decoded as the debugger decodes it, the argmax
among the tokens :mod:`neural_pdb.model.constraint` allows at the frame's position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trace_format import Event, Trace
from trace_format.encode import TraceEncoder, prompt_segments

from .tokenizer import SegmentEncoder


@dataclass
class FrameSpans:
    event: int                       # index of the event token
    locals_: tuple[int, int] | None  # [start, end) of the LOCALS text
    line: tuple[int, int]            # [start, end) of SOURCE_LINE
    value: tuple[int, int] | None    # [start, end) of VALUE
    end: int                         # index after <|frame_sep|> (and <|end_of_text|>)
    kind: Event
    entry_return: bool = False
    scope: int | None = None         # the scope the frame runs in before it (None: unknown)
    first_line: int | None = None    # after a call frame: the only line a line frame can stand on
    current: int | None = None       # otherwise: the line the scope stands on before the frame


@dataclass
class SpannedTrace:
    ids: list[int]
    frames: list[FrameSpans] = field(default_factory=list)
    source: str = ""


def span_trace(trace: Trace, enc: SegmentEncoder, max_len: int) -> SpannedTrace | None:
    from neural_pdb.model.session import position_after
    from trace_format import FrameLocator, TraceFormatError, UnresolvedLineError

    ids = enc.encode(prompt_segments(trace.source))
    out = SpannedTrace(ids, source=trace.source)
    encoder = TraceEncoder()
    locator: FrameLocator | None = FrameLocator.for_source(trace.source)
    depth = 0
    prev = None
    for k, frame in enumerate(trace.frames):
        scope = locator.scope if locator is not None else None
        first_line = current = None
        if locator is not None:
            first_line, current = position_after(locator, prev, k == 1)
        prev = frame
        try:
            if locator is not None:
                locator.locate_and_advance(frame)
        except (TraceFormatError, UnresolvedLineError):
            locator = None       # a frame the structure cannot place: no scopes from here on
        segs = encoder.encode(frame)
        start = len(ids)
        pieces = []
        for seg in segs:
            piece = [enc.special[seg.text]] if seg.special else enc.encode_text(seg.text)
            pieces.append((seg, len(ids), len(ids) + len(piece)))
            ids.extend(piece)
        if len(ids) > max_len:
            del ids[start:]
            break
        spans = {"locals": None, "line": None, "value": None}
        # segments: event, [LOCALS], action_sep, LINE, [arg_sep, VALUE], frame_sep, [eot]
        texts = [(s, a, b) for s, a, b in pieces if not s.special]
        if frame.has_locals:
            spans["locals"] = (texts[0][1], texts[0][2]) if len(texts) >= 2 else None
            spans["line"] = (texts[-1][1], texts[-1][2])
        else:
            spans["line"] = (texts[0][1], texts[0][2]) if texts else (start + 2, start + 2)
            spans["value"] = (texts[-1][1], texts[-1][2]) if len(texts) >= 2 else None
        if frame.event is Event.CALL:
            depth += 1
        elif frame.event is Event.RETURN:
            depth -= 1
        out.frames.append(FrameSpans(start, spans["locals"], spans["line"], spans["value"], len(ids), frame.event,
                                     frame.event is Event.RETURN and depth == 0, scope, first_line, current))
    return out if out.frames else None


def common_frames(spanned_by_model: dict[str, list[SpannedTrace | None]]) -> dict[str, list[SpannedTrace]]:
    """The same held-out traces spanned by models with different tokenizers or windows, each
    cut to the frames that every model's window holds (and its tokens to the end of the last
    of them), so all are scored on the same frames of the same text: a longer encoding
    (bytes) fits fewer frames in a window, and scoring it on its own prefix alone would score
    it on earlier, easier frames. Traces any model cannot span, or where fewer than two
    frames are common (the first is given, not scored), are left out for all."""
    names = list(spanned_by_model)
    out: dict[str, list[SpannedTrace]] = {name: [] for name in names}
    for row in zip(*(spanned_by_model[name] for name in names)):
        if any(st is None for st in row):
            continue
        n = min(len(st.frames) for st in row)
        if n < 2:
            continue
        for name, st in zip(names, row):
            frames = st.frames[:n]
            out[name].append(SpannedTrace(st.ids[:frames[-1].end], frames, st.source))
    return out


@dataclass
class Scores:
    frames: int = 0
    frame_exact: int = 0
    next_line: int = 0
    locals_total: int = 0
    locals_exact: int = 0
    returns: int = 0
    return_value: int = 0
    loss_sum: float = 0.0
    loss_tokens: int = 0
    next_line_constrained: int = 0
    frame_exact_constrained: int = 0
    constrained: bool = False
    # (trace index, frame index) of every scored frame not predicted exactly: where a model
    # goes wrong, not only how often
    missed: list[tuple[int, int]] = field(default_factory=list)

    def summary(self) -> dict:
        div = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
        return {"loss": div(self.loss_sum, self.loss_tokens), "frame_exact": div(self.frame_exact, self.frames),
                "next_line": div(self.next_line, self.frames), "locals_exact": div(self.locals_exact, self.locals_total),
                "return_value": div(self.return_value, self.returns), "frames": self.frames, "traces_returns": self.returns,
                **({"next_line_constrained": div(self.next_line_constrained, self.frames),
                    "frame_exact_constrained": div(self.frame_exact_constrained, self.frames)}
                   if self.constrained else {})}


def score_traces(model, traces: list[SpannedTrace], device=None, constrain_lines_with=None) -> Scores:
    """Teacher-forced scores over ``traces`` (one forward pass each). ``constrain_lines_with``:
    a vocab (``TraceVocab`` or :class:`SegmentEncoder`) to also score lines decoded under
    the debugger's line constraint."""
    import torch

    scores = Scores(constrained=constrain_lines_with is not None)
    model.eval()
    with torch.no_grad():
        for t, st in enumerate(traces):
            ids = torch.tensor([st.ids], device=device)
            logits = model(input_ids=ids).logits[0].float()
            # prediction for token i comes from position i - 1
            pred = torch.cat([torch.full((1,), -1, device=logits.device), logits.argmax(-1)[:-1]])
            right = (pred == ids[0]).tolist()
            lines = None
            if constrain_lines_with is not None:
                from neural_pdb.model.constraint import SourceLineConstraint
                lines = SourceLineConstraint(constrain_lines_with, st.source)
            first = st.frames[0].event
            losses = torch.nn.functional.cross_entropy(logits[first - 1:-1], ids[0, first:], reduction="sum")
            scores.loss_sum += float(losses)
            scores.loss_tokens += len(st.ids) - first
            for k, fs in enumerate(st.frames[1:], 1):    # the first frame is given (see the module docstring)
                ok = lambda a, b: all(right[a:b])  # noqa: E731
                scores.frames += 1
                scores.frame_exact += ok(fs.event, fs.end)
                if not ok(fs.event, fs.end):
                    scores.missed.append((t, k))
                scores.next_line += right[fs.event] and ok(*fs.line)
                if fs.locals_ is not None:
                    scores.locals_total += 1
                    scores.locals_exact += ok(*fs.locals_)
                if fs.entry_return and fs.value is not None:
                    scores.returns += 1
                    scores.return_value += ok(*fs.value)
                if lines is not None:
                    line_ok = right[fs.event] and _constrained_line_right(lines, fs, st.ids, logits)
                    scores.next_line_constrained += line_ok
                    scores.frame_exact_constrained += line_ok and ok(fs.event, fs.line[0]) and ok(fs.line[1] + 1, fs.end)
    return scores


def _constrained_line_right(lines, fs: FrameSpans, ids: list[int], logits) -> bool:
    """The line and the separator after it, each token the argmax among the allowed ones
    given the true tokens before it."""
    for p in range(fs.line[0], fs.line[1] + 1):
        allowed = lines.allowed(ids[fs.event:p], fs.scope, fs.first_line, fs.current)
        row = logits[p - 1]
        best = max(allowed, key=lambda t: float(row[t])) if allowed else int(row.argmax())
        if best != ids[p]:
            return False
    return True
