"""Loading any causal LM that speaks CWM's trace format, with one clear line per failure.

``load_model(path_or_id)`` goes through ``AutoTokenizer`` / ``AutoModelForCausalLM`` (CWM is
``CwmForCausalLM`` in transformers; our embedded default model loads the same way), checks
that the tokenizer has every trace token as a single special token, and places the model
on ``device`` (``"auto"``: accelerate's ``device_map="auto"``, for models larger than one
device).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .vocab import TraceVocab, VocabError

#: The embedded default model, shipped inside the package (see its MODEL_CARD.md).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "default_model"

_DTYPES = {"float32": "float32", "fp32": "float32", "float": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
           "float16": "float16", "fp16": "float16", "half": "float16", "auto": "auto"}


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "vocab.json", "tiktoken.model")


class ModelLoadError(Exception):
    """A model that cannot be used; the message is one line naming what is missing."""


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    vocab: TraceVocab
    name: str

    @property
    def device(self) -> Any:
        return self.model.get_input_embeddings().weight.device


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:300]


def _looks_local(path_or_id: str) -> bool:
    # A hub id is "name" or "owner/name"; anything else that is not on disk is a path.
    return os.path.exists(path_or_id) or path_or_id.startswith((".", "/", "~")) or path_or_id.strip("/").count("/") >= 2


def resolve_dtype(dtype: str | None) -> Any:
    """``"bf16"`` etc. to a torch dtype; None and ``"auto"`` pass through."""
    if dtype is None:
        return None
    key = _DTYPES.get(str(dtype).lower())
    if key is None:
        raise ModelLoadError(f"unknown dtype {dtype!r} (use float32, bfloat16, float16 or auto)")
    if key == "auto":
        return "auto"
    import torch
    return getattr(torch, key)


def resolve_device(device: str | None) -> str:
    """None: the GPU when there is one, else the CPU. ``"auto"`` is kept for device_map."""
    import torch
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = str(device)
    if device == "auto":
        return device
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError):
        raise ModelLoadError(f"unknown device {device!r} (use cpu, cuda, cuda:N, mps or auto)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(f"device {device!r} requested but no CUDA GPU is available")
    return device


def load_model(path_or_id: str | os.PathLike | None = None, *, device: str | None = None, dtype: str | None = None,
               local_files_only: bool | None = None) -> LoadedModel:
    """Load tokenizer and model; raise :class:`ModelLoadError` with one line otherwise.

    ``path_or_id``: a directory written by ``save_pretrained`` or a hub id; None loads the
    embedded default model. ``local_files_only`` defaults to true for a local path and to
    the ``HF_HUB_OFFLINE`` setting for a hub id.
    """
    path = str(DEFAULT_MODEL_DIR if path_or_id is None else path_or_id)
    path = os.path.expanduser(path)
    local = _looks_local(path)
    if local:
        if not os.path.exists(path):
            what = "the embedded default model is not installed" if path_or_id is None else "model path not found"
            raise ModelLoadError(f"{what}: {path}")
        if not os.path.isdir(path):
            raise ModelLoadError(f"model path is not a directory: {path}")
        if not os.path.exists(os.path.join(path, "config.json")):
            raise ModelLoadError(f"no config.json in {path}: not a transformers checkpoint")
        if not any(os.path.exists(os.path.join(path, f)) for f in _TOKENIZER_FILES):
            raise ModelLoadError(f"no tokenizer in {path} (expected tokenizer.json or tokenizer.model)")
        local_files_only = True if local_files_only is None else local_files_only
    elif local_files_only is None:
        local_files_only = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")

    torch_dtype = resolve_dtype(dtype)
    device = resolve_device(device)
    quiet_transformers()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local_files_only)
    except Exception as e:  # transformers raises many types (OSError, ValueError, KeyError...)
        raise ModelLoadError(f"cannot load the tokenizer of {path}: {_first_line(e)}") from None
    if tokenizer is None or isinstance(tokenizer, bool):
        raise ModelLoadError(f"no tokenizer files in {path}")
    try:
        vocab = TraceVocab.from_tokenizer(tokenizer, name=f"the tokenizer of {path}")
    except VocabError as e:
        raise ModelLoadError(str(e)) from None

    kwargs: dict[str, Any] = {"local_files_only": local_files_only}
    if torch_dtype is not None:
        kwargs["dtype"] = torch_dtype
    if device == "auto":
        kwargs["device_map"] = "auto"  # accelerate spreads layers over GPUs, then CPU
    try:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except Exception as e:
        raise ModelLoadError(f"cannot load the model weights of {path}: {_first_line(e)}") from None
    if device != "auto":
        try:
            model = model.to(device)
        except Exception as e:
            raise ModelLoadError(f"cannot move the model to {device}: {_first_line(e)}") from None
    model.eval()
    vocab_size = model.get_input_embeddings().weight.shape[0]
    too_big = [t for t, tid in vocab.ids.items() if tid >= vocab_size]
    if too_big:
        raise ModelLoadError(f"the model's embedding has {vocab_size} rows but the tokenizer gives "
                             f"{too_big[0]} id {vocab.ids[too_big[0]]}: tokenizer and weights do not match")
    return LoadedModel(model, tokenizer, vocab, path)


def quiet_transformers() -> None:
    """Silence transformers' warnings and progress bars: a debugger's terminal is not the
    place for them."""
    import transformers
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:  # hub retries print a line per attempt
        import huggingface_hub
        huggingface_hub.utils.logging.set_verbosity_error()
    except Exception:
        pass
