"""A :class:`TokenGenerator` over a local transformers causal LM, with one KV cache kept
across calls.

Why an explicit forward loop and not ``model.generate``: a debugger step generates one
short frame (tens of tokens) on top of a long cached prefix, so per-call overhead matters,
and we need per-token log-probs under the model's own distribution (for confidence), a
check between tokens for Ctrl-C, and exact control of which tokens enter the cache.
``benchmarks/engine_overhead.py`` measures this loop against ``model.generate`` on the same
tokens and the same cache: the same tokens, and 147 ms against 177 ms for a 46-token frame
after 2,043 cached tokens (random 64x2 CWM model, one CPU thread; generate's per-call
setup is what a one-frame call pays). The loop reuses transformers' own pieces
(``DynamicCache``, ``TemperatureLogitsWarper``, ``TopPLogitsWarper``) rather than
re-implementing them.

The cache: callers pass the full ids each time. We keep the ids whose keys/values are in
the cache; a new call forwards only the suffix after the longest common prefix, after
rolling the cache back (``crop``) to that prefix. When a layer cannot be cropped that far
(a sliding-window layer past its window that did not record its past, or a cache type
without crop), the cache is dropped and the prompt is prefilled again.

For architectures with sliding-window layers (CWM), the cache is told to record past
states (``activate_past_recording``): the sliding layers then keep their full history
until a crop, which costs the memory of a full-attention layer but makes ``back`` and
retries a crop instead of a re-encode of the whole trace. A crop trims a sliding layer
back to its window, so a second, deeper rollback right after one may need a re-prefill;
:meth:`LocalGenerator._can_crop_to` checks this exactly per layer.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass
from typing import Any, Sequence

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer, DynamicSlidingWindowLayer
from transformers.generation.logits_process import TemperatureLogitsWarper, TopPLogitsWarper

from .generator import Generation, GenerationError, SamplingParams


class GrowableLayer(DynamicLayer):
    """A full-attention cache layer whose keys/values live in a buffer with spare room.

    ``DynamicLayer`` appends with ``torch.cat``, which copies the whole layer for every
    generated token: O(trace) memory traffic per token, the largest part of a step on a
    long trace with a small model (measured with ``benchmarks/step_latency.py``). Here a
    token is written into the buffer (amortised O(1)) and ``keys``/``values`` are views
    of its filled part; ``crop`` only moves the end. Everything else is ``DynamicLayer``'s.
    """

    _GROW = 1.5
    _MIN_ROOM = 256

    def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        super().lazy_initialization(key_states, value_states)
        self._k_buf: torch.Tensor | None = None
        self._v_buf: torch.Tensor | None = None
        self._length = 0

    def _grow(self, need: int, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
        old = 0 if self._k_buf is None else self._k_buf.shape[-2]
        cap = max(need + self._MIN_ROOM, int(old * self._GROW))
        k = key_states.new_empty(key_states.shape[:-2] + (cap, key_states.shape[-1]))
        v = value_states.new_empty(value_states.shape[:-2] + (cap, value_states.shape[-1]))
        if self._length:
            k[..., :self._length, :] = self._k_buf[..., :self._length, :]
            v[..., :self._length, :] = self._v_buf[..., :self._length, :]
        self._k_buf, self._v_buf = k, v

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs
               ) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
        need = self._length + key_states.shape[-2]
        if self._k_buf is None or need > self._k_buf.shape[-2] or self._k_buf.shape[:-2] != key_states.shape[:-2]:
            self._grow(need, key_states, value_states)
        self._k_buf[..., self._length:need, :] = key_states
        self._v_buf[..., self._length:need, :] = value_states
        self._length = need
        self.keys = self._k_buf[..., :need, :]
        self.values = self._v_buf[..., :need, :]
        return self.keys, self.values

    def crop(self, tokens_to_remove: int) -> None:
        if tokens_to_remove > 0:
            raise ValueError("crop takes a negative number of tokens to remove")
        if tokens_to_remove == 0 or not self.is_initialized or self._k_buf is None:
            return
        self._length = max(0, self._length + tokens_to_remove)
        self.keys = self._k_buf[..., :self._length, :]
        self.values = self._v_buf[..., :self._length, :]

    def reset(self) -> None:
        super().reset()
        self._k_buf = self._v_buf = None
        self._length = 0

    def _adopt(self) -> None:
        """After an operation of the parent that replaced keys/values (batch ops)."""
        self._k_buf, self._v_buf = self.keys.contiguous(), self.values.contiguous()
        self._length = self._k_buf.shape[-2]

    def batch_repeat_interleave(self, repeats: int) -> None:
        super().batch_repeat_interleave(repeats)
        self._adopt()

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        super().batch_select_indices(indices)
        self._adopt()

    def reorder_cache(self, beam_idx: torch.LongTensor) -> None:
        super().reorder_cache(beam_idx)
        self._adopt()


@dataclass
class CacheStats:
    """Counters for tests and benchmarks."""

    forwarded_tokens: int = 0   # tokens run through the model (prompt suffixes + generated)
    prefills: int = 0           # calls that started from an empty cache
    crops: int = 0              # rollbacks done by cropping
    resets: int = 0             # rollbacks that had to drop the cache


@functools.cache
def _cache_keyword(model_class: type) -> str:
    """The forward argument that takes the KV cache: transformers 5.x names it ``cache``
    (``past_key_values`` still works there with a warning, until 5.40); earlier versions
    and remote-code models ``past_key_values``. Once per model class: this is on the
    per-token path."""
    try:
        params = inspect.signature(model_class.forward).parameters
    except (TypeError, ValueError):
        return "past_key_values"
    return "cache" if "cache" in params else "past_key_values"


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class LocalGenerator:
    """Extends token sequences with a local model; one ``DynamicCache`` per instance (one
    instance per debugging session)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.device = model.get_input_embeddings().weight.device
        self.stats = CacheStats()
        self._cache: DynamicCache | None = None
        self._cached_ids: list[int] = []
        self._keep_last_logits = True   # ``logits_to_keep=1``, where the model accepts it
        self.max_length = getattr(getattr(model, "config", None), "max_position_embeddings", None)

    # --- cache bookkeeping -------------------------------------------------------

    @property
    def cached_ids(self) -> tuple[int, ...]:
        """The token ids whose keys/values the cache holds."""
        return tuple(self._cached_ids)

    def _new_cache(self) -> DynamicCache:
        cache = DynamicCache(config=self.model.config)
        # Plain full-attention layers become growable buffers (see GrowableLayer); other
        # layer types (sliding windows, linear attention) keep their own classes.
        cache.layers = [GrowableLayer() if type(layer) is DynamicLayer else layer for layer in cache.layers]
        if any(cache.is_sliding):
            cache.activate_past_recording()
        return cache

    def reset(self) -> None:
        """Drop the cache (the next call prefills its whole prompt)."""
        self._cache = None
        self._cached_ids = []

    def _can_crop_to(self, target: int) -> bool:
        """Whether every layer can be put back exactly as it was after ``target`` tokens."""
        if self._cache is None:
            return False
        for layer in self._cache.layers:
            if not getattr(layer, "is_initialized", False):
                continue
            length = layer.get_seq_length()
            remove = length - target
            if remove < 0:
                return False
            if isinstance(layer, DynamicSlidingWindowLayer):
                if length < layer.sliding_window:
                    continue
                if not layer.record_past:
                    return False
                # The layer holds the states of tokens [length - held, length); after the
                # crop it must hold the last min(window - 1, target) states before target.
                held = layer.keys.shape[-2]
                if target - min(layer.sliding_window - 1, target) < length - held:
                    return False
            elif not (isinstance(layer, DynamicLayer) and layer.is_croppable):
                return False
        return True

    def _crop_layers(self, target: int) -> bool:
        """Crop every layer to its first ``target`` tokens when that is exact; True if done."""
        if target <= 0 or not self._can_crop_to(target):
            return False
        for layer in self._cache.layers:
            if getattr(layer, "is_initialized", False) and layer.get_seq_length() > target:
                layer.crop(target - layer.get_seq_length())
        return self._layers_at(target)

    def _truncate_to(self, target: int) -> None:
        """Roll the cache back to its first ``target`` tokens, or drop it."""
        if self._crop_layers(target):
            del self._cached_ids[target:]
            self.stats.crops += 1
            return
        self.stats.resets += 1
        self.reset()

    def _layers_at(self, length: int) -> bool:
        if self._cache is None:
            return length == 0
        return all(layer.get_seq_length() == length for layer in self._cache.layers
                   if getattr(layer, "is_initialized", False))

    def _forward(self, new_ids: list[int]) -> torch.Tensor:
        """Run ``new_ids`` on top of the cache; returns the logits after the last one (V,)."""
        if self._cache is None:
            self._cache = self._new_cache()
            self.stats.prefills += 1
        input_ids = torch.tensor([new_ids], dtype=torch.long, device=self.device)
        kwargs = {"logits_to_keep": 1} if self._keep_last_logits else {}
        cache = {_cache_keyword(type(self.model)): self._cache}
        try:
            out = self.model(input_ids=input_ids, use_cache=True, **cache, **kwargs)
        except TypeError as e:
            if not self._keep_last_logits or "logits_to_keep" not in str(e):
                raise
            self._keep_last_logits = False  # an older model class: all logits, then the last
            out = self.model(input_ids=input_ids, use_cache=True, **cache)
        # Only now is the cache known to hold these tokens (an interrupt inside the model
        # call leaves layers half updated; see _restore).
        self._cached_ids.extend(new_ids)
        self.stats.forwarded_tokens += len(new_ids)
        return out.logits[0, -1]

    def _restore(self) -> None:
        """After an interrupted forward (some layers hold the new tokens, some not): make
        the cache agree with ``_cached_ids`` again."""
        try:
            target = len(self._cached_ids)
            if not self._layers_at(target) and not self._crop_layers(target):
                self.reset()
        except Exception:  # any doubt: a re-prefill is always correct
            self.reset()

    # --- generation ----------------------------------------------------------------

    @torch.inference_mode()
    def next_token_logits(self, ids: Sequence[int]) -> torch.Tensor:
        """The logits after ``ids`` (reusing and extending the cache): for tests/benchmarks."""
        prompt = list(ids)
        keep = self._reuse(prompt)
        try:
            return self._forward(prompt[keep:]).float().clone()
        except BaseException:
            self._restore()
            raise

    def _reuse(self, prompt: list[int]) -> int:
        """Roll the cache back to the longest prefix it shares with ``prompt`` (at least
        one prompt token must be forwarded to get logits); returns that prefix length."""
        if not prompt:
            raise ValueError("cannot generate from an empty prompt")
        keep = min(_common_prefix(self._cached_ids, prompt), len(prompt) - 1)
        if keep < len(self._cached_ids):
            self._truncate_to(keep)
        return len(self._cached_ids)

    #: ``generate`` takes ``constraint`` (see :mod:`neural_pdb.model.constraint`)
    accepts_constraint = True

    @torch.inference_mode()
    def generate(self, ids: Sequence[int], *, max_new_tokens: int, stop_ids: Sequence[int],
                 forced_ids: Sequence[int] = (), sampling: SamplingParams = SamplingParams(),
                 constraint: Any = None) -> Generation:
        """``TokenGenerator.generate``; ``constraint.allowed(tokens so far)`` (when given)
        limits each next token to a set of ids. Log-probs stay the model's own."""
        prompt = list(ids) + list(forced_ids)
        if self.max_length and len(prompt) + 1 > self.max_length:
            raise GenerationError(f"the trace ({len(prompt)} tokens) is longer than the model's context "
                                  f"({self.max_length} tokens)")
        max_new_tokens = min(max_new_tokens, self.max_length - len(prompt)) if self.max_length else max_new_tokens
        keep = self._reuse(prompt)
        computed = len(prompt) - keep
        stops = set(stop_ids)
        warpers = [] if sampling.greedy else [TemperatureLogitsWarper(sampling.temperature)] + (
            [TopPLogitsWarper(sampling.top_p)] if sampling.top_p < 1.0 else [])
        rng = None if sampling.greedy else torch.Generator().manual_seed(int(sampling.seed))
        out: list[int] = []
        logprobs: list[float] = []
        stop_id = None
        try:
            logits = self._forward(prompt[keep:])
            for step in range(max_new_tokens):
                scores = torch.log_softmax(logits.float(), dim=-1)
                allowed = constraint.allowed(list(forced_ids) + out) if constraint is not None else None
                choose = logits.float()
                if allowed is not None:
                    mask = torch.full_like(choose, -math.inf)
                    mask[list(allowed)] = 0.0
                    choose = choose + mask
                if sampling.greedy:
                    token = int(torch.argmax(choose))
                else:
                    warped = choose.unsqueeze(0)
                    for warp in warpers:
                        warped = warp(None, warped)
                    probs = torch.softmax(warped, dim=-1)[0].cpu()
                    token = int(torch.multinomial(probs, 1, generator=rng))
                out.append(token)
                lp = float(scores[token])
                logprobs.append(lp if math.isfinite(lp) else -1e9)
                if token in stops:
                    stop_id = token
                    break
                if step + 1 < max_new_tokens:  # the last token enters the cache next call
                    logits = self._forward([token])
        except KeyboardInterrupt:
            self._restore()
            raise
        except Exception as e:  # out of memory, a broken checkpoint...: one line, session kept
            self._restore()
            lines = str(e).strip().splitlines()
            raise GenerationError(f"the model failed: {type(e).__name__}: {lines[0] if lines else ''}"[:300]) from e
        return Generation(tuple(out), tuple(logprobs), stop_id, computed)

    def close(self) -> None:
        self.reset()
