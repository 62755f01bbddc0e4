"""``neural-pdb serve``: load a model once and serve it to many debugging sessions."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

DESCRIPTION = """\
Load a CWM-format model once and serve the OpenAI-compatible completions API
(POST /v1/completions with token-id prompts, GET /v1/models, GET /health) to many
debugging sessions: `neural-pdb --backend remote --url http://HOST:PORT SCRIPT`.

Binds to 127.0.0.1 unless --host says otherwise; with --api-key (or the environment
variable NEURAL_PDB_API_KEY) every /v1 request needs `Authorization: Bearer KEY`.
Requests run one at a time on the model, in order, with one KV cache per client session
(the request's `user` field), so a step costs its new tokens only; at most --max-queue
requests wait, more are answered 503 at once. Ctrl-C or SIGTERM stops accepting
requests, finishes the ones received, and exits.

For a large model on several GPUs run vLLM's OpenAI server instead; the remote backend
speaks to it unchanged (see the README for the flags that keep trace tokens intact).
"""


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise _ArgumentError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="neural-pdb serve", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", metavar="PATH_OR_ID", help="a transformers checkpoint (default: the embedded model)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--api-key", metavar="KEY", default=None, help="require this Bearer key (default: $NEURAL_PDB_API_KEY)")
    p.add_argument("--served-name", metavar="NAME", default=None, help="model name in /v1/models (default: the model's)")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:N, mps or auto (default: a GPU if there is one)")
    p.add_argument("--dtype", default=None, help="float32, bfloat16, float16 or auto")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="CPU threads for the model (torch.set_num_threads; default: torch's). On a busy "
                        "machine 1 can be several times faster for a small model")
    p.add_argument("--max-queue", type=int, default=64, metavar="N", help="requests that may wait (default 64)")
    p.add_argument("--max-sessions", type=int, default=16, metavar="N", help="KV caches kept, one per session (default 16)")
    p.add_argument("--max-tokens", type=int, default=4096, metavar="N", help="largest max_tokens of a request (default 4096)")
    p.add_argument("--max-model-len", type=int, default=None, metavar="N",
                   help="prompt + completion limit in tokens (default: the model's max_position_embeddings)")
    p.add_argument("--max-body-bytes", type=int, default=4 * 1024 * 1024, metavar="N", help="request body limit")
    p.add_argument("--request-timeout", type=float, default=300.0, metavar="S", help="answer 504 after S seconds")
    return p


def config_from_args(opts: argparse.Namespace, model_name: str):
    """Flags to :class:`ServeConfig`, in one place."""
    from neural_pdb.serve.config import ServeConfig
    return ServeConfig(host=opts.host, port=opts.port, api_key=opts.api_key or os.environ.get("NEURAL_PDB_API_KEY") or None,
                       model_name=opts.served_name or model_name, max_queue=opts.max_queue,
                       max_body_bytes=opts.max_body_bytes, max_prompt_tokens=opts.max_model_len,
                       max_new_tokens=opts.max_tokens, max_sessions=opts.max_sessions,
                       request_timeout_s=opts.request_timeout)


def _served_name(path: str) -> str:
    return os.path.basename(os.path.normpath(path)) or "neural-pdb"


def main(argv: list[str]) -> int:
    try:
        opts = build_parser().parse_args(argv)
    except _ArgumentError as e:
        print(f"neural-pdb serve: error: {e}", file=sys.stderr)
        return 2
    for name in ("max_queue", "max_sessions", "max_tokens", "max_body_bytes"):
        if getattr(opts, name) < 1:
            print(f"neural-pdb serve: error: --{name.replace('_', '-')} must be positive", file=sys.stderr)
            return 2
    if not 0 <= opts.port <= 65535:
        print("neural-pdb serve: error: --port must be in 0..65535", file=sys.stderr)
        return 2

    if opts.threads is not None:
        if opts.threads < 1:
            print("neural-pdb serve: error: --threads must be positive", file=sys.stderr)
            return 2
        import torch
        torch.set_num_threads(opts.threads)
    from neural_pdb.model.loading import ModelLoadError, load_model
    try:
        loaded = load_model(opts.model, device=opts.device, dtype=opts.dtype)
    except ModelLoadError as e:
        print(f"neural-pdb serve: error: {e}", file=sys.stderr)
        return 2

    from neural_pdb.serve.server import CompletionServer
    config = config_from_args(opts, _served_name(loaded.name))
    try:
        server = CompletionServer(loaded, config)
    except OSError as e:
        print(f"neural-pdb serve: error: cannot listen on {config.host}:{config.port}: {e.strerror or e}", file=sys.stderr)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    auth = "an API key" if config.api_key else "no API key"
    print(f"neural-pdb serve: serving {config.model_name} on {server.url} ({auth}); Ctrl-C stops", flush=True)
    if config.host not in ("127.0.0.1", "localhost", "::1") and not config.api_key:
        print("neural-pdb serve: warning: listening beyond this machine without an API key", file=sys.stderr)
    while not stop.wait(0.5):
        pass
    print("neural-pdb serve: stopping (finishing requests in progress)", file=sys.stderr, flush=True)
    server.shutdown()
    print("neural-pdb serve: stopped", file=sys.stderr, flush=True)
    return 0
