"""The state tree of a real trace, every debugger action's target on it, and the sampler
of action examples for training.

Nodes are the frames of a trace; the frames of a scope (its call frame, lines,
exceptions and return frame) are the children of the caller's frame at which the call
happened (the caller's last frame before the call), so a call is a subtree. Entry-scope
frames are roots. Actions move over this tree:

- ``step_into``: the next frame.
- ``step_over``: the next frame at the same depth or shallower (the next stop of this
  scope; once the scope has returned, the caller's next frame or a call it makes next,
  as pdb's ``next`` does after a return).
- ``step_out``: this scope's return frame; from a return frame, as ``step_over``.
- ``continue`` with breakpoint lines: the first later *line* frame on one of them; when
  none is hit, the entry scope's return frame (the end of the program).
- ``step_back_into``: the previous frame.
- ``step_back_over``: the previous frame at the same depth or shallower (the previous
  stop of this scope; from a call frame, the caller's frame that made the call, or the
  return of a call made just before).
- ``back_to_call``: this scope's call frame (its arguments); none from a call frame.

An action with no target (stepping past the end of a truncated trace, ``back_to_call``
from a call frame, stepping back from the first frame) is not applicable there.
A generator's resumption is a call frame of its own: ``back_to_call`` inside a
generator goes back to the latest resumption, as Python's tracer reports it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

from .actions import Action, ActionExample, ActionStep, breakpoint_map
from .errors import TraceFormatError
from .frames import Event, Frame


class StateTree:
    """Frames of one real trace (resolved, in execution order) with their tree structure."""

    def __init__(self, frames: Sequence[Frame], source: str = "") -> None:
        self.frames: tuple[Frame, ...] = tuple(frames)
        self.source = source
        n = len(self.frames)
        self.depth: list[int] = [0] * n
        self.parent: list[int | None] = [None] * n
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.scope: list[int] = [0] * n          # scope instance id = index of its call frame
        self.scope_return: dict[int, int] = {}   # scope instance -> index of its return frame
        open_scopes: list[int] = []              # stack of scope instance ids
        last_in_scope: dict[int, int] = {}       # scope instance -> its latest frame
        caller_frame: dict[int, int | None] = {}  # scope instance -> the caller frame it hangs under
        for i, f in enumerate(self.frames):
            if f.event is Event.CALL:
                caller_frame[i] = last_in_scope.get(open_scopes[-1]) if open_scopes else None
                open_scopes.append(i)
            elif not open_scopes:
                raise TraceFormatError("scope", f"frame {i} ({f.event.value}) outside any scope")
            sid = open_scopes[-1]
            self.scope[i] = sid
            self.depth[i] = len(open_scopes) - 1
            self.parent[i] = caller_frame[sid]
            if self.parent[i] is not None:
                self.children[self.parent[i]].append(i)
            last_in_scope[sid] = i
            if f.event is Event.RETURN:
                self.scope_return[sid] = i
                open_scopes.pop()

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def roots(self) -> list[int]:
        return [i for i in range(len(self.frames)) if self.parent[i] is None]

    @property
    def ends_program(self) -> bool:
        """True when the last frame is the entry scope's return."""
        return bool(self.frames) and self.frames[-1].event is Event.RETURN and self.depth[-1] == 0

    def target(self, i: int, action: Action, breakpoints: Iterable[int] = ()) -> int | None:
        """Index of the frame ``action`` leads to from frame ``i``; None if not applicable."""
        n, d, ev = len(self.frames), self.depth, self.frames[i].event
        if action is Action.STEP_INTO:
            return i + 1 if i + 1 < n else None
        if action is Action.STEP_OVER or (action is Action.STEP_OUT and ev is Event.RETURN):
            return next((j for j in range(i + 1, n) if d[j] <= d[i]), None)
        if action is Action.STEP_OUT:
            return self.scope_return.get(self.scope[i])
        if action is Action.CONTINUE:
            bps = set(breakpoints)
            for j in range(i + 1, n):
                f = self.frames[j]
                if f.event is Event.LINE and f.lineno in bps:
                    return j
            return n - 1 if self.ends_program and i < n - 1 else None
        if action is Action.STEP_BACK_INTO:
            return i - 1 if i > 0 else None
        if action is Action.STEP_BACK_OVER:
            return next((j for j in range(i - 1, -1, -1) if d[j] <= d[i]), None)
        if action is Action.BACK_TO_CALL:
            return None if ev is Event.CALL else self.scope[i]
        raise ValueError(f"unknown action {action!r}")

    def targets(self, i: int, breakpoints: Iterable[int] = ()) -> dict[Action, int]:
        """Every applicable action from frame ``i`` and its target."""
        bps = tuple(breakpoints)
        out = {}
        for a in Action:
            if a is Action.CONTINUE and not bps:
                continue
            t = self.target(i, a, bps)
            if t is not None:
                out[a] = t
        return out

    @property
    def executed_lines(self) -> list[int]:
        return sorted({f.lineno for f in self.frames if f.event is Event.LINE and f.lineno is not None})


# --- sampling action examples ------------------------------------------------------------

@dataclass(frozen=True)
class SamplerConfig:
    """How action examples are drawn from a state tree.

    ``walk_prob`` of the examples are step_into/step_over walks (the debugger's common
    case: ``s``, ``n``, ``n``...), the rest draw each action uniformly among all
    applicable ones. ``state_prob`` of the examples start from a bare state
    (``<|npdb:state|>``) instead of the history; history longer than
    ``max_history_frames`` always starts from the state.
    """

    steps_min: int = 1
    steps_max: int = 6
    walk_prob: float = 0.4
    state_prob: float = 0.5
    max_history_frames: int = 64
    max_breakpoints: int = 3
    unreached_breakpoint_prob: float = 0.15


def sample_breakpoints(tree: StateTree, rng: random.Random, cfg: SamplerConfig) -> dict[int, str]:
    """1..max_breakpoints line numbers: executed lines, sometimes a line never reached
    (so that ``continue`` runs to the end of the program)."""
    executed = tree.executed_lines
    if not executed:
        return {}
    k = rng.randint(1, min(cfg.max_breakpoints, len(executed)))
    lines = set(rng.sample(executed, k))
    n_lines = tree.source.count("\n") + 1 if tree.source else 0
    never = [n for n in range(1, n_lines + 1) if n not in set(executed)]
    if never and rng.random() < cfg.unreached_breakpoint_prob:
        lines = {rng.choice(never)} if rng.random() < 0.5 else lines | {rng.choice(never)}
    return breakpoint_map(tree.source, lines) if tree.source else {n: "" for n in lines}


def sample_steps(tree: StateTree, start: int, rng: random.Random, n_steps: int, walk: bool,
                 cfg: SamplerConfig = SamplerConfig()) -> list[ActionStep]:
    """A sequence of up to ``n_steps`` actions from frame ``start`` (stops early where no
    action applies)."""
    steps: list[ActionStep] = []
    i = start
    for _ in range(n_steps):
        bps = sample_breakpoints(tree, rng, cfg) if not walk else {}
        options = tree.targets(i, bps)
        if walk:
            options = {a: t for a, t in options.items() if a in (Action.STEP_INTO, Action.STEP_OVER)}
        if not options:
            break
        action = rng.choice(sorted(options, key=lambda a: a.value))
        j = options[action]
        kept_bps = tuple(sorted(bps.items())) if action is Action.CONTINUE else ()
        steps.append(ActionStep(action, tree.frames[j], kept_bps))
        i = j
    return steps


def sample_example(tree: StateTree, rng: random.Random, cfg: SamplerConfig = SamplerConfig()) -> ActionExample | None:
    """One action example over ``tree``; None for an empty tree or one where nothing applies."""
    if not tree.frames:
        return None
    start = rng.randrange(len(tree.frames))
    walk = rng.random() < cfg.walk_prob
    steps = sample_steps(tree, start, rng, rng.randint(cfg.steps_min, cfg.steps_max), walk, cfg)
    if not steps:
        return None
    from_state = rng.random() < cfg.state_prob or start + 1 > cfg.max_history_frames
    history = (tree.frames[start],) if from_state else tree.frames[:start + 1]
    return ActionExample(tree.source, tuple(history), tuple(steps), from_state)


def sample_examples(tree: StateTree, n: int, seed: int = 0, cfg: SamplerConfig = SamplerConfig()) -> list[ActionExample]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        ex = sample_example(tree, rng, cfg)
        if ex is not None:
            out.append(ex)
    return out
