"""Search-based inverse execution: propose candidate inputs, check each, rank.

Works with any model, also one never trained on inverse actions: proposals come from
sampling call frames (:mod:`.propose`), and each is checked by forward prediction or,
when the user allows it (``--verify real``), by running the function for real in a
sandbox (:mod:`.verify`). Candidates that reach the target state come first, then near
misses (the fraction of values matched), ties broken by the proposal's log-probability.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from trace_format import Frame, return_frame
from trace_format.marker import strip_all_markers

from .calls import find_function
from .propose import Proposer
from .verify import Candidate, Check, TargetState, Verifier


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    check: Check

    @property
    def score(self) -> float:
        return self.check.score

    @property
    def reached(self) -> bool:
        return self.check.reached

    def to_json(self) -> dict:
        return {"args": self.candidate.args, "locals": self.candidate.locals, "score": round(self.score, 4),
                "reached": self.reached, "origin": self.candidate.origin,
                "logprob": None if self.candidate.logprob is None else round(self.candidate.logprob, 4),
                "error": self.check.error}


def rank(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    def key(s: ScoredCandidate):
        lp = s.candidate.logprob
        return (-s.score, -(lp if lp is not None else float("-inf")))
    return sorted(scored, key=key)


def search_inputs(source: str, target: TargetState, proposer: Proposer, verifier: Verifier, n: int = 8,
                  seed: int = 0, stop_at_first: bool = False, **propose_kw) -> list[ScoredCandidate]:
    """Up to ``n`` proposals for ``target.function``'s inputs, checked and ranked.
    ``stop_at_first``: stop checking once one candidate reaches the target."""
    candidates = proposer.propose(source, target, n, seed, **propose_kw)
    scored: list[ScoredCandidate] = []
    for k, cand in enumerate(candidates):
        try:
            check = verifier.check(source, target, cand)
        except KeyboardInterrupt:  # Ctrl-C: keep what was checked, list the rest unchecked
            scored += [ScoredCandidate(c, Check(0.0, (), "not checked (interrupted)")) for c in candidates[k:]]
            break
        scored.append(ScoredCandidate(cand, check))
        if stop_at_first and check.reached:
            break
    return rank(scored)


def return_states(source: str, function: str, value: str) -> list[Frame]:
    """The return frames that could give ``value``: one per ``return`` statement of the
    function (the text says which line returned), or its last line when it falls off the
    end. For conditioning an inverse model on an output when the returning line is not
    known."""
    node = find_function(source, function)
    if node is None:
        return []
    lines = strip_all_markers(source).split("\n")
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
    # returns of nested functions are not this function's
    nested = [n for n in ast.walk(node) if n is not node and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    inner = {id(r) for f in nested for r in ast.walk(f) if isinstance(r, ast.Return)}
    linenos = sorted({r.lineno for r in returns if id(r) not in inner})
    if not linenos:
        linenos = [node.end_lineno or node.lineno]
    return [return_frame(lines[n - 1], value, lineno=n, function=function, depth=0) for n in linenos]
