"""Request validation and response shapes, without a model or a socket."""

from __future__ import annotations

import pytest

from neural_pdb.model.remote_generator import parse_completion
from neural_pdb.serve.protocol import ApiError, Limits, completion_response, parse_completion_request

LIMITS = Limits(vocab_size=300, max_prompt_tokens=100, max_new_tokens=50)
SPECIALS = {"<|frame_sep|>": 259, "<|end_of_text|>": 257}


def parse(body):
    return parse_completion_request(body, LIMITS, model_name="tiny", encode=lambda s: [ord(c) % 256 for c in s],
                                    special_id=SPECIALS.get, eos_ids=(257,))


def test_a_valid_request_keeps_every_setting():
    r = parse({"model": "tiny", "prompt": [1, 2, 3], "max_tokens": 7, "temperature": 0, "top_p": 0.9, "seed": 5,
               "stop_token_ids": [259], "ignore_eos": True, "logprobs": 1, "user": "s1",
               "return_tokens_as_token_ids": True, "skip_special_tokens": False})
    assert r.prompt_ids == (1, 2, 3) and r.max_tokens == 7 and r.temperature == 0.0 and r.top_p == 0.9
    assert r.seed == 5 and r.stop_ids == {259} and r.logprobs == 1 and r.user == "s1"
    assert r.tokens_as_ids and not r.skip_special_tokens


def test_defaults_follow_openai_and_eos_stops_unless_ignored():
    r = parse({"prompt": [[4, 5]], "stop": "<|frame_sep|>"})
    assert r.prompt_ids == (4, 5) and r.max_tokens == 16 and r.temperature == 1.0 and r.stop_ids == {257, 259}
    assert parse({"prompt": "ab"}).prompt_ids == (97, 98)


@pytest.mark.parametrize("body, status, fragment", [
    ([1, 2], 400, "JSON object"),
    ({}, 400, "'prompt' is required"),
    ({"prompt": []}, 400, "empty"),
    ({"prompt": [1, "a"]}, 400, "list of token ids"),
    ({"prompt": [1, True]}, 400, "list of token ids"),
    ({"prompt": [1, 300]}, 400, "outside the vocabulary"),
    ({"prompt": [-1]}, 400, "outside the vocabulary"),
    ({"prompt": [[1], [2]]}, 400, "one prompt per request"),
    ({"prompt": 5}, 400, "'prompt' must be"),
    ({"prompt": [1], "max_tokens": 0}, 400, "max_tokens"),
    ({"prompt": [1], "max_tokens": 51}, 400, "limit of 50"),
    ({"prompt": [1] * 90, "max_tokens": 20}, 400, "limit of 100"),
    ({"prompt": [1], "temperature": -1}, 400, "temperature"),
    ({"prompt": [1], "temperature": "hot"}, 400, "temperature"),
    ({"prompt": [1], "top_p": 0}, 400, "top_p"),
    ({"prompt": [1], "seed": 1.5}, 400, "seed"),
    ({"prompt": [1], "stop": "\n"}, 400, "special token"),
    ({"prompt": [1], "stop": 3}, 400, "'stop' must be"),
    ({"prompt": [1], "logprobs": 9}, 400, "logprobs"),
    ({"prompt": [1], "n": 2}, 400, "'n' must be 1"),
    ({"prompt": [1], "stream": True}, 400, "stream"),
    ({"prompt": [1], "echo": True}, 400, "echo"),
    ({"prompt": [1], "user": "x" * 300}, 400, "user"),
    ({"prompt": [1], "max_token": 3}, 400, "unknown field 'max_token'"),
    ({"prompt": [1], "ignore_eos": "yes"}, 400, "ignore_eos"),
    ({"prompt": [1], "model": "gpt-4"}, 404, "does not exist"),
])
def test_bad_requests_are_refused_with_the_field_named(body, status, fragment):
    with pytest.raises(ApiError) as info:
        parse(body)
    assert info.value.status == status
    assert fragment in info.value.message
    assert info.value.body()["error"]["message"] == info.value.message


def test_response_shape_round_trips_through_the_client_parser():
    r = parse({"prompt": [1, 2, 3], "max_tokens": 5, "logprobs": 1, "return_tokens_as_token_ids": True,
               "stop_token_ids": [259]})
    body = completion_response(r, model_name="tiny", token_ids=[65, 66, 259], logprobs=[-0.5, -1.0, -0.1],
                               stop_id=259, cached_tokens=2, decode=lambda ids, skip: "".join(chr(i % 128) for i in ids))
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["stop_reason"] == 259
    assert choice["logprobs"]["tokens"] == ["token_id:65", "token_id:66", "token_id:259"]
    assert body["usage"] == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6,
                             "prompt_tokens_details": {"cached_tokens": 2}}
    gen = parse_completion(body, prompt_len=3, max_new_tokens=5, stop_ids=[259])
    assert gen.token_ids == (65, 66, 259) and gen.logprobs == (-0.5, -1.0, -0.1) and gen.stop_id == 259
    assert gen.prompt_tokens_computed == 1


def test_client_reads_vllm_shapes():
    # vLLM without return_token_ids: ids only in logprobs tokens; the stop token may be
    # missing from the output and named in stop_reason.
    body = {"choices": [{"text": "AB", "finish_reason": "stop", "stop_reason": 259,
                         "logprobs": {"tokens": ["token_id:65", "token_id:66"], "token_logprobs": [-1.0, -2.0]}}]}
    gen = parse_completion(body, prompt_len=3, max_new_tokens=5, stop_ids=[259, 257])
    assert gen.token_ids == (65, 66, 259) and gen.logprobs == (-1.0, -2.0, None) and gen.stop_id == 259
    length = {"choices": [{"token_ids": [1, 2], "finish_reason": "length"}]}
    gen = parse_completion(length, prompt_len=3, max_new_tokens=2, stop_ids=[259])
    assert gen.is_truncated and gen.logprobs == (None, None)
    # Tokens after the first stop token are not part of the frame.
    extra = {"choices": [{"token_ids": [1, 259, 2], "finish_reason": "stop"}]}
    assert parse_completion(extra, prompt_len=1, max_new_tokens=5, stop_ids=[259]).token_ids == (1, 259)


@pytest.mark.parametrize("body, fragment", [
    ([], "not a JSON object"),
    ({"choices": []}, "no choices"),
    ({"choices": [{"text": "hi", "finish_reason": "stop"}]}, "no generated token ids"),
    ({"choices": [{"token_ids": [1, "x"], "finish_reason": "stop"}]}, "no generated token ids"),
    ({"choices": [{"token_ids": [1, 2], "finish_reason": "stop"}]}, "no stop token"),
    ({"choices": [{"token_ids": [1, 2], "finish_reason": "abort"}]}, "finish_reason='abort'"),
    ({"choices": [{"token_ids": [1] * 9, "finish_reason": "length"}]}, "9 tokens returned, 5 asked"),
    ({"choices": [{"logprobs": {"tokens": ["hello"]}, "finish_reason": "length"}]}, "token_id:N"),
])
def test_client_refuses_malformed_responses(body, fragment):
    with pytest.raises((ValueError, KeyError, TypeError)) as info:
        parse_completion(body, prompt_len=1, max_new_tokens=5, stop_ids=[259])
    assert fragment in str(info.value)


def test_client_refuses_ids_outside_the_tokenizer():
    body = {"choices": [{"token_ids": [1, 400], "finish_reason": "length"}]}
    with pytest.raises(ValueError, match="token id 400 is outside the tokenizer's 300 ids"):
        parse_completion(body, prompt_len=1, max_new_tokens=5, stop_ids=[259], vocab_size=300)
