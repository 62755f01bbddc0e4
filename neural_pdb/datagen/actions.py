"""Action training examples from real traces, to mix with plain traces in training.

A model trained on plain traces alone predicts one frame after another (CWM). Mixed with
these examples (see :mod:`trace_format.actions` for the format), it also predicts the
state a debugger action leads to in one prediction: next / return / continue jump, and
inverse actions (``rstep``, ``rnext``, ``inputs``) predict earlier states.

For the training pipeline:

- the tokenizer needs :data:`ACTION_SPECIAL_TOKENS` as extra *special* tokens (next to
  CWM's trace tokens), so that source text can never produce them;
- the saved model's config records the actions it was trained on:
  ``config.npdb_actions = trained_action_names()`` (the engine reads it with
  :func:`trace_format.actions.supported_actions` to know whether the model can jump);
- :func:`encode_action_records` gives tokenized, loss-masked examples for the training
  loop's packer (``examples += encode_action_records(records, enc, cfg.seq_len)``);
- :func:`action_training_segments` turns traces (``trace_format.Trace`` with line
  numbers, as the tracer records them) into segment lists, one per example; tokenize a
  special segment to its id and a text segment with special-token parsing off, exactly as
  plain traces are tokenized. Examples are short (a start and a few jumps), so they pack
  well between plain traces.
"""

from __future__ import annotations

import random
from typing import Iterable, Iterator

from trace_format import Segment, Trace, TraceFormatError, join_segments
from trace_format.actions import ACTION_TOKENS, Action, ActionExample, example_segments
from trace_format.state_tree import SamplerConfig, StateTree, sample_example

#: Extra special tokens an action-trained tokenizer must have.
ACTION_SPECIAL_TOKENS: tuple[str, ...] = ACTION_TOKENS


def trained_action_names(actions: Iterable[Action] = tuple(Action)) -> list[str]:
    """The value for ``config.npdb_actions``."""
    return [a.value for a in actions]


def examples_from_trace(trace: Trace, n: int, rng: random.Random,
                        cfg: SamplerConfig = SamplerConfig()) -> list[ActionExample]:
    """Up to ``n`` sampled action examples over one trace's state tree (none for a trace
    whose frames do not form scopes, e.g. one cut by a limit in an odd place)."""
    try:
        tree = StateTree(trace.frames, trace.source)
    except TraceFormatError:
        return []
    out = []
    for _ in range(n):
        ex = sample_example(tree, rng, cfg)
        if ex is not None:
            out.append(ex)
    return out


def _as_state_start(ex: ActionExample) -> ActionExample:
    return ActionExample(ex.source, ex.history[-1:], ex.steps, from_state=True)


def action_training_segments(traces: Iterable[Trace], per_trace: int = 2, seed: int = 0,
                             cfg: SamplerConfig = SamplerConfig(),
                             max_chars: int | None = 6000) -> Iterator[list[Segment]]:
    """Segments of ``per_trace`` action examples per trace, deterministic for a seed.

    An example longer than ``max_chars`` characters is retried from a bare state (no
    history), and dropped if still too long (a long source)."""
    rng = random.Random(seed)
    for trace in traces:
        for ex in examples_from_trace(trace, per_trace, rng, cfg):
            segs = example_segments(ex)
            if max_chars is not None and sum(len(s.text) for s in segs) > max_chars:
                if ex.from_state:
                    continue
                segs = example_segments(_as_state_start(ex))
                if sum(len(s.text) for s in segs) > max_chars:
                    continue
            yield segs


def action_training_texts(traces: Iterable[Trace], per_trace: int = 2, seed: int = 0,
                          cfg: SamplerConfig = SamplerConfig(), max_chars: int | None = 6000) -> Iterator[str]:
    """The same examples as text (for inspection and JSONL datasets; tokenize from
    :func:`action_training_segments` or split with
    :func:`trace_format.actions.split_action_segments`)."""
    for segs in action_training_segments(traces, per_trace, seed, cfg, max_chars):
        yield join_segments(segs)


#: the sampler used for training data: histories kept short (the examples are context
#: for a few target frames, and compute is the budget), most starts from a bare state
TRAINING_SAMPLER = SamplerConfig(max_history_frames=24, state_prob=0.6)


def encode_action_records(records: Iterable[dict], enc, seq_len: int, per_trace: int = 1, seed: int = 0,
                          cfg: SamplerConfig = TRAINING_SAMPLER, fraction: float = 1.0) -> list:
    """Action examples for ``neural-pdb data`` records (field ``trace``), tokenized for
    the training loop: ``neural_pdb.training.packing.Example`` objects, to add to the
    plain examples before packing (``enc`` is the loop's ``SegmentEncoder``).

    ``fraction`` of the records (drawn with the seed) give ``per_trace`` examples each.
    The loss is on the target frames only (what a model is asked to predict after an
    action); the prompt, the history or state, and the action tokens with their
    breakpoints are context. An example longer than ``seq_len`` tokens is retried from
    a bare state, then dropped."""
    from neural_pdb.training.packing import Example

    from trace_format.actions import action_segments, state_segments
    from trace_format import TraceEncoder, frame_segments, prompt_segments

    rng = random.Random(seed)
    out = []
    for record in records:
        if fraction < 1.0 and rng.random() >= fraction:
            continue
        trace = Trace.from_json(record["trace"])
        for ex in examples_from_trace(trace, per_trace, rng, cfg):
            for candidate in ((ex, _as_state_start(ex)) if not ex.from_state else (ex,)):
                ids = enc.encode(prompt_segments(candidate.source))
                if candidate.from_state:
                    ids += enc.encode(state_segments(candidate.history[0]))
                else:
                    history = TraceEncoder()
                    segs: list[Segment] = []
                    for f in candidate.history:
                        segs += history.encode(f)
                    if history.finished:
                        segs.pop()
                    ids += enc.encode(segs)
                mask = [0] * len(ids)
                frame_ends: list[int] = []
                for step in candidate.steps:
                    context = enc.encode(action_segments(step.action, dict(step.breakpoints)))
                    target = enc.encode(frame_segments(step.target))
                    ids += context + target
                    mask += [0] * len(context) + [1] * len(target)
                    frame_ends.append(len(ids))
                if len(ids) <= seq_len:
                    out.append(Example(ids, mask, frame_ends))
                    break
    return out
