"""Between trace segments and token ids, for one tokenizer.

Prompts are built from ``trace_format`` segments and tokenized one segment at a time: a
special segment maps to its id (looked up by its string and verified at load time to be a
single special token); a text segment is tokenized with special-token parsing off, so a
program whose source contains ``<|frame_sep|>`` gets ordinary text ids and can never
inject a control token. Generated ids go back to segments the same way: a trace token's
id becomes a special segment, runs of other ids are decoded together as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from trace_format import Segment, tokens


class VocabError(ValueError):
    """A tokenizer that cannot speak the trace format; the message is one line."""


def _special_tokens_of(tokenizer: Any) -> dict[int, str]:
    """id -> string of every special token the tokenizer knows (added specials included)."""
    out: dict[int, str] = {}
    for tid, added in getattr(tokenizer, "added_tokens_decoder", {}).items():
        if getattr(added, "special", False):
            out[int(tid)] = str(added.content if hasattr(added, "content") else added)
    for tid, text in zip(tokenizer.all_special_ids, tokenizer.all_special_tokens):
        out.setdefault(int(tid), str(text))
    return out


@dataclass
class TraceVocab:
    """The trace tokens' ids in one tokenizer, and segment <-> id conversion."""

    tokenizer: Any
    ids: dict[str, int]                                    # trace token string -> id
    special_text: dict[int, str] = field(default_factory=dict)  # every special id -> string
    _text_cache: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tokenizer(cls, tokenizer: Any, name: str = "the tokenizer") -> "TraceVocab":
        """Look every trace token up by its string; raise :class:`VocabError` naming the
        ones that are missing or not single special tokens."""
        specials = _special_tokens_of(tokenizer)
        by_text = {text: tid for tid, text in specials.items()}
        missing = [t for t in tokens.TRACE_TOKENS if t not in by_text]
        if missing:
            vocab = tokenizer.get_vocab() if hasattr(tokenizer, "get_vocab") else {}
            not_special = [t for t in missing if t in vocab]
            if not_special and len(not_special) == len(missing):
                raise VocabError(f"{name} has {', '.join(not_special)} but not as special tokens "
                                 "(source text could inject them)")
            raise VocabError(f"{name} lacks CWM's trace tokens {', '.join(missing)} "
                             "(not a CWM-format model)")
        ids = {t: by_text[t] for t in tokens.TRACE_TOKENS}
        # A token string must map to exactly its one id, also through the tokenizer's own
        # lookup (a tokenizer with duplicate entries would decode ambiguously).
        for t, tid in ids.items():
            looked_up = tokenizer.convert_tokens_to_ids(t)
            if looked_up != tid:
                raise VocabError(f"{name} maps {t} to {looked_up}, expected the single special token {tid}")
        return cls(tokenizer, ids, specials)

    def id(self, token: str) -> int:
        return self.ids[token]

    @property
    def frame_stop_ids(self) -> tuple[int, int]:
        """A frame's generation ends at ``<|frame_sep|>`` (or ``<|end_of_text|>``)."""
        return self.ids[tokens.FRAME_SEP], self.ids[tokens.END_OF_TEXT]

    def encode_text(self, text: str) -> list[int]:
        """Plain text to ids, special-token parsing off."""
        if not text:
            return []
        cached = self._text_cache.get(text)
        if cached is None:
            cached = list(self.tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"])
            if len(self._text_cache) < 4096:
                self._text_cache[text] = cached
        return list(cached)

    def encode_segments(self, segments: Iterable[Segment]) -> list[int]:
        out: list[int] = []
        for seg in segments:
            if seg.special:
                tid = self.ids.get(seg.text)
                if tid is None:
                    raise VocabError(f"not a trace token: {seg.text!r}")
                out.append(tid)
            else:
                out.extend(self.encode_text(seg.text))
        return out

    def decode_text(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=False, clean_up_tokenization_spaces=False)

    def to_segments(self, ids: Sequence[int]) -> list[Segment]:
        """Generated ids to segments: special ids are special segments (token boundaries are
        kept, so text that merely looks like a token stays text)."""
        out: list[Segment] = []
        run: list[int] = []
        for tid in ids:
            if tid in self.special_text:
                if run:
                    out.append(Segment(self.decode_text(run)))
                    run = []
                out.append(Segment(self.special_text[tid], True))
            else:
                run.append(tid)
        if run:
            out.append(Segment(self.decode_text(run)))
        return out

    def text_offsets(self, ids: Sequence[int]) -> list[int]:
        """End offset (in characters of the decoded run) of each id of a run of text ids.

        Decoding token by token is exact for most tokenizers; when it is not (a character
        split across byte tokens), fall back to decoding growing prefixes."""
        pieces = [self.decode_text([t]) for t in ids]
        whole = self.decode_text(ids)
        if "".join(pieces) == whole:
            ends, pos = [], 0
            for p in pieces:
                pos += len(p)
                ends.append(pos)
            return ends
        return [len(self.decode_text(ids[:k + 1])) for k in range(len(ids))]
