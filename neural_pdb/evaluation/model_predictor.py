"""Predictions by a language model, through the model backend's public API.

- rollout: a :class:`~neural_pdb.backends.model.ModelBackend` started on the real call
  frame (forced: the arguments are known), stepped with ``next_frame()`` (stepping into
  calls, as the debugger's ``step`` does) until the entry scope returns;
- next-state (teacher forcing): one :class:`~neural_pdb.model.session.TraceSession` per
  program holding the true frames so far (``force_frame``); each step drops the previous
  prediction (``rewind``), forces the next true frame and predicts one frame. The
  generator is passed the full ids every time and crops/extends its KV cache itself, so a
  step costs the tokens of two frames, not the trace.

Programs run one after another: the local generator keeps one KV cache for one sequence,
so there is no batching across programs (``rollout_batch`` is not offered).
Generated tokens and the time spent generating are counted by a thin wrapper around the
generator, retries of malformed replies included: that is the tokens/s in the report.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Sequence

from trace_format import Event, Frame

from .predictors import Prediction, Query


class CountingGenerator:
    """A TokenGenerator that counts what the wrapped one generates, and for how long."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.tokens = 0
        self.seconds = 0.0

    def generate(self, ids, **kwargs):
        started = time.perf_counter()
        try:
            generation = self.inner.generate(ids, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
        self.tokens += len(generation.token_ids)
        return generation

    def __getattr__(self, name: str):
        # everything else is the wrapped generator's: its context length (``max_length``:
        # the session keeps its prompt within it), whether it takes a decoding constraint
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def close(self) -> None:
        self.inner.close()


class ModelPredictor:
    """A :class:`~neural_pdb.evaluation.predictors.Predictor` over any TokenGenerator."""

    def __init__(self, generator, vocab, config, name: str = "model", model_name: str | None = None) -> None:
        self.generator = CountingGenerator(generator)
        self.vocab = vocab
        self.config = config
        self.name = name
        self.model_name = model_name
        self._forced: tuple | None = None  # (sample id, TraceSession, frames forced) for teacher forcing

    def _measure(self) -> tuple[int, float]:
        return self.generator.tokens, self.generator.seconds

    def rollout(self, query: Query, max_frames: int) -> Prediction:
        from neural_pdb.backends.model import ModelBackend
        from neural_pdb.engine.backend import BackendError
        from neural_pdb.engine.repeats import Activations, RepeatedStates

        tokens0, seconds0 = self._measure()
        started = time.perf_counter()
        config = replace(self.config, max_frames=max_frames)
        backend = ModelBackend(f"<{query.sample.id}>", query.source, self.generator, self.vocab, config,
                               entry_frame=query.call, owns_generator=False)
        frames: list[Frame] = []
        error, raw = None, ""
        # a loop the model does not leave ends the rollout as it stops the debugger
        repeats, activations = RepeatedStates(config.max_repeats), Activations()
        try:
            frame = backend.start()
            while frame is not None:
                frames.append(frame)
                if len(frames) >= max_frames:
                    error = f"stopped: {max_frames} frames predicted"
                    break
                if repeats.see(activations.of(frame), frame):
                    error = f"stopped: a loop the model does not leave (one state {repeats.limit} times in one call)"
                    break
                frame = backend.next_frame()
        except BackendError as e:
            error, raw = str(e), e.raw
        finally:
            backend.close()
        tokens1, _ = self._measure()
        return Prediction(tuple(frames), tokens=tokens1 - tokens0, seconds=time.perf_counter() - started,
                          error=error, raw=raw)

    def _session_for(self, query: Query, prefix: Sequence[Frame]):
        """The teacher-forcing session of this program, holding exactly ``prefix``.

        Steps come with growing prefixes of the same true trace, so the session of the
        previous step is reused: its prediction is dropped and the new true frames forced.
        """
        from neural_pdb.model.session import TraceSession

        session = None
        if self._forced is not None and self._forced[0] == query.sample.id:
            session, forced_count = self._forced[1], self._forced[2]
            if forced_count > len(prefix):
                session = None
            elif len(session.records) > forced_count:  # the previous step's prediction
                session.rewind(len(session.records) - forced_count)
        if session is None:
            session = TraceSession(self.generator, self.vocab, query.source, self.config)
        for frame in prefix[len(session.records):]:
            session.force_frame(frame)
        self._forced = (query.sample.id, session, len(prefix))
        return session

    def predict_next(self, query: Query, prefix: Sequence[Frame]) -> Prediction:
        from neural_pdb.model.generator import GenerationError
        from neural_pdb.model.session import MalformedReplyError, SessionLimitError

        tokens0, _ = self._measure()
        started = time.perf_counter()
        try:
            session = self._session_for(query, prefix)
        except Exception as e:  # a true frame the session cannot place: this step has no prediction
            self._forced = None
            return Prediction((), seconds=time.perf_counter() - started,
                              error=f"cannot force the true frames: {type(e).__name__}: {e}")
        # After a call frame the debugger forces <|line_sep|> to step in; so do we.
        forced = Event.LINE if prefix[-1].event is Event.CALL else None
        frames: tuple[Frame, ...] = ()
        error, raw = None, ""
        try:
            if session.finished:
                error = "the true trace has already ended"
            else:
                frames = (session.predict(forced).frame,)
        except MalformedReplyError as e:  # the session is unchanged: it holds the prefix
            error, raw = str(e), e.raw
        except (SessionLimitError, GenerationError) as e:
            error = str(e)
        tokens1, _ = self._measure()
        return Prediction(frames, tokens=tokens1 - tokens0, seconds=time.perf_counter() - started, error=error,
                          raw=raw)

    def close(self) -> None:
        self._forced = None
        self.generator.close()


def build_model_predictor(config) -> ModelPredictor:
    """The predictor for ``--backend model`` (a local model, loaded once) or ``remote``.
    Raises ``ModelLoadError`` / ``EvalError`` with one line."""
    from neural_pdb.backends.model import ModelOptions

    from .harness import EvalError

    options = ModelOptions(model=config.model, device=config.device, dtype=config.dtype,
                           temperature=config.temperature, top_p=config.top_p, seed=config.seed,
                           max_frames=config.options.max_frames, max_frame_tokens=config.max_frame_tokens,
                           max_retries=config.max_retries, max_repeats=config.max_repeats,
                           constrain_lines=config.constrain_lines)
    prediction = options.prediction_config()
    if config.backend == "model":
        from neural_pdb.model.loading import load_model
        from neural_pdb.model.local import LocalGenerator

        loaded = load_model(options.model, device=options.device, dtype=options.dtype)
        return ModelPredictor(LocalGenerator(loaded.model), loaded.vocab, prediction, "model", loaded.name)
    if config.backend == "remote":
        return _remote_predictor(config, options, prediction)
    raise EvalError(f"not a model backend: {config.backend!r}")


def _remote_predictor(config, options, prediction) -> ModelPredictor:
    """The remote backend's generator (an OpenAI-compatible server), with the tokenizer
    from ``--model`` or from the server. Raises ``BackendError`` with one line."""
    from neural_pdb.backends.remote import fetch_tokenizer, load_tokenizer
    from neural_pdb.engine.backend import BackendError
    from neural_pdb.model.remote_generator import (RemoteClient, RemoteConfig, RemoteError, RemoteGenerator,
                                                   served_model_name)
    from neural_pdb.model.vocab import TraceVocab, VocabError

    from .harness import EvalError

    if not config.url:
        raise EvalError("--backend remote needs --url URL (the server's address)")
    remote = RemoteConfig(url=config.url, api_key=config.api_key)
    try:
        client = RemoteClient(remote)
        served = served_model_name(client)
    except RemoteError as e:
        raise BackendError(str(e)) from None
    tokenizer = load_tokenizer(options.model) if options.model else fetch_tokenizer(client)
    try:
        vocab = TraceVocab.from_tokenizer(tokenizer, name=f"the tokenizer of {options.model or client.base_url}")
    except VocabError as e:
        raise BackendError(str(e)) from None
    generator = RemoteGenerator(RemoteConfig(url=config.url, api_key=config.api_key, model=served), client=client)
    return ModelPredictor(generator, vocab, prediction, "remote", f"{served} at {client.base_url}")
