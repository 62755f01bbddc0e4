"""The model worker's bounded queue and the server's graceful shutdown, on the real tiny
model."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from neural_pdb.serve import ApiError, CompletionServer, ServeConfig
from neural_pdb.serve.protocol import CompletionRequest
from neural_pdb.serve.worker import ModelWorker


def request(max_tokens: int = 4, user: str | None = None) -> CompletionRequest:
    return CompletionRequest(prompt_ids=(256, 266, 100, 101), max_tokens=max_tokens, temperature=0.0, top_p=1.0,
                             seed=0, stop_ids=frozenset(), logprobs=None, user=user, tokens_as_ids=False,
                             skip_special_tokens=True)


def test_a_full_queue_answers_503_at_once_and_queued_requests_still_run(loaded):
    worker = ModelWorker(loaded.model, max_queue=2, max_sessions=4, request_timeout_s=60, start=False)
    results: list = []

    def submit(i: int) -> None:
        try:
            results.append((i, len(worker.submit(request(user=f"u{i}")).generation.token_ids)))
        except ApiError as e:
            results.append((i, e.status))

    waiting = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for t in waiting:
        t.start()
    while worker.queued < 2:  # both are queued; the worker has not started
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        worker.submit(request())
    assert info.value.status == 503 and "busy" in info.value.message
    assert time.monotonic() - started < 1.0  # refused at once, not after a wait
    worker.start()
    for t in waiting:
        t.join(60)
    assert sorted(results) == [(0, 4), (1, 4)]
    assert worker.stats.rejected_busy == 1 and len(worker.caches) == 2
    worker.close()
    with pytest.raises(ApiError) as info:
        worker.submit(request())
    assert info.value.status == 503 and "shutting down" in info.value.message


def test_session_caches_are_bounded_least_recently_used_first(loaded):
    worker = ModelWorker(loaded.model, max_queue=4, max_sessions=2, request_timeout_s=60)
    try:
        for user in ("a", "b", "a", "c"):
            worker.submit(request(user=user))
        assert [k[1] for k in worker.caches._slots] == ["a", "c"]
        # Anonymous requests share the slot whose cache holds the longest common prefix.
        worker.submit(request())
        worker.submit(request())
        assert worker.stats.cached_tokens >= 3
    finally:
        worker.close()


def test_graceful_shutdown_finishes_the_request_in_progress(loaded):
    srv = CompletionServer(loaded, ServeConfig(port=0)).start()
    answer: dict = {}

    def long_request() -> None:
        body = json.dumps({"prompt": [256, 266, 100], "max_tokens": 300, "temperature": 0, "ignore_eos": True}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(srv.url + "/v1/completions", data=body), timeout=60) as r:
                answer["status"], answer["body"] = r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            answer["status"] = e.code
        except OSError as e:
            answer["error"] = e

    client = threading.Thread(target=long_request)
    client.start()
    deadline = time.monotonic() + 30
    while srv.worker.in_progress == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert srv.worker.in_progress == 1
    srv.shutdown()
    client.join(60)
    assert answer.get("status") == 200, answer
    assert len(answer["body"]["choices"][0]["token_ids"]) == 300
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(srv.url + "/health", timeout=5)
