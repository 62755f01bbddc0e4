"""How often the debugger's line constraint allows the true line: measured on real traces.

The constraint (``neural_pdb/model/constraint.py``) narrows a predicted frame's source line
with the program's static structure: the first statement after a call, the successors of
the current line, the current line for return and exception frames. It is only sound if
the real line is (almost) always among those. This replays real traces through the same
position logic the debugger uses (``neural_pdb.model.session.position_after``) and counts,
per rule, the frames whose true line the rule allows, rejects, or leaves to the scope-wide
fallback (unknown).

Reproduce (a minute on 2 CPU cores):

    python benchmarks/line_constraint_coverage.py --heldout runs/data/heldout.jsonl --cruxeval-limit 200

Sets: held-out generated traces (``neural-pdb data ... --heldout N``), the first
``--cruxeval-limit`` cruxeval-dev programs traced on their inputs, and the demos traced as
scripts. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from neural_pdb.datagen.dataset import DEFAULT_CRUXEVAL, read_records  # noqa: E402
from neural_pdb.model.session import position_after  # noqa: E402
from trace_format import Event, FrameLocator, Trace  # noqa: E402


def traces(args) -> list[Trace]:
    from neural_pdb.tracer import trace_call, trace_script
    out = []
    if args.heldout and Path(args.heldout).exists():
        out += [Trace.from_json(r["trace"]) for r in read_records([args.heldout])]
    for i, r in enumerate(read_records([args.cruxeval])):
        if i >= args.cruxeval_limit:
            break
        result = trace_call(r["code"], "f", r["input"])
        if result.trace.frames:
            out.append(result.trace)
    for demo in sorted((ROOT / "demos").glob("*.py")):
        out.append(trace_script(str(demo), capture_output=True).trace)
    return out


def coverage(all_traces: list[Trace]) -> Counter:
    counts: Counter = Counter()
    for trace in all_traces:
        locator, prev = FrameLocator.for_source(trace.source), None
        for k, frame in enumerate(trace.frames):
            first, current = position_after(locator, prev, k == 1)
            s = locator.structure
            if frame.event is Event.LINE and prev is not None and prev.event is Event.CALL:
                rule, allowed = "first statement after a call", None if first is None else {first}
            elif frame.event is Event.LINE and current is not None:
                rule, allowed = "successor of the current line", s.lines_after(current, locator.scope) or None
            elif frame.event in (Event.RETURN, Event.EXCEPTION) and current is not None:
                rule, allowed = "return/exception on the current line", {current}
            else:
                rule, allowed = None, None
            if rule is not None:
                verdict = "unknown" if allowed is None else "allowed" if frame.lineno in allowed else "rejected"
                counts[(rule, verdict)] += 1
            try:
                locator.locate_and_advance(frame)
            except Exception:  # a frame the structure cannot place: stop reading this trace
                break
            prev = frame
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--heldout", default="runs/data/heldout.jsonl")
    p.add_argument("--cruxeval", default=str(DEFAULT_CRUXEVAL))
    p.add_argument("--cruxeval-limit", type=int, default=200)
    args = p.parse_args(argv)
    all_traces = traces(args)
    counts = coverage(all_traces)
    rules = sorted({rule for rule, _ in counts})
    print(f"{len(all_traces)} traces")
    print(f"{'rule':40}{'allowed':>10}{'rejected':>10}{'unknown':>10}")
    summary = {}
    for rule in rules:
        row = {v: counts[(rule, v)] for v in ("allowed", "rejected", "unknown")}
        summary[rule] = row
        print(f"{rule:40}{row['allowed']:>10}{row['rejected']:>10}{row['unknown']:>10}")
    print(json.dumps({"traces": len(all_traces), "rules": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
