"""The data pipeline end to end at tiny scale: generate, trace, write shards, read back."""

import json
import subprocess
import sys
from pathlib import Path

from neural_pdb.commands import data_cmd
from neural_pdb.datagen.dataset import DEFAULT_CRUXEVAL, DataConfig, read_records, shard_paths, write_dataset
from neural_pdb.datagen.dedup import CruxEvalIndex, normalize_source
from trace_format import Trace, encode_trace, parse_trace


def test_data_command_writes_shards_heldout_and_stats(tmp_path):
    out = tmp_path / "data"
    run = subprocess.run([sys.executable, "-m", "neural_pdb.cli", "data", "--out", str(out), "--size", "40", "--shards", "2",
                          "--heldout", "6", "--seed", "5", "--workers", "2", "--quiet"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "wrote 40 training records" in run.stdout
    shards = shard_paths(out)
    assert [p.name for p in shards] == ["train-00000-of-00002.jsonl", "train-00001-of-00002.jsonl"]
    train = list(read_records(shards))
    held = list(read_records([out / "heldout.jsonl"]))
    assert len(train) == 40 and len(held) == 6
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records"] == 40 and stats["calls"] + stats["scripts"] == 40
    for record in train + held:
        trace = Trace.from_json(record["trace"])
        assert record["text"] == encode_trace(trace)
        assert parse_trace(record["text"]).frames  # the text parses back
        if record["kind"] == "call":
            assert "# << START_OF_TRACE" in trace.source
    train_sources = {normalize_source(r["source"]) for r in train}
    assert not any(normalize_source(r["source"]) in train_sources for r in held)
    if Path(DEFAULT_CRUXEVAL).exists():
        index = CruxEvalIndex.load(DEFAULT_CRUXEVAL)
        assert not any(index.overlaps(r["source"]) for r in train + held)


def test_same_seed_same_files(tmp_path):
    cfg = DataConfig(size=25, seed=9, shards=1)
    write_dataset(cfg, tmp_path / "a", progress=False)
    write_dataset(cfg, tmp_path / "b", progress=False)
    a = (tmp_path / "a" / "train-00000-of-00001.jsonl").read_text()
    assert a == (tmp_path / "b" / "train-00000-of-00001.jsonl").read_text()
    assert a != write_dataset(DataConfig(size=25, seed=10), tmp_path / "c", progress=False) and \
        a != (tmp_path / "c" / "train-00000-of-00001.jsonl").read_text()


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    assert data_cmd.main(["--out", str(tmp_path), "--size", "0"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert data_cmd.main(["--out", str(tmp_path), "--widen-fraction", "1.5"]) == 2
    assert "fractions in [0, 1]" in capsys.readouterr().err
    assert data_cmd.main(["--out", str(tmp_path), "--exclude-data", str(tmp_path / "nope.jsonl")]) == 2
    assert capsys.readouterr().err.strip() == f"neural-pdb data: --exclude-data: no such file: {tmp_path / 'nope.jsonl'}"


def test_excluded_records_are_written_nowhere(tmp_path):
    """B's seed is A's held-out seed: without the exclusion B would open with A's held-out programs."""
    from neural_pdb.datagen.dedup import normalize_source
    write_dataset(DataConfig(size=10, heldout=10, seed=3, cruxeval=None), tmp_path / "a", progress=False)
    held = {normalize_source(r["source"]) for r in read_records([tmp_path / "a" / "heldout.jsonl"])}
    b_cfg = DataConfig(size=20, heldout=5, seed=3 + 1_000_003, cruxeval=None)
    write_dataset(b_cfg, tmp_path / "plain", progress=False)
    plain = {normalize_source(r["source"]) for r in read_records(shard_paths(tmp_path / "plain"))}
    assert held & plain   # the exclusion below has something to do
    write_dataset(DataConfig(**{**b_cfg.__dict__, "exclude": (str(tmp_path / "a" / "heldout.jsonl"),)}),
                  tmp_path / "b", progress=False)
    written = [normalize_source(r["source"]) for r in
               read_records(shard_paths(tmp_path / "b") + [tmp_path / "b" / "heldout.jsonl"])]
    assert len(written) == 25 and not held & set(written)
