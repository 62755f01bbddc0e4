"""Scripted pdb sessions on the demos, played on a model and on the real program, compared
stop by stop (``neural-pdb compare --json`` for each demo).

Reproduce (from the repository root; a minute or two on 2 CPU cores):

    python benchmarks/demo_sessions.py --out benchmarks/results/demo_sessions_default.json
    python benchmarks/demo_sessions.py --model PATH          # any CWM-format model

Every demo gets the same session, written once here, not per demo: step into the program
(``s`` x 12: into the first calls), step over (``n`` x 6), return from the current
function (``r``), print the locals there, and ``continue`` to the end. A command agrees
when the stop (event, line, function), the locals, the return value and pdb's printed
answer are the same as real pdb's (``--Predicted--`` banners aside); ``same stop`` counts
the stop alone. Printed: a row per demo and the totals; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = ["s"] * 12 + ["n"] * 6 + ["r", "p sorted(locals())", "c"]


def compare(demo: Path, model: str | None, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "neural_pdb", "compare", "--json", str(demo)]
    if model:
        cmd += ["--model", model]
    cmd += extra
    for c in SESSION:
        cmd += ["-c", c]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    if done.returncode != 0 or not done.stdout.strip().startswith("{"):
        raise SystemExit(f"{demo.name}: compare failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def summarize(name: str, result: dict) -> dict:
    rows = [c for c in result["comparisons"] if c["command"]]   # the first stop is forced, not predicted
    agree = sum(c["agree"] for c in rows)
    same_stop = sum(c["same_stop"] for c in rows)
    first = next((c["index"] for c in rows if not c["same_stop"]), None)
    return {"demo": name, "commands": len(rows), "agree": agree, "same_stop": same_stop,
            "first_divergence": first}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="a CWM-format model (default: the embedded default model)")
    p.add_argument("--demos", default=str(ROOT / "demos"))
    p.add_argument("--no-constrain-lines", action="store_true", help="let the model write any source line")
    p.add_argument("--max-frames", type=int, default=400,
                   help="frames a predicted session may have (a model that loops forever ends there; default 400)")
    p.add_argument("--jumps", default=None,
                   help="neural-pdb's --jumps (which commands an action-trained model answers in one "
                        "prediction; default: neural-pdb's default)")
    p.add_argument("--out", help="write the JSON summary (and the raw comparisons) here")
    args = p.parse_args(argv)
    extra = ["--max-frames", str(args.max_frames)] + (["--no-constrain-lines"] if args.no_constrain_lines else [])
    if args.jumps is not None:
        extra += ["--jumps", args.jumps]
    demos = sorted(Path(args.demos).glob("*.py"))
    rows, raw = [], {}
    for demo in demos:
        result = compare(demo, args.model, extra)
        raw[demo.name] = result["comparisons"]
        rows.append(summarize(demo.name, result))
    total = sum(r["commands"] for r in rows)
    from neural_pdb.inverse.jumps import DEFAULT_JUMPS
    summary = {"model": args.model or "embedded default", "session": SESSION, "max_frames": args.max_frames,
               "jumps": args.jumps or DEFAULT_JUMPS,
               "constrain_lines": not args.no_constrain_lines, "demos": rows,
               "agree": round(sum(r["agree"] for r in rows) / total, 4),
               "same_stop": round(sum(r["same_stop"] for r in rows) / total, 4), "commands": total}
    print(f"{'demo':20}{'commands':>10}{'agree':>8}{'same stop':>11}{'first divergence':>18}")
    for r in rows:
        print(f"{r['demo']:20}{r['commands']:>10}{r['agree']:>8}{r['same_stop']:>11}"
              f"{'-' if r['first_divergence'] is None else r['first_divergence']:>18}")
    print(f"{'all':20}{total:>10}{summary['agree']:>8.1%}{summary['same_stop']:>11.1%}")
    if args.out:
        Path(args.out).write_text(json.dumps({**summary, "comparisons": raw}, indent=1) + "\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
