"""RNGs of their own for changes made to a generated program after the fact.

Dressing, renaming, widening and extra blocks must not draw from the generator's RNG: the
program stream (and so every dataset written before they existed) stays the same for any
of their fractions. Each draws instead from an RNG seeded by the text it changes.
"""

from __future__ import annotations

import random
import zlib


def own_rng(*parts: str) -> random.Random:
    """A deterministic RNG for ``parts`` (a tag and the text it depends on), the same in
    every process and Python version (``hash()`` is salted; CRC-32 is not)."""
    return random.Random(zlib.crc32("\0".join(parts).encode()))
