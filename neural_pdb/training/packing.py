"""Traces -> token ids with a loss mask -> packed rows.

An example is one trace tokenized segment by segment (the same stream the model backend
builds: special segments by id, text with special parsing off). The loss mask is 0 on the
prompt (``<|begin_of_text|><|trace_context_start|>SOURCE<|frame_sep|>``) and 1 on the
frames: the source is always given at inference, so predicting it would spend a small
model's capacity on a task it is never asked to do.

A trace longer than a row is cut after its last whole frame that fits (a valid prefix:
the model learns to continue it; no ``<|end_of_text|>``). Rows are filled first-fit from
a shuffled buffer; each example's positions restart at 0 and, with no attention mask,
transformers turns the restarting ``position_ids`` into a block-diagonal mask, so packed
traces never attend to each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Iterator

from trace_format import Trace, tokens
from trace_format.encode import TraceEncoder, prompt_segments

from .tokenizer import SegmentEncoder

IGNORE = -100


@dataclass
class Example:
    ids: list[int]
    mask: list[int]                 # 1 where the token is predicted (counts in the loss)
    frame_ends: list[int]           # index after each frame's <|frame_sep|> (or <|end_of_text|>)


def encode_example(trace: Trace, enc: SegmentEncoder, max_len: int | None = None) -> Example | None:
    """Tokens of a trace; None if not even the prompt and one frame fit ``max_len``."""
    ids = enc.encode(prompt_segments(trace.source))
    mask = [0] * len(ids)
    frame_ends: list[int] = []
    encoder = TraceEncoder()
    for frame in trace.frames:
        part = enc.encode(encoder.encode(frame))
        if max_len is not None and len(ids) + len(part) > max_len:
            break
        ids += part
        mask += [1] * len(part)
        frame_ends.append(len(ids))
    complete = len(frame_ends) == len(trace.frames)
    if trace.finished and complete and not encoder.finished and frame_ends and (max_len is None or len(ids) < max_len):
        ids.append(enc.special[tokens.END_OF_TEXT])
        mask.append(1)
        frame_ends[-1] = len(ids)
    if not frame_ends:
        return None
    return Example(ids, mask, frame_ends)


@dataclass
class Row:
    input_ids: list[int]
    labels: list[int]
    position_ids: list[int]


def pack(examples: list[Example], seq_len: int, pad_id: int, rng: random.Random, buffer: int = 512) -> Iterator[Row]:
    """Rows of exactly ``seq_len`` tokens, first-fit over shuffled buffers of examples."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    for start in range(0, len(order), buffer):
        chunk = sorted((examples[i] for i in order[start:start + buffer]), key=lambda e: -len(e.ids))
        bins: list[list[Example]] = []
        space: list[int] = []
        for ex in chunk:
            for b, free in enumerate(space):
                if len(ex.ids) <= free:
                    bins[b].append(ex)
                    space[b] -= len(ex.ids)
                    break
            else:
                bins.append([ex])
                space.append(seq_len - len(ex.ids))
        rng.shuffle(bins)
        for content in bins:
            yield _row(content, seq_len, pad_id)


def _row(content: list[Example], seq_len: int, pad_id: int) -> Row:
    ids: list[int] = []
    labels: list[int] = []
    pos: list[int] = []
    for ex in content:
        ids += ex.ids
        labels += [t if m else IGNORE for t, m in zip(ex.ids, ex.mask)]
        pos += list(range(len(ex.ids)))
    pad = seq_len - len(ids)
    # padding is its own "sequence" (positions restart), never attended to by real tokens
    return Row(ids + [pad_id] * pad, labels + [IGNORE] * pad, pos + list(range(pad)))


def encode_records(records: Iterable[dict], enc: SegmentEncoder, seq_len: int, loss_on_prompt: bool = False) -> list[Example]:
    out = []
    for record in records:
        ex = encode_example(Trace.from_json(record["trace"]), enc, seq_len)
        if ex is not None:
            if loss_on_prompt:
                ex.mask = [1] * len(ex.mask)
            out.append(ex)
    return out
