"""A scripted action model for tests: a real ``TokenGenerator`` that answers every action
query with the true target on the real trace's state tree.

It reads the context it is given (an action example ending with an action token, as
:class:`neural_pdb.inverse.action_session.ActionSession` builds it), finds the current
frame in the tree, and replies with the target frame's ids written in full. A session
driven by it must land exactly where the state tree says.
"""

from __future__ import annotations

from typing import Sequence

from neural_pdb.model.generator import Generation, SamplingParams
from neural_pdb.model.vocab import TraceVocab
from neural_pdb.inverse.propose import encode_segments
from tests.model.tiny import build_tiny_tokenizer
from trace_format import Trace, frame_segments, tokens
from trace_format.actions import ACTION_TOKENS, Action, ActionExample, parse_breakpoints, parse_example
from trace_format.state_tree import StateTree


def action_vocab() -> TraceVocab:
    """A tiny byte-level tokenizer with CWM's trace tokens and our action tokens."""
    return TraceVocab.from_tokenizer(build_tiny_tokenizer(list(tokens.TRACE_TOKENS) + list(ACTION_TOKENS)))


def _same(a, b) -> bool:
    return (a.event, a.source_line, a.local_items, a.value) == (b.event, b.source_line, b.local_items, b.value)


class ActionOracleGenerator:
    def __init__(self, trace: Trace, vocab: TraceVocab) -> None:
        self.tree = StateTree(trace.frames, trace.source)
        self.vocab = vocab
        self.calls = 0

    def _current(self, ex: ActionExample) -> int:
        frames = self.tree.frames
        if ex.from_state:
            i = next(k for k, f in enumerate(frames) if _same(f, ex.history[0]))
        else:
            i = len(ex.history) - 1
        for step in ex.steps:
            j = self.tree.target(i, step.action, step.breakpoint_lines)
            if j is None or not _same(frames[j], step.target):
                raise ValueError("the context does not follow the real trace")
            i = j
        return i

    def generate(self, ids: Sequence[int], *, max_new_tokens: int, stop_ids: Sequence[int],
                 forced_ids: Sequence[int] = (), sampling: SamplingParams = SamplingParams()) -> Generation:
        self.calls += 1
        segs = self.vocab.to_segments(list(ids) + list(forced_ids))
        k = max(n for n, s in enumerate(segs) if s.special and s.text in ACTION_TOKENS[1:])
        action = Action.from_token(segs[k].text)
        bps = parse_breakpoints(segs[k + 1].text) if action is Action.CONTINUE else {}
        i = self._current(parse_example(segs[:k]))
        j = self.tree.target(i, action, bps)
        if j is None:
            reply = [self.vocab.id(tokens.END_OF_TEXT)]
        else:
            reply = encode_segments(self.vocab, frame_segments(self.tree.frames[j]))
            if reply[:len(forced_ids)] != list(forced_ids):
                raise ValueError("the forced ids are not the start of the true target")
            reply = reply[len(forced_ids):]
        out = reply[:max_new_tokens]
        stop = out[-1] if out and out[-1] in stop_ids else None
        return Generation(tuple(out), tuple(-0.1 for _ in out), stop)

    def close(self) -> None:
        pass


class CombinedOracle:
    """A scripted action-trained model: plain CWM queries are answered by the real trace
    (``OracleGenerator``), action queries by the state tree. It says which actions it
    knows as a model config would (``npdb_actions``)."""

    def __init__(self, trace: Trace, vocab: TraceVocab, actions: Sequence[Action] = tuple(Action)) -> None:
        from tests.model.scripted import OracleGenerator

        self.plain = OracleGenerator(trace, vocab)
        self.jumps = ActionOracleGenerator(trace, vocab)
        self.vocab = vocab
        self.npdb_actions = [a.value for a in actions]
        self.action_ids = {vocab.special_text_id(t) for t in ACTION_TOKENS} if hasattr(vocab, "special_text_id") else {
            tid for tid, text in vocab.special_text.items() if text in ACTION_TOKENS}
        self.generated = 0

    def generate(self, ids, **kw) -> Generation:
        uses_actions = any(t in self.action_ids for t in ids)
        gen = (self.jumps if uses_actions else self.plain).generate(ids, **kw)
        self.generated += len(gen.token_ids)
        return gen

    def close(self) -> None:
        pass
