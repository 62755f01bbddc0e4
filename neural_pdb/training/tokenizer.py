"""Our tokenizers: built with ``tokenizers``, CWM's trace tokens as single special tokens.

Two kinds, compared by measured accuracy (see the model card):

- ``byte``: every UTF-8 byte is a token, no merges. Values are read and written
  character by character, so no subword split can hide a digit or a letter, but every
  trace is ~3x longer, and a CPU budget sees ~3x fewer traces.
- ``bpe``: byte-level BPE learned on trace text with digits always split one by one
  (numbers are the values most often mispredicted when a tokenizer merges digits), so
  the JSON scaffolding (``": "..", "``), indentation and keywords become single tokens
  while numbers stay digit by digit.

Text is always encoded with special-token parsing off: a user's source containing
``<|frame_sep|>`` stays text (``split_special_tokens=True`` in the saved tokenizer, and
``encode_special_tokens`` on the backend tokenizer here).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from trace_format import ACTION_TOKENS, Segment, tokens

#: Special tokens, in id order after the byte/BPE vocabulary.
SPECIAL_TOKENS: tuple[str, ...] = tuple(tokens.TRACE_TOKENS) + tuple(ACTION_TOKENS)


def _byte_level_parts():
    from tokenizers import decoders, pre_tokenizers
    return pre_tokenizers, decoders


def _wrap(tok):
    """A ``PreTrainedTokenizerFast`` with bos/eos/pad set and special parsing off for text."""
    from transformers import PreTrainedTokenizerFast

    tok.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=tokens.BEGIN_OF_TEXT, eos_token=tokens.END_OF_TEXT,
                                   pad_token=tokens.PAD, split_special_tokens=True, model_max_length=1 << 20,
                                   clean_up_tokenization_spaces=False)


def build_byte_tokenizer():
    from tokenizers import Tokenizer, models
    pre_tokenizers, decoders = _byte_level_parts()
    vocab = {ch: i for i, ch in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    return _wrap(tok)


def build_bpe_tokenizer(texts: Iterable[str], vocab_size: int = 2048, split_digits: bool = True):
    """Byte-level BPE trained on ``texts`` (the text segments of traces)."""
    from tokenizers import Tokenizer, models, trainers
    pre_tokenizers, decoders = _byte_level_parts()
    tok = Tokenizer(models.BPE())
    parts = [pre_tokenizers.Digits(individual_digits=True)] if split_digits else []
    tok.pre_tokenizer = pre_tokenizers.Sequence(parts + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size - len(SPECIAL_TOKENS), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(texts, trainer=trainer)
    return _wrap(tok)


def build_tokenizer(kind: str, texts: Iterable[str] = (), vocab_size: int = 2048):
    if kind == "byte":
        return build_byte_tokenizer()
    if kind == "bpe":
        return build_bpe_tokenizer(texts, vocab_size, split_digits=True)
    if kind == "bpe-nosplit":
        return build_bpe_tokenizer(texts, vocab_size, split_digits=False)
    raise ValueError(f"unknown tokenizer kind {kind!r} (byte, bpe, bpe-nosplit)")


class SegmentEncoder:
    """Token ids of trace segments: special segments by their id, text with special
    parsing off. Fast path over the backend ``tokenizers.Tokenizer`` (used for training
    data); gives the same ids as the model backend's per-segment encoding."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.backend = tokenizer.backend_tokenizer
        self.backend.encode_special_tokens = True
        self.special = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
        missing = [t for t, i in self.special.items() if i is None or i == tokenizer.unk_token_id]
        if missing:
            raise ValueError(f"tokenizer lacks the trace tokens {missing}")

    def encode_text(self, text: str) -> list[int]:
        return self.backend.encode(text, add_special_tokens=False).ids

    def encode(self, segments: Sequence[Segment]) -> list[int]:
        ids: list[int] = []
        for seg in segments:
            ids.extend([self.special[seg.text]] if seg.special else self.encode_text(seg.text))
        return ids

    # the names the model backend's TraceVocab gives these (what a decoding constraint uses)
    def id(self, token: str) -> int:
        return self.special[token]

    encode_segments = encode


def text_segments(records: Iterable[dict]) -> Iterable[str]:
    """The plain-text pieces of records' traces (what a BPE is trained on)."""
    from trace_format import Trace, trace_segments

    for record in records:
        for seg in trace_segments(Trace.from_json(record["trace"])):
            if not seg.special:
                yield seg.text
