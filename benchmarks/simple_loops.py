"""Simple loops, teacher-forced: the smallest programs a trace model must get right.

Ten hand-written functions (accumulating over ``range``, a list, a ``while`` loop,
appending, counting, building a string, a dict, nested loops), each traced for real on
one input; for each model, how many of the frames after the entry call it predicts
exactly (every token the argmax given the true history, as in
``benchmarks/default_model.py``). The first is the program of
``tests/training/test_default_model.py`` (a strict xfail until a model gets it all).
Written for this benchmark, not taken from any evaluation set.

Reproduce::

    python benchmarks/simple_loops.py neural_pdb/default_model [OTHER_MODEL ...] \
        [--out benchmarks/results/simple_loops.json]

Prints a markdown table (one column per model) and the JSON of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROGRAMS: dict[str, tuple[str, str]] = {
    "sum range(n)": ("def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n", "3"),
    "sum range(3)": ("def f(n):\n    total = 0\n    for i in range(3):\n        total += i\n    return total\n", "3"),
    "other names": ("def f(n):\n    acc = 0\n    for k in range(n):\n        acc += k\n    return acc\n", "3"),
    "sum a list": ("def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n",
                   "[4, 1, 7]"),
    "sum doubled": ("def f(n):\n    total = 0\n    for i in range(n):\n        total += i * 2\n    return total\n", "3"),
    "append": ("def f(n):\n    out = []\n    for i in range(n):\n        out.append(i)\n    return out\n", "3"),
    "range(1, n)": ("def f(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n", "4"),
    "while": ("def f(n):\n    total = 0\n    i = 0\n    while i < n:\n        total += i\n        i += 1\n"
              "    return total\n", "3"),
    "count a letter": ("def f(s):\n    count = 0\n    for ch in s:\n        if ch == 'a':\n            count += 1\n"
                       "    return count\n", "'banana'"),
    "build a string": ("def f(s):\n    out = ''\n    for ch in s:\n        out = ch + out\n    return out\n", "'abc'"),
}


def score(model_dir: str) -> dict[str, tuple[int, int]]:
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
        scores = score_traces(model, [span_trace(trace, encoder, model.config.max_position_embeddings)])
        out[name] = (scores.frame_exact, scores.frames)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="+", help="model directories (saved with save_pretrained)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", help="write the results as JSON here")
    args = p.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    results = {m: score(m) for m in args.models}
    print("| program | " + " | ".join(args.models) + " |")
    print("|---|" + "---|" * len(args.models))
    for name in PROGRAMS:
        print(f"| {name} | " + " | ".join(f"{results[m][name][0]}/{results[m][name][1]}" for m in args.models) + " |")
    exact = {m: sum(a == b for a, b in results[m].values()) for m in args.models}
    print("| programs all right | " + " | ".join(f"{exact[m]}/{len(PROGRAMS)}" for m in args.models) + " |")
    report = {m: {"programs": {k: {"frames_exact": a, "frames": b} for k, (a, b) in r.items()},
                  "programs_all_right": exact[m]} for m, r in results.items()}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
