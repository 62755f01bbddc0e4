"""``neural-pdb train``: train a CWM-format model from scratch on a `neural-pdb data` set.

The default model's run (2 CPU cores)::

    neural-pdb train --data runs/data --out runs/train --threads 2 --max-minutes 80

Any ``TrainConfig`` field is a flag (``--hidden-size 512 --layers 8``); running the same
command again resumes from ``OUT/checkpoint``. On GPUs: ``accelerate launch -m
neural_pdb.cli train ...``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from neural_pdb.training.config import TrainConfig


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="neural-pdb train", description=(
        "Train a small CWM-architecture model on traces (packed rows, loss on the frames, cosine LR, "
        "resumable checkpoints, held-out eval logged to OUT/log.jsonl; final model in OUT/final)."))
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        value = getattr(defaults, f.name)
        if isinstance(value, bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
        else:
            p.add_argument(flag, type=type(value), default=value, help=f"(default {value})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
    from neural_pdb.training.loop import TrainError, train
    try:
        final = train(cfg, progress=not args.quiet)
    except TrainError as e:
        print(f"neural-pdb train: {e}", file=sys.stderr)
        return 1
    print(f"model saved to {final}")
    return 0
