"""Per-action next-state accuracy: does a debugger action land on the true frame?

For held-out traces (``neural-pdb data`` records, or CruxEval-format programs run for
real), queries are drawn per action from each trace's state tree
(:mod:`trace_format.state_tree`): a current frame, an action, and the true target. Each
query is answered in one of two ways:

- ``action``: one prediction by an action-trained model (:class:`ActionSession`), from
  the history so far or, for half the queries, from the bare state (``--start``);
- ``rollout``: frame by frame as the debugger does with a plain CWM-format model (a
  :class:`~neural_pdb.model.session.TraceSession` holding the true history, forcing
  ``<|return_sep|>`` over calls that ``next``/``return`` step over) until the action's
  stop condition holds on the predicted frames. Inverse actions have no rollout.

A query is correct when the predicted target has the true event, line number and values
(locals or return value; values compared as values). The report gives, per action, the
accuracy, the line accuracy, and tokens and seconds per query: the cost of a jump against
the cost of a rollout.

``python -m neural_pdb.inverse.action_eval DATA.jsonl --model DIR --mode both``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from trace_format import Event, Frame, Trace, TraceFormatError
from trace_format.actions import Action, breakpoint_map
from trace_format.state_tree import StateTree
from neural_pdb.evaluation.model_predictor import CountingGenerator

MODES = ("action", "rollout")


@dataclass(frozen=True)
class ActionQuery:
    trace: int                 # index into the traces
    start: int                 # the current frame
    action: Action
    target: int                # the true target frame
    breakpoints: tuple[int, ...] = ()
    from_state: bool = False


@dataclass
class ActionTally:
    n: int = 0
    exact: int = 0
    line: int = 0
    tokens: int = 0
    seconds: float = 0.0
    errors: int = 0
    skipped: int = 0
    examples: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"n": self.n, "accuracy": round(self.exact / self.n, 4) if self.n else None,
                "line_accuracy": round(self.line / self.n, 4) if self.n else None,
                "tokens_per_query": round(self.tokens / self.n, 1) if self.n else None,
                "seconds_per_query": round(self.seconds / self.n, 4) if self.n else None,
                "errors": self.errors, "skipped_too_long": self.skipped}


def load_traces(path: str | Path, limit: int | None = None, entry: str = "f", timeout: float = 5.0) -> list[Trace]:
    """Traces from ``neural-pdb data`` records (field ``trace``) or CruxEval-format rows
    (``code``/``input``: run for real in a sandboxed child)."""
    out: list[Trace] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(out) >= limit:
                break
            if not line.strip():
                continue
            row = json.loads(line)
            if "trace" in row:
                out.append(Trace.from_json(row["trace"]))
                continue
            from neural_pdb.tracer import TraceLimits, run_traced_subprocess
            result = run_traced_subprocess(source=row["code"], entry=row.get("entry", entry), args=row["input"],
                                           limits=TraceLimits(max_frames=2000, max_seconds=timeout, max_repr=1000))
            if result.ok and result.trace.frames:
                out.append(result.trace)
    return out


def draw_queries(traces: Sequence[Trace], per_action: int, seed: int = 0,
                 actions: Iterable[Action] = tuple(Action), fits=None) -> list[ActionQuery]:
    """Up to ``per_action`` queries per action, spread over the traces (one trace, one
    start frame at a time, in a seeded random order); only queries ``fits`` accepts."""
    rng = random.Random(seed)
    trees = []
    for t in traces:
        try:
            trees.append(StateTree(t.frames, t.source))
        except TraceFormatError:
            trees.append(None)
    out: list[ActionQuery] = []
    for action in actions:
        pool = [(k, i) for k, tree in enumerate(trees) if tree is not None for i in range(len(tree))]
        rng.shuffle(pool)
        used_traces: dict[int, int] = {}
        picked = 0
        for k, i in pool:
            if picked >= per_action:
                break
            if used_traces.get(k, 0) >= 2:  # spread over programs
                continue
            tree = trees[k]
            bps: tuple[int, ...] = ()
            if action is Action.CONTINUE:
                lines = tree.executed_lines
                if not lines:
                    continue
                bps = tuple(sorted(rng.sample(lines, min(len(lines), rng.randint(1, 2)))))
            j = tree.target(i, action, bps)
            if j is None:
                continue
            query = ActionQuery(k, i, action, j, bps, from_state=rng.random() < 0.5)
            if fits is not None and not fits(traces[k], query):
                continue
            out.append(query)
            used_traces[k] = used_traces.get(k, 0) + 1
            picked += 1
    return out


def _values_equal(a: str | None, b: str | None) -> bool:
    from neural_pdb.evaluation.values import reprs_equal
    return a == b or reprs_equal(a, b)


def frames_match(predicted: Frame | None, true: Frame) -> tuple[bool, bool]:
    """(exact, line): same event and line number; exact also needs the same values."""
    if predicted is None:
        return False, False
    line = predicted.event is true.event and predicted.lineno == true.lineno
    if not line:
        return False, False
    if true.has_locals:
        p, t = predicted.locals, true.locals
        exact = p.keys() == t.keys() and all(_values_equal(t[k], p[k]) for k in t)
    else:
        exact = _values_equal(true.value, predicted.value)
    return exact, line


class ActionRunner:
    """One prediction per query with an action-trained model."""

    mode = "action"

    def __init__(self, generator, vocab, max_frame_tokens: int = 512) -> None:
        self.generator, self.vocab, self.max_frame_tokens = generator, vocab, max_frame_tokens

    def answer(self, trace: Trace, q: ActionQuery) -> tuple[Frame | None, int, str | None]:
        from .action_session import ActionError, ActionSession

        session = ActionSession(self.generator, self.vocab, trace.source, max_frame_tokens=self.max_frame_tokens,
                                max_retries=1)
        if q.from_state:
            session.start_state(trace.frames[q.start])
        else:
            session.start_history(trace.frames[:q.start + 1])
        try:
            result = session.predict(q.action, breakpoint_map(trace.source, q.breakpoints))
        except ActionError as e:
            return None, 0, str(e)
        return result.frame, result.tokens, None


class RolloutRunner:
    """Frame-by-frame prediction from the true history, as the debugger steps a plain model."""

    mode = "rollout"

    def __init__(self, generator, vocab, max_frame_tokens: int = 512, max_frames: int = 200) -> None:
        self.generator, self.vocab = generator, vocab
        self.max_frame_tokens, self.max_frames = max_frame_tokens, max_frames

    def answer(self, trace: Trace, q: ActionQuery) -> tuple[Frame | None, int, str | None]:
        from neural_pdb.model.session import MalformedReplyError, PredictionConfig, SessionLimitError, TraceSession

        if q.action.is_inverse:
            return None, 0, "no rollout for an inverse action"
        config = PredictionConfig(max_frame_tokens=self.max_frame_tokens, max_retries=1)
        session = TraceSession(self.generator, self.vocab, trace.source, config)
        tokens0 = len(session.ids)
        try:
            for f in trace.frames[:q.start + 1]:
                session.force_frame(f)
            tokens0 = len(session.ids)
            start = session.frames[-1]
            d = start.depth if start.depth is not None else 0
            bps = set(q.breakpoints)
            for _ in range(self.max_frames):
                if session.finished:
                    break
                last = session.frames[-1]
                skip = (last.event is Event.CALL and q.action in (Action.STEP_OVER, Action.STEP_OUT)
                        and (last.depth or 0) > d)
                forced = Event.RETURN if skip else (Event.LINE if last.event is Event.CALL else None)
                f = session.predict(forced).frame
                fd = f.depth if f.depth is not None else 0
                if q.action is Action.STEP_INTO:
                    return f, len(session.ids) - tokens0, None
                if q.action is Action.STEP_OVER or (q.action is Action.STEP_OUT and start.event is Event.RETURN):
                    if fd <= d:
                        return f, len(session.ids) - tokens0, None
                elif q.action is Action.STEP_OUT:
                    if (f.event is Event.RETURN and fd == d) or fd < d:
                        return f, len(session.ids) - tokens0, None
                elif q.action is Action.CONTINUE:
                    if f.event is Event.LINE and f.lineno in bps:
                        return f, len(session.ids) - tokens0, None
            if q.action is Action.CONTINUE and session.finished:
                return session.frames[-1], len(session.ids) - tokens0, None
            return None, len(session.ids) - tokens0, f"no stop within {self.max_frames} frames"
        except (MalformedReplyError, SessionLimitError) as e:
            return None, len(session.ids) - tokens0, str(e).splitlines()[0]
        except Exception as e:  # an unplaceable forced frame etc.: a miss, the measurement goes on
            return None, len(session.ids) - tokens0, f"{type(e).__name__}: {e}".splitlines()[0]


def history_fits(vocab, context: int, reserve: int):
    """A filter for :func:`run_queries`: the prompt and the history up to the query's
    frame leave ``reserve`` tokens of the model's ``context`` (a longer query is skipped in
    both modes, and counted as skipped)."""
    from trace_format import TraceEncoder, prompt_segments

    from .propose import encode_segments

    def fits(trace: Trace, q: ActionQuery) -> bool:
        enc = TraceEncoder()
        segs = prompt_segments(trace.source)
        for f in trace.frames[:q.start + 1]:
            segs += enc.encode(f)
        return len(encode_segments(vocab, segs)) + reserve <= context
    return fits


def run_queries(runner, traces: Sequence[Trace], queries: Sequence[ActionQuery],
                progress: bool = False, fits=None) -> dict[str, ActionTally]:
    """Answer every query; tokens are the generated ones (the runner's generator is
    wrapped in a :class:`CountingGenerator`)."""
    tallies: dict[str, ActionTally] = {}
    from tqdm import tqdm
    counter = CountingGenerator(runner.generator)
    runner.generator = counter
    for q in tqdm(queries, disable=not progress, desc=runner.mode, unit="q", leave=False):
        tally = tallies.setdefault(q.action.value, ActionTally())
        if runner.mode == "rollout" and q.action.is_inverse:
            continue
        trace = traces[q.trace]
        if fits is not None and not fits(trace, q):
            tally.skipped += 1
            continue
        started = time.perf_counter()
        before = counter.tokens
        frame, _, error = runner.answer(trace, q)
        tokens = counter.tokens - before
        tally.seconds += time.perf_counter() - started
        exact, line = frames_match(frame, trace.frames[q.target])
        tally.n += 1
        tally.exact += exact
        tally.line += line
        tally.tokens += tokens
        tally.errors += error is not None
        if not exact and len(tally.examples) < 3:
            tally.examples.append({"trace": q.trace, "start": q.start, "target": q.target,
                                   "predicted": frame.to_json() if frame else None, "error": error})
    runner.generator = counter.inner
    return tallies


def markdown_table(results: dict[str, dict[str, ActionTally]]) -> str:
    """Rows: actions; columns: accuracy (line accuracy) and tokens per query, per mode."""
    modes = [m for m in MODES if m in results]
    head = "| action | " + " | ".join(f"{m}: accuracy (line) | {m}: tokens/query" for m in modes) + " |"
    sep = "|---|" + "---|---|" * len(modes)
    rows = [head, sep]
    for action in Action:
        cells = []
        for m in modes:
            t = results[m].get(action.value)
            if t is None or not t.n:
                cells += ["n/a", "n/a"]
            else:
                j = t.to_json()
                cells += [f"{j['accuracy']:.3f} ({j['line_accuracy']:.3f}), n={t.n}", f"{j['tokens_per_query']}"]
        rows.append(f"| {action.value} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m neural_pdb.inverse.action_eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", help="neural-pdb data records (JSONL with 'trace') or CruxEval-format JSONL")
    p.add_argument("--model", default=None, help="model directory (default: the embedded model)")
    p.add_argument("--mode", default="both", choices=MODES + ("both",))
    p.add_argument("--limit", type=int, default=50, help="programs read (default 50)")
    p.add_argument("--per-action", type=int, default=20, help="queries per action (default 20)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-frame-tokens", type=int, default=256, help="token limit of one predicted frame")
    p.add_argument("--out", help="write the JSON report here (and the Markdown table next to it)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        from neural_pdb.model.loading import ModelLoadError, load_model
        from neural_pdb.model.local import LocalGenerator
        from trace_format.actions import supported_actions

        loaded = load_model(args.model)
        traces = load_traces(args.data, args.limit)
    except (OSError, ValueError, ModelLoadError) as e:
        print(f"action_eval: {e}".splitlines()[0], file=sys.stderr)
        return 2
    generator = LocalGenerator(loaded.model)
    actions = supported_actions(loaded.model.config)
    modes = MODES if args.mode == "both" else (args.mode,)
    if "action" in modes and not actions:
        print("action_eval: the model was not trained on actions (no npdb_actions in its config): rollout only",
              file=sys.stderr)
        modes = tuple(m for m in modes if m != "action")
    context = getattr(loaded.model.config, "max_position_embeddings", None) or 1 << 30
    fits = history_fits(loaded.vocab, context, reserve=2 * args.max_frame_tokens)
    queries = draw_queries(traces, args.per_action, args.seed, fits=fits)
    results: dict[str, dict[str, ActionTally]] = {}
    for mode in modes:
        runner = (ActionRunner(generator, loaded.vocab, args.max_frame_tokens) if mode == "action"
                  else RolloutRunner(generator, loaded.vocab, args.max_frame_tokens))
        wanted = [q for q in queries if mode != "action" or q.action in actions]
        results[mode] = run_queries(runner, traces, wanted, progress=not args.quiet, fits=fits)
    table = markdown_table(results)
    print(table)
    if args.out:
        report = {"data": args.data, "model": args.model or "default", "programs": len(traces),
                  "queries": len(queries), "seed": args.seed,
                  "results": {m: {a: t.to_json() | {"examples": t.examples} for a, t in r.items()}
                              for m, r in results.items()}}
        Path(args.out).write_text(json.dumps(report, indent=1))
        Path(args.out).with_suffix(".md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
