"""A :class:`TokenGenerator` over HTTP: an OpenAI-compatible ``/v1/completions`` server
(``neural-pdb serve``, or vLLM's OpenAI server hosting a CWM-format model).

The prompt goes as token ids, so the trace tokens arrive as the session built them; the
reply's ids are read from ``choices[0].token_ids`` (ours; vLLM with ``return_token_ids``)
or from ``logprobs.tokens`` written ``"token_id:N"`` (vLLM's ``return_tokens_as_token_ids``).
Each request carries the session's id as ``user``: our server keeps that session's KV cache
so a step forwards the new tokens only (vLLM needs no id: its prefix cache finds them).

Failures are one-line :class:`RemoteError`s (a :class:`GenerationError`): the session
(``TraceSession``) has not changed yet when one is raised, so it stays at its last good
stop. A completion has no side effect on the server, so connection failures, 429 and 5xx
are retried with exponential backoff; a timeout is not (it would double the wait). Every
socket operation has a timeout: nothing hangs.

Pure stdlib (urllib): no torch, no transformers.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Sequence

from .generator import Generation, GenerationError, SamplingParams

#: Statuses worth another try: busy, overloaded, or a server that is restarting.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RemoteError(GenerationError):
    """The server could not be asked or gave no usable answer; ``status`` is its HTTP status
    (None when there was no answer)."""

    def __init__(self, message: str, status: int | None = None, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        #: worth another try: no connection (server restarting) or a busy/failing server
        self.retryable = retryable or status in RETRY_STATUSES


@dataclass(frozen=True)
class RemoteConfig:
    url: str                         # e.g. http://127.0.0.1:8000 (a trailing /v1 is accepted)
    api_key: str | None = None
    model: str | None = None         # the served name; None: the first of GET /v1/models
    timeout_s: float = 120.0         # per socket operation (connect, each read)
    retries: int = 3                 # further attempts after a retryable failure
    backoff_s: float = 0.25          # first wait; doubles each retry

    @property
    def base_url(self) -> str:
        url = self.url.rstrip("/")
        return url[:-3] if url.endswith("/v1") else url


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 3] + "..."


class RemoteClient:
    """JSON over HTTP to one server, with timeouts, retries and one-line errors."""

    def __init__(self, config: RemoteConfig) -> None:
        if not config.url.startswith(("http://", "https://")):
            raise RemoteError(f"the server URL must start with http:// or https://: {config.url!r}")
        self.config = config
        self.base_url = config.base_url
        self.requests = 0
        self.retried = 0

    def get_json(self, path: str) -> Any:
        return self._request("GET", path, None)

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        return self._request("POST", path, json.dumps(body).encode())

    def _request(self, method: str, path: str, data: bytes | None) -> Any:
        cfg = self.config
        wait = cfg.backoff_s
        for attempt in range(cfg.retries + 1):
            try:
                return self._once(method, path, data)
            except RemoteError as e:
                if not e.retryable or attempt == cfg.retries:
                    raise
            self.retried += 1
            time.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover (the loop returns or raises)

    def _once(self, method: str, path: str, data: bytes | None) -> Any:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            raise RemoteError(f"server at {self.base_url} returned {e.code}: {_error_message(e)}", e.code) from None
        except (TimeoutError, socket.timeout):
            raise RemoteError(f"server at {self.base_url} did not answer within {self.config.timeout_s:g} s") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, (TimeoutError, socket.timeout)):
                raise RemoteError(f"server at {self.base_url} did not answer within {self.config.timeout_s:g} s") from None
            # A bad host name stays bad; a refused or reset connection may be a restart.
            raise RemoteError(f"server at {self.base_url} is not reachable ({_one_line(_reason(e.reason))})",
                              retryable=not isinstance(e.reason, socket.gaierror)) from None
        except (ConnectionError, HTTPException, OSError) as e:  # reset, closed mid-answer
            raise RemoteError(f"server at {self.base_url} is not reachable ({_one_line(_reason(e))})",
                              retryable=True) from None
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RemoteError(f"malformed response from server at {self.base_url}: not JSON "
                              f"({_one_line(raw[:80].decode('utf-8', 'replace'))!r})") from None


def _reason(reason: Any) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (ConnectionResetError, BrokenPipeError)):
        return "connection reset"
    if isinstance(reason, BaseException):
        return str(reason) or type(reason).__name__
    return str(reason)


def _error_message(e: urllib.error.HTTPError) -> str:
    """The ``error.message`` of an OpenAI-style error body, else the body's first line."""
    try:
        raw = e.read()
    except Exception:
        raw = b""
    try:
        body = json.loads(raw)
        err = body.get("error", body) if isinstance(body, dict) else body
        message = err.get("message", err) if isinstance(err, dict) else err
        # vLLM and FastAPI also answer {"detail": ...} or {"message": ...}
        if isinstance(body, dict) and message is body:
            message = body.get("detail") or body.get("message") or raw.decode("utf-8", "replace")
        return _one_line(str(message))
    except (ValueError, UnicodeDecodeError):
        return _one_line(raw.decode("utf-8", "replace")) or (e.reason or "no message")


def _token_id(text: Any) -> int:
    if isinstance(text, str) and text.startswith("token_id:"):
        return int(text[len("token_id:"):])
    raise ValueError(f"{text!r} is not a 'token_id:N' token")


class RemoteGenerator:
    """Extends token sequences on a remote server (see the module docstring). One instance
    per debugging session: its ``session_id`` names the session's cache on our server."""

    def __init__(self, config: RemoteConfig, *, session_id: str | None = None, client: RemoteClient | None = None,
                 vocab_size: int | None = None) -> None:
        self.config = config
        #: ids at or above this are malformed (a server with another tokenizer); None: unchecked
        self.vocab_size = vocab_size
        self.client = client or RemoteClient(config)
        self.session_id = session_id or f"neural-pdb-{uuid.uuid4().hex}"
        self._model = config.model
        self._served: list[dict] | None = None     # GET /v1/models, asked once

    def _served_models(self) -> list[dict]:
        if self._served is None:
            self._served = served_models(self.client)
        return self._served

    @property
    def model(self) -> str:
        """The served model's name (asked once from ``GET /v1/models``)."""
        if self._model is None:
            self._model = _names(self._served_models(), self.client)[0]
        return self._model

    @property
    def accepts_constraint(self) -> bool:
        """Whether the server applies the debugger's line constraint (``neural-pdb serve``
        announces ``npdb_extensions`` in ``GET /v1/models``; vLLM does not)."""
        try:
            models = self._served_models()
        except RemoteError:
            return False              # asked again next time; the completion will say what is wrong
        mine = [m for m in models if m.get("id") == self._model] or models[:1]
        found = mine[0].get("npdb_extensions") if mine else None
        return isinstance(found, list) and "line_constraint" in found

    def generate(self, ids: Sequence[int], *, max_new_tokens: int, stop_ids: Sequence[int],
                 forced_ids: Sequence[int] = (), sampling: SamplingParams = SamplingParams(),
                 constraint: Any = None) -> Generation:
        """``TokenGenerator.generate``; ``constraint`` (a line constraint) is sent for the
        server to apply when it announced the extension."""
        prompt = [int(t) for t in ids] + [int(t) for t in forced_ids]
        stops = [int(t) for t in stop_ids]
        body = {
            "model": self.model,
            "prompt": prompt,
            "max_tokens": int(max_new_tokens),
            "temperature": float(sampling.temperature),
            "top_p": float(sampling.top_p),
            "seed": int(sampling.seed),
            "stop_token_ids": stops,
            # Stop only where a local session stops: not at other end-of-sequence ids the
            # model's generation config may list.
            "ignore_eos": True,
            "logprobs": 1,
            "skip_special_tokens": False,
            "spaces_between_special_tokens": False,
            "return_token_ids": True,
            "return_tokens_as_token_ids": True,
            "user": self.session_id,
        }
        if constraint is not None and hasattr(constraint, "to_request") and self.accepts_constraint:
            body["npdb_line_constraint"] = {**constraint.to_request(), "frame_prefix": len(forced_ids)}
        started = time.monotonic()
        reply = self.client.post_json("/v1/completions", body)
        try:
            return parse_completion(reply, prompt_len=len(prompt), max_new_tokens=max_new_tokens, stop_ids=stops,
                                    latency_s=time.monotonic() - started, vocab_size=self.vocab_size)
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise RemoteError(f"malformed response from server at {self.client.base_url}: {_one_line(str(e))}") from None

    def close(self) -> None:
        pass  # no connection is kept open; the server drops an idle session's cache by LRU


def served_models(client: RemoteClient) -> list[dict]:
    """The model objects listed by ``GET /v1/models`` (possibly none)."""
    reply = client.get_json("/v1/models")
    data = reply.get("data") if isinstance(reply, dict) else None
    return [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []


def served_model_names(client: RemoteClient) -> list[str]:
    """The ids listed by ``GET /v1/models`` (at least one)."""
    return _names(served_models(client), client)


def _names(models: list[dict], client: RemoteClient) -> list[str]:
    names = [str(m["id"]) for m in models if "id" in m]
    if not names:
        raise RemoteError(f"malformed response from server at {client.base_url}: /v1/models lists no model")
    return names


def served_model_name(client: RemoteClient) -> str:
    """The first model of ``GET /v1/models``."""
    return served_model_names(client)[0]


def parse_completion(reply: Any, *, prompt_len: int, max_new_tokens: int, stop_ids: Sequence[int],
                     latency_s: float = 0.0, vocab_size: int | None = None) -> Generation:
    """A ``text_completion`` body to a :class:`Generation`; ``ValueError`` (or a lookup
    error) naming what is wrong when the body is not one."""
    if not isinstance(reply, dict):
        raise ValueError("the body is not a JSON object")
    if "error" in reply and "choices" not in reply:
        raise ValueError(f"an error without a status: {reply['error']}")
    choices = reply["choices"]
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ValueError("no choices")
    choice = choices[0]
    lp = choice.get("logprobs") if isinstance(choice.get("logprobs"), dict) else None
    ids = choice.get("token_ids")
    if ids is None and lp is not None and isinstance(lp.get("tokens"), list):
        ids = [_token_id(t) for t in lp["tokens"]]
    if not isinstance(ids, list) or not all(isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in ids):
        raise ValueError("no generated token ids (the server must return 'token_ids', or logprobs tokens "
                         "as 'token_id:N': vLLM's return_tokens_as_token_ids)")
    if vocab_size is not None and any(t >= vocab_size for t in ids):
        raise ValueError(f"token id {max(ids)} is outside the tokenizer's {vocab_size} ids "
                         "(does the server run another model?)")
    logprobs: list[float | None] = [None] * len(ids)
    if lp is not None and isinstance(lp.get("token_logprobs"), list) and len(lp["token_logprobs"]) == len(ids):
        logprobs = [float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None
                    for x in lp["token_logprobs"]]

    stops = set(stop_ids)
    finish = choice.get("finish_reason")
    # A generation ends at its first stop token.
    first_stop = next((i for i, t in enumerate(ids) if t in stops), None)
    if first_stop is not None:
        ids, logprobs = ids[:first_stop + 1], logprobs[:first_stop + 1]
        stop_id: int | None = ids[-1]
    elif finish == "stop":
        # Some servers drop the stop token from the output; vLLM names it in stop_reason.
        reason = choice.get("stop_reason")
        if not (isinstance(reason, int) and reason in stops):
            raise ValueError(f"finish_reason is 'stop' but no stop token ended it (stop_reason={reason!r})")
        ids, logprobs, stop_id = ids + [reason], logprobs + [None], reason
    elif finish == "length":
        stop_id = None
    else:
        raise ValueError(f"the generation ended with finish_reason={finish!r}")
    if len(ids) > max_new_tokens:
        raise ValueError(f"{len(ids)} tokens returned, {max_new_tokens} asked")

    computed = 0
    usage = reply.get("usage")
    if isinstance(usage, dict):
        details = usage.get("prompt_tokens_details")
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        if isinstance(cached, int):
            computed = max(0, prompt_len - cached)
    return Generation(tuple(ids), tuple(logprobs), stop_id, computed, {"latency_s": latency_s})
