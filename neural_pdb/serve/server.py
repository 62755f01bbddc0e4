"""The HTTP side of ``neural-pdb serve``: stdlib ``ThreadingHTTPServer`` (no extra
dependency: one handler thread per connection only parses and validates, the model runs
in the single :class:`ModelWorker`).

Endpoints:

- ``POST /v1/completions``: OpenAI-compatible completions (see ``protocol``);
- ``GET /v1/models``: the served model;
- ``GET /health``: ``{"status": "ok", ...}`` (no API key needed, for load balancers);
- ``GET /v1/tokenizer``: the tokenizer's files (``{"files": {name: base64}}``), so that a
  remote debugger needs no local copy of the model (``neural_pdb.backends.remote``).

Every error is an OpenAI-style JSON body with a 4xx/5xx status; nothing a client sends
reaches the user of the server as a traceback.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import socket
import tempfile
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .config import ServeConfig
from .protocol import EXTENSIONS, ApiError, Limits, completion_response, models_response, parse_completion_request
from .worker import ModelWorker

#: A client that sends nothing for this long loses its connection (no thread held forever).
SOCKET_TIMEOUT_S = 30.0


def _trace_vocab(tokenizer: Any) -> Any:
    """The trace vocabulary of the served tokenizer, or None when it lacks CWM's tokens
    (then the line-constraint extension is not offered)."""
    from neural_pdb.model.vocab import TraceVocab, VocabError
    try:
        return TraceVocab.from_tokenizer(tokenizer)
    except VocabError:
        return None


def tokenizer_files(tokenizer: Any) -> dict[str, str]:
    """The files ``save_pretrained`` writes for ``tokenizer``, base64 encoded."""
    with tempfile.TemporaryDirectory(prefix="neural-pdb-tokenizer-") as tmp:
        tokenizer.save_pretrained(tmp)
        out = {}
        for name in sorted(os.listdir(tmp)):
            path = os.path.join(tmp, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    out[name] = base64.b64encode(f.read()).decode("ascii")
        return out


class CompletionServer:
    """Serves one loaded model (``neural_pdb.model.loading.LoadedModel`` or anything with
    ``model``, ``tokenizer`` and ``name``) until :meth:`shutdown`."""

    def __init__(self, loaded: Any, config: ServeConfig = ServeConfig()) -> None:
        self.loaded = loaded
        self.config = config
        model, tokenizer = loaded.model, loaded.tokenizer
        vocab_size = int(model.get_input_embeddings().weight.shape[0])
        max_len = config.max_prompt_tokens or int(getattr(model.config, "max_position_embeddings", 0) or 32768)
        self.max_model_len = max_len
        self.limits = Limits(vocab_size=vocab_size, max_prompt_tokens=max_len, max_new_tokens=config.max_new_tokens)
        eos = tokenizer.eos_token_id
        self.eos_ids = (eos,) if isinstance(eos, int) else ()
        self._specials = {str(t): int(i) for t, i in zip(tokenizer.all_special_tokens, tokenizer.all_special_ids)}
        for tid, added in getattr(tokenizer, "added_tokens_decoder", {}).items():
            if getattr(added, "special", False):
                self._specials[str(getattr(added, "content", added))] = int(tid)
        self._tokenizer_files: dict[str, str] | None = None
        self.connection_errors = 0
        self.httpd = _HTTPServer((config.host, config.port), _Handler, self)  # OSError: cannot listen
        self._line_trees: OrderedDict[str, Any] = OrderedDict()   # source -> SourceLineConstraint (LRU)
        self._vocab = _trace_vocab(tokenizer)
        self.worker = ModelWorker(model, max_queue=config.max_queue, max_sessions=config.max_sessions,
                                  request_timeout_s=config.request_timeout_s, start=False,
                                  line_constraint=self.line_constraint if self._vocab is not None else None)
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    # --- lifecycle -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> "CompletionServer":
        """Serve in a background thread (returns at once)."""
        self.worker.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="neural-pdb-http", daemon=True)
        self._thread.start()
        return self

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Graceful: stop accepting connections, finish the requests already received, then
        release the model's caches and the socket."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._thread is not None:
            self.httpd.shutdown()
        self.worker.close(timeout_s)
        self.httpd.server_close()  # joins the handler threads (block_on_close)

    def __enter__(self) -> "CompletionServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()

    # --- request handling (called from handler threads) --------------------------------

    def authorized(self, header: str | None) -> bool:
        if not self.config.api_key:
            return True
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer "):].strip().encode(), self.config.api_key.encode())

    def complete(self, body: Any) -> dict[str, Any]:
        tokenizer = self.loaded.tokenizer
        request = parse_completion_request(
            body, self.limits, model_name=self.config.model_name,
            encode=lambda text: list(tokenizer(text, add_special_tokens=False)["input_ids"]),
            special_id=self._specials.get, eos_ids=self.eos_ids)
        job = self.worker.submit(request)
        gen = job.generation

        def decode(ids: Any, skip_special: bool) -> str:
            return tokenizer.decode(list(ids), skip_special_tokens=skip_special, clean_up_tokenization_spaces=False)

        return completion_response(request, model_name=self.config.model_name, token_ids=gen.token_ids,
                                   logprobs=gen.logprobs, stop_id=gen.stop_id, cached_tokens=job.cached_tokens,
                                   decode=decode)

    def health(self) -> dict[str, Any]:
        s = self.worker.stats
        return {"status": "ok", "model": self.config.model_name, "queued": self.worker.queued,
                "sessions": len(self.worker.caches), "completed": s.completed, "failed": s.failed,
                "rejected_busy": s.rejected_busy, "prompt_tokens": s.prompt_tokens, "cached_tokens": s.cached_tokens,
                "connection_errors": self.connection_errors}

    def models(self) -> dict[str, Any]:
        return models_response(self.config.model_name, str(getattr(self.loaded, "name", "")), self.max_model_len,
                               EXTENSIONS if self._vocab is not None else ())

    def line_constraint(self, source: str, scope: int | None, first_line: int | None = None,
                        current: int | None = None) -> Any:
        """The debugger's line constraint for ``source`` at ``scope`` (its line trees are
        kept for the last few programs: a session sends the same source every step)."""
        from neural_pdb.model.constraint import SourceLineConstraint

        lines = self._line_trees.get(source)
        if lines is None:
            lines = self._line_trees[source] = SourceLineConstraint(self._vocab, source)
            while len(self._line_trees) > 64:
                self._line_trees.popitem(last=False)
        self._line_trees.move_to_end(source)
        return lines.at(scope, first_line, current)

    def tokenizer(self) -> dict[str, Any]:
        if self._tokenizer_files is None:
            self._tokenizer_files = tokenizer_files(self.loaded.tokenizer)
        return {"files": self._tokenizer_files}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True   # a stuck client never keeps the process alive...
    block_on_close = True   # ...but a graceful shutdown waits for answers being written
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, app: CompletionServer) -> None:
        self.app = app
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback here; a connection that broke is only counted.
        self.app.connection_errors += 1


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "neural-pdb-serve"
    timeout = SOCKET_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass  # no per-request lines on the server's terminal; /health has the counters

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass  # the client went away; nothing to tell it

    def _error(self, error: ApiError) -> None:
        self._send_json(error.status, error.body())

    def _check_auth(self) -> bool:
        if self.server.app.authorized(self.headers.get("Authorization")):
            return True
        self._error(ApiError(401, "missing or wrong API key (send 'Authorization: Bearer KEY')",
                             kind="authentication_error"))
        return False

    def do_GET(self) -> None:  # noqa: N802 (stdlib's name)
        app = self.server.app
        path = self.path.split("?", 1)[0]
        try:
            if path == "/health":
                self._send_json(200, app.health())
            elif path in ("/v1/models", "/v1/tokenizer"):
                if self._check_auth():
                    self._send_json(200, app.models() if path == "/v1/models" else app.tokenizer())
            elif path == "/v1/completions":
                self._error(ApiError(405, "use POST for /v1/completions"))
            else:
                self._error(ApiError(404, f"no such endpoint: GET {path}", kind="not_found_error"))
        except Exception as e:  # never a traceback on the server's terminal
            self._error(ApiError(500, f"internal error: {type(e).__name__}: {e}", kind="server_error"))

    def do_POST(self) -> None:  # noqa: N802
        app = self.server.app
        path = self.path.split("?", 1)[0]
        try:
            if path != "/v1/completions":
                if path in ("/v1/models", "/health", "/v1/tokenizer"):
                    self._error(ApiError(405, f"use GET for {path}"))
                else:
                    self._error(ApiError(404, f"no such endpoint: POST {path}", kind="not_found_error"))
                return
            if not self._check_auth():
                return
            body = self._read_json(app.config.max_body_bytes)
            self._send_json(200, app.complete(body))
        except ApiError as e:
            self._error(e)
        except Exception as e:
            self._error(ApiError(500, f"internal error: {type(e).__name__}: {e}", kind="server_error"))

    def _read_json(self, limit: int) -> Any:
        length = self.headers.get("Content-Length")
        if length is None:
            raise ApiError(411, "a Content-Length header is required")
        try:
            n = int(length)
        except ValueError:
            raise ApiError(400, "bad Content-Length header") from None
        if n < 0:
            raise ApiError(400, "bad Content-Length header")
        if n > limit:
            # Read (and drop) a body of moderate excess, so the client, still sending, gets
            # the 413 rather than a broken pipe; beyond that, just close the connection.
            remaining = n if n <= 4 * limit else 0
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
            self.close_connection = True
            raise ApiError(413, f"the request body is {n} bytes, over this server's limit of {limit}")
        raw = self.rfile.read(n)
        if len(raw) < n:
            raise ApiError(400, "the request body is shorter than its Content-Length")
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ApiError(400, f"the request body is not valid JSON: {e}") from None
