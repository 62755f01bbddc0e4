"""Generated programs -> real traces -> sharded JSONL datasets.

One record per line::

    {"id": "7-123", "kind": "call"|"script", "source": ..., "entry": "f"|null, "args": "..."|null,
     "error": null|"ValueError: ...", "trace": Trace.to_json(), "text": CWM text}

Programs are generated in this process from the seed (deterministic), checked against
CruxEval and against each other, and traced here or in forked workers; records come
back in program order, so the same seed and size give the same files (string-set
orders depend on the hash seed: `neural-pdb data` always runs with ``PYTHONHASHSEED=0``).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .dedup import CruxEvalIndex, normalize_source
from ..evaluation.simple_loops import PROGRAMS as SIMPLE_LOOPS
from .programs import GeneratedProgram, generate_program

DEFAULT_CRUXEVAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cruxeval-dev.jsonl"


@dataclass(frozen=True)
class DataConfig:
    size: int = 1000                 # records to write (training set)
    seed: int = 0
    shards: int = 1
    heldout: int = 0                 # extra records whose programs never occur in the training set
    script_fraction: float = 0.3
    dress_fraction: float = 0.6      # scripts with a docstring/imports/exception class/main guard
    rename_fraction: float = 0.3     # programs whose own names are redrawn (datagen/rename.py)
    widen_fraction: float = 0.3      # calls whose arguments are redrawn longer (datagen/widen.py)
    more_fraction: float = 0.4       # functions with one block of datagen/blocks_more.py
    idiom_fraction: float = 0.2      # programs replaced by one everyday loop idiom (datagen/idioms.py)
    max_frames: int = 300            # a longer run is dropped (traces must fit a context)
    max_seconds: float = 2.0
    error_fraction: float = 0.15     # at most this share of records end in an uncaught exception
    workers: int = 1
    cruxeval: str | None = str(DEFAULT_CRUXEVAL)
    exclude: tuple[str, ...] = ()    # record files (e.g. another dataset's heldout.jsonl) whose programs never occur
    exclude_simple_loops: bool = True  # False only to write again the datasets of before the benchmark existed


def trace_program(task: tuple[str, GeneratedProgram, int, float]) -> dict | None:
    """Trace one program (in a worker). None when it hit a limit or could not run."""
    from neural_pdb.program import Program, ProgramError
    from neural_pdb.tracer import TraceLimits, trace_call, trace_script
    from trace_format import encode_trace

    rid, program, max_frames, max_seconds = task
    limits = TraceLimits(max_frames=max_frames, max_seconds=max_seconds)
    try:
        if program.kind == "call":
            result = trace_call(program.source, program.entry or "f", program.args or "", limits=limits)
        else:
            result = trace_script(Program("/tmp/npdb_generated/script.py", program.source), limits=limits,
                                  capture_output=True)
    except ProgramError:
        return None
    if result.stopped or not result.trace.frames or (result.error or "").startswith("bad arguments"):
        return None
    return {"id": rid, "kind": program.kind, "source": program.source, "entry": program.entry, "args": program.args,
            "error": result.error, "trace": result.trace.to_json(), "text": encode_trace(result.trace)}


def _programs(cfg: DataConfig, index: CruxEvalIndex, exclude: set[str]) -> Iterator[tuple[str, GeneratedProgram, str]]:
    """Programs in seed order, without evaluation programs (``index``) or repeats of (source, args)."""
    rng = random.Random(cfg.seed)
    seen: set[tuple[str, str | None]] = set()
    i = 0
    while True:
        program = generate_program(rng, cfg.script_fraction, cfg.dress_fraction, cfg.rename_fraction,
                                   cfg.widen_fraction, cfg.more_fraction, cfg.idiom_fraction)
        i += 1
        norm = normalize_source(program.source)
        if norm in exclude or (norm, program.args) in seen:
            continue
        if index.overlaps(program.source):
            continue
        seen.add((norm, program.args))
        yield f"{cfg.seed}-{i}", program, norm


def _traced(cfg: DataConfig, programs: Iterator[tuple[str, GeneratedProgram, str]], pool,
            batch: int = 256) -> Iterator[tuple[dict, str]]:
    """Traced records in program order. Programs go to the workers a batch at a time (an
    infinite program stream must never be handed to ``Pool.imap``, which would drain it)."""
    while True:
        chunk = list(itertools.islice(programs, batch))
        if not chunk:
            return
        tasks = [(rid, program, cfg.max_frames, cfg.max_seconds) for rid, program, _ in chunk]
        norms = {rid: norm for rid, _, norm in chunk}
        for record in (pool.map(trace_program, tasks, chunksize=16) if pool else map(trace_program, tasks)):
            if record is not None:
                yield record, norms[record["id"]]


def evaluation_index(cruxeval: str | None, simple_loops: bool = True) -> CruxEvalIndex:
    """The programs no dataset may hold: CruxEval's (when the file is there) and the
    simple-loop benchmark's (an evaluation set too, and a test's program)."""
    index = CruxEvalIndex.load(cruxeval) if cruxeval and Path(cruxeval).exists() else CruxEvalIndex(set())
    if not simple_loops:
        return index
    return index | CruxEvalIndex.of_sources(source for source, _ in SIMPLE_LOOPS.values())


def write_dataset(cfg: DataConfig, out_dir: str | Path, progress: bool = True) -> dict:
    """Write ``train-00000-of-0000K.jsonl`` shards (and ``heldout.jsonl``) under ``out_dir``;
    returns counts (also written to ``stats.json``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = evaluation_index(cfg.cruxeval, cfg.exclude_simple_loops)
    stats = {"config": cfg.__dict__, "records": 0, "errors": 0, "calls": 0, "scripts": 0, "frames": 0, "heldout": 0}
    # programs of excluded files (another dataset's held-out set) are written nowhere
    excluded = {normalize_source(r["source"]) for r in read_records(list(cfg.exclude))}
    train_norms: set[str] = set()
    # forked workers share this process's hash seed: `neural-pdb data` runs with
    # PYTHONHASHSEED=0 (it re-executes itself so), which makes string-set orders repeat
    pool = multiprocessing.get_context("fork").Pool(cfg.workers, maxtasksperchild=2000) if cfg.workers > 1 else None
    try:
        from tqdm import tqdm
        bar = tqdm(total=cfg.size + cfg.heldout, disable=not progress, unit="trace")
        files = [open(out / f"train-{k:05d}-of-{cfg.shards:05d}.jsonl", "w", encoding="utf-8") for k in range(cfg.shards)]
        max_errors = int(cfg.error_fraction * cfg.size)
        try:
            for record, norm in _traced(cfg, _programs(cfg, index, excluded), pool):
                if stats["records"] >= cfg.size:
                    break
                if record["error"] is not None:
                    if stats["errors"] >= max_errors:
                        continue
                    stats["errors"] += 1
                files[stats["records"] % cfg.shards].write(json.dumps(record, ensure_ascii=False) + "\n")
                stats["records"] += 1
                stats[record["kind"] + "s"] += 1
                stats["frames"] += len(record["trace"]["frames"])
                train_norms.add(norm)
                bar.update()
        finally:
            for fh in files:
                fh.close()
        if cfg.heldout:
            held_cfg = DataConfig(**{**cfg.__dict__, "seed": cfg.seed + 1_000_003})
            with open(out / "heldout.jsonl", "w", encoding="utf-8") as fh:
                for record, _ in _traced(held_cfg, _programs(held_cfg, index, train_norms | excluded), pool):
                    if stats["heldout"] >= cfg.heldout:
                        break
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                    stats["heldout"] += 1
                    bar.update()
        bar.close()
    finally:
        if pool is not None:
            pool.terminate()
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return stats


def read_records(paths: list[str | Path]) -> Iterator[dict]:
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def shard_paths(data_dir: str | Path, split: str = "train") -> list[Path]:
    """The files of a split; ``data_dir`` may name several datasets, comma-separated (a
    training mix), whose shards come one dataset after the other; other splits come from
    the first."""
    dirs = [Path(d) for d in str(data_dir).split(",") if d]
    if split != "train":
        return [dirs[0] / f"{split}.jsonl"]
    return [path for d in dirs for path in sorted(d.glob("train-*.jsonl"))]
