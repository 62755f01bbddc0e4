"""The learning-curve table of a model card, from the model's ``learning_curve.json``.

    python benchmarks/learning_curve_table.py neural_pdb/default_model --every 2

One row per held-out evaluation (every k-th, plus the last of each phase): step, phase,
tokens, held-out loss and the teacher-forced metrics. Each phase evaluates on its own
data directory's held-out set (its first 48 traces), so rows of different phases compare
a model to different programs. Then each phase's tokens and training minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def table(curve: dict, every: int = 1) -> str:
    evals = curve["eval"]
    rows = ["| step | phase | tokens | held-out loss | frame exact | next line | locals exact | return value |",
            "|---|---|---|---|---|---|---|---|"]
    for i, e in enumerate(evals):
        last_of_phase = i + 1 == len(evals) or evals[i + 1].get("phase", 1) != e.get("phase", 1)
        if i % every and not last_of_phase:
            continue
        rows.append(f"| {e['step']} | {e.get('phase', 1)} | {e['tokens'] / 1e6:.2f}M | {e['loss']:.4f} | "
                    f"{e['frame_exact']:.3f} | {e['next_line']:.3f} | {e['locals_exact']:.3f} | "
                    f"{(e['return_value'] or 0):.3f} |")
    return "\n".join(rows)


def phase_totals(curve: dict) -> str:
    """Tokens and training minutes of each phase and in all (minutes restart with a phase)."""
    last: dict[int, dict] = {}
    for entry in curve["train"]:
        last[entry.get("phase", 1)] = entry
    lines, start_tokens, minutes = [], 0, 0.0
    for phase, entry in sorted(last.items()):
        lines.append(f"phase {phase}: {(entry['tokens'] - start_tokens) / 1e6:.1f}M tokens, {entry['minutes']:.1f} min")
        start_tokens, minutes = entry["tokens"], minutes + entry["minutes"]
    lines.append(f"all: {start_tokens / 1e6:.1f}M tokens, {minutes:.1f} min")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a model directory with learning_curve.json")
    p.add_argument("--every", type=int, default=1, help="print every k-th evaluation (default 1)")
    args = p.parse_args()
    path = Path(args.model) / "learning_curve.json"
    if not path.exists():
        print(f"learning_curve_table: no {path}", file=sys.stderr)
        return 1
    curve = json.loads(path.read_text())
    print(table(curve, max(1, args.every)))
    print()
    print(phase_totals(curve))
    return 0


if __name__ == "__main__":
    sys.exit(main())
