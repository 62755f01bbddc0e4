"""Tokenizer comparison for the default model: byte-level vs BPE (digits split) vs BPE
(digits merged), by measured accuracy at equal compute.

Each tokenizer trains the same small CWM-architecture model for the same number of
steps of the same packed rows (equal tokens, equal compute), on the same data, then is
scored teacher-forced on the same held-out traces (frame exact match, next line, locals,
return value: see ``neural_pdb.training.evaluate``). Tokens per trace are reported too:
at equal compute, a shorter encoding sees more traces.

Reproduce (after ``neural-pdb data --out runs/data ...``)::

    python benchmarks/tokenization.py --data runs/data --out runs/tokcmp --steps 80

Prints a markdown table and writes OUT/results.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neural_pdb.datagen.dataset import read_records, shard_paths  # noqa: E402
from neural_pdb.training.config import TrainConfig  # noqa: E402
from neural_pdb.training.loop import train  # noqa: E402
from neural_pdb.training.tokenizer import SegmentEncoder  # noqa: E402
from trace_format import Trace, trace_segments  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="runs/data")
    p.add_argument("--out", default="runs/tokcmp")
    p.add_argument("--steps", type=int, default=80)
    p.add_argument("--kinds", default="byte,bpe,bpe-nosplit")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--minutes", type=float, default=None,
                   help="equal wall-clock compute instead of equal steps: each run trains this long "
                        "(cosine over the time, evaluated at its end); the machine must be otherwise idle")
    args = p.parse_args()
    results = {}
    for kind in args.kinds.split(","):
        out = Path(args.out) / kind
        cfg = TrainConfig(data=args.data, out=str(out), tokenizer=kind, vocab_size=2048, tokenizer_records=3000,
                          hidden_size=128, layers=3, heads=4, kv_heads=2, intermediate_size=384, seq_len=1024,
                          batch_rows=4, micro_rows=4, lr=3e-3, min_lr=3e-4, warmup_steps=10, max_steps=args.steps,
                          eval_every=args.steps, eval_records=64, save_every=0, log_every=10, threads=args.threads,
                          action_fraction=0.0)
        if args.minutes:
            cfg = replace(cfg, max_steps=10**6, max_minutes=args.minutes, schedule_by_time=True,
                          eval_every=10**9)   # one evaluation, at the end
        t0 = time.time()
        train(cfg, progress=False)
        log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
        evals = [e for e in log if e["event"] == "eval"]
        from transformers import AutoTokenizer
        enc = SegmentEncoder(AutoTokenizer.from_pretrained(out / "final", local_files_only=True))
        records = [r for r, _ in zip(read_records(shard_paths(args.data)), range(500))]
        lengths = [len(enc.encode(trace_segments(Trace.from_json(r["trace"])))) for r in records]
        # bits per character of the frame text: a loss comparable across tokenizers
        from transformers import AutoModelForCausalLM
        from neural_pdb.training.evaluate import score_traces, span_trace
        model = AutoModelForCausalLM.from_pretrained(out / "final", local_files_only=True)
        held = [span_trace(Trace.from_json(r["trace"]), enc, cfg.seq_len)
                for r, _ in zip(read_records([Path(args.data) / "heldout.jsonl"]), range(64))]
        held = [h for h in held if h is not None]
        scores = score_traces(model, held)
        chars = sum(len(enc_tok.decode(h.ids[h.frames[0].event:])) for h in held) if (enc_tok := enc.tokenizer) else 1
        bits_per_char = scores.loss_sum / 0.6931471805599453 / chars
        results[kind] = {**{k: evals[-1][k] for k in ("frame_exact", "next_line", "locals_exact", "return_value")},
                         "bits_per_char": round(bits_per_char, 4),
                         "tokens_per_trace": round(statistics.mean(lengths), 1), "train_tokens": evals[-1]["tokens"],
                         "minutes": round((time.time() - t0) / 60, 1)}
        print(kind, results[kind], flush=True)
    (Path(args.out) / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n| tokenizer | tokens/trace | bits/char | frame exact | next line | locals exact | return value |")
    print("|---|---|---|---|---|---|---|")
    for kind, r in results.items():
        print(f"| {kind} | {r['tokens_per_trace']} | {r['bits_per_char']} | {r['frame_exact']} | {r['next_line']} | "
              f"{r['locals_exact']} | {r['return_value']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
