"""Longer argument values for a share of the generated calls.

The generator keeps values short on purpose (dense data: every character of every repr
costs the model capacity), but then a model never sees a 20-character string or a list
of ten numbers, which real programs and CruxEval's inputs have. Widening redraws a
call's arguments with the same types and the same kind of content, only longer. It draws
from its own RNG (seeded by the program), so the program stream is unchanged and a
fraction of 0 writes the datasets of before.
"""

from __future__ import annotations

import ast
import random
import string

from .seeding import own_rng
from .values import WORDS, literal


def _alphabet_like(text: str) -> str:
    """The characters a longer string of the same kind draws from."""
    pool = set(text)
    if any(c.islower() for c in text):
        pool |= set(string.ascii_lowercase)
    if any(c.isupper() for c in text):
        pool |= set(string.ascii_uppercase)
    if any(c.isdigit() for c in text):
        pool |= set(string.digits)
    return "".join(sorted(pool))


def widen_str(text: str, rng: random.Random) -> str:
    if len(text) <= 1:  # a char parameter stays a char
        return text
    if " " in text.strip() and all(w.isalpha() for w in text.split()):
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 7))]
        return " ".join(words).title() if text.istitle() else " ".join(words)
    alphabet = _alphabet_like(text)
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(max(len(text) + 2, 8), 24)))


def _like(example: object, rng: random.Random) -> object:
    """A new element of the same type and range as ``example``."""
    if isinstance(example, bool):
        return rng.random() < 0.5
    if isinstance(example, int):
        return rng.randint(min(example, 0) - 5, max(example, 10) + 5)
    if isinstance(example, str):
        return rng.choice(WORDS) if example.isalpha() and len(example) > 1 else \
            "".join(rng.choice(_alphabet_like(example) or "ab") for _ in range(max(1, len(example))))
    return example


def widen_value(value: object, rng: random.Random) -> object:
    """``value`` with more content of the same kind; empty containers and scalars other than
    strings stay as they are (an empty list is a case of its own)."""
    if isinstance(value, str):
        return widen_str(value, rng)
    if isinstance(value, (list, tuple)) and value:
        extra = [_like(rng.choice(value), rng) for _ in range(rng.randint(3, 8))]
        items = list(value) + extra
        if all(type(v) is int for v in value) and list(value) == sorted(value):
            items.sort()  # a sorted list stays sorted (binary searches, merges)
        return type(value)(items)
    if isinstance(value, dict) and value:
        keys = list(value)
        out = dict(value)
        for _ in range(rng.randint(2, 5)):
            key = _like(rng.choice(keys), rng)
            out.setdefault(key, _like(rng.choice(list(value.values())), rng))
        return out
    if isinstance(value, set) and value:
        return value | {_like(rng.choice(sorted(value, key=repr)), rng) for _ in range(rng.randint(2, 5))}
    return value


def widen_args(args: str, seed_text: str) -> str:
    """``args`` (CruxEval-style: ``"'abc', [1, 2]"``) with longer values; deterministic in
    ``seed_text`` and ``args``."""
    rng = own_rng("widen", seed_text, args)
    values = ast.literal_eval(f"({args},)")
    return ", ".join(literal(widen_value(v, rng)) for v in values)
