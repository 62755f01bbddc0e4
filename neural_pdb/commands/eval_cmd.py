"""``neural-pdb eval DATASET.jsonl``: measure a backend's predictions against real execution.

Examples::

    neural-pdb eval ../shared/data/cruxeval-dev.jsonl --limit 50 --report out/cruxeval.json
    neural-pdb eval ../shared/data/cruxeval-dev.jsonl --backend real          # must be 1.0
    neural-pdb eval progs.jsonl --task trace --mode rollout --model path/to/model
"""

from __future__ import annotations

import argparse
import os
import sys

from neural_pdb.engine.repeats import DEFAULT_MAX_REPEATS
from neural_pdb.evaluation.harness import BACKENDS, EvalConfig, EvalError, run_evaluation
from neural_pdb.evaluation.dataset import DatasetError
from neural_pdb.evaluation.reference import RunLimits
from neural_pdb.evaluation.tasks import TaskError, TaskOptions, task_names

DESCRIPTION = """\
Evaluate predicted execution against real execution on programs in CruxEval's JSONL
format (fields code, input, output, id; entry function f unless --entry).

Tasks:
  output  from the real call f(input), predict until f returns; correct when the returned
          value (rebuilt from its repr) equals the expected output. Headline: fraction correct.
  trace   the whole predicted trace against the real tracer's: next-line accuracy, frame /
          locals exact match, return-value accuracy, first divergent step. Headline: frame
          exact match over all steps. --mode forced (default): each frame predicted from the
          true frames before it (next-state accuracy); --mode rollout: free-running.
  input   predict an input giving the expected output (inverse execution, CruxEval-I):
          --candidates N call frames proposed by the model (conditioned on the output
          with <|npdb:back_to_call|> when the model was trained on it), checked by forward
          prediction (--verify real: by real execution), the best one run for real;
          correct when f(predicted input) returns the expected output.

Programs run for real in a child process with --timeout and --memory-mb; one that hangs,
crashes or runs out of memory is reported and not scored. `--backend real` predicts by
running the program again and must score exactly 1.0: the harness's own check.
With --report R.json, also writes R.md (summary and failure cases) and R_by_length.png,
R_by_kind.png, R_divergence.png next to it.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="neural-pdb eval", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset", help="CruxEval-format JSONL file")
    p.add_argument("--task", default="output", help=f"one of: {', '.join(task_names())} (default output)")
    p.add_argument("--backend", default="model", choices=BACKENDS,
                   help="who predicts: the model (default), a remote server, or the real program (a self-check)")
    p.add_argument("--model", help="model path or id for --backend model (default: the embedded model)")
    p.add_argument("--url", help="server URL for --backend remote")
    p.add_argument("--api-key", help="API key for --backend remote")
    p.add_argument("--entry", default="f", help="entry function (default f)")
    p.add_argument("--limit", type=int, help="evaluate the first N programs only")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--mode", default="forced", choices=("forced", "rollout"),
                   help="trace task: teacher-forced next-state or free-running rollout (default forced)")
    p.add_argument("--max-frames", type=int, default=1000, help="most frames predicted per program (default 1000)")
    p.add_argument("--length-cap", type=float, default=2.0,
                   help="also cut a rollout at CAP x the real trace's length + 50 frames (0: off; default 2)")
    p.add_argument("--max-frame-tokens", type=int, default=512,
                   help="token limit of one predicted frame (default 512)")
    p.add_argument("--max-retries", type=int, default=3,
                   help="further samples after a malformed frame, as the debugger does (default 3; 0: none)")
    p.add_argument("--max-repeats", type=int, default=DEFAULT_MAX_REPEATS,
                   help="end a rollout where the model predicts one state this often in one call, a loop it "
                        "does not leave, as the debugger stops there (default %(default)s; 0: never)")
    p.add_argument("--batch-size", type=int, default=1, help="programs given to the predictor at once (default 1)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per real run (default 10)")
    p.add_argument("--memory-mb", type=int, default=1024, help="memory limit of a real run in MiB (default 1024)")
    p.add_argument("--max-repr", type=int, default=1000, help="longest repr in real traces (default 1000)")
    p.add_argument("--workers", type=int, default=2, help="real runs at once (default 2)")
    p.add_argument("--device", help="model device (cpu, cuda, ...)")
    p.add_argument("--dtype", help="model dtype (float32, bfloat16, ...)")
    p.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0: greedy)")
    p.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling mass (default 1.0)")
    p.add_argument("--constrain-lines", action=argparse.BooleanOptionalAction, default=True,
                   help="decode each predicted frame's source line among the program's lines (default: on)")
    p.add_argument("--report", metavar="R.json", help="write the JSON report, R.md and the plots")
    p.add_argument("--no-plots", action="store_true", help="with --report: skip the PNG plots")
    p.add_argument("--candidates", type=int, default=8, help="input task: candidate inputs per program (default 8)")
    p.add_argument("--verify", choices=("model", "real"), default="model",
                   help="input task: check candidates by forward prediction (default) or by real execution")
    p.add_argument("--min-accuracy", type=float, help="exit 1 when the accuracy is below this (for CI)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    for name in ("limit", "max_frames", "max_frame_tokens", "batch_size", "workers", "memory_mb", "max_repr",
                 "candidates"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise EvalError(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("max_retries", "max_repeats"):
        if getattr(args, name) < 0:
            raise EvalError(f"--{name.replace('_', '-')} must not be negative")
    if args.timeout <= 0:
        raise EvalError("--timeout must be positive")
    return EvalConfig(
        dataset=args.dataset, task=args.task, backend=args.backend, model=args.model, url=args.url,
        api_key=args.api_key, entry=args.entry, limit=args.limit, seed=args.seed, device=args.device,
        dtype=args.dtype, temperature=args.temperature, top_p=args.top_p, max_frame_tokens=args.max_frame_tokens,
        max_retries=args.max_retries, max_repeats=args.max_repeats, constrain_lines=args.constrain_lines,
        options=TaskOptions(max_frames=args.max_frames, mode=args.mode, batch_size=args.batch_size,
                            length_cap=args.length_cap),
        limits=RunLimits(timeout=args.timeout, memory_mb=args.memory_mb, max_repr=args.max_repr),
        workers=args.workers, candidates=args.candidates, verify=args.verify)


def report_paths(report_path: str) -> tuple[str, str]:
    """(Markdown path, plot prefix) next to the JSON report."""
    stem = report_path[:-5] if report_path.endswith(".json") else report_path
    return stem + ".md", stem


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
        run = run_evaluation(config, progress=not args.quiet and sys.stderr.isatty())
    except (DatasetError, TaskError, EvalError) as e:
        print(f"neural-pdb eval: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # a model that fails to load, a broken server: one line, never a traceback
        if type(e).__name__.endswith(("LoadError", "GenerationError", "BackendError", "ProgramError")):
            print(f"neural-pdb eval: {e}", file=sys.stderr)
            return 2
        raise
    from neural_pdb.evaluation.report import build_report, markdown_summary, status_text, write_json

    report = build_report(run)
    plots: list[str] = []
    if args.report:
        md_path, prefix = report_paths(args.report)
        if not args.no_plots:
            from neural_pdb.evaluation.plots import save_plots

            plots = save_plots(report, prefix)
        write_json(report, args.report)
        with open(md_path, "w", encoding="utf-8") as fh:
            fh.write(markdown_summary(report, plots))
    else:
        print(markdown_summary(report))
    acc = report["accuracy"]
    timing = report["timing"]
    print(f"{report['task']} [{report['backend']}]: accuracy {'n/a' if acc is None else f'{acc:.4f}'} "
          f"(n={report['n']} scored of {report['counts']['total']}; by status {status_text(report)}); "
          f"{timing['seconds_per_program']} s/program, {timing['tokens_per_second']} tokens/s")
    if args.report:
        print(f"report: {args.report}, summary: {report_paths(args.report)[0]}"
              + (f", plots: {', '.join(os.path.basename(p) for p in plots)}" if plots else ""))
    if run.interrupted:
        print("neural-pdb eval: interrupted; the report holds the programs finished so far", file=sys.stderr)
        return 130
    if args.min_accuracy is not None and (acc is None or acc < args.min_accuracy):
        print(f"neural-pdb eval: accuracy below --min-accuracy {args.min_accuracy}", file=sys.stderr)
        return 1
    return 0
