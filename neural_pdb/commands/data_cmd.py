"""``neural-pdb data``: write a sharded dataset of generated programs and their real traces.

Example (the default model's data)::

    neural-pdb data --out runs/data --size 60000 --heldout 500 --seed 0 --shards 8 --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys

from neural_pdb.datagen.dataset import DataConfig, write_dataset


def build_parser() -> argparse.ArgumentParser:
    d = DataConfig()
    p = argparse.ArgumentParser(prog="neural-pdb data", description=(
        "Generate programs (single calls with a # << START_OF_TRACE entry, and whole scripts), "
        "trace them with the real tracer, and write JSONL shards: train-KKKKK-of-NNNNN.jsonl, "
        "heldout.jsonl (programs never in the training shards) and stats.json. Programs matching "
        "a CruxEval function (normalized source) are never written."))
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--size", type=int, default=d.size, help=f"training records (default {d.size})")
    p.add_argument("--seed", type=int, default=d.seed, help="generator seed (default 0)")
    p.add_argument("--shards", type=int, default=d.shards, help="number of training shards (default 1)")
    p.add_argument("--heldout", type=int, default=d.heldout, help="held-out records (default 0)")
    p.add_argument("--script-fraction", type=float, default=d.script_fraction, help="share of whole scripts (default 0.3)")
    p.add_argument("--max-frames", type=int, default=d.max_frames, help=f"drop longer runs (default {d.max_frames})")
    p.add_argument("--workers", type=int, default=d.workers, help="tracing processes (default 1)")
    p.add_argument("--cruxeval", default=d.cruxeval, help="CruxEval JSONL to exclude (default ../shared/data/cruxeval-dev.jsonl)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.size < 1 or args.shards < 1 or args.workers < 1 or args.heldout < 0:
        print("neural-pdb data: --size, --shards and --workers must be positive, --heldout not negative", file=sys.stderr)
        return 2
    if os.environ.get("PYTHONHASHSEED") != "0":
        # string-set reprs follow the hash seed: the same seed must give the same files
        os.execve(sys.executable, [sys.executable, "-m", "neural_pdb.cli", "data", *argv],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    cfg = DataConfig(size=args.size, seed=args.seed, shards=args.shards, heldout=args.heldout,
                     script_fraction=args.script_fraction, max_frames=args.max_frames, workers=args.workers,
                     cruxeval=args.cruxeval)
    try:
        stats = write_dataset(cfg, args.out, progress=not args.quiet)
    except OSError as e:
        print(f"neural-pdb data: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {stats['records']} training records ({stats['calls']} calls, {stats['scripts']} scripts, "
          f"{stats['errors']} ending in an exception, {stats['frames']} frames) and {stats['heldout']} held-out to {args.out}")
    return 0
