"""``neural-pdb serve`` over real HTTP on a loopback port: answers equal to the local
generator's, per-session caches, endpoints, and a clear 4xx for every bad request."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import pytest

from neural_pdb.model.generator import SamplingParams
from neural_pdb.serve import CompletionServer, ServeConfig


def call(url: str, path: str, body=None, *, key: str | None = None, raw: bytes | None = None,
         method: str | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def prompt_of(loaded) -> list[int]:
    v = loaded.vocab
    return [v.id("<|begin_of_text|>"), v.id("<|trace_context_start|>")] + v.encode_text("def sq(a):\n") + \
        [v.id("<|frame_sep|>")]


def test_completions_equal_the_local_generator_and_reuse_the_session_cache(server, loaded):
    from neural_pdb.model.local import LocalGenerator

    local = LocalGenerator(loaded.model)
    stops = list(loaded.vocab.frame_stop_ids)
    ids = prompt_of(loaded)
    for step in range(3):
        expected = local.generate(ids, max_new_tokens=30, stop_ids=stops, sampling=SamplingParams(0.0))
        status, body = call(server.url, "/v1/completions", {
            "model": "tiny", "prompt": ids, "max_tokens": 30, "temperature": 0, "stop_token_ids": stops,
            "ignore_eos": True, "logprobs": 1, "user": "cache-test", "skip_special_tokens": False})
        assert status == 200, body
        choice = body["choices"][0]
        assert tuple(choice["token_ids"]) == expected.token_ids
        assert choice["logprobs"]["token_logprobs"] == pytest.approx(list(expected.logprobs), abs=1e-5)
        assert choice["finish_reason"] == ("stop" if expected.stop_id is not None else "length")
        assert choice["text"] == loaded.tokenizer.decode(list(expected.token_ids), skip_special_tokens=False)
        cached = body["usage"]["prompt_tokens_details"]["cached_tokens"]
        # The session's cache held everything but the last token it generated (that one
        # enters the cache with the next call).
        assert cached == (0 if step == 0 else len(ids) - 1)
        ids = ids + list(expected.token_ids)


def test_sampling_with_a_seed_is_reproducible(server, loaded):
    body = {"prompt": prompt_of(loaded), "max_tokens": 12, "temperature": 1.0, "top_p": 0.9, "seed": 11}
    a, b = call(server.url, "/v1/completions", body)[1], call(server.url, "/v1/completions", body)[1]
    assert a["choices"][0]["token_ids"] == b["choices"][0]["token_ids"]


def test_string_prompt_and_stop_strings(server, loaded):
    status, body = call(server.url, "/v1/completions", {
        "prompt": "<|begin_of_text|><|trace_context_start|>def sq(a):\n<|frame_sep|>", "max_tokens": 40,
        "temperature": 0, "stop": ["<|frame_sep|>"], "logprobs": 0})
    assert status == 200
    assert body["usage"]["prompt_tokens"] == len(prompt_of(loaded))  # specials parsed as specials
    ids = body["choices"][0]["token_ids"]
    assert body["choices"][0]["finish_reason"] == "length" or ids[-1] in loaded.vocab.frame_stop_ids


def test_models_health_and_tokenizer_endpoints(server, loaded):
    status, models = call(server.url, "/v1/models")
    assert status == 200 and models["data"][0]["id"] == "tiny"
    assert models["data"][0]["max_model_len"] == loaded.model.config.max_position_embeddings
    status, health = call(server.url, "/health")
    assert status == 200 and health["status"] == "ok"
    status, tok = call(server.url, "/v1/tokenizer")
    assert status == 200 and "tokenizer.json" in tok["files"]


@pytest.mark.parametrize("method, path, body, status, fragment", [
    ("POST", "/v1/completions", {"prompt": [1], "max_tokens": 99999}, 400, "max_tokens"),
    ("POST", "/v1/completions", {"prompt": [10 ** 6]}, 400, "outside the vocabulary"),
    ("POST", "/v1/completions", {"prompt": [1], "modle": "tiny"}, 400, "unknown field 'modle'"),
    ("POST", "/v1/completions", {"prompt": [1], "model": "other"}, 404, "does not exist"),
    ("POST", "/v1/chat/completions", {"prompt": [1]}, 404, "no such endpoint"),
    ("GET", "/v1/completions", None, 405, "use POST"),
    ("POST", "/v1/models", {}, 405, "use GET"),
])
def test_bad_requests_get_a_json_4xx(server, method, path, body, status, fragment):
    got, reply = call(server.url, path, body, method=method)
    assert got == status
    assert fragment in reply["error"]["message"]


def test_malformed_json_oversized_body_and_missing_length(server):
    status, reply = call(server.url, "/v1/completions", raw=b"{not json")
    assert status == 400 and "not valid JSON" in reply["error"]["message"]
    big = b'{"prompt": [' + b"1," * (server.config.max_body_bytes // 2) + b"1]}"
    status, reply = call(server.url, "/v1/completions", raw=big)
    assert status == 413 and "limit" in reply["error"]["message"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", "/v1/completions")
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 411 and "Content-Length" in json.loads(r.read())["error"]["message"]
    conn.close()
    # The server is still fine afterwards.
    assert call(server.url, "/health")[0] == 200


def test_api_key_is_required_on_v1_but_not_on_health(loaded):
    with CompletionServer(loaded, ServeConfig(port=0, api_key="s3cret", model_name="tiny")) as srv:
        assert srv.url.startswith("http://127.0.0.1:")  # localhost unless asked
        assert call(srv.url, "/health")[0] == 200
        for key in (None, "wrong"):
            status, reply = call(srv.url, "/v1/models", key=key)
            assert status == 401 and "API key" in reply["error"]["message"]
            assert call(srv.url, "/v1/completions", {"prompt": [1]}, key=key)[0] == 401
        assert call(srv.url, "/v1/models", key="s3cret")[0] == 200
        assert call(srv.url, "/v1/completions", {"prompt": [1], "max_tokens": 2}, key="s3cret")[0] == 200


def test_a_failing_generation_is_a_500_and_the_worker_goes_on(loaded):
    # A limit set above the model's context lets a request reach the model and fail there.
    context = loaded.model.config.max_position_embeddings
    with CompletionServer(loaded, ServeConfig(port=0, max_prompt_tokens=10 * context)) as srv:
        status, reply = call(srv.url, "/v1/completions", {"prompt": [100] * (context + 5), "max_tokens": 2})
        assert status == 500
        assert reply["error"]["message"] == (f"generation failed: the trace ({context + 5} tokens) is longer than "
                                             f"the model's context ({context} tokens)")
        status, reply = call(srv.url, "/v1/completions", {"prompt": [100, 101], "max_tokens": 2})
        assert status == 200 and len(reply["choices"][0]["token_ids"]) == 2
        assert srv.health()["failed"] == 1


def test_the_line_constraint_extension_gives_the_local_generators_constrained_answer(server, loaded):
    """``npdb_line_constraint`` (announced in /v1/models) makes the server decode the line
    as a local session does; a malformed one is a 400."""
    from neural_pdb.model.constraint import SourceLineConstraint
    from neural_pdb.model.local import LocalGenerator

    status, models = call(server.url, "/v1/models")
    assert status == 200 and "line_constraint" in models["data"][0]["npdb_extensions"]
    v = loaded.vocab
    source = "def sq(a):\n    return a * a\n\nprint(sq(3))\n"
    ids = [v.id("<|begin_of_text|>"), v.id("<|trace_context_start|>")] + v.encode_text(source) + \
        [v.id("<|frame_sep|>"), v.id("<|call_sep|>")] + v.encode_text("{}") + [v.id("<|action_sep|>")] + \
        v.encode_text("def sq(a):") + [v.id("<|frame_sep|>")]
    # a sampled action after a forced start of a line frame: the line must be one of the module's
    forced = [v.id("<|line_sep|>")] + v.encode_text("{}") + [v.id("<|action_sep|>")]
    constraint = SourceLineConstraint(v, source).at(0)
    stops = list(v.frame_stop_ids)
    for seed in range(3):
        expected = LocalGenerator(loaded.model).generate(
            ids, max_new_tokens=40, stop_ids=stops, forced_ids=forced,
            sampling=SamplingParams(2.0, 1.0, seed), constraint=constraint)
        status, body = call(server.url, "/v1/completions", {
            "model": "tiny", "prompt": ids + forced, "max_tokens": 40, "temperature": 2.0, "top_p": 1.0,
            "seed": seed, "stop_token_ids": stops, "ignore_eos": True, "logprobs": 1, "skip_special_tokens": False,
            "npdb_line_constraint": {**constraint.to_request(), "frame_prefix": len(forced)}})
        assert status == 200, body
        got = tuple(body["choices"][0]["token_ids"])
        assert got == expected.token_ids
        assert v.decode_text(got[:-1]) in ("def sq(a):", "print(sq(3))")
    for bad in ({"source": 3, "scope": 0}, {"source": source, "scope": "x"}, {"src": source}, "text",
                {"source": source, "scope": 0, "frame_prefix": -1}):
        status, body = call(server.url, "/v1/completions", {
            "model": "tiny", "prompt": ids, "max_tokens": 5, "npdb_line_constraint": bad})
        assert status == 400 and body["error"]["param"] == "npdb_line_constraint", body
