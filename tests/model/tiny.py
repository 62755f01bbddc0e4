"""Tiny randomly initialised CWM-format models, built in a test in well under a second.

Reusable by any test (``from tests.model.tiny import save_tiny_model``):

- :func:`build_tiny_tokenizer`: a byte-level tokenizer (256 byte tokens, no merges) with
  CWM's trace tokens as special tokens, wrapped in ``PreTrainedTokenizerFast``.
- :func:`build_tiny_model`: a 2-layer ``CwmForCausalLM`` (or Llama) with hidden size 32.
- :func:`save_tiny_model`: both saved with ``save_pretrained`` into a directory, ready for
  ``AutoTokenizer`` / ``AutoModelForCausalLM.from_pretrained`` (and our loader).
"""

from __future__ import annotations

from pathlib import Path

from trace_format import tokens

# A few extra specials as real CWM-style tokenizers have them; the trace tokens come first
# so their ids are stable: 256 + index.
SPECIALS = list(tokens.TRACE_TOKENS)


def build_tiny_tokenizer(trace_tokens: list[str] | None = None):
    """Byte-level BPE with no merges: every byte is a token, specials are single tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    byte_vocab = {ch: i for i, ch in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    tok = Tokenizer(models.BPE(vocab=byte_vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    specials = SPECIALS if trace_tokens is None else trace_tokens
    tok.add_special_tokens(specials)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=tokens.BEGIN_OF_TEXT if tokens.BEGIN_OF_TEXT in specials else None,
        eos_token=tokens.END_OF_TEXT if tokens.END_OF_TEXT in specials else None,
        pad_token=tokens.PAD if tokens.PAD in specials else None,
    )


def build_tiny_model(vocab_size: int, *, arch: str = "cwm", sliding_window: int | None = None, seed: int = 0,
                     hidden: int = 32, layers: int = 2, max_positions: int = 8192, special_ids: tuple[int, int, int] = (0, 1, 2)):
    """A randomly initialised causal LM. ``arch="cwm"`` uses CWM's architecture (one full
    attention layer, then sliding-window layers when ``sliding_window`` is given);
    ``arch="llama"`` is all full attention. ``special_ids``: bos, eos, pad ids."""
    import torch
    from transformers import AutoModelForCausalLM, CwmConfig, LlamaConfig

    torch.manual_seed(seed)
    common = dict(vocab_size=vocab_size, hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=hidden // 4,
                  max_position_embeddings=max_positions, bos_token_id=special_ids[0], eos_token_id=special_ids[1],
                  pad_token_id=special_ids[2],
                  tie_word_embeddings=False)
    if arch == "cwm":
        layer_types = ["full_attention"] + ["sliding_attention" if sliding_window else "full_attention"] * (layers - 1)
        config = CwmConfig(**common, sliding_window=sliding_window or max_positions, layer_types=layer_types)
    elif arch == "llama":
        config = LlamaConfig(**common)
    else:
        raise ValueError(f"unknown arch {arch!r}")
    model = AutoModelForCausalLM.from_config(config)
    model.eval()
    return model


def save_tiny_model(directory: str | Path, *, arch: str = "cwm", sliding_window: int | None = None, seed: int = 0,
                    trace_tokens: list[str] | None = None) -> Path:
    """Build and ``save_pretrained`` a tiny tokenizer + model into ``directory``."""
    directory = Path(directory)
    tokenizer = build_tiny_tokenizer(trace_tokens)
    ids = tuple(tokenizer.convert_tokens_to_ids(t) or 0 for t in (tokens.BEGIN_OF_TEXT, tokens.END_OF_TEXT, tokens.PAD))
    model = build_tiny_model(len(tokenizer), arch=arch, sliding_window=sliding_window, seed=seed, special_ids=ids)
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory
