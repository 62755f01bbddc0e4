"""The remote backend: the model backend with its generator on an inference server.

``neural-pdb --backend remote --url URL [--api-key K] [--model PATH_OR_ID] SCRIPT`` runs
the same :class:`~neural_pdb.backends.model.ModelBackend` (prompts, parsing, retries,
rewinds, edits, confidence: nothing is copied) over a
:class:`~neural_pdb.model.remote_generator.RemoteGenerator`, which asks an
OpenAI-compatible server (``neural-pdb serve``, or vLLM's) for each frame's tokens. With
greedy decoding a remote session answers exactly as a local one: the server runs the same
generation code on the same ids.

The tokenizer (to build prompts and read frames) comes from ``--model`` (a local directory
or a hub id: tokenizer files only, no weights) or, without it, from the server
(``GET /v1/tokenizer``: ``neural-pdb serve`` offers it; for vLLM, which does not, the
model named as ``root`` in its ``/v1/models`` when that path or hub id can be loaded here,
else pass ``--model``).

Server down, timeouts, 5xx, malformed replies: one line, retried with backoff where safe;
the session stays at its last good stop (``ModelBackend`` turns the generator's error into
a ``BackendError`` before the session changes).
"""

from __future__ import annotations

import argparse
import base64
import os
import tempfile
from dataclasses import replace
from typing import Any

from neural_pdb.engine.backend import BackendError
from neural_pdb.model.remote_generator import RemoteClient, RemoteConfig, RemoteError, RemoteGenerator, served_model_names
from trace_format import Frame

from .model import ModelBackend, ModelOptions, options_from_args

#: environment variables for the flags, so a key need not appear in a shell history
URL_ENV = "NEURAL_PDB_URL"
API_KEY_ENV = "NEURAL_PDB_API_KEY"


def add_remote_arguments(parser: argparse.ArgumentParser) -> None:
    """The remote backend's options (``--model``, ``--temperature`` etc. are the model
    backend's, from ``add_model_arguments``)."""
    g = parser.add_argument_group("remote backend (--backend remote)")
    g.add_argument("--url", metavar="URL", default=None,
                   help=f"an OpenAI-compatible server, e.g. http://127.0.0.1:8000 (default: ${URL_ENV})")
    g.add_argument("--api-key", metavar="KEY", default=None, help=f"Bearer key of the server (default: ${API_KEY_ENV})")
    g.add_argument("--served-model", metavar="NAME", default=None,
                   help="the model's name on the server (default: the first of its /v1/models)")
    g.add_argument("--timeout", type=float, default=120.0, metavar="S",
                   help="seconds to wait for each answer of the server (default 120)")


def remote_config_from_args(ns: argparse.Namespace) -> RemoteConfig:
    url = getattr(ns, "url", None) or os.environ.get(URL_ENV)
    if not url:
        raise BackendError("--backend remote needs --url URL (the server's address)")
    timeout = getattr(ns, "timeout", None) or 120.0
    if timeout <= 0:
        raise BackendError("--timeout must be positive")
    return RemoteConfig(url=url, api_key=getattr(ns, "api_key", None) or os.environ.get(API_KEY_ENV) or None,
                        model=getattr(ns, "served_model", None), timeout_s=float(timeout))


def load_tokenizer(path_or_id: str) -> Any:
    """Only the tokenizer of a model (no weights); ``BackendError`` with one line."""
    from neural_pdb.model.loading import quiet_transformers
    quiet_transformers()
    from transformers import AutoTokenizer
    path = os.path.expanduser(path_or_id)
    local = os.path.exists(path)
    offline = local or os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=offline)
    except Exception as e:  # transformers raises many types
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
        raise BackendError(f"cannot load the tokenizer of {path_or_id}: {first}") from None
    if tokenizer is None or isinstance(tokenizer, bool):
        raise BackendError(f"no tokenizer files in {path_or_id}")
    return tokenizer


def fetch_tokenizer(client: RemoteClient) -> Any:
    """The server's tokenizer (``GET /v1/tokenizer``), loaded from a temporary copy."""
    try:
        reply = client.get_json("/v1/tokenizer")
    except RemoteError as e:
        if e.status == 404:
            return _tokenizer_of_served_model(client)
        raise BackendError(str(e)) from None
    files = reply.get("files") if isinstance(reply, dict) else None
    if not isinstance(files, dict) or not files:
        raise BackendError(f"malformed response from server at {client.base_url}: no tokenizer files")
    with tempfile.TemporaryDirectory(prefix="neural-pdb-remote-tokenizer-") as tmp:
        for name, data in files.items():
            if not isinstance(name, str) or os.path.basename(name) != name or name.startswith("."):
                raise BackendError(f"malformed response from server at {client.base_url}: bad file name {name!r}")
            try:
                content = base64.b64decode(data, validate=True)
            except (ValueError, TypeError):
                raise BackendError(f"malformed response from server at {client.base_url}: {name} is not base64") from None
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(content)
        return load_tokenizer(tmp)


def _tokenizer_of_served_model(client: RemoteClient) -> Any:
    """A server without ``/v1/tokenizer`` (vLLM): the tokenizer of the model it names as
    its ``root`` (the path or hub id vLLM loaded), when that can be loaded here."""
    try:
        models = client.get_json("/v1/models")
        root = models["data"][0].get("root") or models["data"][0]["id"]
    except (RemoteError, KeyError, IndexError, TypeError, AttributeError):
        root = None
    if isinstance(root, str) and root:
        try:
            return load_tokenizer(root)
        except BackendError:
            pass
    raise BackendError(f"the server at {client.base_url} does not provide its tokenizer (vLLM does not): "
                       "pass --model PATH_OR_ID naming the model's tokenizer")


class RemoteBackend(ModelBackend):
    """A :class:`ModelBackend` whose generator is a :class:`RemoteGenerator`."""

    name = "remote"

    @classmethod
    def connect(cls, filename: str, source: str, remote: RemoteConfig, options: ModelOptions = ModelOptions(), *,
                entry_frame: Frame | None = None, tokenizer: Any = None) -> "RemoteBackend":
        """Check the server, get the tokenizer (``tokenizer``, else ``options.model``, else
        the server's), and build the backend. Raises ``BackendError`` with one line."""
        from neural_pdb.model.vocab import TraceVocab, VocabError
        try:
            client = RemoteClient(remote)
            served = served_model_names(client)  # also: is the server there, is the key right?
        except RemoteError as e:
            raise BackendError(str(e)) from None
        if remote.model is not None and remote.model not in served:
            raise BackendError(f"the server at {client.base_url} serves {', '.join(served)}, not {remote.model}")
        model_name = remote.model or served[0]
        if tokenizer is None:
            tokenizer = load_tokenizer(options.model) if options.model else fetch_tokenizer(client)
        try:
            vocab = TraceVocab.from_tokenizer(tokenizer, name=f"the tokenizer of {options.model or client.base_url}")
        except VocabError as e:
            raise BackendError(str(e)) from None
        generator = RemoteGenerator(replace(remote, model=model_name), client=client, vocab_size=len(tokenizer))
        return cls(filename, source, generator, vocab, options.prediction_config(), entry_frame=entry_frame)


def build_remote_backend(ns: argparse.Namespace, filename: str, source: str, *,
                         entry_frame: Frame | None = None) -> RemoteBackend:
    """From parsed flags (``add_model_arguments`` + ``add_remote_arguments``) to a backend;
    ``BackendError`` (one line) when the server or the tokenizer is not usable."""
    if getattr(ns, "start", None) is not None:
        raise BackendError("--start needs --backend model (a remote session starts at the program's beginning)")
    for flag in ("device", "dtype"):
        if getattr(ns, flag, None) is not None:
            raise BackendError(f"--{flag} is for a local model; the server chose its own (neural-pdb serve --{flag})")
    return RemoteBackend.connect(filename, source, remote_config_from_args(ns), options_from_args(ns),
                                 entry_frame=entry_frame)
