"""Action training examples from real traces."""

from __future__ import annotations

from neural_pdb.datagen.actions import (ACTION_SPECIAL_TOKENS, action_training_segments, action_training_texts,
                                        trained_action_names)
from tests.actions.programs import PROGRAMS, traced
from trace_format import Trace
from trace_format.actions import Action, parse_example, supported_actions


def traces() -> list[Trace]:
    return [traced(src, args) for src, args in PROGRAMS.values()]


def test_examples_parse_back_and_are_deterministic():
    texts = list(action_training_texts(traces(), per_trace=5, seed=7))
    assert len(texts) >= 20
    assert texts == list(action_training_texts(traces(), per_trace=5, seed=7))
    assert texts != list(action_training_texts(traces(), per_trace=5, seed=8))
    for text in texts:
        ex = parse_example(text)
        assert ex.steps and ex.history


def test_segments_mark_every_action_token_special():
    for segs in action_training_segments(traces(), per_trace=3, seed=1):
        for s in segs:
            if s.special:
                continue
            assert not any(tok in s.text for tok in ACTION_SPECIAL_TOKENS)
        assert any(s.special and s.text in ACTION_SPECIAL_TOKENS for s in segs)


def test_long_examples_fall_back_to_a_state_start_or_are_dropped():
    long_trace = traced(PROGRAMS["loop"][0], "40")
    texts = list(action_training_texts([long_trace], per_trace=30, seed=2, max_chars=1200))
    assert texts and all(len(t) <= 1200 for t in texts)
    assert any("<|npdb:state|>" in t for t in texts)


def test_config_names_round_trip():
    assert supported_actions({"npdb_actions": trained_action_names()}) == set(Action)


def test_encoded_records_put_the_loss_on_targets_only():
    from neural_pdb.datagen.actions import encode_action_records
    from neural_pdb.training.tokenizer import SegmentEncoder, build_byte_tokenizer

    enc = SegmentEncoder(build_byte_tokenizer())
    records = [{"trace": t.to_json()} for t in traces()]
    examples = encode_action_records(records, enc, seq_len=2048, per_trace=3, seed=4)
    assert len(examples) >= 10
    action_ids = {enc.special[t] for t in ACTION_SPECIAL_TOKENS}
    frame_sep = enc.special["<|frame_sep|>"]
    for ex in examples:
        assert len(ex.ids) == len(ex.mask) <= 2048
        # every masked-in run starts right after an action token (or its breakpoints) and ends at a frame_sep
        for end in ex.frame_ends:
            assert ex.ids[end - 1] == frame_sep and ex.mask[end - 1] == 1
        assert not any(m for i, m in zip(ex.ids, ex.mask) if i in action_ids)
        first = ex.mask.index(1)
        assert any(i in action_ids for i in ex.ids[:first])
    short = encode_action_records(records, enc, seq_len=300, per_trace=3, seed=4)
    assert short and all(len(ex.ids) <= 300 for ex in short)
