"""A thing that extends a token sequence: the one seam between the debugger and a model.

Everything above this (prompts, frames, retries, confidence) is written once over
:class:`TokenGenerator`; below it sit a local transformers model with a KV cache kept
across calls (:class:`neural_pdb.model.local.LocalGenerator`) and a remote inference
server (``neural_pdb.backends.remote``). Callers always pass the *full* token ids of the
trace so far: an implementation that keeps a cache works out for itself which suffix is
new, and rolls its cache back when the ids diverge from what it holds (``back``, a
resample, an edit).

No torch here: the protocol and its values are plain Python so that a remote client and
scripted test generators need no model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable


@dataclass(frozen=True)
class SamplingParams:
    """How to pick each token. ``temperature == 0`` is greedy (the default, so a session
    is reproducible); otherwise nucleus sampling with ``top_p`` from a generator seeded
    with ``seed``."""

    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0


@dataclass(frozen=True)
class Generation:
    """The tokens a generator appended after the prompt (and after any forced ids).

    ``logprobs[i]`` is the model's log-probability of ``token_ids[i]`` under its own
    distribution (temperature 1, before top-p), which is what confidence is computed
    from; ``None`` entries where a generator cannot tell.
    ``stop_id`` is the stop token that ended the generation (it is the last of
    ``token_ids``); ``None`` when the token limit was reached first (truncated).
    """

    token_ids: tuple[int, ...]
    logprobs: tuple[float | None, ...] = ()
    stop_id: int | None = None
    #: tokens of the prompt the generator had to encode (not found in its cache): for
    #: measurements; 0 where unknown.
    prompt_tokens_computed: int = 0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_truncated(self) -> bool:
        return self.stop_id is None


@runtime_checkable
class TokenGenerator(Protocol):
    """Extends token sequences. Implementations: local transformers model (with a KV cache
    kept across calls), a remote OpenAI-compatible server, scripted generators in tests."""

    def generate(self, ids: Sequence[int], *, max_new_tokens: int, stop_ids: Sequence[int],
                 forced_ids: Sequence[int] = (), sampling: SamplingParams = SamplingParams()) -> Generation:
        """Continue ``list(ids) + list(forced_ids)`` until a token of ``stop_ids`` is produced
        (included in the result) or ``max_new_tokens`` new tokens were produced.

        ``forced_ids`` are part of the prompt (e.g. ``<|return_sep|>`` to step over a
        call); they are not in the returned ``token_ids``. Raises ``KeyboardInterrupt``
        unchanged when interrupted; the generator stays usable afterwards.
        """
        ...

    def close(self) -> None:
        """Release the model / connection / cache."""
        ...


class GenerationError(Exception):
    """A generator could not produce tokens (e.g. a server error); one line for the user."""
