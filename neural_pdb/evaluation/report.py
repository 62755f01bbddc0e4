"""An evaluation as a JSON report (the machine-readable record) and a Markdown summary.

Report schema (top level)::

    {"accuracy": 0..1 | null,   # the task's headline over scored programs
     "n": int,                  # programs scored
     "task", "headline", "backend", "predictor", "dataset", "settings": {...},
     "counts": {"total", "scored", "correct", "by_status": {status: count},
                "no_prediction": {reason: count}},   # see no_prediction_reason
     "timing": {"wall_seconds", "reference_seconds", "prediction_seconds",
                "seconds_per_program", "tokens", "tokens_per_second"},
     "metrics": {...},          # the task's own aggregates (trace metrics...)
     "breakdowns": {"by_trace_length": [...], "by_value_kind": [...],
                    "first_divergence": {...}},
     "results": [per program: id, status, scored, correct, expected, predicted,
                 value_kind, trace_length, first_divergence, seconds, tokens,
                 tokens_per_second, error, trace_metrics?, extra?],
     "interrupted": bool, "created": ISO time, "schema_version": 1}
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections import Counter
from typing import Sequence

from .harness import EvalRun
from .tasks import ProgramResult

#: why a rollout gave no answer, by the words of its error (first match wins)
_NO_PREDICTION_REASONS = (("a loop the model does not leave", "loop"), ("frames predicted", "frame limit"),
                          ("not a valid frame", "malformed"), ("malformed", "malformed"),
                          ("context", "context"))


def no_prediction_reason(error: str | None) -> str:
    """``loop`` (a state repeated, ``--max-repeats``), ``frame limit`` (the rollout's frame
    budget), ``malformed`` (a frame that stayed invalid), ``context`` (longer than the
    model's), ``no value`` (it ended without the entry's return), or ``other``."""
    if not error:
        return "no value"
    return next((reason for words, reason in _NO_PREDICTION_REASONS if words in error), "other")


def status_text(report: dict) -> str:
    """``correct 2, no_prediction 5, wrong 3 (no prediction: frame limit 2, loop 3)``."""
    counts = report["counts"]
    text = ", ".join(f"{k} {v}" for k, v in sorted(counts["by_status"].items()))
    reasons = counts.get("no_prediction") or {}
    if reasons:
        text += " (no prediction: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + ")"
    return text

SCHEMA_VERSION = 1
#: upper bounds of the trace-length buckets (frames in the real trace)
LENGTH_BUCKETS = (5, 10, 20, 50, 100, 200, 500)


def length_bucket(length: int | None) -> str:
    if length is None:
        return "unknown"
    low = 1
    for high in LENGTH_BUCKETS:
        if length <= high:
            return f"{low}-{high}"
        low = high + 1
    return f">{LENGTH_BUCKETS[-1]}"


def _bucket_order(label: str) -> int:
    labels = [length_bucket(b) for b in LENGTH_BUCKETS] + [f">{LENGTH_BUCKETS[-1]}", "unknown"]
    return labels.index(label) if label in labels else len(labels)


def breakdown(results: Sequence[ProgramResult], key) -> list[dict]:
    """Accuracy (same ratio as the headline) of the scored results grouped by ``key``."""
    groups: dict[str, list[ProgramResult]] = {}
    for r in results:
        if r.scored:
            groups.setdefault(key(r), []).append(r)
    rows = []
    for label, members in groups.items():
        total = sum(r.total for r in members)
        rows.append({"group": label, "n": len(members), "correct": sum(r.correct for r in members),
                     "accuracy": sum(r.hits for r in members) / total if total else None})
    return rows


def divergence_histogram(results: Sequence[ProgramResult]) -> dict:
    """First divergent step of the scored programs: ``{"steps": {step: count}, "exact": n}``."""
    scored = [r for r in results if r.scored and r.score is not None]
    counts = Counter(r.first_divergence for r in scored if r.first_divergence is not None)
    return {"steps": {str(k): v for k, v in sorted(counts.items())},
            "exact": sum(r.first_divergence is None for r in scored),
            "median": _median([r.first_divergence for r in scored if r.first_divergence is not None])}


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def build_report(run: EvalRun) -> dict:
    results = run.results
    scored = [r for r in results if r.scored]
    total = sum(r.total for r in scored)
    prediction_seconds = sum(r.seconds for r in scored)
    tokens = sum(r.tokens for r in scored)
    by_length = sorted(breakdown(results, lambda r: length_bucket(r.trace_length)),
                       key=lambda row: _bucket_order(row["group"]))
    by_kind = sorted(breakdown(results, lambda r: r.value_kind or "unknown"), key=lambda row: -row["n"])
    return {
        "accuracy": sum(r.hits for r in scored) / total if total else None,
        "n": len(scored),
        "task": run.task_name,
        "headline": run.headline,
        "backend": run.config.backend,
        "predictor": run.predictor_name,
        "dataset": run.config.dataset,
        "settings": run.config.settings(),
        "counts": {"total": len(results), "scored": len(scored), "correct": sum(r.correct for r in scored),
                   "by_status": dict(Counter(r.status for r in results)),
                   "no_prediction": dict(Counter(no_prediction_reason(r.error) for r in results
                                                 if r.status == "no_prediction"))},
        "timing": {
            "wall_seconds": round(run.wall_seconds, 3),
            "reference_seconds": round(run.reference_seconds, 3),
            "prediction_seconds": round(prediction_seconds, 3),
            "seconds_per_program": round(prediction_seconds / len(scored), 4) if scored else None,
            "tokens": tokens,
            "tokens_per_second": round(tokens / prediction_seconds, 2) if tokens and prediction_seconds > 0 else None,
        },
        "metrics": run.summary,
        "breakdowns": {"by_trace_length": by_length, "by_value_kind": by_kind,
                       "first_divergence": divergence_histogram(results)},
        "results": [r.to_json() for r in results],
        "interrupted": run.interrupted,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION,
    }


def write_json(report: dict, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    os.replace(tmp, path)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _cell(text: str | None, width: int = 60) -> str:
    if text is None:
        return "—"
    text = text.replace("|", "\\|").replace("\n", "\\n")
    text = text if len(text) <= width else text[:width] + "…"
    return f"`` {text} ``" if "`" in text else f"`{text}`"  # a double fence keeps inner backticks


def markdown_summary(report: dict, plots: Sequence[str] = (), max_failures: int = 20) -> str:
    """A human summary: headline, metrics, breakdowns, timing, plots, failure cases."""
    timing = report["timing"]
    lines = [f"# neural-pdb eval: task `{report['task']}`, backend `{report['backend']}`", "",
             f"- dataset: `{report['dataset']}`",
             f"- model: `{report['settings'].get('model') or ('default' if report['backend'] != 'real' else 'n/a')}`",
             f"- **accuracy: {_pct(report['accuracy'])}** over n = {report['n']} scored programs "
             f"({report['headline']})",
             f"- programs: {report['counts']['total']} read, by status: {status_text(report)}",
             f"- timing: {timing['wall_seconds']} s wall, {timing['seconds_per_program']} s per program predicted, "
             f"{timing['tokens']} tokens generated, {timing['tokens_per_second']} tokens/s", ""]
    trace_metrics = report["metrics"].get("trace_metrics") or report["metrics"].get("rollout_agreement")
    if trace_metrics:
        title = "Trace metrics" if "trace_metrics" in report["metrics"] else "Trace agreement of the rollouts"
        lines += [f"## {title}", "", "| metric | value |", "|---|---|"]
        for key in ("next_line_accuracy", "frame_exact_match", "locals_exact_match", "return_value_accuracy",
                    "programs_exact"):
            lines.append(f"| {key.replace('_', ' ')} | {_pct(trace_metrics.get(key))} |")
        lines.append("")
    for title, rows in (("Accuracy by trace length (frames)", report["breakdowns"]["by_trace_length"]),
                        ("Accuracy by kind of value", report["breakdowns"]["by_value_kind"])):
        lines += [f"## {title}", "", "| group | n | correct | accuracy |", "|---|---|---|---|"]
        lines += [f"| {r['group']} | {r['n']} | {r['correct']} | {_pct(r['accuracy'])} |" for r in rows]
        lines.append("")
    div = report["breakdowns"]["first_divergence"]
    lines += ["## First divergent step", "",
              f"{div['exact']} programs without divergence; median first divergent step: {div['median']}.", ""]
    if plots:
        lines += ["## Plots", ""] + [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in plots] + [""]
    failures = [r for r in report["results"] if r["scored"] and not r["correct"]]
    unscored = [r for r in report["results"] if not r["scored"]]
    if failures:
        lines += [f"## Failure cases ({len(failures)}; first {min(len(failures), max_failures)})", "",
                  "| id | expected | predicted | first divergence: real | predicted there | error |",
                  "|---|---|---|---|---|---|"]
        for r in failures[:max_failures]:
            div = (r.get("extra") or {}).get("divergence") or {}
            step = f"{div['step']}: " if div else ""
            lines.append(f"| {r['id']} | {_cell(r['expected'])} | {_cell(r['predicted'])} | "
                         f"{step}{_cell(div.get('real'), 70)} | {_cell(div.get('predicted'), 70)} | "
                         f"{_cell(r['error'])} |")
        lines.append("")
    if unscored:
        lines += [f"## Not scored ({len(unscored)}): the real run failed", "", "| id | status | error |",
                  "|---|---|---|"]
        lines += [f"| {r['id']} | {r['status']} | {_cell(r['error'])} |" for r in unscored]
        lines.append("")
    return "\n".join(lines)
