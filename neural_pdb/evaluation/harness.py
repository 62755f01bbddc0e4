"""The evaluation loop: load programs, run them for real, ask the predictor, score.

``run_evaluation(EvalConfig(...))`` is the one entry point (``neural-pdb eval`` is a thin
wrapper over it). Real runs go ahead in a few threads (each waiting on its own child
process) while the predictor works through programs in batches of
``options.batch_size``; a program whose real run fails is reported and skipped.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

from neural_pdb.engine.repeats import DEFAULT_MAX_REPEATS

from .dataset import load_dataset
from .predictors import Predictor, RealPredictor
from .reference import RunLimits, run_references
from .tasks import ProgramResult, TaskContext, TaskOptions, evaluate_batch, get_task

BACKENDS = ("real", "model", "remote")


class EvalError(Exception):
    """A configuration that cannot be evaluated; one line for the user."""


@dataclass
class EvalConfig:
    dataset: str
    task: str = "output"
    #: who predicts: "model" (default: the embedded model, or ``model``), "remote", or "real"
    #: (the program itself, the harness's own check)
    backend: str = "model"
    #: model path or id (``model`` backend; None: the embedded default model)
    model: str | None = None
    #: server URL (``remote`` backend)
    url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    entry: str = "f"
    limit: int | None = None
    seed: int = 0
    device: str | None = None
    dtype: str | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    #: token limit of one predicted frame
    max_frame_tokens: int = 512
    #: further samples after a malformed frame (the debugger's behaviour)
    max_retries: int = 3
    #: a rollout whose state repeats this often in one call ends there (0: never)
    max_repeats: int = DEFAULT_MAX_REPEATS
    #: decode each predicted frame's source line among the program's own lines
    constrain_lines: bool = True
    options: TaskOptions = field(default_factory=TaskOptions)
    limits: RunLimits = field(default_factory=RunLimits)
    #: real runs at once
    workers: int = 2
    #: ``input`` task: candidate inputs proposed per program, and how they are checked
    #: (``model``: forward prediction; ``real``: real execution, oracle-assisted)
    candidates: int = 8
    verify: str = "model"

    def settings(self) -> dict:
        return {"dataset": self.dataset, "task": self.task, "backend": self.backend, "model": self.model,
                "url": self.url, "entry": self.entry, "limit": self.limit, "seed": self.seed, "device": self.device,
                "dtype": self.dtype, "temperature": self.temperature, "top_p": self.top_p,
                "max_frame_tokens": self.max_frame_tokens, "max_retries": self.max_retries,
                "max_repeats": self.max_repeats, "constrain_lines": self.constrain_lines,
                "mode": self.options.mode if self.task == "trace" else None,
                "max_frames": self.options.max_frames, "length_cap": self.options.length_cap,
                "batch_size": self.options.batch_size, "timeout": self.limits.timeout,
                "memory_mb": self.limits.memory_mb, "max_repr": self.limits.max_repr,
                "candidates": self.candidates if self.task == "input" else None,
                "verify": self.verify if self.task == "input" else None}


@dataclass
class EvalRun:
    """Everything an evaluation produced; :mod:`.report` turns it into JSON, Markdown, plots."""

    config: EvalConfig
    task_name: str
    headline: str
    predictor_name: str
    results: list[ProgramResult]
    summary: dict
    wall_seconds: float
    reference_seconds: float
    #: stopped by Ctrl-C: ``results`` holds the programs finished until then
    interrupted: bool = False


def build_predictor(config: EvalConfig) -> Predictor:
    """The predictor for ``config.backend``; model backends are imported only here."""
    if config.backend == "real":
        return RealPredictor(config.limits)
    if config.backend in ("model", "remote"):
        from .model_predictor import build_model_predictor

        return build_model_predictor(config)
    raise EvalError(f"unknown backend {config.backend!r} (choose from {', '.join(BACKENDS)})")


def _progress(total: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, desc=desc, unit="prog", dynamic_ncols=True, leave=False)


def run_evaluation(config: EvalConfig, predictor: Predictor | None = None, progress: bool = True,
                   on_result: Callable[[ProgramResult], None] | None = None) -> EvalRun:
    """Evaluate ``config``; ``predictor`` overrides the one ``config.backend`` names."""
    task = get_task(config.task)
    samples = load_dataset(config.dataset, config.entry, config.limit)
    random.seed(config.seed)
    own_predictor = predictor is None
    if predictor is None:
        predictor = build_predictor(config)
    ctx = TaskContext(predictor, config.options, config.limits, settings=config.settings())
    started = time.perf_counter()
    results: list[ProgramResult] = []
    reference_seconds = 0.0
    batch = []
    interrupted = False
    try:
        with _progress(len(samples), progress, f"eval {task.name} [{predictor.name}]") as bar:
            def flush() -> None:
                for result in evaluate_batch(task, batch, ctx):
                    results.append(result)
                    if on_result is not None:
                        on_result(result)
                    bar.update(1)
                    scored = [r for r in results if r.scored]
                    total = sum(r.total for r in scored)
                    if total:
                        bar.set_postfix(acc=f"{sum(r.hits for r in scored) / total:.3f}", n=len(scored))
                batch.clear()

            for sample, reference in run_references(samples, config.limits, config.workers):
                reference_seconds += reference.seconds
                batch.append((sample, reference))
                if len(batch) >= max(1, config.options.batch_size):
                    flush()
            if batch:
                flush()
    except KeyboardInterrupt:  # keep what was scored; the caller reports it as partial
        interrupted = True
    finally:
        if own_predictor:
            predictor.close()
    summarize = getattr(task, "summarize", None)
    summary = summarize(results) if callable(summarize) else {}
    return EvalRun(config, task.name, task.headline, predictor.name, results, summary,
                   time.perf_counter() - started, reference_seconds, interrupted)
