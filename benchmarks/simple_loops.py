"""Simple loops, teacher-forced: the smallest programs a trace model must get right.

The ten hand-written functions of :mod:`neural_pdb.evaluation.simple_loops` (kept out
of every generated dataset, under any names), each traced for real on one input; for
each model, how many of the frames after the entry call it predicts exactly (every token
the argmax given the true history, as in ``benchmarks/default_model.py``). The first is
the program of ``tests/training/test_default_model.py``, which the shipped model must
get all right. ``--misses`` prints each frame a model gets wrong (the true frame's text).


Reproduce::

    python benchmarks/simple_loops.py neural_pdb/default_model [OTHER_MODEL ...] \
        [--out benchmarks/results/simple_loops.json] [--misses]

Prints a markdown table (one column per model) and the JSON of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neural_pdb.evaluation.simple_loops import PROGRAMS  # noqa: E402


def score(model_dir: str) -> dict[str, tuple[int, int, list[str]]]:
    """Per program: frames exact, frames scored, and the text of each frame missed."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from neural_pdb.tracer import trace_call
    from neural_pdb.training.evaluate import score_traces, span_trace
    from neural_pdb.training.tokenizer import SegmentEncoder

    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True).eval()
    encoder = SegmentEncoder(tokenizer)
    out = {}
    for name, (source, args) in PROGRAMS.items():
        trace = trace_call(source, "f", args).trace
        spanned = span_trace(trace, encoder, model.config.max_position_embeddings)
        scores = score_traces(model, [spanned])
        missed = [tokenizer.decode(spanned.ids[spanned.frames[k].event:spanned.frames[k].end])
                  for _, k in scores.missed]
        out[name] = (scores.frame_exact, scores.frames, missed)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="+", help="model directories (saved with save_pretrained)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--misses", action="store_true", help="print the frames each model gets wrong")
    args = p.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    results = {m: score(m) for m in args.models}
    print("| program | " + " | ".join(args.models) + " |")
    print("|---|" + "---|" * len(args.models))
    for name in PROGRAMS:
        print(f"| {name} | " + " | ".join(f"{results[m][name][0]}/{results[m][name][1]}" for m in args.models) + " |")
    exact = {m: sum(a == b for a, b, _ in results[m].values()) for m in args.models}
    print("| programs all right | " + " | ".join(f"{exact[m]}/{len(PROGRAMS)}" for m in args.models) + " |")
    if args.misses:
        for m in args.models:
            for name, (_, _, missed) in results[m].items():
                for text in missed:
                    print(f"{m}: {name}: missed {text!r}")
    report = {m: {"programs": {k: {"frames_exact": a, "frames": b} for k, (a, b, _) in r.items()},
                  "programs_all_right": exact[m]} for m, r in results.items()}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
