"""The OpenAI-compatible completions API as we speak it: request validation and response
shapes, in plain Python (no torch, no HTTP) so that they are tested alone.

What a request may hold (OpenAI's legacy ``/v1/completions`` plus vLLM's extensions):

- ``prompt``: a list of token ids (what the debugger sends: the trace tokens stay
  intact), one such list inside a list, or a string (tokenized by the server with its
  special tokens recognised; a client that must keep source text from injecting control
  tokens sends ids);
- ``max_tokens`` (default 16), ``temperature`` (default 1; 0 is greedy), ``top_p``,
  ``seed``; ``stop_token_ids`` (vLLM's name) and ``stop`` (strings, accepted only when each
  is one special token of the tokenizer, since generation stops on ids); ``ignore_eos``
  (vLLM: do not stop at the tokenizer's end-of-text unless it is in ``stop_token_ids``);
- ``logprobs`` (0..5): the log-probability of each generated token under the model's own
  distribution (temperature 1, before top-p: vLLM's ``--logprobs-mode raw_logprobs``).
  ``top_logprobs`` lists the chosen token only: our generator computes no alternatives;
- ``user``: an opaque client id; the server keeps one KV cache per ``user`` (see
  ``worker``), so a debugging session's next step costs the new tokens only. vLLM accepts
  and ignores it (its prefix cache needs no id);
- ``model``: the served name (``GET /v1/models``) or omitted;
- accepted for compatibility when they ask for what we do anyway: ``n``/``best_of`` 1,
  ``stream``/``echo`` false, zero penalties, ``return_token_ids``,
  ``return_tokens_as_token_ids``, ``skip_special_tokens``, ``include_stop_str_in_output``,
  ``spaces_between_special_tokens``. Any other field is a 400: a typo must not be ignored.

The response is OpenAI's ``text_completion`` with, in each choice, ``token_ids`` (the
generated ids, as vLLM returns them with ``return_token_ids``) and ``stop_reason`` (the
stop token id, as vLLM); ``logprobs.tokens`` are ``"token_id:N"`` strings when the request
set ``return_tokens_as_token_ids`` (vLLM's spelling), decoded text otherwise.
``usage.prompt_tokens_details.cached_tokens`` says how much of the prompt the server's
cache already held.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

#: The fields we accept; anything else in a request is an error.
KNOWN_FIELDS = frozenset({
    "model", "prompt", "max_tokens", "temperature", "top_p", "seed", "stop", "stop_token_ids", "ignore_eos",
    "logprobs", "user", "n", "best_of", "stream", "echo", "presence_penalty", "frequency_penalty",
    "logit_bias", "suffix", "return_token_ids", "return_tokens_as_token_ids", "skip_special_tokens",
    "include_stop_str_in_output", "spaces_between_special_tokens",
    "npdb_line_constraint",   # ours: decode a frame's source line among the program's (see below)
})
#: what ``GET /v1/models`` announces, so that a client knows it may send ``npdb_line_constraint``
EXTENSIONS = ("line_constraint",)
MAX_CONSTRAINT_SOURCE_CHARS = 1_000_000
MAX_LOGPROBS = 5
MAX_USER_CHARS = 256


class ApiError(Exception):
    """A request the server refuses or cannot answer; becomes an OpenAI-style JSON error
    with this HTTP status."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.param = param

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.status}}


@dataclass(frozen=True)
class Limits:
    """What one request may ask for (from :class:`ServeConfig` and the model)."""

    vocab_size: int
    max_prompt_tokens: int
    max_new_tokens: int


@dataclass(frozen=True)
class CompletionRequest:
    prompt_ids: tuple[int, ...]
    max_tokens: int
    temperature: float
    top_p: float
    seed: int
    stop_ids: frozenset[int]
    logprobs: int | None
    user: str | None
    tokens_as_ids: bool
    skip_special_tokens: bool
    #: ``npdb_line_constraint``: (source, scope, first_line, current, frame_prefix) for
    #: :mod:`neural_pdb.model.constraint`; the last ``frame_prefix`` prompt tokens are the
    #: start of the frame (a forced event token)
    line_constraint: tuple[str, int | None, int | None, int | None, int] | None = None
    received: float = field(default_factory=time.monotonic, compare=False)


def _bad(message: str, param: str | None = None) -> ApiError:
    return ApiError(400, message, param=param)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(body: dict, name: str, default: float, lo: float, hi: float, *, lo_open: bool = False) -> float:
    v = body.get(name)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _bad(f"'{name}' must be a number", name)
    if v < lo or v > hi or (lo_open and v == lo):
        raise _bad(f"'{name}' must be in {'(' if lo_open else '['}{lo}, {hi}], got {v}", name)
    return float(v)


def _flag(body: dict, name: str, default: bool) -> bool:
    v = body.get(name)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise _bad(f"'{name}' must be true or false", name)
    return v


def _token_ids(value: Any, name: str, limits: Limits) -> list[int]:
    if not isinstance(value, list) or not all(_is_int(t) for t in value):
        raise _bad(f"'{name}' must be a list of token ids", name)
    bad = next((t for t in value if not 0 <= t < limits.vocab_size), None)
    if bad is not None:
        raise _bad(f"'{name}' holds token id {bad}, outside the vocabulary (0..{limits.vocab_size - 1})", name)
    return value


def parse_completion_request(body: Any, limits: Limits, *, model_name: str,
                             encode: Callable[[str], list[int]],
                             special_id: Callable[[str], int | None],
                             eos_ids: Sequence[int] = ()) -> CompletionRequest:
    """Validate a decoded JSON body; raise :class:`ApiError` (400/404) naming the field.

    ``encode`` tokenizes a string prompt; ``special_id`` maps a ``stop`` string to its
    special token id (None when it is not one); ``eos_ids`` stop generation unless
    ``ignore_eos``."""
    if not isinstance(body, dict):
        raise _bad("the request body must be a JSON object")
    unknown = sorted(set(body) - KNOWN_FIELDS)
    if unknown:
        raise _bad(f"unknown field '{unknown[0]}'", unknown[0])

    model = body.get("model")
    if model is not None and model != model_name:
        raise ApiError(404, f"the model '{model}' does not exist (this server serves '{model_name}')",
                       kind="not_found_error", param="model")

    for name, allowed in (("n", 1), ("best_of", 1)):
        v = body.get(name)
        if v is not None and v != allowed:
            raise _bad(f"'{name}' must be 1: one completion per request", name)
    for name in ("stream", "echo"):
        if body.get(name) not in (None, False):
            raise _bad(f"'{name}' is not supported", name)
    for name in ("presence_penalty", "frequency_penalty"):
        if body.get(name) not in (None, 0, 0.0):
            raise _bad(f"'{name}' is not supported (must be 0)", name)
    if body.get("logit_bias") not in (None, {}):
        raise _bad("'logit_bias' is not supported", "logit_bias")
    if body.get("suffix") not in (None, ""):
        raise _bad("'suffix' is not supported", "suffix")
    for name in ("return_token_ids", "include_stop_str_in_output", "spaces_between_special_tokens"):
        _flag(body, name, False)

    prompt = body.get("prompt")
    if isinstance(prompt, str):
        if not prompt:
            raise _bad("'prompt' is empty", "prompt")
        ids = encode(prompt)
    elif isinstance(prompt, list) and prompt and isinstance(prompt[0], list):
        if len(prompt) != 1:
            raise _bad("one prompt per request ('prompt' holds several)", "prompt")
        ids = _token_ids(prompt[0], "prompt", limits)
    elif isinstance(prompt, list):
        ids = _token_ids(prompt, "prompt", limits)
    elif prompt is None:
        raise _bad("'prompt' is required", "prompt")
    else:
        raise _bad("'prompt' must be a list of token ids or a string", "prompt")
    if not ids:
        raise _bad("'prompt' is empty", "prompt")

    max_tokens = body.get("max_tokens", 16)
    if not _is_int(max_tokens) or max_tokens < 1:
        raise _bad("'max_tokens' must be a positive integer", "max_tokens")
    if max_tokens > limits.max_new_tokens:
        raise _bad(f"'max_tokens' is {max_tokens}, over this server's limit of {limits.max_new_tokens}", "max_tokens")
    if len(ids) + max_tokens > limits.max_prompt_tokens:
        raise _bad(f"the prompt has {len(ids)} tokens and asks for {max_tokens} more, over this server's "
                   f"limit of {limits.max_prompt_tokens}", "prompt")

    temperature = _number(body, "temperature", 1.0, 0.0, 2.0)
    top_p = _number(body, "top_p", 1.0, 0.0, 1.0, lo_open=True)
    seed = body.get("seed")
    if seed is None:
        seed = uuid.uuid4().int % (2 ** 63)
    elif not _is_int(seed):
        raise _bad("'seed' must be an integer", "seed")

    stop_ids = set(_token_ids(body.get("stop_token_ids") or [], "stop_token_ids", limits))
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, (str, list)):
        raise _bad("'stop' must be a string or a list of strings", "stop")
    for text in ([stop] if isinstance(stop, str) else stop or []):
        tid = special_id(text) if isinstance(text, str) else None
        if tid is None:
            raise _bad(f"'stop' entries must each be one special token of the tokenizer (got {text!r}); "
                       "use 'stop_token_ids'", "stop")
        stop_ids.add(tid)
    if not _flag(body, "ignore_eos", False):
        stop_ids.update(eos_ids)

    logprobs = body.get("logprobs")
    if logprobs is not None and (not _is_int(logprobs) or not 0 <= logprobs <= MAX_LOGPROBS):
        raise _bad(f"'logprobs' must be an integer in [0, {MAX_LOGPROBS}]", "logprobs")

    user = body.get("user")
    if user is not None and (not isinstance(user, str) or len(user) > MAX_USER_CHARS):
        raise _bad(f"'user' must be a string of at most {MAX_USER_CHARS} characters", "user")

    return CompletionRequest(
        prompt_ids=tuple(ids), max_tokens=max_tokens, temperature=temperature, top_p=top_p, seed=int(seed),
        stop_ids=frozenset(stop_ids), logprobs=logprobs, user=user or None,
        tokens_as_ids=_flag(body, "return_tokens_as_token_ids", False),
        skip_special_tokens=_flag(body, "skip_special_tokens", True),
        line_constraint=_line_constraint(body),
    )


def completion_response(request: CompletionRequest, *, model_name: str, token_ids: Sequence[int],
                        logprobs: Sequence[float | None], stop_id: int | None, cached_tokens: int,
                        decode: Callable[[Sequence[int], bool], str]) -> dict[str, Any]:
    """The OpenAI ``text_completion`` body for one generation. ``decode(ids, skip_special)``
    turns ids to text."""
    text = decode(token_ids, request.skip_special_tokens)
    lp_obj = None
    if request.logprobs is not None:
        tokens = [f"token_id:{t}" if request.tokens_as_ids else decode([t], False) for t in token_ids]
        offsets, pos = [], 0
        for t in token_ids:
            offsets.append(pos)
            pos += len(decode([t], request.skip_special_tokens))
        lp_obj = {
            "tokens": tokens,
            "token_logprobs": list(logprobs),
            "top_logprobs": [{tok: lp} if lp is not None else None for tok, lp in zip(tokens, logprobs)],
            "text_offset": offsets,
        }
    n_prompt = len(request.prompt_ids)
    return {
        "id": f"cmpl-{uuid.uuid4().hex}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model_name,
        "choices": [{
            "index": 0,
            "text": text,
            "token_ids": list(token_ids),
            "logprobs": lp_obj,
            "finish_reason": "stop" if stop_id is not None else "length",
            "stop_reason": stop_id,
        }],
        "usage": {
            "prompt_tokens": n_prompt,
            "completion_tokens": len(token_ids),
            "total_tokens": n_prompt + len(token_ids),
            "prompt_tokens_details": {"cached_tokens": cached_tokens},
        },
    }


def models_response(model_name: str, root: str, max_model_len: int,
                    extensions: Sequence[str] = EXTENSIONS) -> dict[str, Any]:
    return {"object": "list", "data": [{
        "id": model_name, "object": "model", "created": int(time.time()), "owned_by": "neural-pdb",
        "root": root, "max_model_len": max_model_len, "npdb_extensions": list(extensions),
    }]}


def _line_constraint(body: dict) -> tuple[str, int | None, int | None, int | None, int] | None:
    value = body.get("npdb_line_constraint")
    if value is None:
        return None
    name = "npdb_line_constraint"
    if not isinstance(value, dict) or set(value) - {"source", "scope", "first_line", "current", "frame_prefix"}:
        raise _bad(f"'{name}' must be an object with 'source', 'scope', 'first_line', 'current' and "
                   "'frame_prefix'", name)
    source, scope, prefix = value.get("source"), value.get("scope"), value.get("frame_prefix", 0)
    first_line, current = value.get("first_line"), value.get("current")
    for key, v in (("first_line", first_line), ("current", current)):
        if v is not None and not (_is_int(v) and v > 0):
            raise _bad(f"'{name}.{key}' must be a line number or null", name)
    if not isinstance(source, str) or len(source) > MAX_CONSTRAINT_SOURCE_CHARS:
        raise _bad(f"'{name}.source' must be the program's source (a string of at most "
                   f"{MAX_CONSTRAINT_SOURCE_CHARS} characters)", name)
    if scope is not None and not (_is_int(scope) and scope >= 0):
        raise _bad(f"'{name}.scope' must be a line number or null", name)
    if not (_is_int(prefix) and prefix >= 0):
        raise _bad(f"'{name}.frame_prefix' must be the number of prompt tokens that begin the frame", name)
    return source, scope, first_line, current, prefix
