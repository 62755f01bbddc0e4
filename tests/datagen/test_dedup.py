"""CruxEval stays out of the training data: normalized-source matching."""

import json
from pathlib import Path

import pytest

from neural_pdb.datagen.dataset import DEFAULT_CRUXEVAL
from neural_pdb.datagen.dedup import CruxEvalIndex, normalize_source

pytestmark = pytest.mark.skipif(not Path(DEFAULT_CRUXEVAL).exists(), reason="cruxeval-dev.jsonl not present")


def _first_samples(n):
    with open(DEFAULT_CRUXEVAL) as fh:
        return [json.loads(line)["code"] for line, _ in zip(fh, range(n))]


def test_normalization_ignores_names_comments_quotes_and_spacing():
    a = "def f(text, n):\n    out = text * n  # repeat\n    return out\n"
    b = 'def g(s,   k):\n\n    result = s*k\n    return result\n'
    c = "def f(text, n):\n    out = text + n\n    return out\n"
    assert normalize_source(a) == normalize_source(b)
    assert normalize_source(a) != normalize_source(c)
    assert normalize_source(a) == normalize_source("def f(text, n): # << START_OF_TRACE\n    out = text * n\n    return out\n")


def test_cruxeval_samples_are_found_even_renamed_and_reformatted():
    index = CruxEvalIndex.load(DEFAULT_CRUXEVAL)
    for code in _first_samples(20):
        disguised = code.replace("def f(", "def solve(").replace("    ", "    # note\n    ", 1)
        assert index.overlaps(disguised), code
        assert index.overlaps("import os\n\n" + code + "\n\nprint(1)\n")
    assert not index.overlaps("def f(a):\n    return a + 12345\n")
