"""Measuring predictions against real execution: ``neural-pdb eval`` and ``compare``.

- :mod:`.dataset`: CruxEval-format JSONL programs (``code``, ``input``, ``output``, ``id``).
- :mod:`.reference`: real runs in a sandboxed child process (timeout, memory limit).
- :mod:`.predictors`: the :class:`Predictor` interface (real program, model backends).
- :mod:`.values`: reprs rebuilt into values and compared as values.
- :mod:`.metrics`: predicted frames against real frames (next line, frame, locals, return
  value, first divergence).
- :mod:`.tasks`: tasks registered by name (``output``, ``trace``; ``input`` elsewhere).
- :mod:`.harness`: :func:`run_evaluation`, the loop.
- :mod:`.report`, :mod:`.plots`: JSON report, Markdown summary, PNG plots.

Importing this package is cheap: no torch, no matplotlib until a plot is drawn.
"""

from .dataset import DatasetError, Sample, load_dataset
from .harness import EvalConfig, EvalError, EvalRun, build_predictor, run_evaluation
from .metrics import StepResult, TraceScore, compare_step, entry_return_value, score_rollout, score_teacher_forced
from .predictors import Prediction, Predictor, Query, RealPredictor
from .reference import RealRun, RunLimits, run_real
from .tasks import ProgramResult, TaskContext, TaskError, TaskOptions, get_task, register_task, task_names
from .values import rebuild_value, reprs_equal, value_kind, values_equal

__all__ = [
    "DatasetError", "Sample", "load_dataset", "EvalConfig", "EvalError", "EvalRun", "build_predictor",
    "run_evaluation", "StepResult", "TraceScore", "compare_step", "entry_return_value", "score_rollout",
    "score_teacher_forced", "Prediction", "Predictor", "Query", "RealPredictor", "RealRun", "RunLimits", "run_real",
    "ProgramResult", "TaskContext", "TaskError", "TaskOptions", "get_task", "register_task", "task_names",
    "rebuild_value", "reprs_equal", "value_kind", "values_equal",
]
