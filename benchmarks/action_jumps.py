"""Speed-up of one-prediction jumps over frame-by-frame rollouts (issue 7).

For held-out programs, the same queries (``next``/``return``/``continue`` from a frame of
the real trace) are answered twice by the same action-trained model: once with one
action prediction (``<|npdb:step_over|>`` ...), once by rolling out frame by frame as the
debugger does with a plain CWM model. Reports, per action, accuracy, tokens and seconds
per query for both, and the speed-up (rollout seconds / jump seconds).

    python benchmarks/action_jumps.py DATA.jsonl [--model DIR] [--limit 50] [--per-action 20] \\
        [--out benchmarks/results/action_jumps.json]

DATA: ``neural-pdb data`` records (held-out split) or CruxEval-format JSONL. A model
without ``npdb_actions`` in its config cannot jump: the script says so and stops.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from neural_pdb.inverse.action_eval import ActionRunner, RolloutRunner, draw_queries, load_traces, run_queries
from trace_format.actions import Action, supported_actions

FORWARD = (Action.STEP_OVER, Action.STEP_OUT, Action.CONTINUE)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data")
    p.add_argument("--model", default=None)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--per-action", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out")
    args = p.parse_args(argv)

    from neural_pdb.model.loading import load_model
    from neural_pdb.model.local import LocalGenerator

    loaded = load_model(args.model)
    actions = supported_actions(loaded.model.config)
    if not set(FORWARD) <= actions:
        print(f"the model ({args.model or 'default'}) was not trained on {', '.join(a.value for a in FORWARD)}: "
              "nothing to compare (the debugger rolls out frame by frame)", file=sys.stderr)
        return 2
    traces = load_traces(args.data, args.limit)
    queries = draw_queries(traces, args.per_action, args.seed, actions=FORWARD)
    generator = LocalGenerator(loaded.model)
    jumps = run_queries(ActionRunner(generator, loaded.vocab), traces, queries)
    rolls = run_queries(RolloutRunner(generator, loaded.vocab), traces, queries)
    rows = ["| action | jump: accuracy | rollout: accuracy | jump: tokens/query | rollout: tokens/query "
            "| jump: s/query | rollout: s/query | speed-up |", "|---|---|---|---|---|---|---|---|"]
    report = {"data": args.data, "model": args.model or "default", "programs": len(traces), "actions": {}}
    for a in FORWARD:
        j, r = jumps[a.value].to_json(), rolls[a.value].to_json()
        speed = (r["seconds_per_query"] / j["seconds_per_query"]) if j["seconds_per_query"] else None
        report["actions"][a.value] = {"jump": j, "rollout": r, "speedup": speed}
        rows.append(f"| {a.value} | {j['accuracy']} | {r['accuracy']} | {j['tokens_per_query']} | "
                    f"{r['tokens_per_query']} | {j['seconds_per_query']} | {r['seconds_per_query']} | "
                    f"{speed:.1f}x |" if speed else f"| {a.value} | n/a |")
    table = "\n".join(rows)
    print(table)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
        Path(args.out).with_suffix(".md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
