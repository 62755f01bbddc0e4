"""Scripted token generators for tests: real ``TokenGenerator`` implementations whose
replies are known in advance, so a predicted session has an exact expected result.

- :class:`OracleGenerator` replies with the real tracer's frames, token by token: it
  finds where the given ids stand in the real trace (following forced ``<|return_sep|>``
  over skipped calls) and emits the next real frame's ids. A model backend driven by it
  must reproduce the real trace exactly.
- ``garbage``: a list of replies (token ids) given before the real one, per call, to
  exercise malformed-output handling; :class:`GarbageGenerator` emits only garbage.

Reusable by other tests (``from tests.model.scripted import OracleGenerator``).
"""

from __future__ import annotations

from typing import Sequence

from neural_pdb.model.generator import Generation, SamplingParams
from neural_pdb.model.vocab import TraceVocab
from trace_format import Event, Trace, TraceEncoder, prompt_segments, tokens


def _matching_return(frames: Sequence, i: int) -> int:
    """Index of the return frame that closes the scope opened by call frame ``i``."""
    depth = 0
    for j in range(i, len(frames)):
        if frames[j].event is Event.CALL:
            depth += 1
        elif frames[j].event is Event.RETURN:
            depth -= 1
            if depth == 0:
                return j
    raise LookupError("unclosed call")


class OracleGenerator:
    """Replies with the real trace's next frame (see the module docstring)."""

    def __init__(self, trace: Trace, vocab: TraceVocab, garbage: Sequence[Sequence[int]] = ()) -> None:
        self.trace = trace
        self.vocab = vocab
        self.prompt_ids = vocab.encode_segments(prompt_segments(trace.source))
        enc = TraceEncoder()
        self.frame_ids = [vocab.encode_segments(enc.encode(f)) for f in trace.frames]
        self.garbage = [list(g) for g in garbage]
        self.calls: list[dict] = []   # what each call asked for, for assertions
        self._garbage_left = 0
        self._garbage_after = 0

    def arm_garbage(self, n: int | None = None, after: int = 0) -> None:
        """After ``after`` more calls, ``n`` calls (default: as many as ``garbage`` has) reply
        with garbage."""
        self._garbage_left = len(self.garbage) if n is None else n
        self._garbage_after = after

    def _position(self, ids: list[int]) -> int:
        """Index of the last real frame covered by ``ids`` (-1: just the prompt)."""
        if ids[:len(self.prompt_ids)] != self.prompt_ids:
            raise ValueError("the prompt is not the real trace's prompt")
        p, i = len(self.prompt_ids), -1
        frames = self.trace.frames
        while p < len(ids):
            options = [i + 1]
            if i >= 0 and frames[i].event is Event.CALL:
                options.append(_matching_return(frames, i))
            for j in options:
                want = self.frame_ids[j] if j < len(frames) else []
                # A frame may carry a trailing <|end_of_text|> in the given ids.
                if want and ids[p:p + len(want)] == want:
                    p += len(want)
                    i = j
                    if p < len(ids) and ids[p] == self.vocab.id(tokens.END_OF_TEXT):
                        p += 1
                    break
            else:
                raise ValueError(f"ids diverge from the real trace after frame {i}")
        return i

    def generate(self, ids: Sequence[int], *, max_new_tokens: int, stop_ids: Sequence[int],
                 forced_ids: Sequence[int] = (), sampling: SamplingParams = SamplingParams()) -> Generation:
        self.calls.append({"ids": list(ids), "forced": list(forced_ids), "sampling": sampling})
        if self._garbage_after > 0:
            self._garbage_after -= 1
        elif self._garbage_left > 0:
            reply = self.garbage[(len(self.garbage) - self._garbage_left) % len(self.garbage)]
            self._garbage_left -= 1
            return self._cut(reply, max_new_tokens, stop_ids)
        i = self._position(list(ids))
        frames = self.trace.frames
        forced = list(forced_ids)
        ret_id = self.vocab.id(tokens.RETURN_SEP)
        if forced == [ret_id] and i >= 0 and frames[i].event is Event.CALL:
            j = _matching_return(frames, i)
        else:
            j = i + 1
        if j >= len(frames):
            return self._cut([self.vocab.id(tokens.END_OF_TEXT)], max_new_tokens, stop_ids)
        reply = list(self.frame_ids[j])
        if reply[:len(forced)] != forced:
            raise ValueError(f"forced {forced} but the real frame {j} starts with {reply[:1]}")
        return self._cut(reply[len(forced):], max_new_tokens, stop_ids)

    @staticmethod
    def _cut(reply: Sequence[int], max_new_tokens: int, stop_ids: Sequence[int]) -> Generation:
        out: list[int] = []
        for t in reply:
            if len(out) >= max_new_tokens:
                return Generation(tuple(out), tuple(-0.1 for _ in out), None)
            out.append(t)
            if t in stop_ids:
                return Generation(tuple(out), tuple(-0.1 for _ in out), t)
        return Generation(tuple(out), tuple(-0.1 for _ in out), None)

    def close(self) -> None:
        pass


class GarbageGenerator:
    """Always replies with the same malformed text (as token ids)."""

    def __init__(self, vocab: TraceVocab, text_ids: Sequence[int]) -> None:
        self.vocab = vocab
        self.reply = list(text_ids) + [vocab.id(tokens.FRAME_SEP)]
        self.calls = 0

    def generate(self, ids: Sequence[int], *, max_new_tokens: int, stop_ids: Sequence[int],
                 forced_ids: Sequence[int] = (), sampling: SamplingParams = SamplingParams()) -> Generation:
        self.calls += 1
        return OracleGenerator._cut(self.reply, max_new_tokens, stop_ids)

    def close(self) -> None:
        pass
