"""Reference results of ``neural-pdb eval``: the numbers the README publishes, and the
commands that reproduce them.

    python benchmarks/eval_reference.py                       # everything below
    python benchmarks/eval_reference.py --only model-output   # one run
    python benchmarks/eval_reference.py --model PATH --limit 100 --heldout runs/data/heldout.jsonl

Runs (reports under benchmarks/results/, each with its .md summary and plots):

- ``real-output``: ``--backend real`` on all of cruxeval-dev, task output. Must be 1.0:
  the harness's own correctness check.
- ``model-output``: the model (default: the embedded one) on the first ``--limit``
  programs of cruxeval-dev, task output (greedy).
- ``model-trace``: the same programs, task trace, teacher-forced (next-state accuracy).
- ``model-input``: the same programs, task input (inverse execution).
- ``heldout-output`` / ``heldout-trace``: held-out generated programs (``neural-pdb data
  ... --heldout N`` writes heldout.jsonl), when ``--heldout`` names the file.

cruxeval-dev is an evaluation set: nothing here trains or tunes on it.
Prints a Markdown table (task, data, backend, n, accuracy, s/program, tokens/s) and the
exact command of each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
CRUXEVAL = os.path.join(os.path.dirname(ROOT), "shared", "data", "cruxeval-dev.jsonl")
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def runs(ns: argparse.Namespace) -> list[tuple[str, list[str]]]:
    model = ["--backend", "model"] + (["--model", ns.model] if ns.model else [])
    limit = ["--limit", str(ns.limit)]
    out = [
        ("real-output", [ns.cruxeval, "--task", "output", "--backend", "real"]),
        ("model-output", [ns.cruxeval, "--task", "output", *model, *limit]),
        ("model-trace", [ns.cruxeval, "--task", "trace", "--mode", "forced", *model,
                         "--limit", str(ns.trace_limit)]),
        ("model-input", [ns.cruxeval, "--task", "input", *model, "--limit", str(ns.trace_limit)]),
    ]
    if ns.heldout:
        out += [("heldout-output", [ns.heldout, "--task", "output", *model, *limit]),
                ("heldout-trace", [ns.heldout, "--task", "trace", "--mode", "forced", *model,
                                   "--limit", str(ns.trace_limit)])]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="model path (default: the embedded default model)")
    p.add_argument("--limit", type=int, default=100, help="programs for the output task (default 100)")
    p.add_argument("--trace-limit", type=int, default=30, help="programs for the trace/input tasks (default 30)")
    p.add_argument("--cruxeval", default=CRUXEVAL, help="cruxeval-dev.jsonl")
    p.add_argument("--heldout", help="held-out generated records (neural-pdb data ... --heldout N)")
    p.add_argument("--only", action="append", help="run only these (repeatable): " +
                   ", ".join(name for name, _ in runs(argparse.Namespace(model=None, limit=1, trace_limit=1,
                                                                         cruxeval="", heldout="x"))))
    p.add_argument("--tag", default="", help="suffix of the report names (e.g. the model's step)")
    ns = p.parse_args()
    from neural_pdb.commands import eval_cmd

    rows = []
    for name, args in runs(ns):
        if ns.only and name not in ns.only:
            continue
        report = os.path.join(RESULTS, f"{name.replace('-', '_')}{ns.tag}.json")
        argv = args + ["--report", report, "--quiet"]
        command = "neural-pdb eval " + " ".join(shlex.quote(os.path.relpath(a, ROOT) if os.path.isabs(a) else a)
                                                for a in argv)
        print(f"$ {command}", flush=True)
        started = time.time()
        code = eval_cmd.main(argv)
        if code not in (0, 1) or not os.path.exists(report):
            print(f"  failed with exit status {code}", flush=True)
            continue
        with open(report, encoding="utf-8") as fh:
            r = json.load(fh)
        rows.append((name, r, command, time.time() - started))
    print()
    print("| run | task | data | n | accuracy | s/program | tokens/s |")
    print("|---|---|---|---|---|---|---|")
    for name, r, _, _ in rows:
        acc = "n/a" if r["accuracy"] is None else f"{100 * r['accuracy']:.1f}%"
        print(f"| {name} | {r['task']}{' (' + r['settings']['mode'] + ')' if r['settings'].get('mode') else ''} | "
              f"{os.path.basename(r['dataset'])} | {r['n']} | {acc} | {r['timing']['seconds_per_program']} | "
              f"{r['timing']['tokens_per_second']} |")
    print()
    for name, _, command, seconds in rows:
        print(f"- {name} ({seconds:.0f} s): `{command}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
