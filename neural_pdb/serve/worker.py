"""The one thread that runs the model, a bounded queue in front of it, and a KV cache per
client session.

Why one worker and no batching: a debugging step is one short frame (tens of tokens) on top
of a long trace that the session's cache already holds, so a step costs a few small forward
passes; batching steps of different sessions would mean padding caches of different
lengths into one batch, and padded batched kernels do not give bit-identical logits, so a
greedy remote session could drift from the local one at a near tie (the issue asks for
identical answers). On a CPU or a small GPU the model is not starved by one-at-a-time
decoding of a tiny model; a large model on many GPUs is served by vLLM (continuous batching
and automatic prefix caching), which ``neural-pdb --backend remote`` speaks to unchanged.
``benchmarks/serve_load.py`` measures latency under concurrent sessions.

Caches: each client that sends ``user`` gets its own :class:`LocalGenerator` (the same one
a local session uses), so its next request only forwards the tokens after the longest
prefix it shares with the previous one; a ``back`` or a resample crops. Requests without
``user`` go to the anonymous slot whose cached ids share the longest prefix with the
prompt. At most ``max_sessions`` caches live; the least recently used is dropped (its next
request prefills again, which is always correct).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

from neural_pdb.model.generator import Generation, GenerationError, SamplingParams

from .protocol import ApiError, CompletionRequest


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class SessionCaches:
    """One :class:`LocalGenerator` (one KV cache) per client, least recently used dropped."""

    def __init__(self, model: Any, max_sessions: int) -> None:
        self.model = model
        self.max_sessions = max(1, max_sessions)
        self._slots: OrderedDict[Hashable, Any] = OrderedDict()
        self._anonymous = 0

    def __len__(self) -> int:
        return len(self._slots)

    def for_request(self, user: str | None, prompt: Sequence[int]) -> tuple[Hashable, Any]:
        if user is not None:
            key: Hashable = ("user", user)
        else:
            anonymous = [(k, g) for k, g in self._slots.items() if k[0] == "anon"]
            best = max(anonymous, key=lambda kg: _common_prefix(kg[1].cached_ids, prompt), default=None)
            if best is not None and _common_prefix(best[1].cached_ids, prompt) > 0:
                key = best[0]
            else:
                self._anonymous += 1
                key = ("anon", self._anonymous)
        generator = self._slots.get(key)
        if generator is None:
            from neural_pdb.model.local import LocalGenerator  # torch: only where a model runs
            generator = LocalGenerator(self.model)
            self._slots[key] = generator
            while len(self._slots) > self.max_sessions:
                _, dropped = self._slots.popitem(last=False)
                dropped.close()
        self._slots.move_to_end(key)
        return key, generator

    def drop(self, key: Hashable) -> None:
        generator = self._slots.pop(key, None)
        if generator is not None:
            generator.close()

    def clear(self) -> None:
        for key in list(self._slots):
            self.drop(key)


@dataclass
class Job:
    request: CompletionRequest
    done: threading.Event = field(default_factory=threading.Event)
    generation: Generation | None = None
    cached_tokens: int = 0
    error: ApiError | None = None
    cancelled: bool = False


@dataclass
class WorkerStats:
    completed: int = 0
    failed: int = 0
    rejected_busy: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0


class ModelWorker:
    """Runs generation requests one at a time on one model, in submission order."""

    def __init__(self, model: Any, *, max_queue: int, max_sessions: int, request_timeout_s: float,
                 start: bool = True,
                 line_constraint: Callable[[str, int | None, int | None, int | None], Any] | None = None) -> None:
        self.caches = SessionCaches(model, max_sessions)
        #: (source, scope, first line, current line) -> a decoding constraint, for requests
        #: with ``npdb_line_constraint``
        self.line_constraint = line_constraint
        self.request_timeout_s = request_timeout_s
        self.stats = WorkerStats()
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max(1, max_queue))
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="neural-pdb-model-worker", daemon=True)
        self._started = False
        #: requests being generated right now (0 or 1)
        self.in_progress = 0
        if start:
            self.start()

    def start(self) -> None:
        """Start taking requests off the queue (once; requests may be queued before)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        self._thread.start()

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def submit(self, request: CompletionRequest) -> Job:
        """Queue a request and wait for its answer; :class:`ApiError` 503 when the queue is
        full or the server is stopping, 504 after ``request_timeout_s``."""
        job = Job(request)
        with self._lock:
            if self._closed:
                raise ApiError(503, "the server is shutting down", kind="server_error")
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self.stats.rejected_busy += 1
                raise ApiError(503, f"the server is busy ({self._queue.maxsize} requests waiting); retry later",
                               kind="server_error") from None
        if not job.done.wait(self.request_timeout_s):
            job.cancelled = True  # the worker skips it if it has not started yet
            raise ApiError(504, f"the request did not finish within {self.request_timeout_s:g} s",
                           kind="server_error")
        if job.error is not None:
            raise job.error
        return job

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if job.cancelled:
                continue
            self.in_progress = 1
            try:
                self._generate(job)
            except BaseException as e:  # the worker must survive anything a request does
                lines = str(e).strip().splitlines()
                what = lines[0] if isinstance(e, GenerationError) and lines else \
                    f"{type(e).__name__}: {lines[0] if lines else ''}"
                job.error = ApiError(500, f"generation failed: {what}"[:500], kind="server_error")
                self.stats.failed += 1
            finally:
                self.in_progress = 0
                job.done.set()

    def _generate(self, job: Job) -> None:
        request = job.request
        key, generator = self.caches.for_request(request.user, request.prompt_ids)
        sampling = SamplingParams(temperature=request.temperature, top_p=request.top_p, seed=request.seed)
        prompt, extra = list(request.prompt_ids), {}
        if request.line_constraint is not None and self.line_constraint is not None:
            source, scope, first_line, current, prefix = request.line_constraint
            extra["constraint"] = self.line_constraint(source, scope, first_line, current)
            # the frame's first tokens (a forced event token) are where the constraint reads
            # the frame from: the same split as a local session's forced ids
            prefix = min(prefix, len(prompt) - 1)
            if prefix > 0:
                prompt, extra["forced_ids"] = prompt[:-prefix], prompt[-prefix:]
        try:
            generation = generator.generate(prompt, max_new_tokens=request.max_tokens,
                                            stop_ids=sorted(request.stop_ids), sampling=sampling, **extra)
        except BaseException:
            self.caches.drop(key)  # a cache in doubt is dropped; the next request prefills
            raise
        job.generation = generation
        job.cached_tokens = len(request.prompt_ids) - generation.prompt_tokens_computed
        self.stats.completed += 1
        self.stats.prompt_tokens += len(request.prompt_ids)
        self.stats.cached_tokens += job.cached_tokens

    def close(self, timeout_s: float = 30.0) -> None:
        """Refuse new requests, finish the queued ones, stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        deadline = time.monotonic() + timeout_s
        while self._started:  # the queue may be full: keep offering the stop sentinel
            try:
                self._queue.put(None, timeout=0.1)
                break
            except queue.Full:
                if time.monotonic() > deadline or not self._thread.is_alive():
                    break
        if self._started:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        # Whatever is still queued (the worker was stuck past the deadline) is answered now.
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.error = ApiError(503, "the server is shutting down", kind="server_error")
                job.done.set()
        if not self._thread.is_alive():
            self.caches.clear()
