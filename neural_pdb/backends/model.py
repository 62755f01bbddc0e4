"""The model backend: frames predicted by a language model that speaks CWM's trace format.

It never runs the user's program. :class:`ModelBackend` implements the engine's
``Backend`` protocol over a :class:`~neural_pdb.model.session.TraceSession`, which works
with any :class:`~neural_pdb.model.generator.TokenGenerator`: a local transformers model
with a KV cache kept across steps (:meth:`ModelBackend.load`), or a remote server
(``neural_pdb.backends.remote``).

- ``start``: a whole script starts with a forced call frame on line 1 with no locals (the
  module scope, as ``trace_format`` specifies); an entry function marked
  ``# << START_OF_TRACE`` starts with its call frame, forced from known arguments
  (:func:`entry_call_frame`) or predicted by the model (it invents inputs). A restart
  keeps the prefilled source context in the cache.
- ``next_frame``: after a call frame, ``<|line_sep|>`` is forced to step into it, or
  ``<|return_sep|>`` to step over it (``skip_call``), as CWM's demo does.
- A malformed reply is retried with other samples; when all fail, ``BackendError`` carries
  the raw text and the session stays at its last good frame.
"""

from __future__ import annotations

import argparse
import ast
import builtins
from dataclasses import dataclass
from typing import Any

from neural_pdb.engine.backend import BackendError, FrameInfo
from neural_pdb.engine.repeats import DEFAULT_MAX_REPEATS
from neural_pdb.model.generator import GenerationError, TokenGenerator
from neural_pdb.model.session import (EXCEPTION_KEY, RETURN_KEY, MalformedReplyError, PredictionConfig,
                                      SessionLimitError, TraceSession)
from neural_pdb.model.vocab import TraceVocab
from trace_format import Event, Frame, add_start_marker, call_frame, find_start_marker


@dataclass(frozen=True)
class ModelOptions:
    """The command line's model options (``add_model_arguments`` / ``options_from_args``)."""

    model: str | None = None      # path or hub id; None: the embedded default model
    device: str | None = None     # cpu, cuda, cuda:N, mps, auto (accelerate device_map)
    dtype: str | None = None      # float32, bfloat16, float16, auto
    temperature: float = 0.0
    top_p: float = 0.95
    seed: int = 0
    samples: int = 1
    max_frame_tokens: int = 512
    max_retries: int = 3
    max_frames: int = 5000
    max_repeats: int = DEFAULT_MAX_REPEATS  # stop where a predicted state repeats this often in one call
    constrain_lines: bool = True  # decode each frame's source line among the program's lines

    def prediction_config(self) -> PredictionConfig:
        return PredictionConfig(temperature=self.temperature, top_p=self.top_p, seed=self.seed,
                                max_frame_tokens=self.max_frame_tokens, max_retries=self.max_retries,
                                samples=max(1, self.samples), max_frames=self.max_frames,
                                max_repeats=self.max_repeats, constrain_lines=self.constrain_lines)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The model backend's options, for any command that loads a model."""
    g = parser.add_argument_group("model backend")
    g.add_argument("--model", metavar="PATH_OR_ID", default=None,
                   help="a CWM-format causal LM (directory or hub id); default: the embedded model")
    g.add_argument("--device", default=None, help="cpu, cuda, cuda:N, mps, or auto (spread over devices)")
    g.add_argument("--dtype", default=None, help="float32, bfloat16, float16 or auto")
    g.add_argument("--temperature", type=float, default=0.0, help="0 (default) is greedy: reproducible sessions")
    g.add_argument("--top-p", type=float, default=0.95, help="nucleus sampling when --temperature > 0")
    g.add_argument("--seed", type=int, default=0, help="sampling seed")
    g.add_argument("--samples", type=int, default=1, help="estimate confidence by agreement of N samples")
    g.add_argument("--max-frame-tokens", type=int, default=512, help="token limit of one predicted frame")
    g.add_argument("--max-frames", type=int, default=5000, help="frames one predicted session may have")
    g.add_argument("--max-repeats", type=int, default=DEFAULT_MAX_REPEATS,
                   help="stop where the model predicts the same state this many times in one call, a loop "
                        "it does not leave (0: never; default %(default)s)")
    g.add_argument("--constrain-lines", action=argparse.BooleanOptionalAction, default=None,
                   help="decode each frame's source line among the lines it can stand on (default: on; "
                        "a local model or neural-pdb serve)")


def options_from_args(ns: argparse.Namespace) -> ModelOptions:
    def get(name: str, default: Any) -> Any:
        value = getattr(ns, name, None)
        return default if value is None else value
    d = ModelOptions()
    return ModelOptions(model=get("model", None), device=get("device", None), dtype=get("dtype", None),
                        temperature=get("temperature", d.temperature), top_p=get("top_p", d.top_p),
                        seed=get("seed", d.seed), samples=get("samples", d.samples),
                        max_frame_tokens=get("max_frame_tokens", d.max_frame_tokens),
                        max_frames=get("max_frames", d.max_frames), max_repeats=get("max_repeats", d.max_repeats),
                        constrain_lines=get("constrain_lines", d.constrain_lines))


def entry_call_frame(source: str, entry: str, args: str) -> tuple[str, Frame]:
    """The marked source and the entry call frame for ``entry(ARGS)`` with literal args
    (CruxEval style), without running anything: arguments are literals bound to the
    parameters by position, their reprs made by the tracer's repr policy.

    Raises ``ValueError`` (one line) for a missing function or non-literal arguments."""
    from neural_pdb.tracer.reprs import safe_repr

    marked = source if has_start_marker_in(source) else add_start_marker(source, entry)
    tree = ast.parse(source)
    func = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == entry),
                None)
    if func is None:
        raise ValueError(f"no top-level function named {entry!r}")
    try:
        values = ast.literal_eval(f"({args},)") if args.strip() else ()
    except (ValueError, SyntaxError) as e:
        raise ValueError(f"arguments must be Python literals: {args!r} ({type(e).__name__})") from None
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    if len(values) > len(params):
        raise ValueError(f"{entry}() takes {len(params)} arguments, {len(values)} given")
    bound = dict(zip(params, values))
    defaults = func.args.defaults
    for name, default in zip(params[len(params) - len(defaults):], defaults):
        if name not in bound:
            try:
                bound[name] = ast.literal_eval(default)
            except ValueError:
                raise ValueError(f"default of {name!r} is not a literal") from None
    missing = [p for p in params if p not in bound]
    if missing:
        raise ValueError(f"{entry}() missing arguments: {', '.join(missing)}")
    def_line = marked.split("\n")[func.lineno - 1]
    return marked, call_frame(def_line, {k: safe_repr(v) for k, v in bound.items()})


def has_start_marker_in(source: str) -> bool:
    return find_start_marker(source) is not None


class ModelBackend:
    """Frames predicted by a model (see the module docstring)."""

    name = "model"

    def __init__(self, filename: str, source: str, generator: TokenGenerator, vocab: TraceVocab,
                 config: PredictionConfig = PredictionConfig(), *, entry_frame: Frame | None = None,
                 owns_generator: bool = True) -> None:
        self.filename = filename
        # As the tracer records it: line N of the prompt's source is line N of the program.
        self.source = source = source.replace("\r\n", "\n").replace("\r", "\n")
        self.generator = generator
        self.config = config
        self.entry_frame = entry_frame
        self.session = TraceSession(generator, vocab, source, config)
        self._owns_generator = owns_generator
        self._started = False

    @classmethod
    def load(cls, filename: str, source: str, options: ModelOptions = ModelOptions(), *,
             entry_frame: Frame | None = None) -> "ModelBackend":
        """Load the model named by ``options`` (raises ``ModelLoadError``, one line) and
        build a backend with a local, caching generator."""
        from neural_pdb.model.loading import load_model
        from neural_pdb.model.local import LocalGenerator
        loaded = load_model(options.model, device=options.device, dtype=options.dtype)
        return cls(filename, source, LocalGenerator(loaded.model), loaded.vocab, options.prediction_config(),
                   entry_frame=entry_frame)

    # --- Backend protocol ----------------------------------------------------------------

    def start(self) -> Frame | None:
        if self._started:
            self.session.restart()
        self._started = True
        try:
            if self.entry_frame is not None:
                return self.session.force_frame(self.entry_frame).frame
            if has_start_marker_in(self.source):
                # No known arguments: the model predicts the call frame (it invents inputs).
                return self._predict(Event.CALL)
            first_line = self.source.split("\n", 1)[0]
            return self.session.force_frame(call_frame(first_line, {})).frame
        except BackendError:
            raise
        except Exception as e:  # an unplaceable forced frame: a bug in the caller's input
            raise BackendError(f"cannot start the predicted session: {e}") from None

    def next_frame(self, skip_call: bool = False) -> Frame | None:
        if not self._started:
            return self.start()
        if self.session.finished:
            return None
        current = self.session.current
        forced = None
        if current is not None and current.frame.event is Event.CALL:
            forced = Event.RETURN if skip_call else Event.LINE
        return self._predict(forced)

    def _predict(self, forced: Event | None) -> Frame:
        try:
            return self.session.predict(forced).frame
        except MalformedReplyError as e:
            raise BackendError(str(e), raw=e.raw) from None
        except SessionLimitError as e:
            raise BackendError(str(e)) from None
        except GenerationError as e:
            raise BackendError(str(e)) from None

    def info(self) -> FrameInfo:
        current = self.session.current
        if current is None:
            return FrameInfo(predicted=True)
        return FrameInfo(predicted=current.predicted, confidence=current.confidence,
                         value_confidence=dict(current.value_confidence))

    def rewind(self, n_frames: int) -> bool:
        # The first frame stays: going before it is a restart.
        if n_frames >= len(self.session.records):
            return False
        return self.session.rewind(n_frames)

    def edit_locals(self, changes: dict[str, str]) -> Frame:
        try:
            return self.session.edit_locals(changes).frame
        except ValueError as e:
            raise BackendError(str(e)) from None

    def evaluate(self, expression: str, frame_index: int) -> Any:
        """``expression`` over the predicted values that can be rebuilt from their reprs
        (literals); a name whose value cannot be rebuilt is undefined (NameError)."""
        frames = self.session.frames
        if not -len(frames) <= frame_index < len(frames):
            raise IndexError(f"no frame {frame_index}")
        frame = frames[frame_index]
        namespace: dict[str, Any] = {}
        items = frame.local_items if frame.has_locals else [
            (RETURN_KEY if frame.event is Event.RETURN else EXCEPTION_KEY, frame.value or "")]
        for name, text in items:
            try:
                namespace[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                pass
        code = compile(expression, "<string>", "eval")
        return eval(code, {"__builtins__": builtins}, namespace)

    def close(self) -> None:
        if self._owns_generator:
            self.generator.close()

    # --- beyond the protocol ------------------------------------------------------------

    @property
    def frames(self) -> list[Frame]:
        return self.session.frames

    def raw_frame_text(self) -> str:
        current = self.session.current
        return current.raw if current else ""
