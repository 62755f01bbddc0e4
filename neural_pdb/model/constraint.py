"""Constrained decoding of a frame's action: the source line must be a line of the program.

A frame's action (after ``<|action_sep|>``) is a line of SOURCE, verbatim. A small or
undertrained model often writes a line that is not in the program (a plausible line with a
wrong name), and then the frame cannot be placed and the whole reply is discarded. With
this constraint the model chooses, token by token, among the program's own lines only (a
prefix tree of their token ids, tokenized as the training data tokenizes them: the line
is its own text segment), followed by ``<|frame_sep|>`` or ``<|arg_sep|>``. Everything
else (the locals, a returned value) is left free.

It constrains *which* line, not *whether* the model is right: a wrong line is still
wrong, and the confidence of a constrained token is still the model's own probability
(so a line the model did not believe in scores low). No torch here: a generator applies
``allowed`` to its logits (``LocalGenerator`` does; a remote server cannot and ignores it).
"""

from __future__ import annotations

from typing import Sequence

from trace_format import Segment, tokens

from .vocab import TraceVocab


class SourceLineConstraint:
    """``allowed(generated)`` is the set of token ids that may come next, or None (free)."""

    def __init__(self, vocab: TraceVocab, source: str) -> None:
        self._action = vocab.id(tokens.ACTION_SEP)
        ends = (vocab.id(tokens.FRAME_SEP), vocab.id(tokens.ARG_SEP))
        # a call or line frame ends after its line; a return or exception frame goes on to its value
        self._end_after = {vocab.id(tokens.CALL_SEP): frozenset({ends[0]}), vocab.id(tokens.LINE_SEP): frozenset({ends[0]}),
                           vocab.id(tokens.RETURN_SEP): frozenset({ends[1]}),
                           vocab.id(tokens.EXCEPTION_SEP): frozenset({ends[1]})}
        # trie: node -> {token id: child node}; a node after a line's end token is a leaf
        self._trie: list[dict[int, int]] = [{}]
        self._ends = frozenset(ends)
        lines = {line for line in source.splitlines() if line.strip()}
        for line in sorted(lines):
            node = 0
            for tid in vocab.encode_segments([Segment(line)]):
                node = self._child(node, tid)
            for end in ends:
                self._child(node, end)
        self.lines = len(lines)

    def _child(self, node: int, tid: int) -> int:
        nxt = self._trie[node].get(tid)
        if nxt is None:
            nxt = len(self._trie)
            self._trie.append({})
            self._trie[node][tid] = nxt
        return nxt

    def allowed(self, generated: Sequence[int]) -> frozenset[int] | None:
        """Token ids allowed after ``generated`` (the frame's tokens so far, forced event
        token included); None where the frame is unconstrained."""
        try:
            start = len(generated) - 1 - list(reversed(generated)).index(self._action)
        except ValueError:
            return None                       # still in the event token or the locals
        node = 0
        for tid in generated[start + 1:]:
            if tid in self._ends and tid in self._trie[node]:
                return None                   # the line is done: a return value is free
            nxt = self._trie[node].get(tid)
            if nxt is None:
                return None                   # off the tree (not this generator's doing): leave it
            node = nxt
        allowed = frozenset(self._trie[node])
        if allowed & self._ends:              # the line may end here: with its event's separator
            event_ends = self._end_after.get(generated[0]) if generated else None
            if event_ends is not None:
                allowed = (allowed - self._ends) | event_ends
        return allowed or None
