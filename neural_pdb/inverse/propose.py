"""Proposing earlier states: candidate call frames (a function's inputs) from a model.

Any CWM-format model can propose inputs: given the source with the start marker on the
function and a forced ``<|call_sep|>``, it writes a call frame, inventing plausible
arguments; sampling again gives other inputs. A model trained on inverse actions does
better: from the target state (``<|npdb:state|>`` + the frame) and
``<|npdb:back_to_call|>`` it writes the call frame that leads there, conditioned on it.
Either way the candidates are only proposals: :mod:`.verify` checks them.
"""

from __future__ import annotations

from typing import Iterable, Protocol, Sequence

from trace_format import Event, Frame, Segment, TraceFormatError, parse_frame, prompt_segments, tokens
from trace_format.actions import Action, action_segments, state_segments

from .verify import Candidate, TargetState, candidate_from_call_locals, marked_source


class Proposer(Protocol):
    name: str

    def propose(self, source: str, target: TargetState, n: int, seed: int = 0) -> list[Candidate]:
        ...


def encode_segments(vocab, segments: Iterable[Segment]) -> list[int]:
    """Like ``TraceVocab.encode_segments``, knowing the ``<|npdb:...|>`` action tokens of
    an action-trained tokenizer too (looked up by their string among its specials)."""
    by_text = {text: tid for tid, text in vocab.special_text.items()}
    out: list[int] = []
    for seg in segments:
        if seg.special:
            tid = vocab.ids.get(seg.text, by_text.get(seg.text))
            if tid is None:
                raise KeyError(f"the model's tokenizer has no token {seg.text}")
            out.append(tid)
        else:
            out.extend(vocab.encode_text(seg.text))
    return out


def has_tokens(vocab, names: Sequence[str]) -> bool:
    have = set(vocab.special_text.values())
    return all(t in have for t in names)


class GivenProposer:
    """Candidates given up front (the user's guesses, or the true input as a check)."""

    name = "given"

    def __init__(self, calls: Sequence[dict[str, str]]) -> None:
        self.calls = list(calls)

    def propose(self, source: str, target: TargetState, n: int, seed: int = 0) -> list[Candidate]:
        out = []
        for c in self.calls[:n]:
            cand = candidate_from_call_locals(source, target.function, dict(c), origin="given")
            if cand is not None:
                out.append(cand)
        return out


class ModelProposer:
    """Samples call frames from a model through a ``TokenGenerator`` and its ``TraceVocab``.

    ``inverse``: condition on the target with ``<|npdb:back_to_call|>`` (only for a model
    trained on it; see :func:`trace_format.actions.supported_actions`). The first sample
    is greedy, the rest at ``temperature`` with different seeds; duplicates are dropped,
    so fewer than ``n`` candidates may come back.
    """

    name = "model"

    def __init__(self, generator, vocab, *, inverse: bool = False, temperature: float = 1.0, top_p: float = 0.95,
                 max_frame_tokens: int = 384) -> None:
        self.generator = generator
        self.vocab = vocab
        self.inverse = inverse
        self.temperature = temperature
        self.top_p = top_p
        self.max_frame_tokens = max_frame_tokens

    def context_segments(self, source: str, target: TargetState) -> list[Segment]:
        segs = prompt_segments(marked_source(source, target.function))
        if self.inverse:
            segs += state_segments(target.frame) + action_segments(Action.BACK_TO_CALL)
        return segs

    def propose(self, source: str, target: TargetState, n: int, seed: int = 0,
                states: Sequence[Frame] | None = None) -> list[Candidate]:
        """``states``: several target frames to condition on in turn (e.g. each ``return``
        line that could give an output); default the target's own frame."""
        from neural_pdb.model.generator import SamplingParams

        targets = [TargetState(target.function, f, target.outermost) for f in (states or [target.frame])]
        prompts = [encode_segments(self.vocab, self.context_segments(source, t)) for t in targets]
        call_id = self.vocab.id(tokens.CALL_SEP)
        seen: set[str] = set()
        out: list[Candidate] = []
        for k in range(n):
            ids = prompts[k % len(prompts)]
            greedy = k < len(prompts)
            sampling = SamplingParams(0.0 if greedy else self.temperature, self.top_p, seed + 7919 * k)
            gen = self.generator.generate(ids, max_new_tokens=self.max_frame_tokens,
                                          stop_ids=self.vocab.frame_stop_ids, forced_ids=[call_id], sampling=sampling)
            if gen.is_truncated:
                continue
            try:
                frame = parse_frame(self.vocab.to_segments([call_id] + list(gen.token_ids)))
            except TraceFormatError:
                continue
            if frame.event is not Event.CALL or not frame.is_resolved:
                continue
            known = [lp for lp in gen.logprobs if lp is not None]
            cand = candidate_from_call_locals(source, target.function, frame.locals,
                                              logprob=sum(known) if known else None,
                                              origin="back_to_call" if self.inverse else "sampled")
            if cand is None or cand.args in seen:
                continue
            seen.add(cand.args)
            out.append(cand)
        return out
