"""``neural-pdb data``: write a sharded dataset of generated programs and their real traces.

Example (the default model's last training phase's data, runs/data5; the model card has all of them)::

    neural-pdb data --out runs/data5 --size 64000 --heldout 600 --seed 6 --shards 8 --workers 2 \
        --max-frames 200 --dress-fraction 0.6 --rename-fraction 0.3 --widen-fraction 0.3 \
        --more-fraction 0.4 --idiom-fraction 0.2 --exclude-data runs/data3/heldout.jsonl \
        --exclude-data runs/data/heldout.jsonl
"""

from __future__ import annotations

import argparse
import os
import sys

from neural_pdb.datagen.dataset import DataConfig, write_dataset


#: Changes to generated programs, each applied to a share of them (``--NAME-fraction``).
AUGMENTATIONS = {
    "dress": "scripts given a docstring, imports, constants, an exception class or a main() guard",
    "rename": "programs whose own names (functions, parameters, variables) are redrawn from a wide pool, "
              "so a model learns to copy names",
    "widen": "single calls whose arguments are redrawn longer (same types, same kind of content)",
    "more": "generated functions given one more block calling a builtin method the main blocks never call "
            "(rsplit, translate, dict.fromkeys, set.union, ...)",
    "idiom": "programs replaced by one everyday loop idiom (summing over range(n), counting letters, a while "
             "counter, a running maximum, ...; datagen/idioms.py)",
}


def build_parser() -> argparse.ArgumentParser:
    d = DataConfig()
    p = argparse.ArgumentParser(prog="neural-pdb data", description=(
        "Generate programs (single calls with a # << START_OF_TRACE entry, and whole scripts), "
        "trace them with the real tracer, and write JSONL shards: train-KKKKK-of-NNNNN.jsonl, "
        "heldout.jsonl (programs never in the training shards) and stats.json. Programs matching "
        "a CruxEval function or a program of the simple-loop benchmark (normalized source, any names) "
        "are never written."))
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--size", type=int, default=d.size, help=f"training records (default {d.size})")
    p.add_argument("--seed", type=int, default=d.seed, help="generator seed (default 0)")
    p.add_argument("--shards", type=int, default=d.shards, help="number of training shards (default 1)")
    p.add_argument("--heldout", type=int, default=d.heldout, help="held-out records (default 0)")
    p.add_argument("--script-fraction", type=float, default=d.script_fraction, help="share of whole scripts (default 0.3)")
    for name, what in AUGMENTATIONS.items():
        default = getattr(d, f"{name}_fraction")
        p.add_argument(f"--{name}-fraction", type=float, default=default,
                       help=f"share of {what}; drawn from an RNG of its own, so 0 writes the datasets of before "
                            f"(default {default})")
    p.add_argument("--max-frames", type=int, default=d.max_frames, help=f"drop longer runs (default {d.max_frames})")
    p.add_argument("--workers", type=int, default=d.workers, help="tracing processes (default 1)")
    p.add_argument("--cruxeval", default=d.cruxeval, help="CruxEval JSONL to exclude (default ../shared/data/cruxeval-dev.jsonl)")
    p.add_argument("--exclude-data", action="append", default=[], metavar="FILE",
                   help="records (JSONL) whose programs are never written, e.g. another dataset's heldout.jsonl, "
                        "so it stays held out from this one (repeatable)")
    p.add_argument("--exclude-simple-loops", action=argparse.BooleanOptionalAction, default=d.exclude_simple_loops,
                   help="keep the simple-loop benchmark's programs (neural_pdb/evaluation/simple_loops.py) out, "
                        "under any names (default: yes; --no-exclude-simple-loops writes the datasets of before "
                        "the benchmark existed again)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    fractions = {f"{name}_fraction": getattr(args, f"{name}_fraction") for name in ("script", *AUGMENTATIONS)}
    if args.size < 1 or args.shards < 1 or args.workers < 1 or args.heldout < 0 \
            or not all(0 <= f <= 1 for f in fractions.values()):
        print("neural-pdb data: --size, --shards and --workers must be positive, --heldout not negative, fractions in [0, 1]", file=sys.stderr)
        return 2
    missing = [f for f in args.exclude_data if not os.path.isfile(f)]
    if missing:
        print(f"neural-pdb data: --exclude-data: no such file: {missing[0]}", file=sys.stderr)
        return 2
    if os.environ.get("PYTHONHASHSEED") != "0":
        # string-set reprs follow the hash seed: the same seed must give the same files
        os.execve(sys.executable, [sys.executable, "-m", "neural_pdb.cli", "data", *argv],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    cfg = DataConfig(size=args.size, seed=args.seed, shards=args.shards, heldout=args.heldout,
                     **fractions, max_frames=args.max_frames, workers=args.workers,
                     cruxeval=args.cruxeval, exclude=tuple(args.exclude_data),
                     exclude_simple_loops=args.exclude_simple_loops)
    try:
        stats = write_dataset(cfg, args.out, progress=not args.quiet)
    except OSError as e:
        print(f"neural-pdb data: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {stats['records']} training records ({stats['calls']} calls, {stats['scripts']} scripts, "
          f"{stats['errors']} ending in an exception, {stats['frames']} frames) and {stats['heldout']} held-out to {args.out}")
    return 0
