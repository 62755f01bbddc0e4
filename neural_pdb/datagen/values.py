"""Random literal values for generated programs, written as Python source.

Values are small on purpose: a trace model spends its capacity on every character of
every repr, so short strings and short lists keep traces short and the data dense in
what matters (line transitions and value changes).
"""

from __future__ import annotations

import random
import string

WORDS = ("apple", "banana", "cherry", "delta", "echo", "fox", "grape", "hello", "world", "python", "code",
         "data", "tree", "node", "list", "key", "value", "alpha", "beta", "gamma", "red", "green", "blue",
         "cat", "dog", "sun", "moon", "star", "river", "stone", "paper", "rock", "zip", "map", "sort", "loop",
         "time", "test", "user", "admin", "name", "item", "box", "cup", "tea", "milk", "book", "pen", "ink")
NAMES = ("alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar")
PUNCT = " .,-_!?:;#*/"


def rand_word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def rand_str(rng: random.Random) -> str:
    """A short string: a word, a sentence, random letters, mixed case, digits, punctuation."""
    kind = rng.random()
    if kind < 0.25:
        text = rng.choice(WORDS)
    elif kind < 0.45:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4)))
    elif kind < 0.65:
        text = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(0, 9)))
    elif kind < 0.8:
        alphabet = string.ascii_letters + string.digits
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
    elif kind < 0.9:
        alphabet = string.ascii_lowercase[:6] + PUNCT
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))
    else:
        text = str(rng.randint(0, 9999)) if rng.random() < 0.6 else rng.choice(WORDS).upper()
    if rng.random() < 0.15:
        text = text.title() if rng.random() < 0.5 else text.capitalize()
    return text


def rand_char(rng: random.Random) -> str:
    return rng.choice(string.ascii_lowercase[:8] + " -." + string.digits[:3])


def rand_int(rng: random.Random, lo: int = -5, hi: int = 20) -> int:
    return rng.randint(lo, hi) if rng.random() < 0.85 else rng.randint(-100, 200)


def rand_small(rng: random.Random) -> int:
    return rng.randint(0, 6)


def rand_float(rng: random.Random) -> float:
    return round(rng.uniform(-10, 30), rng.choice((1, 1, 2)))


def rand_list_int(rng: random.Random, max_len: int = 6) -> list[int]:
    return [rand_int(rng, -3, 12) for _ in range(rng.randint(0 if rng.random() < 0.1 else 1, max_len))]


def rand_list_str(rng: random.Random, max_len: int = 5) -> list[str]:
    pick = rand_word if rng.random() < 0.6 else (lambda r: rand_char(r) if r.random() < 0.5 else rand_str(r))
    return [pick(rng) for _ in range(rng.randint(0 if rng.random() < 0.1 else 1, max_len))]


def rand_dict(rng: random.Random, max_len: int = 4) -> dict[str, int]:
    keys = rng.sample(WORDS if rng.random() < 0.6 else string.ascii_lowercase[:10], rng.randint(0 if rng.random() < 0.1 else 1, max_len))
    return {k: rand_int(rng, -2, 10) for k in keys}


def rand_set(rng: random.Random) -> set[int]:
    return set(rand_list_int(rng, 5))


def rand_tuple(rng: random.Random) -> tuple[int, ...]:
    return tuple(rand_list_int(rng, 4))


#: Value makers by the type names the program generator uses.
MAKERS = {
    "str": rand_str, "char": rand_char, "int": rand_int, "small": rand_small, "float": rand_float,
    "bool": lambda rng: rng.random() < 0.5, "list_int": rand_list_int, "list_str": rand_list_str,
    "dict": rand_dict, "set": rand_set, "tuple": rand_tuple,
}


def literal(value: object) -> str:
    """Python source for a literal value (a set is written in sorted order, as people do)."""
    if isinstance(value, set):
        return "set()" if not value else "{" + ", ".join(repr(v) for v in sorted(value)) + "}"
    return repr(value)


def rand_literal(rng: random.Random, type_name: str) -> str:
    return literal(MAKERS[type_name](rng))
