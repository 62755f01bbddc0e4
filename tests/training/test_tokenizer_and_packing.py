"""Tokenizers keep trace tokens whole and text literal; packing keeps traces apart."""

import json
import random

import pytest

from neural_pdb.datagen.dataset import read_records, shard_paths
from neural_pdb.training.config import TrainConfig, cosine_lr
from neural_pdb.training.packing import IGNORE, encode_records, pack
from neural_pdb.training.tokenizer import SPECIAL_TOKENS, SegmentEncoder, build_tokenizer, text_segments
from trace_format import Trace, tokens, trace_segments


@pytest.fixture(scope="module", params=["byte", "bpe"])
def tokenizer(request, tiny_data):
    return build_tokenizer(request.param, text_segments(read_records(shard_paths(tiny_data))), 600)


def test_trace_tokens_are_single_special_tokens_and_text_never_becomes_one(tokenizer):
    for t in SPECIAL_TOKENS:
        ids = tokenizer.convert_tokens_to_ids(t)
        assert isinstance(ids, int) and ids != tokenizer.unk_token_id
        assert tokenizer.decode([ids]) == t
    assert tokenizer.eos_token == tokens.END_OF_TEXT and tokenizer.pad_token == tokens.PAD
    frame_sep = tokenizer.convert_tokens_to_ids(tokens.FRAME_SEP)
    text = "s = '<|frame_sep|>'"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert frame_sep not in ids and tokenizer.decode(ids) == text
    assert SegmentEncoder(tokenizer).encode_text(text) == ids


def test_segment_encoding_round_trips_whole_traces(tokenizer, tiny_data):
    enc = SegmentEncoder(tokenizer)
    for record in list(read_records(shard_paths(tiny_data)))[:10]:
        ids = enc.encode(trace_segments(Trace.from_json(record["trace"])))
        assert tokenizer.decode(ids) == record["text"]


def test_bpe_splits_digits_and_is_shorter_than_bytes(tiny_data):
    records = list(read_records(shard_paths(tiny_data)))
    bpe = build_tokenizer("bpe", text_segments(records), 600)
    byte = build_tokenizer("byte")
    assert all(len(t.lstrip("Ġ")) <= 1 for t in bpe.tokenize("x = 12345") if any(c.isdigit() for c in t))
    n_bpe = sum(len(SegmentEncoder(bpe).encode(trace_segments(Trace.from_json(r["trace"])))) for r in records)
    n_byte = sum(len(SegmentEncoder(byte).encode(trace_segments(Trace.from_json(r["trace"])))) for r in records)
    assert n_bpe < 0.6 * n_byte


def test_packed_rows_mask_the_prompt_and_restart_positions(tiny_data):
    tok = build_tokenizer("byte")
    enc = SegmentEncoder(tok)
    examples = encode_records(read_records(shard_paths(tiny_data)), enc, 512)
    assert examples and all(len(e.ids) <= 512 for e in examples)
    rows = list(pack(examples, 512, tok.pad_token_id, random.Random(0)))
    bos = tok.convert_tokens_to_ids(tokens.BEGIN_OF_TEXT)
    assert sum(r.input_ids.count(bos) for r in rows) == len(examples)  # every trace packed exactly once
    for row in rows:
        assert len(row.input_ids) == len(row.labels) == len(row.position_ids) == 512
        for i, tid in enumerate(row.input_ids):
            if tid == bos:
                assert row.position_ids[i] == 0 and row.labels[i] == IGNORE
    # the frames are learned: the call frame right after the source prompt has a label
    call = tok.convert_tokens_to_ids(tokens.CALL_SEP)
    assert any(label == call for row in rows for label in row.labels)


def test_cosine_schedule_is_a_pure_function():
    cfg = TrainConfig(lr=1.0, min_lr=0.1, warmup_steps=10, max_steps=110)
    assert cosine_lr(0, cfg) == pytest.approx(0.1)
    assert cosine_lr(9, cfg) == pytest.approx(1.0)
    assert cosine_lr(60, cfg) == pytest.approx(0.55)
    assert cosine_lr(110, cfg) == pytest.approx(0.1) and cosine_lr(500, cfg) == pytest.approx(0.1)
    assert [cosine_lr(s, cfg) for s in range(10, 110)] == sorted([cosine_lr(s, cfg) for s in range(10, 110)], reverse=True)


def test_time_schedule_anneals_when_the_clock_ends_the_run_first():
    cfg = TrainConfig(lr=1.0, min_lr=0.1, warmup_steps=10, max_steps=1010, max_minutes=60.0, schedule_by_time=True)
    # half the time gone at 1% of the steps: the LR is already half-way down the cosine
    assert cosine_lr(20, cfg, minutes=30.0) == pytest.approx(0.55)
    assert cosine_lr(20, cfg, minutes=60.0) == pytest.approx(0.1)
    # the step count still ends it when that comes first
    assert cosine_lr(1010, cfg, minutes=1.0) == pytest.approx(0.1)
    # off by default: the clock does not move a step-scheduled run
    assert cosine_lr(20, TrainConfig(lr=1.0, min_lr=0.1, warmup_steps=10, max_steps=1010, max_minutes=60.0),
                     minutes=30.0) > 0.99


def test_a_warm_started_runs_curve_continues_the_earlier_one():
    from neural_pdb.training.export import continued_curve
    earlier = {"train": [{"step": 10, "tokens": 100, "loss": 2.0}, {"step": 500, "tokens": 4000, "loss": 0.7}],
               "eval": [{"step": 500, "tokens": 4000, "frame_exact": 0.03}]}
    later = {"train": [{"step": 10, "tokens": 80, "loss": 0.6}], "eval": [{"step": 200, "tokens": 1600, "frame_exact": 0.1}]}
    curve = continued_curve(earlier, later)
    assert [t["step"] for t in curve["train"]] == [10, 500, 510]
    assert [t["tokens"] for t in curve["train"]] == [100, 4000, 4080]
    assert [(e["step"], e["tokens"]) for e in curve["eval"]] == [(500, 4000), (700, 5600)]
    assert curve["train"][-1]["phase"] == 2 and "phase" not in curve["train"][0]
    third = continued_curve(curve, later)   # a third phase counts on from the second
    assert third["train"][-1]["phase"] == 3 and third["train"][-1]["tokens"] == 4160


def test_a_training_mix_reads_the_shards_of_several_datasets_and_the_first_ones_held_out(tiny_data, tmp_path):
    import shutil
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(shard_paths(tiny_data)[0], other / "train-00000-of-00001.jsonl")
    mix = f"{tiny_data},{other}"
    assert shard_paths(mix) == shard_paths(tiny_data) + [other / "train-00000-of-00001.jsonl"]
    assert shard_paths(mix, "heldout") == [tiny_data / "heldout.jsonl"]
    assert len(list(read_records(shard_paths(mix)))) > len(list(read_records(shard_paths(tiny_data))))


def test_a_curve_cut_at_a_checkpoint_has_no_later_steps(tmp_path):
    from neural_pdb.training.export import learning_curve
    log = tmp_path / "log.jsonl"
    entries = [{"event": "train", "step": s, "tokens": 10 * s, "loss": 1.0, "lr": 0.1, "tokens_per_s": 1.0,
                "minutes": s / 10} for s in (10, 20, 30)] + [{"event": "eval", "step": 20, "tokens": 200, "loss": 1.0}]
    log.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    assert [t["step"] for t in learning_curve(log)["train"]] == [10, 20, 30]
    cut = learning_curve(log, up_to_step=20)
    assert [t["step"] for t in cut["train"]] == [10, 20] and [e["step"] for e in cut["eval"]] == [20]
