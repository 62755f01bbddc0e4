"""Tokenizer comparison for the default model: byte-level vs BPE (digits split) vs BPE
(digits merged), by measured accuracy at equal compute.

Each tokenizer trains the same small CWM-architecture model on the same data, either for
the same number of steps (equal tokens) or for the same wall-clock time (``--minutes``:
equal compute, the measure that matters on a CPU budget), then all are scored
teacher-forced on the same held-out frames (frame exact match, next line, locals, return
value: see ``neural_pdb.training.evaluate``) and by bits per character of the frame text
(a loss comparable across tokenizers).

The same frames: a byte-level encoding is about 2.8x longer, so a 1024-token window holds
fewer frames of a trace than BPE's. Each held-out trace is scored on the frames that fit
every model's window (the shorter prefix), so no tokenizer is scored on easier, earlier
frames only. ``--seq-len KIND=N`` gives a kind its own window (e.g. ``byte=2816`` holds
about as much text as BPE's 1024; attention then costs it more per token, which equal
wall-clock compute charges to it).

``--parallel`` trains the kinds at the same time, one thread each, so any other load on
the machine falls on all of them alike.

Reproduce (after ``neural-pdb data --out runs/data ...``)::

    python benchmarks/tokenization.py --data runs/data --out runs/tokcmp3 --kinds bpe,byte \
        --seq-len byte=2816 --minutes 40 --parallel

Prints a markdown table and writes OUT/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neural_pdb.datagen.dataset import read_records, shard_paths  # noqa: E402
from neural_pdb.training.config import TrainConfig  # noqa: E402
from trace_format import Trace, trace_segments  # noqa: E402


def train_config(args, kind: str) -> TrainConfig:
    seq_len = dict(args.seq_len).get(kind, 1024)
    cfg = TrainConfig(data=args.data, out=str(Path(args.out) / kind), tokenizer=kind, vocab_size=2048,
                      tokenizer_records=3000, hidden_size=128, layers=3, heads=4, kv_heads=2, intermediate_size=384,
                      seq_len=seq_len, batch_rows=4, micro_rows=4, lr=3e-3, min_lr=3e-4, warmup_steps=10,
                      # no evaluation in the loop: score_kinds scores every kind on the same frames
                      max_steps=args.steps, eval_every=0, save_every=0, log_every=10,
                      threads=args.threads, action_fraction=0.0)
    if args.minutes:
        cfg = replace(cfg, max_steps=10**6, max_minutes=args.minutes, schedule_by_time=True)
    return cfg


def train_kind(args, kind: str) -> None:
    from neural_pdb.training.loop import train

    train(train_config(args, kind), progress=False)


def train_in_parallel(args, kinds: list[str]) -> None:
    """One process per kind, one thread each (this script again, with ``--train-only``)."""
    procs = []
    with contextlib.ExitStack() as logs:
        for kind in kinds:
            cmd = [sys.executable, __file__, "--data", args.data, "--out", args.out, "--steps", str(args.steps),
                   "--kinds", kind, "--threads", "1", "--train-only",
                   *[a for k, n in args.seq_len for a in ("--seq-len", f"{k}={n}")],
                   *(["--minutes", str(args.minutes)] if args.minutes else [])]
            log = logs.enter_context(open(Path(args.out) / f"{kind}.train.log", "w"))
            procs.append((kind, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)))
        for kind, proc in procs:
            if proc.wait() != 0:
                raise SystemExit(f"training {kind} failed: see {Path(args.out) / f'{kind}.train.log'}")


def score_kinds(args, kinds: list[str]) -> dict[str, dict]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from neural_pdb.training.evaluate import common_frames, score_traces, span_trace
    from neural_pdb.training.tokenizer import SegmentEncoder

    held_records = [r for r, _ in zip(read_records([Path(args.data) / "heldout.jsonl"]), range(args.score_traces))]
    train_records = [r for r, _ in zip(read_records(shard_paths(args.data)), range(500))]
    finals = {kind: Path(args.out) / kind / "final" for kind in kinds}
    if missing := [str(f) for f in finals.values() if not f.is_dir()]:
        raise SystemExit(f"no trained model in {', '.join(missing)}: train first (without --score-only)")
    encoders, spanned = {}, {}
    for kind in kinds:
        encoders[kind] = SegmentEncoder(AutoTokenizer.from_pretrained(finals[kind], local_files_only=True))
        seq_len = train_config(args, kind).seq_len
        spanned[kind] = [span_trace(Trace.from_json(r["trace"]), encoders[kind], seq_len) for r in held_records]
    spanned = common_frames(spanned)
    results = {}
    for kind in kinds:
        enc = encoders[kind]
        log = [json.loads(line) for line in (Path(args.out) / kind / "log.jsonl").read_text().splitlines()]
        trained = [e for e in log if "tokens" in e]
        lengths = [len(enc.encode(trace_segments(Trace.from_json(r["trace"])))) for r in train_records]
        model = AutoModelForCausalLM.from_pretrained(finals[kind], local_files_only=True)
        scores = score_traces(model, spanned[kind])
        # bits per character of the scored frame text: the same characters for every kind
        chars = sum(len(enc.tokenizer.decode(st.ids[st.frames[0].event:])) for st in spanned[kind])
        summary = scores.summary()
        results[kind] = {**{k: summary[k] for k in ("frame_exact", "next_line", "locals_exact", "return_value",
                                                    "frames")},
                         "bits_per_char": round(scores.loss_sum / math.log(2) / chars, 4),
                         "tokens_per_trace": round(statistics.mean(lengths), 1), "seq_len": train_config(args, kind).seq_len,
                         "train_tokens": max((e["tokens"] for e in trained), default=None),
                         "train_steps": max((e.get("step", 0) for e in trained), default=None),
                         "traces_scored": len(spanned[kind])}
        print(kind, results[kind], flush=True)
    return results


def parse_seq_len(text: str) -> tuple[str, int]:
    kind, _, n = text.partition("=")
    if not n.isdigit():
        raise argparse.ArgumentTypeError(f"expected KIND=N, got {text!r}")
    return kind, int(n)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="runs/data")
    p.add_argument("--out", default="runs/tokcmp")
    p.add_argument("--steps", type=int, default=80)
    p.add_argument("--kinds", default="byte,bpe,bpe-nosplit")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seq-len", type=parse_seq_len, action="append", default=[], metavar="KIND=N",
                   help="a kind's own context (default 1024)")
    p.add_argument("--minutes", type=float, default=None,
                   help="equal wall-clock compute instead of equal steps: each run trains this long "
                        "(cosine over the time, evaluated at its end)")
    p.add_argument("--parallel", action="store_true", help="train the kinds at once, one thread each")
    p.add_argument("--score-traces", type=int, default=200, help="held-out traces scored")
    p.add_argument("--train-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--score-only", action="store_true", help="score the models already in OUT")
    args = p.parse_args()
    kinds = args.kinds.split(",")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not args.score_only:
        if args.parallel:
            train_in_parallel(args, kinds)
        else:
            for kind in kinds:
                train_kind(args, kind)
    if args.train_only:
        return 0
    results = score_kinds(args, kinds)
    (Path(args.out) / "results.json").write_text(json.dumps(
        {"minutes": args.minutes, "steps": None if args.minutes else args.steps, "parallel": args.parallel,
         "wall_minutes": round((time.time() - t0) / 60, 1), "results": results}, indent=2) + "\n")
    print("\n| tokenizer | context | tokens/trace | train tokens | bits/char | frame exact | next line | "
          "locals exact | return value |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, r in results.items():
        print(f"| {kind} | {r['seq_len']} | {r['tokens_per_trace']} | {r['train_tokens']} | {r['bits_per_char']} | "
              f"{r['frame_exact']} | {r['next_line']} | {r['locals_exact']} | {r['return_value']} |")
    first = next(iter(results.values()))
    print(f"\n{first['frames']} frames of {first['traces_scored']} held-out traces, the same for every kind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
