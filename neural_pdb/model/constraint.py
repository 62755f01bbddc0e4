"""Constrained decoding of a frame's action: the source line must be one the frame can
stand on.

A frame's action (after ``<|action_sep|>``) is a line of SOURCE, verbatim. A small or
undertrained model often writes a line that is not in the program (a plausible line with a
wrong name), or a line of another function, and then the frame cannot be placed and the
whole reply is discarded. With this constraint the model chooses, token by token, among
the lines the frame may stand on (a prefix tree of their token ids, tokenized as the
training data tokenizes them: the line is its own text segment):

- a line frame right after a call frame: the one line Python runs first there (the
  function's or the script's first statement), where the structure knows it;
- any other line frame: the lines that can run after the scope's current line (the static
  flow of :class:`trace_format.ProgramStructure`: the next statement, a loop's header or
  exit, a branch, a handler);
- a return or exception frame: the scope's current line (Python reports both on the line
  that is running);
- where none of that is known (a stepped-over call's return, a class body, a resumed
  generator): the lines of the scope the frame runs in, as
  :class:`trace_format.FrameLocator` places them;
- a call frame, or a debugger action's target: any line of the program;

followed by its event's separator (``<|frame_sep|>`` after a call or line frame,
``<|arg_sep|>`` before a returned value or exception). Everything else (the event token,
the locals, the value) is left free.

It constrains *which* line, not *whether* the model is right: a wrong line is still
wrong, and the confidence of a constrained token is still the model's own probability
(so a line the model did not believe in scores low). No torch here: a generator applies
``allowed`` to its logits (``LocalGenerator`` does; ``neural-pdb serve`` does too, sent as
the request field ``npdb_line_constraint``; a server without the extension, such as vLLM,
generates unconstrained).
"""

from __future__ import annotations

from typing import Sequence

from trace_format import ProgramStructure, Segment, tokens

from .vocab import TraceVocab


class _LineTree:
    """A prefix tree of token ids: node -> {token id: child}."""

    def __init__(self) -> None:
        self.nodes: list[dict[int, int]] = [{}]

    def add(self, ids: Sequence[int]) -> int:
        node = 0
        for tid in ids:
            nxt = self.nodes[node].get(tid)
            if nxt is None:
                nxt = len(self.nodes)
                self.nodes.append({})
                self.nodes[node][tid] = nxt
            node = nxt
        return node


class SourceLineConstraint:
    """The program's lines as token trees, per scope; :meth:`at` binds one to a position."""

    def __init__(self, vocab: TraceVocab, source: str, structure: ProgramStructure | None = None) -> None:
        self.vocab = vocab
        self.source = source
        self.structure = structure or ProgramStructure(source)   # the caller's, when it has parsed it
        self._action = vocab.id(tokens.ACTION_SEP)
        self._frame_end, self._value_end = vocab.id(tokens.FRAME_SEP), vocab.id(tokens.ARG_SEP)
        self._call, self._line = vocab.id(tokens.CALL_SEP), vocab.id(tokens.LINE_SEP)
        self._return, self._exception = vocab.id(tokens.RETURN_SEP), vocab.id(tokens.EXCEPTION_SEP)
        # a call or line frame ends after its line; a return or exception frame goes on to its value
        self._end_after = {self._call: self._frame_end, self._line: self._frame_end,
                           self._return: self._value_end, self._exception: self._value_end}
        # scope (None: every line), ("line", n) or ("after", n) -> (tree, its end nodes)
        self._trees: dict[object, tuple[_LineTree, frozenset[int]]] = {}
        self._ids: dict[int, list[int]] = {}

    def _tree(self, scope: int | None, only: int | None = None, after: int | None = None
              ) -> tuple[_LineTree, frozenset[int]]:
        """The tree of a scope's lines (``None``: every line; ``only``: that one line;
        ``after``: the lines that can run next after that one), and its end nodes."""
        key = ("line", only) if only is not None else ("after", after, scope) if after is not None else scope
        if key not in self._trees:
            lines = self.structure.lines
            if only is not None:
                numbers = [only]
            elif after is not None:
                numbers = sorted(self.structure.lines_after(after, scope))
            elif scope is None:
                numbers = [i for i in range(1, len(lines) + 1) if lines[i - 1].strip()]
            else:
                numbers = self.structure.lines_of_scope(scope)
            tree = _LineTree()
            ends = frozenset(tree.add(self._line_ids(i)) for i in numbers)
            self._trees[key] = (tree, ends)
        return self._trees[key]

    def _line_ids(self, lineno: int) -> list[int]:
        if lineno not in self._ids:
            self._ids[lineno] = self.vocab.encode_segments([Segment(self.structure.lines[lineno - 1])])
        return self._ids[lineno]

    def at(self, scope: int | None, first_line: int | None = None, current: int | None = None
           ) -> "BoundLineConstraint":
        """The constraint for the next frame when the current scope is ``scope`` (None: a
        frame that may stand anywhere, e.g. the target of a debugger action).
        ``first_line``: the frame follows a call frame, and a line frame can only stand on
        this line (the first statement of the function or script). ``current``: the line the
        scope stands on (not right after its call frame)."""
        return BoundLineConstraint(self, scope, first_line, current)

    def allowed(self, generated: Sequence[int], scope: int | None, first_line: int | None = None,
                current: int | None = None) -> frozenset[int] | None:
        """Token ids allowed after ``generated`` (the frame's tokens so far, forced event
        token included); None where the frame is unconstrained."""
        try:
            start = len(generated) - 1 - list(reversed(generated)).index(self._action)
        except ValueError:
            return None                       # still in the event token or the locals
        event = generated[0] if generated else None
        if event == self._line and first_line is not None:
            tree, ends = self._tree(scope, only=first_line)
        elif event == self._line and current is not None and (successors := self._tree(scope, after=current))[1]:
            tree, ends = successors
        elif event in (self._return, self._exception) and current is not None:
            tree, ends = self._tree(scope, only=current)   # a scope returns or raises on its current line
        else:
            tree, ends = self._tree(None if event == self._call or scope is None else scope)
        end_token = self._end_after.get(event)
        node = 0
        for tid in generated[start + 1:]:
            if node in ends and tid in (self._frame_end, self._value_end):
                return None                   # the line is done: a value is free
            nxt = tree.nodes[node].get(tid)
            if nxt is None:
                return None                   # off the tree (not this generator's doing): leave it
            node = nxt
        allowed = set(tree.nodes[node])
        if node in ends:                      # the line may end here, with its event's separator
            allowed |= {end_token} if end_token is not None else {self._frame_end, self._value_end}
        return frozenset(allowed) or None


class BoundLineConstraint:
    """A :class:`SourceLineConstraint` at one position: what a generator is given."""

    def __init__(self, lines: SourceLineConstraint, scope: int | None, first_line: int | None = None,
                 current: int | None = None) -> None:
        self.lines = lines
        self.scope = scope
        self.first_line = first_line
        self.current = current

    def allowed(self, generated: Sequence[int]) -> frozenset[int] | None:
        return self.lines.allowed(generated, self.scope, self.first_line, self.current)

    def to_request(self) -> dict:
        """What a server needs to apply the same constraint (``neural-pdb serve``'s
        ``npdb_line_constraint`` request field)."""
        return {"source": self.lines.source, "scope": self.scope, "first_line": self.first_line,
                "current": self.current}
