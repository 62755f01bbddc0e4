"""Settings of ``neural-pdb serve``: one typed value, filled from flags in one place
(``neural_pdb.commands.serve_cmd``) and passed in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeConfig:
    #: localhost only unless asked: a model server is not something to expose by accident.
    host: str = "127.0.0.1"
    #: 0 picks a free port (tests); the chosen one is printed and kept on the server.
    port: int = 8000
    #: when set, ``/v1/*`` requires ``Authorization: Bearer <api_key>`` (``/health`` does not).
    api_key: str | None = None
    #: the name clients see in ``/v1/models`` and must send as ``model`` (or omit).
    model_name: str = "neural-pdb"
    #: requests waiting for the model beyond the one running; more get 503 at once.
    max_queue: int = 64
    #: request body limit (a 32K-token prompt as JSON ids is about 250 KB).
    max_body_bytes: int = 4 * 1024 * 1024
    #: prompt length limit in tokens; None: the model's ``max_position_embeddings``.
    max_prompt_tokens: int | None = None
    #: ``max_tokens`` limit of one request (a frame is tens to a few thousand tokens).
    max_new_tokens: int = 4096
    #: per-client KV caches kept on the server (least recently used dropped first).
    max_sessions: int = 16
    #: a request that waited this long in the queue plus ran is answered 504.
    request_timeout_s: float = 300.0
